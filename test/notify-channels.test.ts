/**
 * Each notification channel's wire format against the local receivers (real HTTP on loopback):
 * what is sent (path, method, headers, body encoding, auth) and how each answer is read (ok,
 * the receiver's own error bodies, 429 with Retry-After or retry_after, 5xx, garbage, timeouts).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { DiscordChannel } from '../src/services/notification-service/channels/discord-channel.js';
import { retryAfterMs } from '../src/services/notification-service/channels/http-post.js';
import type { OutgoingMessage } from '../src/services/notification-service/channels/notify-channel.js';
import { SignalChannel } from '../src/services/notification-service/channels/signal-channel.js';
import { SlackChannel } from '../src/services/notification-service/channels/slack-channel.js';
import { TelegramChannel } from '../src/services/notification-service/channels/telegram-channel.js';
import { TwilioSmsChannel } from '../src/services/notification-service/channels/twilio-sms-channel.js';
import { WebhookChannel, webhookSignature } from '../src/services/notification-service/channels/webhook-channel.js';
import { NotifyReceiver } from '../src/sim/notify/notify-receiver.js';

const TG_TOKEN = '123456:AAH-telegram-secret-token';
const SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH = 'twilio-auth-token-secret';

function message(text = '[PAPER] High edge +6.0¢ model_edge nba g1: BUY 10 YES BOS kalshi M1 @ 0.55', id = 'he:sig-1'): OutgoingMessage {
  return { id, type: 'high_edge', severity: 'info', mode: 'PAPER', text, ts: 1_760_000_000_000, events: [{ id, type: 'high_edge', severity: 'info', message: text }] };
}

let rx: NotifyReceiver;
beforeAll(async () => {
  rx = await new NotifyReceiver({ telegramToken: TG_TOKEN, twilioAuth: { sid: SID, token: AUTH } }).start();
});
afterAll(() => rx.close());
beforeEach(() => {
  rx.requests.length = 0;
  rx.queued.length = 0;
});

describe('generic webhook', () => {
  it('POSTs JSON with the stable id, type, mode, severity, message and events, and an HMAC signature', async () => {
    const ch = new WebhookChannel({ url: `${rx.url}/hook`, secret: 'hmac-secret-1', timeoutMs: 2000 });
    const out = await ch.send(message());
    ch.close();
    expect(out).toEqual({ kind: 'ok', status: 200 });
    const req = rx.requests[0]!;
    expect(req.kind).toBe('webhook');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['idempotency-key']).toBe('he:sig-1');
    expect(req.body).toMatchObject({ id: 'he:sig-1', type: 'high_edge', mode: 'PAPER', severity: 'info', count: 1, ts: '2025-10-09T08:53:20.000Z' });
    expect(req.body!.message).toContain('High edge');
    const ts = req.headers['x-arbees-timestamp'] as string;
    expect(req.headers['x-arbees-signature']).toBe(`sha256=${webhookSignature('hmac-secret-1', ts, req.raw)}`);
  });

  it('sends no signature without a secret; 5xx retries, 400 is fatal, a dead port retries', async () => {
    const ch = new WebhookChannel({ url: `${rx.url}/hook`, secret: null, timeoutMs: 2000 });
    rx.failNext(1, { status: 503 });
    expect((await ch.send(message())).kind).toBe('retry');
    expect(rx.requests[0]!.headers['x-arbees-signature']).toBeUndefined();
    rx.failNext(1, { status: 400 });
    expect((await ch.send(message())).kind).toBe('fatal');
    ch.close();
    const port = await new Promise<number>((r) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => r(p));
      });
    });
    const dead = new WebhookChannel({ url: `http://127.0.0.1:${port}/x`, secret: null, timeoutMs: 500 });
    const out = await dead.send(message());
    dead.close();
    expect(out).toMatchObject({ kind: 'retry', status: null });
  });

  it('a receiver slower than the timeout is a retry, not a hang', async () => {
    rx.slowDown(400);
    const ch = new WebhookChannel({ url: `${rx.url}/hook`, secret: null, timeoutMs: 100 });
    const out = await ch.send(message());
    ch.close();
    rx.slowDown(0);
    expect(out.kind).toBe('retry');
    expect(out.kind === 'retry' && out.reason).toMatch(/timed out/);
  });
});

describe('Slack', () => {
  it('posts {"text"} and reads "ok"; 429 carries Retry-After', async () => {
    const ch = new SlackChannel(`${rx.url}/slack/T000/B000/XXXXSECRET`, 2000);
    expect(ch.target).not.toContain('XXXXSECRET');
    expect(await ch.send(message())).toEqual({ kind: 'ok', status: 200 });
    expect(rx.requests[0]!.body).toEqual({ text: message().text });
    rx.failNext(1, { status: 429, retryAfterS: 3 });
    expect(await ch.send(message())).toMatchObject({ kind: 'retry', status: 429, retryAfterMs: 3000 });
    rx.failNext(1, { status: 404, body: 'channel_not_found' });
    expect(await ch.send(message())).toMatchObject({ kind: 'fatal', status: 404, reason: 'HTTP 404: channel_not_found' });
    ch.close();
  });
});

describe('Discord', () => {
  it('posts {"content"} cut to 2000 characters and reads 204; 429 takes the longer of Retry-After and retry_after', async () => {
    const ch = new DiscordChannel(`${rx.url}/discord/api/webhooks/1/tok`, 2000);
    expect(await ch.send(message('x'.repeat(2500)))).toEqual({ kind: 'ok', status: 204 });
    expect((rx.requests[0]!.body!.content as string).length).toBe(2000);
    rx.failNext(1, { status: 429, body: JSON.stringify({ message: 'You are being rate limited.', retry_after: 2.5, global: false }) });
    expect(await ch.send(message())).toMatchObject({ kind: 'retry', status: 429, retryAfterMs: 2500 });
    ch.close();
  });
});

describe('Telegram', () => {
  it('posts sendMessage with chat_id and text to /bot<token>/; 429 retry_after; a wrong token is fatal', async () => {
    const ch = new TelegramChannel({ apiUrl: rx.url, token: TG_TOKEN, chatId: '-100123', timeoutMs: 2000 });
    expect(ch.target).not.toContain(TG_TOKEN);
    expect(await ch.send(message())).toEqual({ kind: 'ok', status: 200 });
    const req = rx.requests[0]!;
    expect(req.path).toBe(`/bot${TG_TOKEN}/sendMessage`);
    expect(req.body).toMatchObject({ chat_id: '-100123', text: message().text });
    rx.failNext(1, { status: 429 , retryAfterS: 7 });
    expect(await ch.send(message())).toMatchObject({ kind: 'retry', status: 429, retryAfterMs: 7000, reason: 'HTTP 429: Too Many Requests: retry after 7' });
    ch.close();
    const wrong = new TelegramChannel({ apiUrl: rx.url, token: '999:wrong', chatId: '1', timeoutMs: 2000 });
    expect(await wrong.send(message())).toMatchObject({ kind: 'fatal', status: 401, reason: 'HTTP 401: Unauthorized' });
    wrong.close();
  });
});

describe('Twilio SMS', () => {
  const opts = { baseUrl: '', accountSid: SID, authToken: AUTH, from: '+15557654321', to: ['+15551234567', '+15551234568'], timeoutMs: 2000 };

  it('posts form-encoded To/From/Body with Basic auth to Messages.json, once per number', async () => {
    const ch = new TwilioSmsChannel({ ...opts, baseUrl: rx.url });
    expect(await ch.send(message())).toEqual({ kind: 'ok', status: 201 });
    ch.close();
    expect(rx.requests.map((r) => r.body!.To)).toEqual(['+15551234567', '+15551234568']);
    const req = rx.requests[0]!;
    expect(req.path).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`${SID}:${AUTH}`).toString('base64')}`);
    expect(req.raw).toContain('From=%2B15557654321');
    expect(req.body!.Body).toBe(message().text);
  });

  it('reads Twilio error bodies: 20003 auth fatal, 21211 bad number fatal, 20429 / HTTP 429 retried', async () => {
    const bad = new TwilioSmsChannel({ ...opts, baseUrl: rx.url, authToken: 'nope-nope' });
    expect(await bad.send(message())).toMatchObject({ kind: 'fatal', status: 401, reason: 'Twilio 20003: Authenticate' });
    bad.close();
    const ch = new TwilioSmsChannel({ ...opts, baseUrl: rx.url, to: ['+1555'] });
    expect(await ch.send(message())).toMatchObject({ kind: 'fatal', status: 400 });
    expect((await ch.send(message())).kind === 'fatal' && rx.requests.at(-1)!.raw).toContain('To=');
    ch.close();
    const ok = new TwilioSmsChannel({ ...opts, baseUrl: rx.url });
    rx.failNext(1, { status: 429, retryAfterS: 2 });
    expect(await ok.send(message())).toMatchObject({ kind: 'retry', status: 429, retryAfterMs: 2000, reason: 'Twilio 20429: Too Many Requests' });
    ok.close();
  });
});

describe('Signal (signal-cli-rest-api)', () => {
  it('posts /v2/send {message, number, recipients} and reads 201 {timestamp}; 400 errors are fatal with the reason', async () => {
    const ch = new SignalChannel({ apiUrl: rx.url, number: '+15557654321', recipients: ['+15551234567'], timeoutMs: 2000 });
    expect(await ch.send(message())).toEqual({ kind: 'ok', status: 201 });
    expect(rx.requests[0]!.path).toBe('/v2/send');
    expect(rx.requests[0]!.body).toEqual({ message: message().text, number: '+15557654321', recipients: ['+15551234567'] });
    rx.failNext(1, { status: 400, body: JSON.stringify({ error: 'Failed to send message', challenge_tokens: ['abc'] }) });
    const out = await ch.send(message());
    expect(out).toMatchObject({ kind: 'fatal', status: 400 });
    expect(out.kind === 'fatal' && out.reason).toContain('captcha');
    ch.close();
  });
});

describe('Retry-After', () => {
  it('reads delta-seconds and HTTP dates; ignores garbage', () => {
    expect(retryAfterMs('5')).toBe(5000);
    expect(retryAfterMs('0.5')).toBe(500);
    expect(retryAfterMs(new Date(1_000_000 + 30_000).toUTCString(), 1_000_000)).toBe(30_000);
    expect(retryAfterMs('soon')).toBeNull();
    expect(retryAfterMs(undefined)).toBeNull();
  });

  it('a garbage 2xx body still counts as delivered (no idempotency on the receiver: a retry could duplicate)', async () => {
    const ch = new TelegramChannel({ apiUrl: rx.url, token: TG_TOKEN, chatId: '1', timeoutMs: 2000 });
    rx.failNext(1, { status: 200, body: '<html>proxy</html>' });
    expect(await ch.send(message())).toEqual({ kind: 'ok', status: 200 });
    rx.failNext(1, { status: 502, body: '<html>bad gateway</html>' });
    expect((await ch.send(message())).kind).toBe('retry');
    ch.close();
  });
});
