/**
 * The simulator's REST surface under /trade-api/v2, in Kalshi's current wire format: public
 * market data, and signed portfolio and V2 order endpoints (401 on a bad signature). Errors
 * use Kalshi's body shape `{ "error": { "code", "message" } }`; a 429 says
 * `{"error":"too many requests"}` as the real one does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CC_PER_DOLLAR } from '../../core/money.js';
import { parseCountHundredths, parseDollarMicros } from '../../venues/kalshi/fixed-point.js';
import { TokenBucket } from '../../venues/kalshi/rate-limiter.js';
import { SimVenueError, type KalshiSimExchange, type SimOrderRequest } from './sim-exchange.js';
import type { SimKeyRing } from './sim-key-ring.js';
import { dollars, eventPositionsJson, fillJson, iso, marketJson, orderJson, positionJson, statusForFilter } from './sim-wire.js';

export const REST_ROOT = '/trade-api/v2';
const MAX_BODY = 64 * 1024;

export interface SimEventInfo {
  eventTicker: string;
  seriesTicker: string;
  title: string;
  subTitle: string;
  strikeDateMs: number;
  tickers: string[];
}

export interface SimRestFaults {
  /**
   * The next n requests answer with this status before anything else happens; with `only`
   * (e.g. `POST /portfolio/events/orders`), only requests of that method and path prefix count,
   * so a background read (series fees, markets) cannot use up a fault meant for an order.
   */
  failNext(count: number, status?: number, only?: string): void;
}

export interface SimRestOptions {
  exchange: KalshiSimExchange;
  keys: SimKeyRing;
  events: () => SimEventInfo[];
  now: () => number;
  /** The fee schedule every simulated series publishes (`GET /series/{ticker}`); default quadratic x 1. */
  seriesFee?: { feeType: string; feeMultiplier: number } | undefined;
  /** Tokens per second per bucket (cost 10 a request, 2 a cancel); unset = unlimited. */
  rateLimit?: { readTokensPerSecond: number; writeTokensPerSecond: number } | undefined;
}

type Handler = (ctx: Ctx) => unknown | Promise<unknown>;

interface Ctx {
  req: IncomingMessage;
  params: string[];
  query: URLSearchParams;
  keyId: string | null;
  body: unknown;
}

interface Route {
  method: string;
  pattern: RegExp;
  auth: boolean;
  cost?: number;
  handler: Handler;
  status?: number;
}

export class KalshiSimRestApi implements SimRestFaults {
  readonly #o: SimRestOptions;
  readonly #routes: Route[];
  readonly #read: TokenBucket | null;
  readonly #write: TokenBucket | null;
  #failures: { count: number; status: number; only: string | undefined } = { count: 0, status: 503, only: undefined };
  requests = 0;

  constructor(options: SimRestOptions) {
    this.#o = options;
    this.#read = options.rateLimit ? new TokenBucket({ refillPerSecond: options.rateLimit.readTokensPerSecond }) : null;
    this.#write = options.rateLimit ? new TokenBucket({ refillPerSecond: options.rateLimit.writeTokensPerSecond }) : null;
    const seg = '([^/]+)';
    this.#routes = [
      { method: 'GET', pattern: /^\/markets$/, auth: false, handler: (c) => this.#markets(c) },
      { method: 'GET', pattern: new RegExp(`^/markets/${seg}$`), auth: false, handler: (c) => ({ market: this.#marketJson(c.params[0]!) }) },
      { method: 'GET', pattern: new RegExp(`^/markets/${seg}/orderbook$`), auth: false, handler: (c) => this.#orderbook(c) },
      { method: 'GET', pattern: /^\/events$/, auth: false, handler: (c) => this.#events(c) },
      { method: 'GET', pattern: new RegExp(`^/events/${seg}$`), auth: false, handler: (c) => this.#event(c) },
      { method: 'GET', pattern: new RegExp(`^/series/${seg}$`), auth: false, handler: (c) => this.#series(c) },
      { method: 'GET', pattern: /^\/portfolio\/balance$/, auth: true, handler: (c) => this.#balance(c) },
      { method: 'GET', pattern: /^\/portfolio\/positions$/, auth: true, handler: (c) => this.#positions(c) },
      { method: 'GET', pattern: /^\/portfolio\/fills$/, auth: true, handler: (c) => this.#fills(c) },
      { method: 'GET', pattern: /^\/portfolio\/orders$/, auth: true, handler: (c) => this.#orders(c) },
      { method: 'GET', pattern: new RegExp(`^/portfolio/orders/${seg}$`), auth: true, handler: (c) => this.#order(c) },
      { method: 'GET', pattern: /^\/portfolio\/settlements$/, auth: true, handler: (c) => this.#settlements(c) },
      { method: 'POST', pattern: /^\/portfolio\/events\/orders$/, auth: true, handler: (c) => this.#createOrder(c), status: 201 },
      { method: 'DELETE', pattern: new RegExp(`^/portfolio/events/orders/${seg}$`), auth: true, cost: 2, handler: (c) => this.#cancelOrder(c) },
      {
        method: 'POST',
        pattern: /^\/portfolio\/orders$/,
        auth: true,
        handler: () => {
          throw new SimVenueError(400, 'deprecated', 'Please switch to the V2 endpoints');
        },
      },
    ];
  }

  failNext(count: number, status = 503, only?: string): void {
    this.#failures = { count, status, only };
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests++;
    try {
      await this.#handle(req, res);
    } catch (err) {
      if (err instanceof SimVenueError) send(res, err.status, { error: { code: err.code, message: err.message } });
      else send(res, 500, { error: { code: 'internal_server_error', message: 'internal error' } });
    }
  }

  #faultApplies(method: string, pathname: string): boolean {
    const only = this.#failures.only;
    if (only === undefined) return true;
    const [onlyMethod, onlyPath = ''] = only.split(' ');
    return method === onlyMethod && pathname.startsWith(`${REST_ROOT}${onlyPath}`);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim.local');
    if (this.#failures.count > 0 && this.#faultApplies(req.method ?? 'GET', url.pathname)) {
      this.#failures.count--;
      send(res, this.#failures.status, { error: { code: 'service_unavailable', message: 'injected failure' } });
      return;
    }
    if (!url.pathname.startsWith(`${REST_ROOT}/`)) throw new SimVenueError(404, 'not_found', 'not found');
    const sub = url.pathname.slice(REST_ROOT.length);
    const method = req.method ?? 'GET';
    let pathMatched = false;
    for (const route of this.#routes) {
      const m = route.pattern.exec(sub);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const bucket = method === 'GET' ? this.#read : this.#write;
      if (bucket && !bucket.tryTake(route.cost ?? 10)) {
        send(res, 429, { error: 'too many requests' });
        return;
      }
      let keyId: string | null = null;
      if (route.auth) {
        const auth = this.#o.keys.verify(req.headers, method, url.pathname);
        if (!auth.ok) throw new SimVenueError(401, 'authentication_error', auth.reason);
        keyId = auth.keyId;
      }
      const body = method === 'POST' ? await readJson(req) : undefined;
      const params = m.slice(1).map((p) => decodeURIComponent(p));
      const out = await route.handler({ req, params, query: url.searchParams, keyId, body });
      send(res, route.status ?? 200, out);
      return;
    }
    throw new SimVenueError(pathMatched ? 405 : 404, pathMatched ? 'method_not_allowed' : 'not_found', `${method} ${url.pathname}`);
  }

  // ---- market data --------------------------------------------------------------------------

  #marketJson(ticker: string): Record<string, unknown> {
    const m = this.#o.exchange.market(ticker);
    if (!m) throw new SimVenueError(404, 'market_not_found', `market ${ticker} not found`);
    return marketJson(m, this.#o.exchange.top(ticker));
  }

  #markets(c: Ctx): unknown {
    const q = c.query;
    let markets = this.#o.exchange.markets();
    const series = q.get('series_ticker');
    const event = q.get('event_ticker');
    const status = q.get('status');
    const tickers = q.get('tickers');
    if (series) markets = markets.filter((m) => m.seriesTicker === series);
    if (event) markets = markets.filter((m) => m.eventTicker === event);
    if (tickers) {
      const set = new Set(tickers.split(','));
      markets = markets.filter((m) => set.has(m.ticker));
    }
    if (status) {
      const want = statusForFilter(status);
      if (want === undefined) throw new SimVenueError(400, 'invalid_parameters', `unknown status ${status}`);
      markets = markets.filter((m) => m.status === want);
    }
    const page = paginate(markets, q, 100, 1000);
    return { markets: page.items.map((m) => marketJson(m, this.#o.exchange.top(m.ticker))), cursor: page.cursor };
  }

  #orderbook(c: Ctx): unknown {
    const ticker = c.params[0]!;
    if (!this.#o.exchange.market(ticker)) throw new SimVenueError(404, 'market_not_found', `market ${ticker} not found`);
    const depth = intParam(c.query, 'depth', 0, 0, 100);
    const { yes, no } = this.#o.exchange.levels(ticker);
    // Ascending, best bid last; depth keeps the best levels.
    const cut = (levels: [number, number][]) => (depth > 0 ? levels.slice(-depth) : levels);
    const fmt = (levels: [number, number][]) => cut(levels).map(([p, q]) => [dollars(p), `${q}.00`]);
    return { orderbook_fp: { yes_dollars: fmt(yes), no_dollars: fmt(no) } };
  }

  #eventJson(e: SimEventInfo, nested: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {
      event_ticker: e.eventTicker,
      series_ticker: e.seriesTicker,
      title: e.title,
      sub_title: e.subTitle,
      collateral_return_type: 'binary',
      mutually_exclusive: true,
      category: 'Sports',
      strike_date: iso(e.strikeDateMs),
      strike_period: null,
      available_on_brokers: false,
      product_metadata: null,
      settlement_sources: [{ name: 'Simulator', url: 'http://127.0.0.1/' }],
      last_updated_ts: iso(this.#o.now()),
      fee_type_override: null,
      fee_multiplier_override: null,
      exchange_index: 0,
    };
    if (nested) out.markets = e.tickers.map((t) => this.#marketJson(t));
    return out;
  }

  #events(c: Ctx): unknown {
    let events = this.#o.events();
    const series = c.query.get('series_ticker');
    const status = c.query.get('status');
    if (series) events = events.filter((e) => e.seriesTicker === series);
    if (status) {
      const want = statusForFilter(status);
      events = events.filter((e) => e.tickers.some((t) => this.#o.exchange.market(t)?.status === want));
    }
    const nested = c.query.get('with_nested_markets') === 'true';
    const page = paginate(events, c.query, 200, 200);
    return { events: page.items.map((e) => this.#eventJson(e, nested)), cursor: page.cursor };
  }

  #event(c: Ctx): unknown {
    const e = this.#o.events().find((x) => x.eventTicker === c.params[0]);
    if (!e) throw new SimVenueError(404, 'event_not_found', `event ${c.params[0]} not found`);
    const nested = c.query.get('with_nested_markets') === 'true';
    return { event: this.#eventJson(e, nested), markets: e.tickers.map((t) => this.#marketJson(t)) };
  }

  #series(c: Ctx): unknown {
    const ticker = c.params[0]!;
    if (!this.#o.events().some((e) => e.seriesTicker === ticker)) throw new SimVenueError(404, 'series_not_found', `series ${ticker} not found`);
    const fee = this.#o.seriesFee ?? { feeType: 'quadratic', feeMultiplier: 1 };
    return {
      series: {
        ticker,
        frequency: 'custom',
        title: ticker,
        category: 'Sports',
        tags: ['Sports'],
        settlement_sources: [{ name: 'Simulator', url: 'http://127.0.0.1/' }],
        contract_url: 'http://127.0.0.1/contract',
        contract_terms_url: 'http://127.0.0.1/terms',
        fee_type: fee.feeType,
        fee_multiplier: fee.feeMultiplier,
        additional_prohibitions: [],
        last_updated_ts: iso(this.#o.now()),
      },
    };
  }

  // ---- portfolio ----------------------------------------------------------------------------

  #account(c: Ctx) {
    const account = this.#o.exchange.account(c.keyId!);
    if (!account) throw new SimVenueError(401, 'authentication_error', 'no account for this key');
    return account;
  }

  #balance(c: Ctx): unknown {
    const a = this.#account(c);
    let exposure = 0;
    for (const p of a.positions.values()) exposure += p.costCc;
    return {
      balance: Math.floor(a.cashCc / 100),
      balance_dollars: dollars(a.cashCc),
      portfolio_value: Math.floor(exposure / 100),
      updated_ts: Math.floor(this.#o.now() / 1000),
      balance_breakdown: [{ exchange_index: 0, balance: dollars(a.cashCc) }],
    };
  }

  #positions(c: Ctx): unknown {
    const a = this.#account(c);
    const ticker = c.query.get('ticker');
    const event = c.query.get('event_ticker');
    let positions = [...a.positions.values()];
    if (ticker) positions = positions.filter((p) => p.ticker === ticker);
    if (event) positions = positions.filter((p) => p.eventTicker === event);
    const page = paginate(positions, c.query, 100, 1000);
    return { market_positions: page.items.map(positionJson), event_positions: eventPositionsJson(positions), cursor: page.cursor };
  }

  #fills(c: Ctx): unknown {
    const a = this.#account(c);
    const ticker = c.query.get('ticker');
    const orderId = c.query.get('order_id');
    // Newest first, as Kalshi lists them.
    let fills = [...a.fills].reverse();
    if (ticker) fills = fills.filter((f) => f.ticker === ticker);
    if (orderId) fills = fills.filter((f) => f.orderId === orderId);
    const page = paginate(fills, c.query, 100, 1000);
    return { fills: page.items.map(fillJson), cursor: page.cursor };
  }

  #orders(c: Ctx): unknown {
    let orders = this.#o.exchange.ordersOf(c.keyId!).reverse();
    const ticker = c.query.get('ticker');
    const status = c.query.get('status');
    if (ticker) orders = orders.filter((o) => o.ticker === ticker);
    if (status) orders = orders.filter((o) => o.status === status);
    const page = paginate(orders, c.query, 100, 1000);
    return { orders: page.items.map(orderJson), cursor: page.cursor };
  }

  #order(c: Ctx): unknown {
    const o = this.#o.exchange.order(c.params[0]!);
    if (!o || o.owner !== c.keyId) throw new SimVenueError(404, 'order_not_found', `order ${c.params[0]} not found`);
    return { order: orderJson(o) };
  }

  #settlements(c: Ctx): unknown {
    const a = this.#account(c);
    return {
      settlements: a.settlements.map((s) => ({
        ticker: s.ticker,
        market_result: s.result,
        yes_count_fp: `${Math.max(0, s.contracts)}.00`,
        no_count_fp: `${Math.max(0, -s.contracts)}.00`,
        revenue: Math.floor(s.payoutCc / 100),
        value: s.payoutCc > 0 ? '1.0000' : '0.0000',
        settled_time: iso(s.tsMs),
      })),
      cursor: '',
    };
  }

  // ---- orders -------------------------------------------------------------------------------

  #createOrder(c: Ctx): unknown {
    const req = v2Request(c.body);
    const r = this.#o.exchange.placeOrder(c.keyId!, req);
    const avgPrice = r.fillCount > 0 ? Math.round(r.fillNotionalCc / r.fillCount) : null;
    const avgFee = r.fillCount > 0 ? Math.round(r.feesCc / r.fillCount) : null;
    return {
      order_id: r.order.orderId,
      client_order_id: r.order.clientOrderId,
      fill_count: `${r.fillCount}.00`,
      remaining_count: `${r.order.status === 'resting' ? r.order.remaining : 0}.00`,
      ...(avgPrice !== null ? { average_fill_price: dollars(avgPrice) } : {}),
      ...(avgFee !== null ? { average_fee_paid: dollars(avgFee) } : {}),
      ts_ms: this.#o.now(),
    };
  }

  #cancelOrder(c: Ctx): unknown {
    const { order, reducedBy } = this.#o.exchange.cancelOrder(c.keyId!, c.params[0]!);
    return { order_id: order.orderId, client_order_id: order.clientOrderId, reduced_by: `${reducedBy}.00`, ts_ms: this.#o.now() };
  }
}

/** Validates a V2 create body with the strictness of the real endpoint (strings, enums). */
function v2Request(body: unknown): SimOrderRequest {
  const bad = (m: string): never => {
    throw new SimVenueError(400, 'invalid_parameters', m);
  };
  if (!body || typeof body !== 'object' || Array.isArray(body)) return bad('body must be a JSON object');
  const b = body as Record<string, unknown>;
  if (typeof b.ticker !== 'string' || !b.ticker) bad('ticker is required');
  if (b.side !== 'bid' && b.side !== 'ask') bad('side must be bid or ask');
  if (typeof b.count !== 'string') bad('count must be a FixedPointCount string');
  const hundredths = parseCountHundredths(b.count as string);
  if (hundredths === null || hundredths <= 0) bad('count must be a positive count with at most 2 decimals');
  if ((hundredths as number) % 100 !== 0) bad('fractional contracts are not enabled on this market');
  if (typeof b.price !== 'string') bad('price must be a FixedPointDollars string');
  const micros = parseDollarMicros(b.price as string);
  if (micros === null || micros % 100 !== 0) bad('price must be a dollar amount with at most 4 decimals');
  const tif = b.time_in_force;
  if (tif !== 'fill_or_kill' && tif !== 'good_till_canceled' && tif !== 'immediate_or_cancel') bad('time_in_force is required');
  const stp = b.self_trade_prevention_type;
  if (stp !== 'taker_at_cross' && stp !== 'maker') bad('self_trade_prevention_type is required');
  if (b.client_order_id !== undefined && typeof b.client_order_id !== 'string') bad('client_order_id must be a string');
  if (b.post_only !== undefined && typeof b.post_only !== 'boolean') bad('post_only must be a boolean');
  const yesPriceCc = (micros as number) / 100;
  if (yesPriceCc > CC_PER_DOLLAR) bad('price must be at most 1');
  return {
    ticker: b.ticker as string,
    side: b.side as 'bid' | 'ask',
    count: (hundredths as number) / 100,
    yesPriceCc,
    timeInForce: tif as SimOrderRequest['timeInForce'],
    selfTradePrevention: stp as SimOrderRequest['selfTradePrevention'],
    clientOrderId: (b.client_order_id as string | undefined) ?? null,
    postOnly: (b.post_only as boolean | undefined) ?? false,
  };
}

function intParam(q: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = q.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new SimVenueError(400, 'invalid_parameters', `${name} must be an integer in [${min}, ${max}]`);
  return n;
}

/** Opaque cursors (base64 of an offset), as Kalshi's are opaque. */
function paginate<T>(items: T[], q: URLSearchParams, defaultLimit: number, maxLimit: number): { items: T[]; cursor: string } {
  const limit = intParam(q, 'limit', defaultLimit, 1, maxLimit);
  const raw = q.get('cursor');
  let offset = 0;
  if (raw) {
    const decoded = Number(Buffer.from(raw, 'base64url').toString('utf8').replace(/^o:/, ''));
    if (!Number.isInteger(decoded) || decoded < 0) throw new SimVenueError(400, 'invalid_parameters', 'bad cursor');
    offset = decoded;
  }
  const page = items.slice(offset, offset + limit);
  const next = offset + limit < items.length ? Buffer.from(`o:${offset + limit}`).toString('base64url') : '';
  return { items: page, cursor: next };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new SimVenueError(413, 'payload_too_large', 'body too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new SimVenueError(400, 'invalid_json', 'body is not JSON');
  }
}
