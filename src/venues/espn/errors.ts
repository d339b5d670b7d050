/**
 * Small semantic errors of the ESPN client. The parsers throw only EspnPayloadError, and only
 * when a whole body is unusable (not JSON, not an object, no events array); a single odd field
 * or event degrades to null and a counter instead.
 */
import { ArbeesError } from '../../core/errors.js';

export class EspnPayloadError extends ArbeesError {
  constructor(what: string, problem: string) {
    super('ARB_ESPN_PAYLOAD', `${what}: ${problem}`, { what });
    this.name = 'EspnPayloadError';
  }
}

/** A non-2xx answer (other than 403) or a network failure (status null). */
export class EspnHttpError extends ArbeesError {
  readonly status: number | null;
  constructor(url: string, status: number | null, problem?: string) {
    const what = status === null ? `network error${problem ? ` (${problem})` : ''}` : `HTTP ${status}`;
    super('ARB_ESPN_HTTP', `GET ${url}: ${what}`, { url, status });
    this.name = 'EspnHttpError';
    this.status = status;
  }

  get retryable(): boolean {
    return this.status === null || this.status === 429 || this.status >= 500;
  }
}

/** Akamai in front of ESPN answers bursts with a bare 403: treat it as throttling, not a ban. */
export class EspnThrottledError extends ArbeesError {
  readonly retryAfterMs: number;
  constructor(url: string, retryAfterMs: number) {
    super('ARB_ESPN_THROTTLED', `GET ${url}: 403, backing off ${retryAfterMs} ms`, { url, retryAfterMs });
    this.name = 'EspnThrottledError';
    this.retryAfterMs = retryAfterMs;
  }
}

export class EspnTimeoutError extends ArbeesError {
  constructor(url: string, timeoutMs: number) {
    super('ARB_ESPN_TIMEOUT', `GET ${url}: no answer within ${timeoutMs} ms`, { url });
    this.name = 'EspnTimeoutError';
  }
}
