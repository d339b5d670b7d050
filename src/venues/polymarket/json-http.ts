/**
 * The HTTP mechanics shared by the CLOB and Gamma clients: JSON in and out, a timeout on every
 * request, and retries with exponential backoff only for requests the caller marks idempotent.
 */
import { sleep } from '../../core/time.js';
import { PolymarketHttpError, PolymarketParseError, PolymarketTimeoutError } from './errors.js';
import { parseErrorBody } from './parse.js';

export interface JsonHttpOptions {
  baseUrl: string;
  timeoutMs: number;
  /** Extra attempts for idempotent requests after a network error, a timeout, 429 or 5xx. */
  readRetries: number;
  retryBaseMs: number;
}

export interface JsonRequest {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  /** Repeated keys for arrays (`?slug=a&slug=b`), as Gamma expects. */
  query?: Record<string, string | number | boolean | readonly string[] | undefined>;
  body?: unknown;
  /** Extra headers computed from the exact body string (L2 auth). */
  headers?: (body: string | undefined) => Record<string, string>;
  idempotent: boolean;
}

export interface JsonHttpStats {
  requests: number;
  retries: number;
  httpErrors: number;
  timeouts: number;
  /** Bodies that were not JSON at all. */
  badBodies: number;
}

export class JsonHttp {
  readonly options: Readonly<JsonHttpOptions>;
  private readonly counters: JsonHttpStats = { requests: 0, retries: 0, httpErrors: 0, timeouts: 0, badBodies: 0 };

  constructor(options: JsonHttpOptions) {
    if (!(options.timeoutMs > 0) || !(options.readRetries >= 0) || !(options.retryBaseMs >= 0)) {
      throw new RangeError('timeoutMs must be > 0, readRetries and retryBaseMs >= 0');
    }
    this.options = Object.freeze({ ...options, baseUrl: options.baseUrl.replace(/\/+$/, '') });
  }

  stats(): Readonly<JsonHttpStats> {
    return { ...this.counters };
  }

  async request(req: JsonRequest): Promise<unknown> {
    const attempts = req.idempotent ? this.options.readRetries + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(req);
      } catch (err) {
        const retryable = err instanceof PolymarketTimeoutError || (err instanceof PolymarketHttpError && err.retryable);
        if (!retryable || attempt >= attempts) throw err;
        this.counters.retries++;
        await sleep(this.options.retryBaseMs * 2 ** (attempt - 1));
      }
    }
  }

  private async once(req: JsonRequest): Promise<unknown> {
    this.counters.requests++;
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const headers: Record<string, string> = { accept: 'application/json', ...(req.headers?.(body) ?? {}) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      const res = await fetch(`${this.options.baseUrl}${req.path}${queryString(req.query)}`, {
        method: req.method,
        headers,
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      const text = await res.text();
      const json = parseJson(text);
      if (!res.ok) {
        this.counters.httpErrors++;
        throw new PolymarketHttpError(req.method, req.path, res.status, parseErrorBody(json) ?? (text.slice(0, 200) || null));
      }
      if (json === undefined) {
        this.counters.badBodies++;
        throw new PolymarketParseError('', `${req.method} ${req.path} answered with a body that is not JSON`);
      }
      return json;
    } catch (err) {
      if (err instanceof PolymarketHttpError || err instanceof PolymarketParseError) throw err;
      if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
        this.counters.timeouts++;
        throw new PolymarketTimeoutError(req.method, req.path, this.options.timeoutMs);
      }
      this.counters.httpErrors++;
      throw new PolymarketHttpError(req.method, req.path, null, err instanceof Error ? err.message : String(err));
    }
  }
}

export function queryString(query: JsonRequest['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) params.append(k, item);
    else params.append(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
