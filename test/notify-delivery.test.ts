/**
 * Delivery through the durable outbox, in this process against the real Redis and local
 * receivers: dedupe by event id, burst grouping (group wait / interval), per-channel rate
 * limits, critical alerts bypassing them, 429 with Retry-After, retries keeping the same id,
 * dead-lettering with one health alert (no loop), quiet hours held then sent as one digest
 * (fake clock), bad input counted, and no secret in any log line or in Redis.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NotifyReceiver } from '../src/sim/notify/notify-receiver.js';
import { eventually } from './helpers/redis.js';
import { streamEntryFields } from '../src/bus/slow-track.js';
import { NotifyHarness, tradeFilled } from './notify-harness.js';
import { FIRST_START_ALERTS_MS } from '../src/services/notification-service/slow-catch-up.js';

const TG_TOKEN = '4242:telegram-SECRET-token-xyz';
let h: NotifyHarness;
const receivers: NotifyReceiver[] = [];
async function receiver(opts: ConstructorParameters<typeof NotifyReceiver>[0] = {}): Promise<NotifyReceiver> {
  const rx = await new NotifyReceiver(opts).start();
  receivers.push(rx);
  return rx;
}

afterEach(async () => {
  await h?.stop();
  for (const rx of receivers.splice(0)) await rx.close();
});

describe('outbox delivery', () => {
  it('one event id is one alert, however often it is heard', async () => {
    const rx = await receiver();
    h = new NotifyHarness();
    const n = await h.start({ NOTIFY_WEBHOOK_URL: `${rx.url}/hook` });
    expect(await n.accept(h.event(1))).toBe(true);
    expect(await n.accept(h.event(1))).toBe(false);
    await eventually(() => rx.accepted().length === 1, 3000, 'the delivery');
    expect(await n.accept(h.event(1))).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect(rx.requests.length).toBe(1);
    expect(h.metrics.get('notify.duplicates')).toBe(2);
    expect(h.metrics.get('notify.webhook.delivered')).toBe(1);
    expect(h.metrics.get('notify.webhook.queued')).toBe(0);
    const log = await h.logEntries();
    expect(log.filter((e) => e.status === 'delivered').map((e) => e.id)).toEqual([`he:${h.prefix}1`]);
  });

  it('with no channel, an event is counted as unrouted and nothing is written to Redis', async () => {
    h = new NotifyHarness();
    const n = await h.start({});
    const before = (await h.redis.keys(`${h.prefix}*`)).sort();
    expect(await n.accept(h.event(1))).toBe(false);
    expect(await n.accept(h.event(2))).toBe(false);
    expect(h.metrics.get('notify.unrouted')).toBe(2);
    expect(h.metrics.get('notify.accepted') ?? 0).toBe(0);
    expect((await h.redis.keys(`${h.prefix}*`)).sort()).toEqual(before);
  });

  it('groups a burst: the first alert goes at once, what arrives within the group interval goes as one message', async () => {
    const rx = await receiver();
    h = new NotifyHarness();
    const n = await h.start({ NOTIFY_WEBHOOK_URL: `${rx.url}/hook`, NOTIFY_GROUP_INTERVAL_MS: '400' });
    await n.accept(h.event(0));
    await eventually(() => rx.accepted().length === 1, 3000, 'the first alert');
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 9 }, (_, i) => n.accept(h.event(i + 1))));
    await eventually(() => rx.accepted().length === 2, 3000, 'the grouped message');
    const group = rx.accepted()[1]!.body!;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(group.count).toBe(9);
    expect((group.events as { id: string }[]).map((e) => e.id).sort()).toEqual(Array.from({ length: 9 }, (_, i) => `he:${h.prefix}${i + 1}`).sort());
    expect(group.message).toMatch(/^\[PAPER\] Alerts: 9 \(high_edge\)\n- High edge alert/);
    expect(h.metrics.get('notify.webhook.grouped')).toBe(9);
  });

  it('per-channel rate limit: Telegram messages at least the interval apart; a critical alert does not wait', async () => {
    const rx = await receiver({ telegramToken: TG_TOKEN });
    h = new NotifyHarness();
    const n = await h.start({ TELEGRAM_BOT_TOKEN: TG_TOKEN, TELEGRAM_CHAT_ID: '77', TELEGRAM_API_URL: rx.url, NOTIFY_TELEGRAM_MIN_INTERVAL_MS: '300', NOTIFY_GROUP_MAX: '1' });
    for (let i = 0; i < 3; i++) await n.accept(h.event(i));
    await eventually(() => rx.accepted().length === 3, 5000, 'three messages');
    const at = rx.accepted().map((r) => r.atMs);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(280);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(280);
    // Now the channel just sent: a critical alert goes at once, the next info waits its turn.
    await n.accept(h.event('i'));
    const t = Date.now();
    await n.accept(h.event('k', { id: `ks:${h.prefix}1`, type: 'kill_switch', severity: 'critical', text: '[PAPER] KILL SWITCH ON' }));
    await eventually(() => rx.accepted().some((r) => String(r.body!.text).includes('KILL SWITCH')), 2000, 'the critical alert');
    expect(Date.now() - t).toBeLessThan(250);
  });

  it('429 with Retry-After: the retry waits that long and carries the same id', async () => {
    const rx = await receiver();
    h = new NotifyHarness();
    const n = await h.start({ NOTIFY_WEBHOOK_URL: `${rx.url}/hook` });
    rx.failNext(1, { status: 429, retryAfterS: 1 });
    await n.accept(h.event(1));
    await eventually(() => rx.accepted().length === 1, 4000, 'the retried delivery');
    const [first, second] = rx.requests;
    expect(first!.status).toBe(429);
    expect(second!.atMs - first!.atMs).toBeGreaterThanOrEqual(950);
    expect(second!.headers['idempotency-key']).toBe(first!.headers['idempotency-key']);
    expect(second!.body!.id).toBe(first!.body!.id);
    expect(h.metrics.get('notify.webhook.rate_limited')).toBe(1);
    expect((await h.logEntries()).map((e) => e.status)).toEqual(['retry', 'delivered']);
  });

  it('a receiver answering 503 for a while: retried with backoff until it recovers, nothing lost or doubled', async () => {
    const rx = await receiver();
    h = new NotifyHarness();
    const n = await h.start({ NOTIFY_WEBHOOK_URL: `${rx.url}/hook`, NOTIFY_GROUP_MAX: '1' });
    rx.failFor(800, 503);
    for (let i = 0; i < 5; i++) await n.accept(h.event(i));
    await eventually(() => rx.accepted().length === 5, 8000, 'all five delivered');
    const ids = rx.accepted().map((r) => r.body!.id as string);
    expect(new Set(ids).size).toBe(5);
    expect(rx.requests.filter((r) => r.status === 503).length).toBeGreaterThan(0);
    // The receiver has the last POST a moment before the worker has its answer and dequeues it.
    await eventually(async () => (await h.redis.zcard(h.keys.queue('webhook'))) === 0, 3000, 'the queue drained');
    await new Promise((r) => setTimeout(r, 200));
    expect(rx.accepted().length).toBe(5);
  });

  it('a permanent failure is dead-lettered, raises one health alert per failing channel, and tells the other channels once', async () => {
    const bad = await receiver();
    const good = await receiver();
    h = new NotifyHarness();
    const n = await h.start({ NOTIFY_WEBHOOK_URL: `${bad.url}/hook`, NOTIFY_SLACK_WEBHOOK_URL: `${good.url}/slack/T/B/C`, NOTIFY_SLACK_MIN_INTERVAL_MS: '0', NOTIFY_GROUP_MAX: '1', NOTIFY_MAX_ATTEMPTS: '3' });
    bad.failNext(1, { status: 400, body: 'bad payload' });
    bad.failFor(60_000, 503);
    for (let i = 0; i < 3; i++) await n.accept(h.event(i));
    await eventually(async () => (await h.redis.hlen(h.keys.dead)) === 3, 8000, 'three dead letters');
    // 1 fatal attempt + 2 messages x 3 attempts, then nothing more: no endless loop.
    await new Promise((r) => setTimeout(r, 500));
    expect(bad.requests.length).toBe(7);
    expect(await h.redis.xlen(h.keys.healthAlerts)).toBe(1);
    const alert = (await h.redis.xrange(h.keys.healthAlerts, '-', '+'))[0]![1];
    expect(alert).toContain('warning');
    await eventually(() => good.accepted().filter((r) => String(r.body!.text).includes('Notifications to webhook are failing')).length === 1, 3000, 'the news on slack');
    expect(good.accepted().length).toBe(4); // the 3 alerts themselves, and the one dead-letter notice
    const dead = (await h.logEntries()).filter((e) => e.status === 'dead');
    expect(dead.length).toBe(3);
    expect(dead[0]!.detail).toContain('HTTP 400');
    expect(dead[1]!.detail).toMatch(/gave up after 3 attempts/);
  });

  it('quiet hours (fake clock): held, then one digest when they end; a critical alert goes through at once', async () => {
    const rx = await receiver();
    h = new NotifyHarness();
    h.clock = Date.UTC(2026, 0, 15, 6, 30, 0); // 01:30 in New York
    const n = await h.start({ NOTIFY_WEBHOOK_URL: `${rx.url}/hook`, NOTIFY_QUIET_HOURS: '23:00-07:00', NOTIFY_TIME_ZONE: 'America/New_York', NOTIFY_MAX_AGE_MS: '60000' });
    for (let i = 0; i < 4; i++) await n.accept(h.event(i));
    await n.accept(h.event('c', { id: `sd:${h.prefix}`, type: 'service_down', severity: 'critical', text: '[PAPER] SERVICE DOWN game_shard.0' }));
    await eventually(() => rx.accepted().length === 1, 3000, 'the critical alert');
    expect(rx.accepted()[0]!.body!.type).toBe('service_down');
    await new Promise((r) => setTimeout(r, 300));
    expect(rx.accepted().length).toBe(1);
    expect(h.metrics.get('notify.webhook.queued')).toBe(4);
    expect((await h.logEntries()).filter((e) => e.status === 'held').length).toBe(4);
    h.clock = Date.UTC(2026, 0, 15, 12, 0, 1); // 07:00:01 in New York
    // The digest's first try fails: it waited 5.5 h for the morning, yet it is not too old to retry.
    rx.failNext(1, { status: 503 });
    n.workers.get('webhook')!.wake();
    await eventually(() => {
      h.clock! += 100;
      n.workers.get('webhook')!.wake();
      return rx.accepted().length === 2;
    }, 3000, 'the digest');
    expect(rx.requests.at(-2)!.status).toBe(503);
    const digest = rx.accepted()[1]!.body!;
    expect(digest.count).toBe(4);
    expect(digest.message).toMatch(/^\[PAPER\] Digest: 4 \(high_edge\)/);
  });

  it('bad hot-path input is counted, logged (throttled) and never thrown', async () => {
    const rx = await receiver();
    h = new NotifyHarness();
    const n = await h.start({ NOTIFY_WEBHOOK_URL: `${rx.url}/hook` });
    const env = (type: string, data: unknown) => ({ v: 1, type, id: 'x', src: 's', seq: 1, ts: 1, origin_ts: 1, data });
    for (let i = 0; i < 20; i++) await n.onHot('trades.completed.x', env('trade_completed', { nonsense: i }));
    await n.onHot('signals.high_edge.x', env('mystery', {}));
    await n.onHot('positions.p', env('position', null));
    expect(h.metrics.get('notify.skipped.malformed')).toBe(21);
    expect(h.metrics.get('notify.skipped.unknown_type')).toBe(1);
    expect(h.logLines.filter((l) => l.includes('notification input skipped')).length).toBeLessThanOrEqual(5);
    expect(rx.requests.length).toBe(0);
  });

  it('tokens never reach the logs or notifications:log, even when a receiver echoes them', async () => {
    const rx = await receiver({ telegramToken: TG_TOKEN });
    h = new NotifyHarness();
    const n = await h.start({ TELEGRAM_BOT_TOKEN: TG_TOKEN, TELEGRAM_CHAT_ID: '77', TELEGRAM_API_URL: rx.url, NOTIFY_MAX_ATTEMPTS: '2' });
    // A proxy error page that quotes the request line, token and all.
    rx.failNext(2, { status: 502, body: `<html>upstream failed: POST /bot${TG_TOKEN}/sendMessage</html>` });
    await n.accept(h.event(1));
    await eventually(async () => (await h.redis.hlen(h.keys.dead)) === 1, 5000, 'the dead letter');
    const everything = [...h.logLines, JSON.stringify(await h.logEntries()), JSON.stringify(await h.redis.hgetall(h.keys.dead))].join('\n');
    expect(everything).toContain('upstream failed');
    expect(everything).toContain('[redacted]');
    expect(everything).not.toContain(TG_TOKEN);
    expect(everything).not.toContain('telegram-SECRET');
  });

  it('hears at its first start the health alerts raised in the last minutes before it ever ran, not older ones', async () => {
    const rx = await receiver();
    h = new NotifyHarness();
    const alert = (id: string) => ({ alert_id: `${id}-${h.prefix}`, service: 'orchestrator', instance: '0', severity: 'critical', kind: 'other', message: 'trades:completed lost entries', ts: 1 });
    const at = (msAgo: number) => `${Date.now() - msAgo}-0`;
    await h.redis.xadd(h.keys.healthAlerts, at(FIRST_START_ALERTS_MS + 60_000), 'service', 'orchestrator', 'data', JSON.stringify(alert('too-old')));
    await h.redis.xadd(h.keys.healthAlerts, at(60_000), 'service', 'orchestrator', 'data', JSON.stringify(alert('recent')));
    await h.start({ NOTIFY_WEBHOOK_URL: `${rx.url}/hook`, NOTIFY_GROUP_MAX: '1' });
    await eventually(() => rx.accepted().length === 1, 5000, 'the recent alert');
    await new Promise((r) => setTimeout(r, 300));
    expect(rx.accepted().map((r) => r.body!.id)).toEqual([`hl:recent-${h.prefix}`]);
  });

  it('catches up from the durable streams what the hot path missed (service down, queue overflow), without doubling what it heard', async () => {
    const rx = await receiver();
    h = new NotifyHarness();
    // History from before the first start is not replayed.
    const old = tradeFilled('old1');
    await h.redis.xadd(h.keys.tradesCompleted, '*', ...streamEntryFields('trades.completed.old1', { v: 1, type: 'trade_completed', id: 'e0', src: 'x.0', seq: 0, ts: 1, origin_ts: 1, data: old }));
    const n = await h.start({ NOTIFY_WEBHOOK_URL: `${rx.url}/hook`, NOTIFY_GROUP_MAX: '1' });
    const env = (seq: number, data: unknown) => ({ v: 1, type: 'trade_completed', id: `e${seq}`, src: 'x.0', seq, ts: 1, origin_ts: 1, data });
    // Heard on the hot path and written to the stream: one alert.
    const heard = tradeFilled('t-heard');
    await n.onHot('trades.completed.t-heard', env(1, heard));
    await h.redis.xadd(h.keys.tradesCompleted, '*', ...streamEntryFields('trades.completed.t-heard', env(1, heard)));
    // Only in the stream (the hot path dropped it): caught up.
    await h.redis.xadd(h.keys.tradesCompleted, '*', ...streamEntryFields('trades.completed.t-missed', env(2, tradeFilled('t-missed'))));
    const alert = { alert_id: `a-${h.prefix}`, service: 'kalshi_monitor', instance: '0', severity: 'warning', kind: 'feed_down', message: 'no book for 30 s', ts: 1 };
    await h.redis.xadd(h.keys.healthAlerts, '*', 'service', alert.service, 'data', JSON.stringify(alert));
    const own = { ...alert, alert_id: `own-${h.prefix}`, service: 'notification_service' };
    await h.redis.xadd(h.keys.healthAlerts, '*', 'service', own.service, 'data', JSON.stringify(own));
    await eventually(() => rx.accepted().length === 3, 5000, 'three alerts');
    await new Promise((r) => setTimeout(r, 300));
    const ids = rx.accepted().map((r) => r.body!.id).sort();
    expect(ids).toEqual([`hl:a-${h.prefix}`, 'tr:t-heard', 'tr:t-missed']);
    expect(h.metrics.get('notify.caught_up')).toBe(2);
    expect(h.metrics.get('notify.duplicates')).toBe(0);
  });
});
