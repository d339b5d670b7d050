/**
 * REST client of the Kalshi Trade API v2 (real hosts, demo, or the local simulator: only the
 * base URL differs). Paced by token buckets to the account tier, every request bounded by a
 * timeout, and only idempotent GETs retried (429, 5xx, network): an order is never sent twice
 * by this layer. Every answer goes through parse.ts; a malformed one is counted and thrown.
 */
import { randomUUID } from 'node:crypto';
import { JsonHttpClient, type JsonHttpErrors } from '../json-http-client.js';
import type { KalshiSigner } from './auth.js';
import type {
  KalshiSeriesFee,
  KalshiBalance,
  KalshiCancelOrderResult,
  KalshiCreateOrderRequest,
  KalshiCreateOrderResult,
  KalshiEventDetail,
  KalshiEventsPage,
  KalshiFillsPage,
  KalshiMarket,
  KalshiMarketsPage,
  KalshiOrder,
  KalshiOrderbook,
  KalshiOrdersPage,
  KalshiOrderStatus,
  KalshiPositionsPage,
} from './common.js';
import {
  KalshiAuthError,
  KalshiCredentialsError,
  KalshiHttpError,
  KalshiNotFoundError,
  KalshiOrderInvalidError,
  KalshiParseError,
  KalshiRateLimitError,
  KalshiRejectedError,
  KalshiTimeoutError,
} from './errors.js';
import { formatCountHundredths, formatDollarMicros, toHundredths, toMicros } from './fixed-point.js';
import * as parse from './parse.js';
import { TokenBucket } from './rate-limiter.js';

export interface KalshiHttpClientOptions {
  /** Including the API root, e.g. https://external-api.kalshi.com/trade-api/v2. */
  baseUrl: string;
  /** Needed for portfolio and order endpoints; market data works without. */
  signer?: KalshiSigner | null;
  timeoutMs?: number;
  /** Retries of a GET after 429, 5xx or a network failure. */
  maxRetries?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Token refill per second (Basic tier: 200 read, 100 write) and the default request cost. */
  readTokensPerSecond?: number;
  writeTokensPerSecond?: number;
  defaultCost?: number;
  /** Cost of a V2 cancel (2 tokens per the docs). */
  cancelCost?: number;
}

type ResolvedOptions = Readonly<Required<Omit<KalshiHttpClientOptions, 'signer'>>> & { signer: KalshiSigner | null };

const DEFAULTS = {
  timeoutMs: 10_000,
  maxRetries: 3,
  retryBaseMs: 200,
  retryMaxMs: 5_000,
  readTokensPerSecond: 200,
  writeTokensPerSecond: 100,
  defaultCost: 10,
  cancelCost: 2,
} as const;

function resolveOptions(options: KalshiHttpClientOptions): ResolvedOptions {
  let url: URL;
  try {
    url = new URL(options.baseUrl);
  } catch {
    throw new RangeError(`baseUrl ${JSON.stringify(options.baseUrl)} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RangeError('baseUrl must be http(s)');
  const resolved = { ...DEFAULTS, ...stripUndefined(options), baseUrl: url.toString().replace(/\/+$/, ''), signer: options.signer ?? null };
  for (const k of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
    const v = resolved[k];
    if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0)) throw new RangeError(`${k} must be a non-negative number`);
  }
  return Object.freeze(resolved);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

type Query = Record<string, string | number | boolean | undefined>;

interface RequestSpec<T> {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Query;
  body?: unknown;
  auth: boolean;
  cost?: number;
  parse: (v: unknown) => T;
}

export interface KalshiHttpStats {
  requests: number;
  retries: number;
  parseErrors: number;
  httpErrors: number;
  timeouts: number;
  rateLimited: number;
}

export interface MarketsQuery {
  seriesTicker?: string;
  eventTicker?: string;
  status?: 'unopened' | 'open' | 'paused' | 'closed' | 'settled';
  tickers?: string[];
  limit?: number;
  cursor?: string;
}

export interface EventsQuery {
  seriesTicker?: string;
  status?: 'unopened' | 'open' | 'closed' | 'settled';
  withNestedMarkets?: boolean;
  limit?: number;
  cursor?: string;
}

export class KalshiHttpClient {
  readonly options: ResolvedOptions;
  readonly #apiPath: string;
  readonly #read: TokenBucket;
  readonly #write: TokenBucket;
  readonly #http: JsonHttpClient;
  #parseErrors = 0;

  constructor(options: KalshiHttpClientOptions) {
    this.options = resolveOptions(options);
    this.#apiPath = new URL(this.options.baseUrl).pathname.replace(/\/+$/, '');
    this.#read = new TokenBucket({ refillPerSecond: this.options.readTokensPerSecond });
    this.#write = new TokenBucket({ refillPerSecond: this.options.writeTokensPerSecond });
    this.#http = new JsonHttpClient({
      baseUrl: this.options.baseUrl,
      timeoutMs: this.options.timeoutMs,
      // Equal jitter: never less than half the ceiling, so retries still back off.
      retry: { maxRetries: this.options.maxRetries, policy: { baseMs: this.options.retryBaseMs, maxMs: this.options.retryMaxMs, jitter: 0.5 } },
      errors: KALSHI_ERRORS,
    });
  }

  stats(): Readonly<KalshiHttpStats> {
    const h = this.#http.stats();
    return {
      requests: h.requests,
      retries: h.retries,
      parseErrors: this.#parseErrors,
      httpErrors: h.httpErrors + h.networkErrors,
      timeouts: h.timeouts,
      rateLimited: h.rateLimited,
    };
  }

  // ---- market data (public) -----------------------------------------------------------------

  getMarkets(q: MarketsQuery = {}): Promise<KalshiMarketsPage> {
    return this.#request({
      method: 'GET',
      path: '/markets',
      auth: false,
      query: {
        series_ticker: q.seriesTicker,
        event_ticker: q.eventTicker,
        status: q.status,
        tickers: q.tickers?.join(','),
        limit: q.limit,
        cursor: q.cursor,
      },
      parse: parse.parseMarketsPage,
    });
  }

  /** Follows the cursor to the end (bounded, and stops if the venue repeats a cursor). */
  async getAllMarkets(q: Omit<MarketsQuery, 'cursor'> = {}, maxPages = 100): Promise<KalshiMarket[]> {
    const out: KalshiMarket[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const res = await this.getMarkets({ ...q, ...(cursor ? { cursor } : {}) });
      out.push(...res.markets);
      if (res.cursor === null || seen.has(res.cursor)) break;
      seen.add(res.cursor);
      cursor = res.cursor;
    }
    return out;
  }

  getMarket(ticker: string): Promise<KalshiMarket> {
    return this.#request({ method: 'GET', path: `/markets/${encodeURIComponent(ticker)}`, auth: false, parse: parse.parseMarketResponse });
  }

  getOrderbook(ticker: string, depth?: number): Promise<KalshiOrderbook> {
    return this.#request({
      method: 'GET',
      path: `/markets/${encodeURIComponent(ticker)}/orderbook`,
      auth: false,
      query: { depth },
      parse: parse.parseOrderbookResponse,
    });
  }

  getEvents(q: EventsQuery = {}): Promise<KalshiEventsPage> {
    return this.#request({
      method: 'GET',
      path: '/events',
      auth: false,
      query: { series_ticker: q.seriesTicker, status: q.status, with_nested_markets: q.withNestedMarkets, limit: q.limit, cursor: q.cursor },
      parse: parse.parseEventsPage,
    });
  }

  /** `GET /series/{series_ticker}`: the series' fee type and multiplier. */
  getSeriesFee(seriesTicker: string): Promise<KalshiSeriesFee> {
    return this.#request({ method: 'GET', path: `/series/${encodeURIComponent(seriesTicker)}`, auth: false, parse: parse.parseSeriesFee });
  }

  getEvent(eventTicker: string, withNestedMarkets = false): Promise<KalshiEventDetail> {
    return this.#request({
      method: 'GET',
      path: `/events/${encodeURIComponent(eventTicker)}`,
      auth: false,
      query: { with_nested_markets: withNestedMarkets || undefined },
      parse: parse.parseEventResponse,
    });
  }

  // ---- portfolio (signed) -------------------------------------------------------------------

  getBalance(): Promise<KalshiBalance> {
    return this.#request({ method: 'GET', path: '/portfolio/balance', auth: true, parse: parse.parseBalance });
  }

  getPositions(q: { ticker?: string; eventTicker?: string; limit?: number; cursor?: string } = {}): Promise<KalshiPositionsPage> {
    return this.#request({
      method: 'GET',
      path: '/portfolio/positions',
      auth: true,
      query: { ticker: q.ticker, event_ticker: q.eventTicker, limit: q.limit, cursor: q.cursor },
      parse: parse.parsePositionsPage,
    });
  }

  getFills(q: { ticker?: string; orderId?: string; limit?: number; cursor?: string } = {}): Promise<KalshiFillsPage> {
    return this.#request({
      method: 'GET',
      path: '/portfolio/fills',
      auth: true,
      query: { ticker: q.ticker, order_id: q.orderId, limit: q.limit, cursor: q.cursor },
      parse: parse.parseFillsPage,
    });
  }

  getOrders(q: { ticker?: string; status?: KalshiOrderStatus; limit?: number; cursor?: string } = {}): Promise<KalshiOrdersPage> {
    return this.#request({
      method: 'GET',
      path: '/portfolio/orders',
      auth: true,
      query: { ticker: q.ticker, status: q.status, limit: q.limit, cursor: q.cursor },
      parse: parse.parseOrdersPage,
    });
  }

  getOrder(orderId: string): Promise<KalshiOrder> {
    return this.#request({ method: 'GET', path: `/portfolio/orders/${encodeURIComponent(orderId)}`, auth: true, parse: parse.parseOrderResponse });
  }

  // ---- orders (signed, never retried) -------------------------------------------------------

  /** V2 create: POST /portfolio/events/orders. A client_order_id is generated when absent. */
  createOrder(req: KalshiCreateOrderRequest): Promise<KalshiCreateOrderResult> {
    return this.#request({
      method: 'POST',
      path: '/portfolio/events/orders',
      auth: true,
      body: orderBody(req),
      parse: parse.parseCreateOrderResponse,
    });
  }

  cancelOrder(orderId: string): Promise<KalshiCancelOrderResult> {
    return this.#request({
      method: 'DELETE',
      path: `/portfolio/events/orders/${encodeURIComponent(orderId)}`,
      auth: true,
      cost: this.options.cancelCost,
      parse: parse.parseCancelOrderResponse,
    });
  }

  // ---- transport ----------------------------------------------------------------------------

  async #request<T>(spec: RequestSpec<T>): Promise<T> {
    if (spec.auth && !this.options.signer) {
      throw new KalshiCredentialsError(`${spec.method} ${spec.path} needs Kalshi credentials (KALSHI_API_KEY and a private key)`);
    }
    const idempotent = spec.method === 'GET';
    const bucket = idempotent ? this.#read : this.#write;
    const signer = spec.auth ? this.options.signer : null;
    const signedPath = `${this.#apiPath}${spec.path}`;
    try {
      const body = await this.#http.request({
        method: spec.method,
        path: spec.path,
        query: spec.query,
        body: spec.body,
        idempotent,
        pace: () => bucket.take(spec.cost ?? this.options.defaultCost),
        headers: () => (signer ? signer.headers(spec.method, signedPath) : {}),
        decode: (text) => parse.parseJsonBody(text, `${spec.method} ${spec.path}`),
      });
      return spec.parse(body);
    } catch (err) {
      if (err instanceof KalshiParseError) this.#parseErrors++;
      throw err;
    }
  }
}

/** Kalshi's error classes for the shared transport. */
const KALSHI_ERRORS: JsonHttpErrors = {
  timeout: (req, timeoutMs) => new KalshiTimeoutError(req.method, req.path, timeoutMs),
  network: (req, cause) => new KalshiHttpError(0, req.method, req.path, (cause.cause as Error | undefined)?.message ?? cause.message),
  status: (req, status, text) => httpError(status, req.method, req.path, text),
  // Unused: every Kalshi request decodes with parse.parseJsonBody, which throws KalshiParseError.
  badBody: (req, text) => new KalshiHttpError(200, req.method, req.path, `not JSON: ${text.slice(0, 200)}`),
};

function httpError(status: number, method: string, path: string, text: string): KalshiHttpError {
  const { code, message } = parse.parseErrorBody(text);
  if (status === 401 || status === 403) return new KalshiAuthError(status, method, path, message, code);
  if (status === 404) return new KalshiNotFoundError(method, path, message, code);
  if (status === 429) return new KalshiRateLimitError(method, path, message);
  if (method !== 'GET' && status >= 400 && status < 500) return new KalshiRejectedError(status, method, path, message, code);
  return new KalshiHttpError(status, method, path, message, code);
}

/** The V2 body, validated: a price off the 1/10000 grid or a non-positive count never leaves. */
function orderBody(req: KalshiCreateOrderRequest): Record<string, unknown> {
  const micros = toMicros(req.yesPrice);
  if (!(req.yesPrice > 0 && req.yesPrice < 1) || micros % 100 !== 0 || Math.abs(micros / 1e6 - req.yesPrice) > 1e-9) {
    throw new KalshiOrderInvalidError(`YES price ${req.yesPrice} must be inside (0, 1) with at most 4 decimals`, { ticker: req.ticker });
  }
  const hundredths = toHundredths(req.count);
  if (!(req.count > 0) || Math.abs(hundredths / 100 - req.count) > 1e-9) {
    throw new KalshiOrderInvalidError(`count ${req.count} must be positive with at most 2 decimals`, { ticker: req.ticker });
  }
  if (!req.ticker) throw new KalshiOrderInvalidError('ticker is empty');
  return {
    ticker: req.ticker,
    side: req.side,
    count: formatCountHundredths(hundredths),
    price: formatDollarMicros(micros),
    time_in_force: req.timeInForce,
    self_trade_prevention_type: req.selfTradePrevention ?? 'taker_at_cross',
    client_order_id: req.clientOrderId ?? randomUUID(),
    ...(req.postOnly !== undefined ? { post_only: req.postOnly } : {}),
    ...(req.reduceOnly !== undefined ? { reduce_only: req.reduceOnly } : {}),
    ...(req.expirationTs !== undefined ? { expiration_time: req.expirationTs } : {}),
  };
}
