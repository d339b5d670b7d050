/**
 * Small semantic errors of the Polymarket clients. Parsers throw only PolymarketParseError, so a
 * caller can catch exactly "the venue sent something we cannot read", count it and move on.
 */
import { ArbeesError } from '../../core/errors.js';

/** A payload (REST body, Gamma record or WebSocket frame) does not have the documented shape. */
export class PolymarketParseError extends ArbeesError {
  /** Dotted path of the offending field, e.g. `bids[2].price`. */
  readonly path: string;
  constructor(path: string, problem: string) {
    super('ARB_POLY_PAYLOAD', path ? `${path}: ${problem}` : problem, { path });
    this.name = 'PolymarketParseError';
    this.path = path;
  }
}

/** A request got a non-2xx answer or never reached the server. */
export class PolymarketHttpError extends ArbeesError {
  readonly status: number | null;
  readonly venueMessage: string | null;
  constructor(method: string, path: string, status: number | null, venueMessage: string | null) {
    const what = status === null ? 'network error' : `HTTP ${status}`;
    super('ARB_POLY_HTTP', `${method} ${path}: ${what}${venueMessage ? ` (${venueMessage})` : ''}`, {
      method,
      path,
      status,
    });
    this.name = 'PolymarketHttpError';
    this.status = status;
    this.venueMessage = venueMessage;
  }

  /** Worth another try: the network failed, the server is overloaded or rate limiting. */
  get retryable(): boolean {
    return this.status === null || this.status === 429 || this.status >= 500;
  }
}

export class PolymarketTimeoutError extends ArbeesError {
  constructor(method: string, path: string, timeoutMs: number) {
    super('ARB_POLY_TIMEOUT', `${method} ${path}: no answer within ${timeoutMs} ms`, { method, path });
    this.name = 'PolymarketTimeoutError';
  }
}

/** The venue answered but refused an order or a cancel (`success: false`, an `errorMsg`). */
export class PolymarketOrderRejectedError extends ArbeesError {
  readonly reason: string;
  constructor(reason: string) {
    super('ARB_POLY_REJECTED', reason, { reason });
    this.name = 'PolymarketOrderRejectedError';
    this.reason = reason;
  }
}

export class PolymarketAuthError extends ArbeesError {
  constructor(problem: string) {
    super('ARB_POLY_AUTH', problem);
    this.name = 'PolymarketAuthError';
  }
}

/** An order cannot be built: price off the tick, size below the increment, bad address... */
export class PolymarketOrderInvalidError extends ArbeesError {
  constructor(problem: string) {
    super('ARB_POLY_ORDER_INVALID', problem);
    this.name = 'PolymarketOrderInvalidError';
  }
}
