/**
 * Parsers from Kalshi's current (2026) wire JSON to the internal shapes of common.ts.
 *
 * Every price comes from a `*_dollars` string and every count from a `*_fp` string. A payload in
 * the legacy integer-cent format (removed 2026-03-12), a wrong type or a missing field throws a
 * KalshiParseError naming the field: a caller counts it and drops the payload, it never gets a
 * price off by a factor of 100. Nothing else is ever thrown from here.
 */
import type {
  KalshiBalance,
  KalshiBookSide,
  KalshiCancelOrderResult,
  KalshiCreateOrderResult,
  KalshiEvent,
  KalshiEventDetail,
  KalshiEventPosition,
  KalshiEventsPage,
  KalshiFill,
  KalshiFillsPage,
  KalshiLevel,
  KalshiMarket,
  KalshiMarketPosition,
  KalshiMarketsPage,
  KalshiOrder,
  KalshiOrderbook,
  KalshiOrdersPage,
  KalshiOrderStatus,
  KalshiOutcomeSide,
  KalshiPositionsPage,
  KalshiPriceRange,
  KalshiSeriesFee,
  KalshiWsLifecycle,
  KalshiWsMessage,
} from './common.js';
import { KalshiParseError } from './errors.js';
import { HUNDREDTHS_PER_CONTRACT, MICROS_PER_DOLLAR, parseCountHundredths, parseDollarMicros } from './fixed-point.js';

type Obj = Record<string, unknown>;

/** Current field name -> the legacy integer field it replaced, to name a legacy payload as such. */
const LEGACY_NAME: Readonly<Record<string, string>> = {
  yes_bid_dollars: 'yes_bid',
  yes_ask_dollars: 'yes_ask',
  no_bid_dollars: 'no_bid',
  no_ask_dollars: 'no_ask',
  last_price_dollars: 'last_price',
  yes_bid_size_fp: 'yes_bid_size',
  yes_ask_size_fp: 'yes_ask_size',
  volume_fp: 'volume',
  volume_24h_fp: 'volume_24h',
  open_interest_fp: 'open_interest',
  count_fp: 'count',
  position_fp: 'position',
  price_dollars: 'price',
  delta_fp: 'delta',
  yes_price_dollars: 'yes_price',
  no_price_dollars: 'no_price',
  fill_count_fp: 'fill_count',
  remaining_count_fp: 'remaining_count',
  initial_count_fp: 'initial_count',
  orderbook_fp: 'orderbook',
  yes_dollars_fp: 'yes',
  no_dollars_fp: 'no',
};

const fail = (path: string, reason: KalshiParseError['reason'], problem: string): never => {
  throw new KalshiParseError(path, reason, problem);
};

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? `the string ${JSON.stringify(v.slice(0, 40))}` : `a ${typeof v}`;
}

function asObject(v: unknown, path: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(path, 'type', `expected an object, got ${describe(v)}`);
  return v as Obj;
}

function asArray(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) fail(path, 'type', `expected an array, got ${describe(v)}`);
  return v as unknown[];
}

function present(o: Obj, key: string, path: string): unknown {
  const v = o[key];
  if (v !== undefined) return v;
  const legacy = LEGACY_NAME[key];
  if (legacy !== undefined && o[legacy] !== undefined) {
    fail(`${path}.${key}`, 'legacy', `missing; the legacy field "${legacy}" is present (integer cents/counts were removed in 2026)`);
  }
  return fail(`${path}.${key}`, 'missing', 'required field is missing');
}

function str(o: Obj, key: string, path: string): string {
  const v = present(o, key, path);
  if (typeof v !== 'string') fail(`${path}.${key}`, 'type', `expected a string, got ${describe(v)}`);
  return v as string;
}

function nonEmpty(o: Obj, key: string, path: string): string {
  const v = str(o, key, path);
  if (v.length === 0) fail(`${path}.${key}`, 'format', 'must not be empty');
  return v;
}

function optStr(o: Obj, key: string, path: string): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') fail(`${path}.${key}`, 'type', `expected a string or null, got ${describe(v)}`);
  return v as string;
}

function bool(o: Obj, key: string, path: string): boolean {
  const v = present(o, key, path);
  if (typeof v !== 'boolean') fail(`${path}.${key}`, 'type', `expected a boolean, got ${describe(v)}`);
  return v as boolean;
}

function optBool(o: Obj, key: string, path: string, fallback: boolean): boolean {
  return o[key] === undefined || o[key] === null ? fallback : bool(o, key, path);
}

function int(o: Obj, key: string, path: string): number {
  const v = present(o, key, path);
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(`${path}.${key}`, 'type', `expected an integer, got ${describe(v)}`);
  return v as number;
}

function optInt(o: Obj, key: string, path: string): number | null {
  return o[key] === undefined || o[key] === null ? null : int(o, key, path);
}

function oneOf<T extends string>(o: Obj, key: string, path: string, allowed: readonly T[]): T {
  const v = str(o, key, path);
  if (!(allowed as readonly string[]).includes(v)) fail(`${path}.${key}`, 'format', `expected one of ${allowed.join('|')}, got ${JSON.stringify(v)}`);
  return v as T;
}

/** A removed integer-cent field still being sent means the whole object is in the old format. */
function noLegacy(o: Obj, path: string, keys: readonly string[]): void {
  for (const k of keys) {
    if (typeof o[k] === 'number') fail(`${path}.${k}`, 'legacy', 'integer cent/count field of the format removed on 2026-03-12');
  }
}

const LEGACY_MARKET_KEYS = ['yes_bid', 'yes_ask', 'no_bid', 'no_ask', 'last_price', 'volume', 'open_interest'] as const;

// ---- fixed-point values ---------------------------------------------------------------------

function dollarsText(v: unknown, path: string): number {
  if (typeof v !== 'string') {
    const hint = typeof v === 'number' ? ' (integer cents are the removed legacy format)' : '';
    fail(path, typeof v === 'number' ? 'legacy' : 'type', `expected a dollar string like "0.5600", got ${describe(v)}${hint}`);
  }
  const micros = parseDollarMicros(v as string);
  if (micros === null) fail(path, 'format', `not a dollar amount with at most 6 decimals: ${describe(v)}`);
  return micros as number;
}

/** A price as a probability in [0,1], exact to the micro-dollar. */
function priceValue(v: unknown, path: string): number {
  const micros = dollarsText(v, path);
  if (micros < 0 || micros > MICROS_PER_DOLLAR) fail(path, 'range', `price ${String(v)} is outside [0, 1]`);
  return micros / MICROS_PER_DOLLAR;
}

function price(o: Obj, key: string, path: string): number {
  return priceValue(present(o, key, path), `${path}.${key}`);
}

/** Money in integer centi-cents; a 5th or 6th decimal is rounded half away from zero. */
function moneyValue(v: unknown, path: string): number {
  const micros = dollarsText(v, path);
  return Math.sign(micros) * Math.round(Math.abs(micros) / 100);
}

function money(o: Obj, key: string, path: string): number {
  return moneyValue(present(o, key, path), `${path}.${key}`);
}

function optMoney(o: Obj, key: string, path: string): number {
  return o[key] === undefined || o[key] === null ? 0 : money(o, key, path);
}

function countValue(v: unknown, path: string, signed: boolean): number {
  if (typeof v !== 'string') {
    fail(path, typeof v === 'number' ? 'legacy' : 'type', `expected a count string like "10.00", got ${describe(v)}`);
  }
  const h = parseCountHundredths(v as string);
  if (h === null) fail(path, 'format', `not a count with at most 2 decimals: ${describe(v)}`);
  if (!signed && (h as number) < 0) fail(path, 'range', `count ${String(v)} is negative`);
  return (h as number) / HUNDREDTHS_PER_CONTRACT;
}

function count(o: Obj, key: string, path: string, signed = false): number {
  return countValue(present(o, key, path), `${path}.${key}`, signed);
}

function optCount(o: Obj, key: string, path: string): number {
  return o[key] === undefined || o[key] === null ? 0 : count(o, key, path);
}

function levels(v: unknown, path: string): KalshiLevel[] {
  return asArray(v, path).map((raw, i) => {
    const at = `${path}[${i}]`;
    const pair = asArray(raw, at);
    if (pair.length !== 2) fail(at, 'format', `expected [price, count], got ${pair.length} elements`);
    return [priceValue(pair[0], `${at}[0]`), countValue(pair[1], `${at}[1]`, false)] as KalshiLevel;
  });
}

function cursorOf(o: Obj, path: string): string | null {
  const c = optStr(o, 'cursor', path);
  return c === null || c === '' ? null : c;
}

function parseJsonText(text: string, path: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    return fail(path, 'json', `not JSON (${err instanceof Error ? err.message : 'parse failed'})`);
  }
}

// ---- REST: market data ----------------------------------------------------------------------

function parseMarket(v: unknown, path = 'market'): KalshiMarket {
  const o = asObject(v, path);
  noLegacy(o, path, LEGACY_MARKET_KEYS);
  const yesBidSize = count(o, 'yes_bid_size_fp', path);
  const yesAskSize = count(o, 'yes_ask_size_fp', path);
  const yesBid = price(o, 'yes_bid_dollars', path);
  const yesAsk = price(o, 'yes_ask_dollars', path);
  const result = str(o, 'result', path);
  if (!['', 'yes', 'no', 'scalar'].includes(result)) fail(`${path}.result`, 'format', `unknown result ${JSON.stringify(result)}`);
  return {
    ticker: nonEmpty(o, 'ticker', path),
    eventTicker: nonEmpty(o, 'event_ticker', path),
    marketType: oneOf(o, 'market_type', path, ['binary', 'scalar'] as const),
    title: optStr(o, 'title', path),
    yesSubTitle: str(o, 'yes_sub_title', path),
    noSubTitle: str(o, 'no_sub_title', path),
    status: nonEmpty(o, 'status', path),
    result: result === '' ? null : (result as 'yes' | 'no' | 'scalar'),
    yesBid: yesBidSize > 0 ? yesBid : null,
    yesAsk: yesAskSize > 0 ? yesAsk : null,
    yesBidSize,
    yesAskSize,
    lastPrice: price(o, 'last_price_dollars', path),
    volume: count(o, 'volume_fp', path),
    volume24h: count(o, 'volume_24h_fp', path),
    openInterest: count(o, 'open_interest_fp', path),
    openTime: str(o, 'open_time', path),
    closeTime: str(o, 'close_time', path),
    expectedExpirationTime: optStr(o, 'expected_expiration_time', path),
    priceLevelStructure: str(o, 'price_level_structure', path),
    priceRanges: asArray(present(o, 'price_ranges', path), `${path}.price_ranges`).map((r, i) => parsePriceRange(r, `${path}.price_ranges[${i}]`)),
    fractionalTradingEnabled: optBool(o, 'fractional_trading_enabled', path, false),
    canCloseEarly: bool(o, 'can_close_early', path),
  };
}

function parsePriceRange(v: unknown, path: string): KalshiPriceRange {
  const o = asObject(v, path);
  return { start: price(o, 'start', path), end: price(o, 'end', path), step: price(o, 'step', path) };
}

export function parseMarketsPage(v: unknown): KalshiMarketsPage {
  const o = asObject(v, 'markets response');
  const markets = asArray(present(o, 'markets', 'markets response'), 'markets response.markets');
  return { markets: markets.map((m, i) => parseMarket(m, `markets[${i}]`)), cursor: cursorOf(o, 'markets response') };
}

export function parseMarketResponse(v: unknown): KalshiMarket {
  return parseMarket(present(asObject(v, 'market response'), 'market', 'market response'), 'market');
}

export function parseEvent(v: unknown, path = 'event'): KalshiEvent {
  const o = asObject(v, path);
  const nested = o.markets;
  return {
    eventTicker: nonEmpty(o, 'event_ticker', path),
    seriesTicker: nonEmpty(o, 'series_ticker', path),
    title: str(o, 'title', path),
    subTitle: str(o, 'sub_title', path),
    mutuallyExclusive: bool(o, 'mutually_exclusive', path),
    strikeDate: optStr(o, 'strike_date', path),
    feeTypeOverride: optStr(o, 'fee_type_override', path),
    feeMultiplierOverride: optFiniteNumber(o, 'fee_multiplier_override', path),
    markets: nested === undefined || nested === null ? null : asArray(nested, `${path}.markets`).map((m, i) => parseMarket(m, `${path}.markets[${i}]`)),
  };
}

function optFiniteNumber(o: Obj, key: string, path: string): number | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(`${path}.${key}`, 'type', `expected a non-negative number, got ${describe(v)}`);
  return v as number;
}

/** `GET /series/{series_ticker}`: the fee schedule of every market in the series. */
export function parseSeriesFee(v: unknown): KalshiSeriesFee {
  const s = asObject(present(asObject(v, 'series response'), 'series', 'series response'), 'series');
  const multiplier = optFiniteNumber(s, 'fee_multiplier', 'series');
  return { seriesTicker: nonEmpty(s, 'ticker', 'series'), feeType: nonEmpty(s, 'fee_type', 'series'), feeMultiplier: multiplier ?? 1 };
}

export function parseEventsPage(v: unknown): KalshiEventsPage {
  const o = asObject(v, 'events response');
  const events = asArray(present(o, 'events', 'events response'), 'events response.events');
  return { events: events.map((e, i) => parseEvent(e, `events[${i}]`)), cursor: cursorOf(o, 'events response') };
}

export function parseEventResponse(v: unknown): KalshiEventDetail {
  const o = asObject(v, 'event response');
  const event = parseEvent(present(o, 'event', 'event response'), 'event');
  const top = o.markets;
  const markets = top === undefined || top === null ? (event.markets ?? []) : asArray(top, 'markets').map((m, i) => parseMarket(m, `markets[${i}]`));
  return { event, markets };
}

/** `{ orderbook_fp: { yes_dollars, no_dollars } }`; an empty side may be [] or absent. */
export function parseOrderbookResponse(v: unknown): KalshiOrderbook {
  const o = asObject(v, 'orderbook response');
  const book = asObject(present(o, 'orderbook_fp', 'orderbook response'), 'orderbook_fp');
  const side = (key: string) => (book[key] === undefined || book[key] === null ? [] : levels(book[key], `orderbook_fp.${key}`));
  if (book.yes !== undefined || book.no !== undefined) fail('orderbook_fp', 'legacy', 'carries legacy "yes"/"no" cent levels');
  return { yes: side('yes_dollars'), no: side('no_dollars') };
}

// ---- REST: portfolio ------------------------------------------------------------------------

export function parseBalance(v: unknown): KalshiBalance {
  const o = asObject(v, 'balance');
  // balance_dollars (added 2026-05-28) is exact; the integer `balance` is in cents.
  const balanceCc = o.balance_dollars !== undefined ? money(o, 'balance_dollars', 'balance') : int(o, 'balance', 'balance') * 100;
  const portfolioValueCc = o.portfolio_value === undefined ? 0 : int(o, 'portfolio_value', 'balance') * 100;
  return { balanceCc, portfolioValueCc, updatedTs: optInt(o, 'updated_ts', 'balance') };
}

function parseMarketPosition(v: unknown, path: string): KalshiMarketPosition {
  const o = asObject(v, path);
  noLegacy(o, path, ['position', 'market_exposure', 'realized_pnl', 'fees_paid']);
  return {
    ticker: nonEmpty(o, 'ticker', path),
    position: count(o, 'position_fp', path, true),
    totalTradedCc: money(o, 'total_traded_dollars', path),
    marketExposureCc: money(o, 'market_exposure_dollars', path),
    realizedPnlCc: money(o, 'realized_pnl_dollars', path),
    feesPaidCc: money(o, 'fees_paid_dollars', path),
    lastUpdated: optStr(o, 'last_updated_ts', path),
  };
}

function parseEventPosition(v: unknown, path: string): KalshiEventPosition {
  const o = asObject(v, path);
  return {
    eventTicker: nonEmpty(o, 'event_ticker', path),
    totalCostCc: money(o, 'total_cost_dollars', path),
    eventExposureCc: money(o, 'event_exposure_dollars', path),
    realizedPnlCc: money(o, 'realized_pnl_dollars', path),
    feesPaidCc: money(o, 'fees_paid_dollars', path),
  };
}

export function parsePositionsPage(v: unknown): KalshiPositionsPage {
  const o = asObject(v, 'positions response');
  const mp = asArray(present(o, 'market_positions', 'positions response'), 'market_positions');
  const ep = o.event_positions === undefined || o.event_positions === null ? [] : asArray(o.event_positions, 'event_positions');
  return {
    marketPositions: mp.map((p, i) => parseMarketPosition(p, `market_positions[${i}]`)),
    eventPositions: ep.map((p, i) => parseEventPosition(p, `event_positions[${i}]`)),
    cursor: cursorOf(o, 'positions response'),
  };
}

function parseFill(v: unknown, path: string): KalshiFill {
  const o = asObject(v, path);
  return {
    fillId: nonEmpty(o, o.fill_id !== undefined ? 'fill_id' : 'trade_id', path),
    orderId: nonEmpty(o, 'order_id', path),
    ticker: nonEmpty(o, o.ticker !== undefined ? 'ticker' : 'market_ticker', path),
    outcomeSide: oneOf(o, 'outcome_side', path, ['yes', 'no'] as const),
    bookSide: oneOf(o, 'book_side', path, ['bid', 'ask'] as const),
    count: count(o, 'count_fp', path),
    yesPrice: price(o, 'yes_price_dollars', path),
    isTaker: bool(o, 'is_taker', path),
    feeCc: money(o, 'fee_cost', path),
    // Not required by the fills schema (fills carry `ts`): a fill without it must not fail the page.
    createdTime: optStr(o, 'created_time', path),
  };
}

export function parseFillsPage(v: unknown): KalshiFillsPage {
  const o = asObject(v, 'fills response');
  const fills = asArray(present(o, 'fills', 'fills response'), 'fills');
  return { fills: fills.map((f, i) => parseFill(f, `fills[${i}]`)), cursor: cursorOf(o, 'fills response') };
}

function parseOrder(v: unknown, path = 'order'): KalshiOrder {
  const o = asObject(v, path);
  return {
    orderId: nonEmpty(o, 'order_id', path),
    clientOrderId: optStr(o, 'client_order_id', path),
    ticker: nonEmpty(o, 'ticker', path),
    outcomeSide: oneOf(o, 'outcome_side', path, ['yes', 'no'] as const),
    bookSide: oneOf(o, 'book_side', path, ['bid', 'ask'] as const),
    status: oneOf<KalshiOrderStatus>(o, 'status', path, ['resting', 'canceled', 'executed']),
    yesPrice: price(o, 'yes_price_dollars', path),
    fillCount: count(o, 'fill_count_fp', path),
    remainingCount: count(o, 'remaining_count_fp', path),
    initialCount: count(o, 'initial_count_fp', path),
    takerFeesCc: optMoney(o, 'taker_fees_dollars', path),
    makerFeesCc: optMoney(o, 'maker_fees_dollars', path),
    createdTime: optStr(o, 'created_time', path),
  };
}

export function parseOrderResponse(v: unknown): KalshiOrder {
  return parseOrder(present(asObject(v, 'order response'), 'order', 'order response'));
}

export function parseOrdersPage(v: unknown): KalshiOrdersPage {
  const o = asObject(v, 'orders response');
  const orders = asArray(present(o, 'orders', 'orders response'), 'orders');
  return { orders: orders.map((x, i) => parseOrder(x, `orders[${i}]`)), cursor: cursorOf(o, 'orders response') };
}

/** V2 create (201): lightweight `{ order_id, fill_count, remaining_count, average_fill_price?, ts_ms }`. */
export function parseCreateOrderResponse(v: unknown): KalshiCreateOrderResult {
  const path = 'create order response';
  const o = asObject(v, path);
  const avgPrice = o.average_fill_price;
  const avgFee = o.average_fee_paid;
  return {
    orderId: nonEmpty(o, 'order_id', path),
    clientOrderId: optStr(o, 'client_order_id', path),
    fillCount: count(o, 'fill_count', path),
    remainingCount: count(o, 'remaining_count', path),
    averageFillPrice: avgPrice === undefined || avgPrice === null || avgPrice === '' ? null : priceValue(avgPrice, `${path}.average_fill_price`),
    averageFeePaid: avgFee === undefined || avgFee === null || avgFee === '' ? null : dollarsText(avgFee, `${path}.average_fee_paid`) / MICROS_PER_DOLLAR,
    tsMs: int(o, 'ts_ms', path),
  };
}

/** V2 cancel: `{ order_id, client_order_id, reduced_by, ts_ms }` (reduced_by as a count string). */
export function parseCancelOrderResponse(v: unknown): KalshiCancelOrderResult {
  const path = 'cancel order response';
  const o = asObject(v, path);
  return {
    orderId: nonEmpty(o, 'order_id', path),
    clientOrderId: optStr(o, 'client_order_id', path),
    reducedBy: count(o, o.reduced_by_fp !== undefined ? 'reduced_by_fp' : 'reduced_by', path),
    tsMs: optInt(o, 'ts_ms', path),
  };
}

/** The `{code, message}` body of a non-2xx answer, best effort (never throws). */
export function parseErrorBody(text: string): { code: string | null; message: string } {
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Obj;
      const nested = o.error && typeof o.error === 'object' ? (o.error as Obj) : o;
      const message = typeof nested.message === 'string' ? nested.message : typeof o.error === 'string' ? o.error : text.slice(0, 200);
      return { code: typeof nested.code === 'string' ? nested.code : null, message };
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return { code: null, message: text.slice(0, 200) };
}

// ---- WebSocket ------------------------------------------------------------------------------

function side(o: Obj, key: string, path: string): KalshiOutcomeSide {
  return oneOf(o, key, path, ['yes', 'no'] as const);
}

function bookSide(o: Obj, key: string, path: string): KalshiBookSide {
  return oneOf(o, key, path, ['bid', 'ask'] as const);
}

function seqOf(o: Obj, path: string): number {
  const seq = int(o, 'seq', path);
  if (seq < 0) fail(`${path}.seq`, 'range', 'must not be negative');
  return seq;
}

function snapshot(o: Obj, sid: number): KalshiWsMessage {
  const path = 'orderbook_snapshot';
  const msg = asObject(present(o, 'msg', path), `${path}.msg`);
  if (msg.yes !== undefined || msg.no !== undefined) fail(`${path}.msg`, 'legacy', 'carries legacy "yes"/"no" cent levels');
  const sideLevels = (key: string) => (msg[key] === undefined || msg[key] === null ? [] : levels(msg[key], `${path}.msg.${key}`));
  return {
    type: 'orderbook_snapshot',
    sid,
    seq: seqOf(o, path),
    ticker: nonEmpty(msg, 'market_ticker', `${path}.msg`),
    marketId: optStr(msg, 'market_id', `${path}.msg`),
    yes: sideLevels('yes_dollars_fp'),
    no: sideLevels('no_dollars_fp'),
  };
}

function delta(o: Obj, sid: number): KalshiWsMessage {
  const path = 'orderbook_delta';
  const msg = asObject(present(o, 'msg', path), `${path}.msg`);
  const m = `${path}.msg`;
  return {
    type: 'orderbook_delta',
    sid,
    seq: seqOf(o, path),
    ticker: nonEmpty(msg, 'market_ticker', m),
    side: side(msg, 'side', m),
    price: price(msg, 'price_dollars', m),
    delta: count(msg, 'delta_fp', m, true),
    clientOrderId: optStr(msg, 'client_order_id', m),
    tsMs: optInt(msg, 'ts_ms', m),
  };
}

function ticker(o: Obj, sid: number): KalshiWsMessage {
  const m = 'ticker.msg';
  const msg = asObject(present(o, 'msg', 'ticker'), m);
  noLegacy(msg, m, ['price', 'yes_bid', 'yes_ask', 'volume', 'open_interest']);
  const last = present(msg, 'price_dollars', m);
  const yesBidSize = count(msg, 'yes_bid_size_fp', m);
  const yesAskSize = count(msg, 'yes_ask_size_fp', m);
  const yesBid = price(msg, 'yes_bid_dollars', m);
  const yesAsk = price(msg, 'yes_ask_dollars', m);
  return {
    type: 'ticker',
    sid,
    ticker: nonEmpty(msg, 'market_ticker', m),
    lastPrice: last === '' ? null : priceValue(last, `${m}.price_dollars`),
    yesBid: yesBidSize > 0 ? yesBid : null,
    yesAsk: yesAskSize > 0 ? yesAsk : null,
    yesBidSize,
    yesAskSize,
    volume: optCount(msg, 'volume_fp', m),
    openInterest: optCount(msg, 'open_interest_fp', m),
    tsMs: optInt(msg, 'ts_ms', m),
  };
}

function trade(o: Obj, sid: number): KalshiWsMessage {
  const m = 'trade.msg';
  const msg = asObject(present(o, 'msg', 'trade'), m);
  return {
    type: 'trade',
    sid,
    tradeId: nonEmpty(msg, 'trade_id', m),
    ticker: nonEmpty(msg, 'market_ticker', m),
    yesPrice: price(msg, 'yes_price_dollars', m),
    count: count(msg, 'count_fp', m),
    takerOutcomeSide: side(msg, 'taker_outcome_side', m),
    takerBookSide: bookSide(msg, 'taker_book_side', m),
    tsMs: int(msg, 'ts_ms', m),
  };
}

function control(o: Obj, type: string): KalshiWsMessage {
  const id = optInt(o, 'id', type);
  switch (type) {
    case 'subscribed': {
      const msg = asObject(present(o, 'msg', type), `${type}.msg`);
      return { type, id, channel: nonEmpty(msg, 'channel', `${type}.msg`), sid: int(msg, 'sid', `${type}.msg`) };
    }
    case 'unsubscribed':
      return { type, id, sid: int(o, 'sid', type) };
    case 'error': {
      const msg = asObject(present(o, 'msg', type), `${type}.msg`);
      return { type, id, code: int(msg, 'code', `${type}.msg`), message: str(msg, 'msg', `${type}.msg`) };
    }
    default:
      return okMessage(o, id);
  }
}

function okMessage(o: Obj, id: number | null): KalshiWsMessage {
  const msg = o.msg;
  if (Array.isArray(msg)) {
    const subscriptions = msg.map((s, i) => {
      const so = asObject(s, `ok.msg[${i}]`);
      return { channel: nonEmpty(so, 'channel', `ok.msg[${i}]`), sid: int(so, 'sid', `ok.msg[${i}]`) };
    });
    return { type: 'ok', id, sid: optInt(o, 'sid', 'ok'), marketTickers: null, subscriptions };
  }
  let marketTickers: string[] | null = null;
  if (msg !== undefined && msg !== null) {
    const mo = asObject(msg, 'ok.msg');
    if (mo.market_tickers !== undefined) {
      marketTickers = asArray(mo.market_tickers, 'ok.msg.market_tickers').map((t, i) => {
        if (typeof t !== 'string') fail(`ok.msg.market_tickers[${i}]`, 'type', `expected a string, got ${describe(t)}`);
        return t as string;
      });
    }
  }
  return { type: 'ok', id, sid: optInt(o, 'sid', 'ok'), marketTickers, subscriptions: null };
}

function lifecycle(m: Obj, path: string): KalshiWsLifecycle {
  const result = optStr(m, 'result', path);
  return {
    type: 'market_lifecycle',
    ticker: nonEmpty(m, 'market_ticker', path),
    eventType: nonEmpty(m, 'event_type', path),
    result: result === 'yes' || result === 'no' ? result : null,
  };
}

/** One WebSocket frame (already decoded from JSON). */
export function parseWsMessage(v: unknown): KalshiWsMessage {
  const o = asObject(v, 'ws message');
  const type = nonEmpty(o, 'type', 'ws message');
  switch (type) {
    case 'orderbook_snapshot':
      return snapshot(o, int(o, 'sid', type));
    case 'orderbook_delta':
      return delta(o, int(o, 'sid', type));
    case 'ticker':
      return ticker(o, int(o, 'sid', type));
    case 'trade':
      return trade(o, int(o, 'sid', type));
    case 'subscribed':
    case 'unsubscribed':
    case 'error':
    case 'ok':
      return control(o, type);
    case 'market_lifecycle_v2':
      return lifecycle(asObject(o.msg, type), type);
    default:
      return { type: 'other', rawType: type };
  }
}

/** One WebSocket text frame. */
export function parseWsFrame(text: string): KalshiWsMessage {
  return parseWsMessage(parseJsonText(text, 'ws frame'));
}

/** A REST body as JSON, for the HTTP client. */
export function parseJsonBody(text: string, what: string): unknown {
  return parseJsonText(text, what);
}
