/**
 * One HTTP POST with a timeout over a keep-alive agent (the first byte leaves at once on a warm
 * connection), and the one mapping of an HTTP answer to a SendOutcome that every channel starts
 * from: 2xx ok; 408, 425, 429 and 5xx retry (with Retry-After when given); other 4xx fatal.
 * Network errors and timeouts retry. Never throws.
 */
import http from 'node:http';
import https from 'node:https';
import { errorMessage } from '../../../core/errors.js';
import type { SendOutcome } from './notify-channel.js';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** At most MAX_BODY bytes of the answer, as text. */
  readonly body: string;
}

const MAX_BODY = 64 * 1024;

export class HttpPoster {
  readonly #httpAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  readonly #httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 4 });

  constructor(private readonly timeoutMs: number) {}

  /** The answer, or an Error for a network failure / timeout / bad URL (never thrown). */
  post(url: string, headers: Record<string, string>, body: string): Promise<HttpAnswer | Error> {
    return new Promise((resolve) => {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        resolve(new Error('bad URL'));
        return;
      }
      const secure = u.protocol === 'https:';
      const payload = Buffer.from(body);
      const req = (secure ? https : http).request(
        u,
        {
          method: 'POST',
          agent: secure ? this.#httpsAgent : this.#httpAgent,
          headers: { ...headers, 'content-length': String(payload.length) },
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size <= MAX_BODY) chunks.push(c);
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', (err) => resolve(err));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timed out after ${this.timeoutMs} ms`)));
      req.on('error', (err) => resolve(new Error(errorMessage(err))));
      req.end(payload);
    });
  }

  close(): void {
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, nowMs = Date.now()): number | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return null;
  if (/^\d+(\.\d+)?$/.test(raw.trim())) return Math.round(Number(raw) * 1000);
  const at = Date.parse(raw);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : null;
}

/** The common mapping; channels refine it from their own error bodies. */
export function outcomeOf(answer: HttpAnswer | Error): SendOutcome {
  if (answer instanceof Error) return { kind: 'retry', status: null, retryAfterMs: null, reason: answer.message };
  const { status } = answer;
  if (status >= 200 && status < 300) return { kind: 'ok', status };
  const reason = `HTTP ${status}${answer.body.length > 0 ? `: ${answer.body.slice(0, 200)}` : ''}`;
  if (status === 408 || status === 425 || status === 429 || status >= 500) {
    return { kind: 'retry', status, retryAfterMs: retryAfterMs(answer.headers['retry-after']), reason };
  }
  return { kind: 'fatal', status, reason };
}

/** JSON of a body, or undefined when it is not JSON (a receiver answering garbage). */
export function jsonOf(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}
