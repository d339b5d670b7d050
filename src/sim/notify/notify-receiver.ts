/**
 * A loopback HTTP server that answers like the services notifications go to, for the tests,
 * the benchmark and the local sink of `arbees up`:
 * - generic webhook: any other POST path, JSON, `200 {"ok":true}`;
 * - Slack incoming webhook `/slack/...`: `{"text"}` -> `200 ok` (`400 invalid_payload`);
 * - Discord webhook `/discord/...`: `{"content"}` (<= 2000 chars) -> `204` (`400` JSON error);
 * - Telegram `/bot<token>/sendMessage`: `{"chat_id","text"}` -> `{"ok":true,"result":{...}}`,
 *   `401 Unauthorized` for another token, `400 chat not found`;
 * - Twilio `/2010-04-01/Accounts/<sid>/Messages.json`: form-encoded `To/From/Body`, Basic auth ->
 *   `201` message resource, `401 {code: 20003}`, `400 {code: 21211}`;
 * - signal-cli-rest-api `/v2/send`: `{"message","number","recipients"}` -> `201 {"timestamp":"..."}`.
 * Failures on demand: the next N answers (each shape's own 429 body with Retry-After), or a
 * status for a period (e.g. 503 for 30 s), garbage bodies, slow answers.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceiverKind = 'webhook' | 'slack' | 'discord' | 'telegram' | 'twilio' | 'signal';

export interface ReceivedRequest {
  readonly kind: ReceiverKind;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly raw: string;
  /** JSON body, or the form fields for Twilio; undefined when unparsable. */
  readonly body: Record<string, unknown> | undefined;
  /** The status it was answered with. */
  readonly status: number;
  /** process.hrtime.bigint() when the first byte of the request arrived. */
  readonly firstByteNs: bigint;
  readonly atMs: number;
}

export interface InjectedAnswer {
  readonly status: number;
  /** Seconds, sent as Retry-After (and in each shape's own retry field for 429). */
  readonly retryAfterS?: number;
  /** Replaces the body (e.g. garbage). */
  readonly body?: string;
}

export interface ReceiverOptions {
  readonly host?: string;
  readonly port?: number;
  /** Telegram accepts only this token when set. */
  readonly telegramToken?: string;
  /** Twilio accepts only this AccountSid:AuthToken when set. */
  readonly twilioAuth?: { sid: string; token: string };
  /** Called for each request (after it is answered). */
  readonly onRequest?: (req: ReceivedRequest) => void;
}

export class NotifyReceiver {
  readonly requests: ReceivedRequest[] = [];
  /** Answers to give before the normal ones, first first. */
  readonly queued: InjectedAnswer[] = [];
  #failUntilMs = 0;
  #failStatus = 503;
  #delayMs = 0;
  #server: http.Server | null = null;

  constructor(private readonly options: ReceiverOptions = {}) {}

  async start(): Promise<this> {
    const server = http.createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    this.#server = server;
    return this;
  }

  get url(): string {
    const a = this.#server!.address() as AddressInfo;
    return `http://${a.address}:${a.port}`;
  }

  async close(): Promise<void> {
    const s = this.#server;
    this.#server = null;
    if (s === null) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  /** The next `count` requests get this answer. */
  failNext(count: number, answer: InjectedAnswer): void {
    for (let i = 0; i < count; i++) this.queued.push(answer);
  }

  /** Every request for `ms` gets `status`. */
  failFor(ms: number, status = 503): void {
    this.#failUntilMs = Date.now() + ms;
    this.#failStatus = status;
  }

  slowDown(ms: number): void {
    this.#delayMs = ms;
  }

  /** Requests answered 2xx. */
  accepted(kind?: ReceiverKind): ReceivedRequest[] {
    return this.requests.filter((r) => r.status >= 200 && r.status < 300 && (kind === undefined || r.kind === kind));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const firstByteNs = process.hrtime.bigint();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const answer = () => this.answer(req, res, raw, firstByteNs);
      if (this.#delayMs > 0) setTimeout(answer, this.#delayMs);
      else answer();
    });
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse, raw: string, firstByteNs: bigint): void {
    const path = req.url ?? '/';
    const kind = kindOf(path);
    const body = kind === 'twilio' ? Object.fromEntries(new URLSearchParams(raw)) : parseJson(raw);
    const injected = this.queued.shift() ?? (Date.now() < this.#failUntilMs ? { status: this.#failStatus } : undefined);
    const [status, headers, text] =
      req.method !== 'POST' ? [405, {}, 'method not allowed'] : injected !== undefined ? failure(kind, injected) : this.normal(kind, req, path, body);
    res.writeHead(status, headers);
    res.end(text);
    const record: ReceivedRequest = { kind, path, headers: req.headers, raw, body, status, firstByteNs, atMs: Date.now() };
    this.requests.push(record);
    this.options.onRequest?.(record);
  }

  private normal(kind: ReceiverKind, req: http.IncomingMessage, path: string, body: Record<string, unknown> | undefined): [number, http.OutgoingHttpHeaders, string] {
    const json = { 'content-type': 'application/json' };
    switch (kind) {
      case 'webhook':
        return body === undefined ? [400, json, '{"error":"invalid JSON"}'] : [200, json, '{"ok":true}'];
      case 'slack':
        return typeof body?.text === 'string' && body.text.length > 0 ? [200, { 'content-type': 'text/html' }, 'ok'] : [400, { 'content-type': 'text/html' }, 'invalid_payload'];
      case 'discord':
        if (typeof body?.content !== 'string' || body.content.length === 0 || body.content.length > 2000) {
          return [400, json, JSON.stringify({ code: 50035, message: 'Invalid Form Body', errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } })];
        }
        return [204, {}, ''];
      case 'telegram': {
        const token = /^\/bot([^/]+)\/sendMessage/.exec(path)?.[1];
        if (this.options.telegramToken !== undefined && token !== this.options.telegramToken) {
          return [401, json, JSON.stringify({ ok: false, error_code: 401, description: 'Unauthorized' })];
        }
        if (body?.chat_id === undefined || typeof body.text !== 'string' || body.text.length === 0) {
          return [400, json, JSON.stringify({ ok: false, error_code: 400, description: 'Bad Request: chat not found' })];
        }
        const result = { message_id: this.requests.length + 1, chat: { id: body.chat_id, type: 'private' }, date: Math.floor(Date.now() / 1000), text: body.text };
        return [200, json, JSON.stringify({ ok: true, result })];
      }
      case 'twilio':
        return this.twilio(req, path, body ?? {});
      case 'signal':
        if (typeof body?.message !== 'string' || typeof body.number !== 'string' || !Array.isArray(body.recipients) || body.recipients.length === 0) {
          return [400, json, JSON.stringify({ error: 'Invalid request: message, number and recipients are required' })];
        }
        return [201, json, JSON.stringify({ timestamp: String(Date.now()) })];
    }
  }

  private twilio(req: http.IncomingMessage, path: string, form: Record<string, unknown>): [number, http.OutgoingHttpHeaders, string] {
    const json = { 'content-type': 'application/json' };
    const sid = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path)?.[1] ?? '';
    const expected = this.options.twilioAuth;
    const auth = req.headers.authorization ?? '';
    const given = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : '';
    if (expected !== undefined && (given !== `${expected.sid}:${expected.token}` || sid !== expected.sid)) {
      return [401, json, JSON.stringify({ code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 })];
    }
    if (req.headers['content-type'] !== 'application/x-www-form-urlencoded' || typeof form.Body !== 'string' || typeof form.From !== 'string') {
      return [400, json, JSON.stringify({ code: 21602, message: 'Message body is required.', more_info: 'https://www.twilio.com/docs/errors/21602', status: 400 })];
    }
    if (typeof form.To !== 'string' || !/^\+[1-9]\d{6,14}$/.test(form.To)) {
      return [400, json, JSON.stringify({ code: 21211, message: `The 'To' number ${String(form.To)} is not a valid phone number.`, more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 })];
    }
    const msgSid = `SM${randomBytes(16).toString('hex')}`;
    const now = new Date().toUTCString().replace('GMT', '+0000');
    return [
      201,
      json,
      JSON.stringify({
        sid: msgSid, account_sid: sid, to: form.To, from: form.From, messaging_service_sid: null, body: form.Body, status: 'queued',
        num_segments: '1', num_media: '0', direction: 'outbound-api', api_version: '2010-04-01', price: null, price_unit: 'USD',
        error_code: null, error_message: null, date_created: now, date_updated: now, date_sent: null,
        uri: `/2010-04-01/Accounts/${sid}/Messages/${msgSid}.json`,
      }),
    ];
  }
}

function kindOf(path: string): ReceiverKind {
  if (path.startsWith('/slack/')) return 'slack';
  if (path.startsWith('/discord/')) return 'discord';
  if (/^\/bot[^/]+\/sendMessage/.test(path)) return 'telegram';
  if (path.startsWith('/2010-04-01/Accounts/')) return 'twilio';
  if (path === '/v2/send') return 'signal';
  return 'webhook';
}

function parseJson(raw: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(raw) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** An injected failure in the shape the receiver would really send. */
function failure(kind: ReceiverKind, a: InjectedAnswer): [number, http.OutgoingHttpHeaders, string] {
  const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json' };
  if (a.retryAfterS !== undefined) headers['retry-after'] = String(a.retryAfterS);
  if (a.body !== undefined) return [a.status, headers, a.body];
  if (a.status !== 429) return [a.status, headers, JSON.stringify({ error: http.STATUS_CODES[a.status] ?? 'error' })];
  const after = a.retryAfterS ?? 1;
  switch (kind) {
    case 'telegram':
      return [429, headers, JSON.stringify({ ok: false, error_code: 429, description: `Too Many Requests: retry after ${after}`, parameters: { retry_after: after } })];
    case 'discord':
      return [429, headers, JSON.stringify({ message: 'You are being rate limited.', retry_after: after, global: false })];
    case 'twilio':
      return [429, headers, JSON.stringify({ code: 20429, message: 'Too Many Requests', more_info: 'https://www.twilio.com/docs/errors/20429', status: 429 })];
    case 'slack':
      return [429, { ...headers, 'content-type': 'text/html' }, 'rate_limited'];
    default:
      return [429, headers, JSON.stringify({ error: 'Too Many Requests' })];
  }
}
