/**
 * Polymarket's settings of the shared JSON transport (src/venues/json-http-client.ts) used by
 * the CLOB and Gamma clients: its error classes, and retries without jitter, doubling from
 * retryBaseMs, for requests the caller marks idempotent.
 */
import { JsonHttpClient, type FailedRequest, type JsonHttpErrors, type JsonHttpStats } from '../json-http-client.js';
import { PolymarketHttpError, PolymarketParseError, PolymarketTimeoutError } from './errors.js';
import { parseErrorBody } from './parse.js';

export interface PolymarketHttpOptions {
  baseUrl: string;
  timeoutMs: number;
  /** Extra attempts for idempotent requests after a network error, a timeout, 429 or 5xx. */
  readRetries: number;
  retryBaseMs: number;
}

const POLYMARKET_ERRORS: JsonHttpErrors = {
  timeout: (req, timeoutMs) => new PolymarketTimeoutError(req.method, req.path, timeoutMs),
  network: (req, cause) => new PolymarketHttpError(req.method, req.path, null, cause.message),
  status: (req, status, text) => statusError(req, status, text),
  badBody: (req) => new PolymarketParseError('', `${req.method} ${req.path} answered with a body that is not JSON`),
};

export function createPolymarketHttp(options: PolymarketHttpOptions): JsonHttpClient {
  if (!(options.timeoutMs > 0) || !(options.readRetries >= 0) || !(options.retryBaseMs >= 0)) {
    throw new RangeError('timeoutMs must be > 0, readRetries and retryBaseMs >= 0');
  }
  return new JsonHttpClient({
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs,
    retry: { maxRetries: options.readRetries, policy: { baseMs: options.retryBaseMs, maxMs: Number.POSITIVE_INFINITY } },
    errors: POLYMARKET_ERRORS,
  });
}

export interface PolymarketTransportStats {
  requests: number;
  retries: number;
  /** Non-2xx answers and requests that got no answer at all. */
  httpErrors: number;
  timeouts: number;
  parseErrors: number;
}

/** The transport counters as the CLOB and Gamma clients report them; `parseErrors` adds their own. */
export function polymarketTransportStats(h: JsonHttpStats, parseErrors: number): PolymarketTransportStats {
  return {
    requests: h.requests,
    retries: h.retries,
    httpErrors: h.httpErrors + h.networkErrors,
    timeouts: h.timeouts,
    parseErrors: parseErrors + h.badBodies,
  };
}

function statusError(req: FailedRequest, status: number, text: string): PolymarketHttpError {
  return new PolymarketHttpError(req.method, req.path, status, parseErrorBody(parseJson(text)) ?? (text.slice(0, 200) || null));
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
