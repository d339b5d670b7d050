/**
 * Small semantic errors of the Kalshi clients. Each carries a stable code from
 * src/core/errors.ts, so a caller can count and alert on them without parsing messages.
 */
import { ArbeesError } from '../../core/errors.js';

export type KalshiParseReason = 'missing' | 'type' | 'format' | 'range' | 'legacy' | 'json';

/** A payload that does not match the current (2026) wire format. Never a wrong value instead. */
export class KalshiParseError extends ArbeesError {
  readonly path: string;
  readonly reason: KalshiParseReason;
  constructor(path: string, reason: KalshiParseReason, problem: string) {
    super('ARB_KALSHI_PAYLOAD', `${path}: ${problem}`, { path, reason });
    this.name = 'KalshiParseError';
    this.path = path;
    this.reason = reason;
  }
}

/** Any non-2xx answer; subclasses name the ones a caller reacts to differently. */
export class KalshiHttpError extends ArbeesError {
  readonly status: number;
  readonly method: string;
  readonly path: string;
  /** Kalshi's error `code` from the body, when there was one. */
  readonly venueCode: string | null;
  constructor(
    status: number,
    method: string,
    path: string,
    venueMessage: string,
    venueCode: string | null = null,
    code:
      | 'ARB_KALSHI_HTTP'
      | 'ARB_KALSHI_AUTH'
      | 'ARB_KALSHI_RATE_LIMITED'
      | 'ARB_KALSHI_NOT_FOUND'
      | 'ARB_KALSHI_REJECTED' = 'ARB_KALSHI_HTTP',
  ) {
    super(code, `${method} ${path} answered ${status}: ${venueMessage}`, { status, method, path, venueCode });
    this.name = 'KalshiHttpError';
    this.status = status;
    this.method = method;
    this.path = path;
    this.venueCode = venueCode;
  }
}

export class KalshiAuthError extends KalshiHttpError {
  constructor(status: number, method: string, path: string, venueMessage: string, venueCode: string | null = null) {
    super(status, method, path, venueMessage, venueCode, 'ARB_KALSHI_AUTH');
    this.name = 'KalshiAuthError';
  }
}

export class KalshiRateLimitError extends KalshiHttpError {
  constructor(method: string, path: string, venueMessage: string) {
    super(429, method, path, venueMessage, null, 'ARB_KALSHI_RATE_LIMITED');
    this.name = 'KalshiRateLimitError';
  }
}

export class KalshiNotFoundError extends KalshiHttpError {
  constructor(method: string, path: string, venueMessage: string, venueCode: string | null = null) {
    super(404, method, path, venueMessage, venueCode, 'ARB_KALSHI_NOT_FOUND');
    this.name = 'KalshiNotFoundError';
  }
}

/** 400/409 on an order or cancel: the venue understood and said no (bad price, balance, duplicate id). */
export class KalshiRejectedError extends KalshiHttpError {
  constructor(status: number, method: string, path: string, venueMessage: string, venueCode: string | null = null) {
    super(status, method, path, venueMessage, venueCode, 'ARB_KALSHI_REJECTED');
    this.name = 'KalshiRejectedError';
  }
}

export class KalshiTimeoutError extends ArbeesError {
  constructor(method: string, path: string, timeoutMs: number) {
    super('ARB_KALSHI_TIMEOUT', `${method} ${path} took longer than ${timeoutMs} ms`, { method, path, timeoutMs });
    this.name = 'KalshiTimeoutError';
  }
}

/** Missing or unusable credentials on our side (no key, unreadable PEM). Never carries the key. */
export class KalshiCredentialsError extends ArbeesError {
  constructor(problem: string) {
    super('ARB_KALSHI_AUTH', problem);
    this.name = 'KalshiCredentialsError';
  }
}

/** An `error` frame from the WebSocket, or a failed handshake. */
export class KalshiWsError extends ArbeesError {
  readonly wsCode: number | null;
  constructor(message: string, wsCode: number | null = null) {
    super('ARB_KALSHI_WS', message, { wsCode });
    this.name = 'KalshiWsError';
    this.wsCode = wsCode;
  }
}

/** An order we refuse to send: the venue would reject it, or worse, read it differently. */
export class KalshiOrderInvalidError extends ArbeesError {
  constructor(problem: string, details: Record<string, unknown> = {}) {
    super('ARB_KALSHI_REJECTED', `order not sent: ${problem}`, details);
    this.name = 'KalshiOrderInvalidError';
  }
}
