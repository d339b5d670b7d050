/**
 * JSON over HTTP for every venue client: base URL, a timeout on every attempt (AbortSignal, so
 * a stalled body counts too), and retries only for requests the caller marks idempotent, after
 * a network error, a timeout, 429 or 5xx, with the one backoff (src/core/backoff.ts) and at
 * least as long as the server's Retry-After. An order is never retried here, so a timeout
 * cannot place it twice. What is venue-specific comes in as hooks: pacing before each attempt
 * (token buckets, minimum spacing), headers signed over the exact body, the venue's own error
 * classes, and the venue's own body parser.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay, type BackoffPolicy, type RandomSource } from '../core/backoff.js';
import { nowMicros } from '../core/time.js';
import { capturePayload } from '../runtime/capture-tap.js';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export type QueryValue = string | number | boolean | readonly string[] | undefined;

export interface JsonHttpRequest {
  method: HttpMethod;
  /** Appended to the base URL. */
  path: string;
  /** Undefined and empty values are left out; arrays repeat the key (`?slug=a&slug=b`). */
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** Extra headers computed from the exact body string (request signing). */
  headers?: (body: string | undefined) => Record<string, string>;
  /** Only idempotent requests are ever retried. */
  idempotent: boolean;
  /** Awaited before every attempt, retries included (rate limiting). */
  pace?: () => Promise<void>;
  /** Turns a 2xx body into a value; JSON.parse (with `errors.badBody`) unless given. */
  decode?: (text: string) => unknown;
}

/** Which request failed, for the venue's error messages. */
export interface FailedRequest {
  method: HttpMethod;
  path: string;
  url: string;
}

/** The venue's error classes: each hook returns the error to throw. */
export interface JsonHttpErrors {
  timeout(req: FailedRequest, timeoutMs: number): Error;
  network(req: FailedRequest, cause: Error): Error;
  status(req: FailedRequest, status: number, text: string): Error;
  badBody(req: FailedRequest, text: string): Error;
}

export interface JsonHttpRetry {
  /** Extra attempts after the first. */
  maxRetries: number;
  policy: BackoffPolicy;
  /** A Retry-After longer than this is not waited for: the request fails instead. */
  maxRetryAfterMs?: number;
}

export interface JsonHttpClientOptions {
  baseUrl: string;
  timeoutMs: number;
  retry: JsonHttpRetry;
  errors: JsonHttpErrors;
  /** Sent with every request (e.g. a user agent). */
  headers?: Record<string, string>;
  random?: RandomSource;
}

export interface JsonHttpStats {
  /** Attempts, retries included. */
  requests: number;
  retries: number;
  timeouts: number;
  /** No HTTP answer at all (refused, reset, DNS). */
  networkErrors: number;
  /** Non-2xx answers. */
  httpErrors: number;
  /** 429 answers (also counted in httpErrors). */
  rateLimited: number;
  /** 2xx answers whose body could not be decoded. */
  badBodies: number;
}

type Attempt = { ok: true; text: string } | { ok: false; error: Error; retryable: boolean; retryAfterMs: number };

const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

export class JsonHttpClient {
  readonly baseUrl: string;
  private readonly counters: JsonHttpStats = { requests: 0, retries: 0, timeouts: 0, networkErrors: 0, httpErrors: 0, rateLimited: 0, badBodies: 0 };

  constructor(private readonly options: Readonly<JsonHttpClientOptions>) {
    if (!(options.timeoutMs > 0)) throw new RangeError('timeoutMs must be > 0');
    if (!(options.retry.maxRetries >= 0)) throw new RangeError('maxRetries must be >= 0');
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  stats(): Readonly<JsonHttpStats> {
    return { ...this.counters };
  }

  url(req: Pick<JsonHttpRequest, 'path' | 'query'>): string {
    return `${this.baseUrl}${req.path}${queryString(req.query)}`;
  }

  /** The decoded body of a 2xx answer; rejects with the venue's error otherwise. */
  async request(req: JsonHttpRequest): Promise<unknown> {
    const failed: FailedRequest = { method: req.method, path: req.path, url: this.url(req) };
    const maxRetries = req.idempotent ? this.options.retry.maxRetries : 0;
    for (let retry = 0; ; retry++) {
      await req.pace?.();
      const outcome = await this.attempt(req, failed);
      if (outcome.ok) {
        if (req.method === 'GET') capturePayload('http', failed.url, outcome.text, nowMicros());
        return this.decode(req, failed, outcome.text);
      }
      if (!outcome.retryable || retry >= maxRetries || outcome.retryAfterMs > this.maxRetryAfterMs()) throw outcome.error;
      this.counters.retries++;
      await sleep(Math.max(outcome.retryAfterMs, backoffDelay(this.options.retry.policy, retry, this.options.random)));
    }
  }

  private async attempt(req: JsonHttpRequest, failed: FailedRequest): Promise<Attempt> {
    this.counters.requests++;
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const headers: Record<string, string> = { accept: 'application/json', ...this.options.headers, ...req.headers?.(body) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    let text: string;
    try {
      res = await fetch(failed.url, { method: req.method, headers, body, signal: AbortSignal.timeout(this.options.timeoutMs) });
      text = await res.text();
    } catch (err) {
      return this.transportFailure(failed, err);
    }
    if (res.ok) return { ok: true, text };
    this.counters.httpErrors++;
    if (res.status === 429) this.counters.rateLimited++;
    const retryable = res.status === 429 || res.status >= 500;
    const error = this.options.errors.status(failed, res.status, text);
    return { ok: false, error, retryable, retryAfterMs: retryAfterMs(res.headers.get('retry-after')) };
  }

  private transportFailure(failed: FailedRequest, err: unknown): Attempt {
    const e = err instanceof Error ? err : new Error(String(err));
    if (e.name === 'TimeoutError' || e.name === 'AbortError') {
      this.counters.timeouts++;
      return { ok: false, error: this.options.errors.timeout(failed, this.options.timeoutMs), retryable: true, retryAfterMs: 0 };
    }
    this.counters.networkErrors++;
    return { ok: false, error: this.options.errors.network(failed, e), retryable: true, retryAfterMs: 0 };
  }

  private decode(req: JsonHttpRequest, failed: FailedRequest, text: string): unknown {
    if (req.decode) return req.decode(text);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      this.counters.badBodies++;
      throw this.options.errors.badBody(failed, text);
    }
  }

  private maxRetryAfterMs(): number {
    return this.options.retry.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
  }
}

/** Retry-After in ms: delta-seconds or an HTTP date; 0 when absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs: number = Date.now()): number {
  if (header === null || header.trim() === '') return 0;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : 0;
}

function queryString(query: JsonHttpRequest['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === '') continue;
    if (Array.isArray(v)) for (const item of v) params.append(k, item);
    else params.append(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}
