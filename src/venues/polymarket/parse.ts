/**
 * Strict parsers for every Polymarket payload the clients read: CLOB REST bodies, market
 * WebSocket frames and Gamma records (Polymarket's API documentation). They turn string decimals into
 * numbers (prices checked to lie in [0,1], sizes non-negative), ignore unknown extra fields, and
 * throw nothing but PolymarketParseError, naming the offending field.
 */
import { ALL_TICK_SIZES, isTickSize, type PolyLevel, type PolySide, type TickSize } from './common.js';
import { PolymarketParseError } from './errors.js';

type Json = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Field readers

const DECIMAL = /^(?:\d{1,20}(?:\.\d{0,18})?|\.\d{1,18})$/;
const INTEGER = /^\d{1,30}$/;
const TOKEN_ID = /^\d{1,80}$/;
const CONDITION_ID = /^0x[0-9a-fA-F]{64}$/;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'object') return 'an object';
  return `the ${typeof v} ${String(v)}`;
}

function fail(path: string, problem: string): never {
  throw new PolymarketParseError(path, problem);
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

export function asObject(v: unknown, path: string): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(path, `expected an object, got ${describe(v)}`);
  return v as Json;
}

export function asArray(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) fail(path, `expected an array, got ${describe(v)}`);
  return v;
}

function str(o: Json, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string') fail(join(path, key), `expected a string, got ${v === undefined ? 'nothing' : describe(v)}`);
  return v;
}

function optStr(o: Json, key: string, path: string): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') fail(join(path, key), `expected a string, got ${describe(v)}`);
  return v;
}

function nonEmpty(o: Json, key: string, path: string): string {
  const v = str(o, key, path);
  if (v.length === 0) fail(join(path, key), 'is empty');
  return v;
}

function optBool(o: Json, key: string, path: string, fallback: boolean): boolean {
  const v = o[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') fail(join(path, key), `expected a boolean, got ${describe(v)}`);
  return v;
}

function optNum(o: Json, key: string, path: string): number | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(join(path, key), `expected a finite number, got ${describe(v)}`);
  return v;
}

/** A price sent as a JSON number (Gamma's bestBid, bestAsk, lastTradePrice). */
function optPriceNum(o: Json, key: string, path: string): number | null {
  const v = optNum(o, key, path);
  if (v !== null && (v < 0 || v > 1)) fail(join(path, key), `price ${v} is outside [0,1]`);
  return v;
}

/** A string decimal such as "0.815" (no sign, no exponent). */
function decimalString(v: unknown, path: string): number {
  if (typeof v !== 'string') fail(path, `expected a decimal string, got ${describe(v)}`);
  if (!DECIMAL.test(v)) fail(path, `${describe(v)} is not a decimal`);
  return Number(v);
}

/** A YES-side price of a token: a string decimal in [0,1]. */
export function priceString(v: unknown, path: string): number {
  const p = decimalString(v, path);
  if (p > 1) fail(path, `price ${p} is outside [0,1]`);
  return p;
}

/** A size in shares: a non-negative string decimal. */
function sizeString(v: unknown, path: string): number {
  return decimalString(v, path);
}

/** Epoch milliseconds sent as a string of digits, e.g. "1762463041123". */
function millisString(v: unknown, path: string): number {
  if (typeof v !== 'string') fail(path, `expected epoch milliseconds as a string, got ${describe(v)}`);
  if (!/^\d{1,16}$/.test(v)) fail(path, `${describe(v)} is not epoch milliseconds`);
  return Number(v);
}

function tokenId(v: unknown, path: string): string {
  if (typeof v !== 'string') fail(path, `expected a token id string, got ${describe(v)}`);
  if (!TOKEN_ID.test(v)) fail(path, `${describe(v)} is not a decimal token id`);
  return v;
}

function side(v: unknown, path: string): PolySide {
  if (v === 'BUY' || v === 'SELL') return v;
  return fail(path, `expected "BUY" or "SELL", got ${describe(v)}`);
}

function tickSize(v: unknown, path: string): TickSize {
  if (typeof v !== 'string' || !isTickSize(v)) {
    return fail(path, `unknown tick size ${describe(v)} (known: ${ALL_TICK_SIZES.join(', ')}): the market is refused rather than traded on a guessed grid`);
  }
  return v;
}

/** An optional price that some messages send as "" when a side is empty. */
function optPriceString(o: Json, key: string, path: string): number | null {
  const v = o[key];
  if (v === undefined || v === null || v === '') return null;
  return priceString(v, join(path, key));
}

// ---------------------------------------------------------------------------------------------
// Levels and books

function level(v: unknown, path: string): PolyLevel {
  const o = asObject(v, path);
  return { price: priceString(o.price, join(path, 'price')), size: sizeString(o.size, join(path, 'size')) };
}

/** Levels best first: bids by descending price, asks by ascending (the wire sends best last). */
function levels(v: unknown, path: string, book: 'bids' | 'asks'): PolyLevel[] {
  const out = asArray(v, path).map((l, i) => level(l, join(path, i)));
  return out.sort(book === 'bids' ? (a, b) => b.price - a.price : (a, b) => a.price - b.price);
}

/** Both `bids`/`asks` and the older `buys`/`sells` spellings are accepted. */
function bookSides(o: Json, path: string): { bids: PolyLevel[]; asks: PolyLevel[] } {
  const bidsKey = o.bids !== undefined ? 'bids' : o.buys !== undefined ? 'buys' : 'bids';
  const asksKey = o.asks !== undefined ? 'asks' : o.sells !== undefined ? 'sells' : 'asks';
  return {
    bids: levels(o[bidsKey], join(path, bidsKey), 'bids'),
    asks: levels(o[asksKey], join(path, asksKey), 'asks'),
  };
}

export interface PolyBookSummary {
  market: string;
  assetId: string;
  timestampMs: number;
  hash: string;
  /** Best first. */
  bids: PolyLevel[];
  /** Best first. */
  asks: PolyLevel[];
  minOrderSize: number;
  tickSize: TickSize;
  negRisk: boolean;
  lastTradePrice: number | null;
}

/** `GET /book` body (OrderBookSummary). */
export function parseBookSummary(raw: unknown, path = ''): PolyBookSummary {
  const o = asObject(raw, path);
  return {
    market: str(o, 'market', path),
    assetId: tokenId(o.asset_id, join(path, 'asset_id')),
    timestampMs: millisString(o.timestamp, join(path, 'timestamp')),
    hash: str(o, 'hash', path),
    ...bookSides(o, path),
    minOrderSize: sizeString(o.min_order_size, join(path, 'min_order_size')),
    tickSize: tickSize(o.tick_size, join(path, 'tick_size')),
    negRisk: optBool(o, 'neg_risk', path, false),
    lastTradePrice: optPriceString(o, 'last_trade_price', path),
  };
}

/** `POST /books` body. */
export function parseBookSummaries(raw: unknown): PolyBookSummary[] {
  return asArray(raw, '').map((b, i) => parseBookSummary(b, join('', i)));
}

/** `GET /price` body `{ "price": "0.81" }`. */
export function parsePriceResponse(raw: unknown): number {
  return priceString(asObject(raw, '').price, 'price');
}

/** `GET /midpoint` body `{ "mid": "0.815" }`. */
export function parseMidpointResponse(raw: unknown): number {
  return priceString(asObject(raw, '').mid, 'mid');
}

/** The `error` string of a CLOB error body, or null when the body has none. */
export function parseErrorBody(raw: unknown): string | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const e = (raw as Json).error ?? (raw as Json).errorMsg;
  return typeof e === 'string' && e.length > 0 ? e : null;
}

// ---------------------------------------------------------------------------------------------
// Orders

export type PolyOrderStatus = 'live' | 'matched' | 'delayed' | 'unmatched';

export interface PolyOrderResponse {
  success: boolean;
  errorMsg: string;
  orderId: string;
  status: PolyOrderStatus | null;
  /**
   * As sent ("" when absent): base units ("82000000", the documentation's example) or a
   * decimal ("2.499999", "100"), which the venue also sends. A bare "82" reads both ways, so
   * only the executor, which knows the signed amounts, turns these into numbers (order-reply.ts).
   */
  makingAmount: string;
  takingAmount: string;
  tradeIds: string[];
  transactionHashes: string[];
}

const AMOUNT_TEXT = /^\d{1,30}(?:\.\d{1,6})?$/;

/** An amount as sent: "" when absent, else a digit string or a decimal with at most 6 places. */
function amountText(o: Json, key: string, path: string): string {
  const v = o[key];
  if (v === undefined || v === null || v === '') return '';
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  if (typeof v !== 'string' || !AMOUNT_TEXT.test(v)) {
    fail(join(path, key), `expected base units or a decimal amount with at most 6 places, got ${describe(v)}`);
  }
  return v;
}

/** Base units of an amount text: digits as base units, a decimal as whole units (x 1e6). */
export function amountUnits(text: string): bigint {
  if (text === '') return 0n;
  const dot = text.indexOf('.');
  if (dot < 0) return BigInt(text);
  return BigInt(text.slice(0, dot) + text.slice(dot + 1).padEnd(6, '0'));
}

function stringList(o: Json, key: string, path: string): string[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  return asArray(v, join(path, key)).map((s, i) => {
    if (typeof s !== 'string') fail(join(join(path, key), i), `expected a string, got ${describe(s)}`);
    return s;
  });
}

/** `POST /order` body. */
export function parseOrderResponse(raw: unknown): PolyOrderResponse {
  const o = asObject(raw, '');
  if (typeof o.success !== 'boolean') fail('success', `expected a boolean, got ${describe(o.success)}`);
  const status = optStr(o, 'status', '');
  if (status !== null && status !== '' && !['live', 'matched', 'delayed', 'unmatched'].includes(status)) {
    fail('status', `unknown order status ${JSON.stringify(status)}`);
  }
  return {
    success: o.success,
    errorMsg: optStr(o, 'errorMsg', '') ?? '',
    orderId: optStr(o, 'orderID', '') ?? '',
    status: status ? (status as PolyOrderStatus) : null,
    makingAmount: amountText(o, 'makingAmount', ''),
    takingAmount: amountText(o, 'takingAmount', ''),
    tradeIds: stringList(o, 'tradeIDs', ''),
    transactionHashes: stringList(o, 'transactionsHashes', ''),
  };
}

/** `GET /data/order/{orderID}` (L2): one of the account's orders as the venue holds it. */
export interface PolyOpenOrder {
  orderId: string;
  /** As sent, upper-cased ("LIVE", "MATCHED", "CANCELED", ...). */
  status: string;
  tokenId: string;
  side: PolySide;
  /** Base units. */
  originalSize: bigint;
  sizeMatched: bigint;
  price: number;
  tradeIds: string[];
}

function decimalUnits(o: Json, key: string, path: string): bigint {
  const v = o[key];
  const text = typeof v === 'number' && Number.isFinite(v) && v >= 0 ? String(v) : v;
  if (typeof text !== 'string' || !/^\d{1,30}(?:\.\d{1,6})?$/.test(text)) fail(join(path, key), `expected a decimal with at most 6 places, got ${describe(v)}`);
  const [whole, frac = ''] = text.split('.');
  return BigInt(whole! + frac.padEnd(6, '0'));
}

export function parseOpenOrder(raw: unknown, path = ''): PolyOpenOrder {
  const o = asObject(raw, path);
  return {
    orderId: nonEmpty(o, 'id', path),
    status: nonEmpty(o, 'status', path).toUpperCase(),
    tokenId: tokenId(o.asset_id, join(path, 'asset_id')),
    side: side(o.side, join(path, 'side')),
    originalSize: decimalUnits(o, 'original_size', path),
    sizeMatched: decimalUnits(o, 'size_matched', path),
    price: priceString(o.price, join(path, 'price')),
    tradeIds: stringList(o, 'associate_trades', path),
  };
}

/** One order's part of a trade, as `GET /data/trades` lists it. */
export interface PolyTradeOrder {
  orderId: string;
  tokenId: string;
  side: PolySide;
  /** Base units matched for this order. */
  matched: bigint;
  price: number;
}

/**
 * `GET /data/trades` (L2): one trade the account took part in. As taker, `takerOrderId` is its
 * order; as maker, its orders are among `makerOrders` (the venue lists every maker of the trade).
 */
export interface PolyTrade {
  tradeId: string;
  takerOrderId: string;
  tokenId: string;
  /** The taker's side. */
  side: PolySide;
  size: bigint;
  price: number;
  status: string;
  traderSide: 'TAKER' | 'MAKER';
  makerOrders: PolyTradeOrder[];
}

export interface PolyTradesPage {
  trades: PolyTrade[];
  /** Null after the last page (the venue sends `LTE=`). */
  nextCursor: string | null;
}

function parseTradeOrder(raw: unknown, path: string): PolyTradeOrder {
  const o = asObject(raw, path);
  return {
    orderId: nonEmpty(o, 'order_id', path),
    tokenId: tokenId(o.asset_id, join(path, 'asset_id')),
    side: side(o.side, join(path, 'side')),
    matched: decimalUnits(o, 'matched_amount', path),
    price: priceString(o.price, join(path, 'price')),
  };
}

export function parseTrade(raw: unknown, path = ''): PolyTrade {
  const o = asObject(raw, path);
  const traderSide = str(o, 'trader_side', path);
  if (traderSide !== 'TAKER' && traderSide !== 'MAKER') fail(join(path, 'trader_side'), `expected "TAKER" or "MAKER", got ${describe(traderSide)}`);
  const makers = o.maker_orders === undefined || o.maker_orders === null ? [] : asArray(o.maker_orders, join(path, 'maker_orders'));
  return {
    tradeId: nonEmpty(o, 'id', path),
    takerOrderId: str(o, 'taker_order_id', path),
    tokenId: tokenId(o.asset_id, join(path, 'asset_id')),
    side: side(o.side, join(path, 'side')),
    size: decimalUnits(o, 'size', path),
    price: priceString(o.price, join(path, 'price')),
    status: nonEmpty(o, 'status', path).toUpperCase(),
    traderSide,
    makerOrders: makers.map((m, i) => parseTradeOrder(m, join(join(path, 'maker_orders'), i))),
  };
}

/** The venue's "no more pages" cursor. */
const LAST_CURSOR = 'LTE=';

export function parseTradesPage(raw: unknown, path = ''): PolyTradesPage {
  const o = asObject(raw, path);
  const data = asArray(o.data, join(path, 'data'));
  const cursor = optStr(o, 'next_cursor', path);
  return {
    trades: data.map((t, i) => parseTrade(t, join(join(path, 'data'), i))),
    nextCursor: cursor === null || cursor === '' || cursor === LAST_CURSOR ? null : cursor,
  };
}

/**
 * `GET /clob-markets/{condition_id}` (the official V2 client's getClobMarketInfo, `MarketDetails`):
 * `c` condition id, `t` the YES and NO tokens (`t` id, `o` outcome), `mts` min tick size, `nr`
 * neg risk, `fd` the platform fee (`r` rate as a fraction, `e` exponent, `to` taker only;
 * absent on a fee-free market).
 */
export interface PolyClobMarket {
  conditionId: string;
  tokens: { tokenId: string; outcome: string }[];
  tickSize: TickSize;
  negRisk: boolean;
  fee: { rate: number; exponent: number; takerOnly: boolean } | null;
}

export function parseClobMarket(raw: unknown, path = ''): PolyClobMarket {
  const o = asObject(raw, path);
  const conditionId = str(o, 'c', path);
  if (!CONDITION_ID.test(conditionId)) fail(join(path, 'c'), 'expected 0x and 64 hex digits');
  const tokens = asArray(o.t, join(path, 't')).flatMap((t, i) => {
    if (t === null) return [];
    const tp = join(join(path, 't'), i);
    const to = asObject(t, tp);
    return [{ tokenId: tokenId(to.t, join(tp, 't')), outcome: str(to, 'o', tp) }];
  });
  const mts = o.mts;
  if (typeof mts !== 'number' || !Number.isFinite(mts)) fail(join(path, 'mts'), `expected a number, got ${describe(mts)}`);
  let fee: PolyClobMarket['fee'] = null;
  if (o.fd !== undefined && o.fd !== null) {
    const fd = asObject(o.fd, join(path, 'fd'));
    const rate = fd.r ?? 0;
    const exponent = fd.e ?? 1;
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0 || rate > 1) fail(join(path, 'fd.r'), `expected a rate in [0, 1], got ${describe(rate)}`);
    if (typeof exponent !== 'number' || !Number.isFinite(exponent) || exponent < 0) fail(join(path, 'fd.e'), `expected an exponent, got ${describe(exponent)}`);
    fee = { rate, exponent, takerOnly: fd.to !== false };
  }
  return { conditionId, tokens, tickSize: tickSize(String(mts), join(path, 'mts')), negRisk: o.nr === true, fee };
}

export interface PolyCancelResponse {
  canceled: string[];
  notCanceled: Record<string, string>;
}

/** `DELETE /order` and `DELETE /orders` body. */
export function parseCancelResponse(raw: unknown): PolyCancelResponse {
  const o = asObject(raw, '');
  const notCanceled: Record<string, string> = {};
  if (o.not_canceled !== undefined && o.not_canceled !== null) {
    for (const [id, reason] of Object.entries(asObject(o.not_canceled, 'not_canceled'))) {
      notCanceled[id] = typeof reason === 'string' ? reason : JSON.stringify(reason);
    }
  }
  return { canceled: stringList(o, 'canceled', ''), notCanceled };
}

/** `POST /auth/api-key` (L1): the L2 credentials the venue issued for a wallet. */
export interface PolyApiKeyResponse {
  apiKey: string;
  secret: string;
  passphrase: string;
}

export function parseApiKeyResponse(raw: unknown): PolyApiKeyResponse {
  const o = asObject(raw, '');
  return { apiKey: nonEmpty(o, 'apiKey', ''), secret: nonEmpty(o, 'secret', ''), passphrase: nonEmpty(o, 'passphrase', '') };
}

// ---------------------------------------------------------------------------------------------
// Market WebSocket

export interface WsBook {
  type: 'book';
  assetId: string;
  market: string;
  bids: PolyLevel[];
  asks: PolyLevel[];
  timestampMs: number;
  hash: string;
}

export interface WsPriceChange {
  assetId: string;
  price: number;
  /** New aggregate size at this price; 0 removes the level. */
  size: number;
  side: PolySide;
  hash: string;
  bestBid: number | null;
  bestAsk: number | null;
}

export interface WsPriceChanges {
  type: 'price_change';
  market: string;
  timestampMs: number;
  changes: WsPriceChange[];
}

export interface WsLastTrade {
  type: 'last_trade_price';
  assetId: string;
  market: string;
  price: number;
  side: PolySide;
  size: number;
  feeRateBps: number;
  timestampMs: number;
}

export interface WsTickSizeChange {
  type: 'tick_size_change';
  assetId: string;
  market: string;
  oldTickSize: TickSize;
  newTickSize: TickSize;
  timestampMs: number;
}

/**
 * A `tick_size_change` to a tick this client does not know: well-formed otherwise, so the token
 * can be refused by name (its book is untrusted until a known tick arrives) instead of the frame
 * being dropped and the old tick kept.
 */
export interface WsTickSizeUnknown {
  type: 'tick_size_unknown';
  assetId: string;
  market: string;
  newTickText: string;
  timestampMs: number;
}

export interface WsBestBidAsk {
  type: 'best_bid_ask';
  assetId: string;
  market: string;
  bestBid: number | null;
  bestAsk: number | null;
  timestampMs: number;
}

export interface WsMarketResolved {
  type: 'market_resolved';
  market: string;
  assetIds: string[];
  winningAssetId: string;
  winningOutcome: string;
  timestampMs: number;
}

/** An event type this client does not read (e.g. `new_market`): not an error, just counted. */
export interface WsOther {
  type: 'other';
  eventType: string;
}

export type PolyWsMessage =
  | WsBook
  | WsPriceChanges
  | WsLastTrade
  | WsTickSizeChange
  | WsTickSizeUnknown
  | WsBestBidAsk
  | WsMarketResolved
  | WsOther;

function wsBook(o: Json, path: string): WsBook {
  return {
    type: 'book',
    assetId: tokenId(o.asset_id, join(path, 'asset_id')),
    market: str(o, 'market', path),
    ...bookSides(o, path),
    timestampMs: millisString(o.timestamp, join(path, 'timestamp')),
    hash: optStr(o, 'hash', path) ?? '',
  };
}

function wsPriceChange(v: unknown, path: string): WsPriceChange {
  const o = asObject(v, path);
  return {
    assetId: tokenId(o.asset_id, join(path, 'asset_id')),
    price: priceString(o.price, join(path, 'price')),
    size: sizeString(o.size, join(path, 'size')),
    side: side(o.side, join(path, 'side')),
    hash: optStr(o, 'hash', path) ?? '',
    bestBid: optPriceString(o, 'best_bid', path),
    bestAsk: optPriceString(o, 'best_ask', path),
  };
}

function wsPriceChanges(o: Json, path: string): WsPriceChanges {
  const list = asArray(o.price_changes, join(path, 'price_changes'));
  if (list.length === 0) fail(join(path, 'price_changes'), 'is empty');
  return {
    type: 'price_change',
    market: str(o, 'market', path),
    timestampMs: millisString(o.timestamp, join(path, 'timestamp')),
    changes: list.map((c, i) => wsPriceChange(c, join(join(path, 'price_changes'), i))),
  };
}

function wsLastTrade(o: Json, path: string): WsLastTrade {
  const fee = o.fee_rate_bps;
  return {
    type: 'last_trade_price',
    assetId: tokenId(o.asset_id, join(path, 'asset_id')),
    market: str(o, 'market', path),
    price: priceString(o.price, join(path, 'price')),
    side: side(o.side, join(path, 'side')),
    size: sizeString(o.size, join(path, 'size')),
    feeRateBps: fee === undefined || fee === null ? 0 : decimalString(fee, join(path, 'fee_rate_bps')),
    timestampMs: millisString(o.timestamp, join(path, 'timestamp')),
  };
}

function wsTickSizeChange(o: Json, path: string): WsTickSizeChange | WsTickSizeUnknown {
  const newTick = o.new_tick_size;
  if (typeof newTick === 'string' && DECIMAL.test(newTick) && !isTickSize(newTick)) {
    return {
      type: 'tick_size_unknown',
      assetId: tokenId(o.asset_id, join(path, 'asset_id')),
      market: str(o, 'market', path),
      newTickText: newTick,
      timestampMs: millisString(o.timestamp, join(path, 'timestamp')),
    };
  }
  return {
    type: 'tick_size_change',
    assetId: tokenId(o.asset_id, join(path, 'asset_id')),
    market: str(o, 'market', path),
    oldTickSize: tickSize(o.old_tick_size, join(path, 'old_tick_size')),
    newTickSize: tickSize(o.new_tick_size, join(path, 'new_tick_size')),
    timestampMs: millisString(o.timestamp, join(path, 'timestamp')),
  };
}

function wsBestBidAsk(o: Json, path: string): WsBestBidAsk {
  return {
    type: 'best_bid_ask',
    assetId: tokenId(o.asset_id, join(path, 'asset_id')),
    market: str(o, 'market', path),
    bestBid: optPriceString(o, 'best_bid', path),
    bestAsk: optPriceString(o, 'best_ask', path),
    timestampMs: millisString(o.timestamp, join(path, 'timestamp')),
  };
}

function wsMarketResolved(o: Json, path: string): WsMarketResolved {
  return {
    type: 'market_resolved',
    market: str(o, 'market', path),
    assetIds: asArray(o.assets_ids, join(path, 'assets_ids')).map((a, i) => tokenId(a, join(join(path, 'assets_ids'), i))),
    winningAssetId: tokenId(o.winning_asset_id, join(path, 'winning_asset_id')),
    winningOutcome: str(o, 'winning_outcome', path),
    timestampMs: millisString(o.timestamp, join(path, 'timestamp')),
  };
}

/** One market-channel message (an element of a frame). */
export function parseWsMessage(raw: unknown, path = ''): PolyWsMessage {
  const o = asObject(raw, path);
  const eventType = str(o, 'event_type', path);
  switch (eventType) {
    case 'book':
      return wsBook(o, path);
    case 'price_change':
      return wsPriceChanges(o, path);
    case 'last_trade_price':
      return wsLastTrade(o, path);
    case 'tick_size_change':
      return wsTickSizeChange(o, path);
    case 'best_bid_ask':
      return wsBestBidAsk(o, path);
    case 'market_resolved':
      return wsMarketResolved(o, path);
    default:
      return { type: 'other', eventType };
  }
}

export type WsFrame =
  | { kind: 'pong' }
  /** A non-JSON text frame other than PONG (e.g. an "INVALID OPERATION" reply). */
  | { kind: 'text'; text: string }
  /** Messages that parsed, and the errors of those that did not (one bad element spoils only itself). */
  | { kind: 'messages'; messages: PolyWsMessage[]; errors: PolymarketParseError[] };

/** One WebSocket text frame: PONG, other text, or one message or an array of messages. */
export function parseWsFrame(text: string): WsFrame {
  const trimmed = text.trim();
  if (trimmed === 'PONG') return { kind: 'pong' };
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return { kind: 'text', text: trimmed.slice(0, 200) };
  let raw: unknown;
  try {
    raw = JSON.parse(trimmed);
  } catch (err) {
    throw new PolymarketParseError('', `frame is not valid JSON (${(err as Error).message})`);
  }
  const items = Array.isArray(raw) ? raw : [raw];
  const messages: PolyWsMessage[] = [];
  const errors: PolymarketParseError[] = [];
  items.forEach((item, i) => {
    try {
      messages.push(parseWsMessage(item, Array.isArray(raw) ? `[${i}]` : ''));
    } catch (err) {
      if (err instanceof PolymarketParseError) errors.push(err);
      else errors.push(new PolymarketParseError(`[${i}]`, String(err)));
    }
  });
  return { kind: 'messages', messages, errors };
}

// ---------------------------------------------------------------------------------------------
// Gamma

export interface GammaTag {
  id: string;
  label: string;
  slug: string;
}

export interface GammaEventRef {
  id: string;
  slug: string;
  title: string | null;
}

export interface GammaMarket {
  id: string;
  question: string | null;
  conditionId: string;
  slug: string;
  /** Outcome labels, index-aligned with clobTokenIds: clobTokenIds[i] pays on outcomes[i]. */
  outcomes: string[];
  outcomePrices: number[] | null;
  clobTokenIds: string[];
  active: boolean;
  closed: boolean;
  archived: boolean;
  acceptingOrders: boolean;
  enableOrderBook: boolean;
  negRisk: boolean;
  startDate: string | null;
  endDate: string | null;
  volumeNum: number | null;
  liquidityNum: number | null;
  bestBid: number | null;
  bestAsk: number | null;
  lastTradePrice: number | null;
  orderPriceMinTickSize: number | null;
  orderMinSize: number | null;
  sportsMarketType: string | null;
  gameId: string | null;
  gameStartTime: string | null;
  line: number | null;
  events: GammaEventRef[];
  tags: GammaTag[];
}

export interface GammaEvent {
  id: string;
  slug: string;
  title: string | null;
  ticker: string | null;
  active: boolean;
  closed: boolean;
  archived: boolean;
  negRisk: boolean;
  startDate: string | null;
  endDate: string | null;
  startTime: string | null;
  seriesSlug: string | null;
  gameId: string | null;
  live: boolean;
  ended: boolean;
  score: string | null;
  period: string | null;
  tags: GammaTag[];
  /** The markets that parsed; see `rejectedMarkets` for those that did not. */
  markets: GammaMarket[];
  rejectedMarkets: PolymarketParseError[];
}

/** Gamma ids are strings, but some records carry numbers: both read as a string. */
function idField(o: Json, key: string, path: string): string {
  const v = o[key];
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return nonEmpty(o, key, path);
}

function optId(o: Json, key: string, path: string): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  return idField(o, key, path);
}

/**
 * A Gamma list field: a JSON-encoded string (`"[\"Yes\", \"No\"]"`) on the wire; a real array
 * is accepted too, as some proxies decode it already.
 */
function encodedList(o: Json, key: string, path: string): unknown[] | null {
  const v = o[key];
  if (v === undefined || v === null || v === '') return null;
  if (Array.isArray(v)) return v;
  if (typeof v !== 'string') fail(join(path, key), `expected a JSON-encoded array string, got ${describe(v)}`);
  let decoded: unknown;
  try {
    decoded = JSON.parse(v);
  } catch {
    fail(join(path, key), `${describe(v)} is not a JSON-encoded array`);
  }
  return asArray(decoded, join(path, key));
}

function tags(o: Json, path: string): GammaTag[] {
  const v = o.tags;
  if (v === undefined || v === null) return [];
  return asArray(v, join(path, 'tags')).map((t, i) => {
    const p = join(join(path, 'tags'), i);
    const tag = asObject(t, p);
    return { id: idField(tag, 'id', p), label: optStr(tag, 'label', p) ?? '', slug: optStr(tag, 'slug', p) ?? '' };
  });
}

function eventRefs(o: Json, path: string): GammaEventRef[] {
  const v = o.events;
  if (v === undefined || v === null) return [];
  return asArray(v, join(path, 'events')).map((e, i) => {
    const p = join(join(path, 'events'), i);
    const ev = asObject(e, p);
    return { id: idField(ev, 'id', p), slug: optStr(ev, 'slug', p) ?? '', title: optStr(ev, 'title', p) };
  });
}

function outcomeLabels(o: Json, path: string): string[] {
  const list = encodedList(o, 'outcomes', path);
  if (list === null) fail(join(path, 'outcomes'), 'is missing');
  if (list.length < 2) fail(join(path, 'outcomes'), `expected at least 2 outcomes, got ${list.length}`);
  return list.map((x, i) => {
    if (typeof x !== 'string' || x.length === 0) fail(`${join(path, 'outcomes')}[${i}]`, `expected a label, got ${describe(x)}`);
    return x;
  });
}

function alignedList<T>(o: Json, key: string, path: string, n: number, read: (v: unknown, p: string) => T): T[] | null {
  const list = encodedList(o, key, path);
  if (list === null) return null;
  if (list.length !== n) fail(join(path, key), `has ${list.length} entries for ${n} outcomes`);
  return list.map((x, i) => read(x, `${join(path, key)}[${i}]`));
}

/** One Gamma Market record. */
export function parseGammaMarket(raw: unknown, path = ''): GammaMarket {
  const o = asObject(raw, path);
  const conditionId = str(o, 'conditionId', path);
  if (!CONDITION_ID.test(conditionId)) fail(join(path, 'conditionId'), `${describe(conditionId)} is not a 0x-prefixed 32-byte hex id`);
  const outcomes = outcomeLabels(o, path);
  return {
    id: idField(o, 'id', path),
    question: optStr(o, 'question', path),
    conditionId,
    slug: optStr(o, 'slug', path) ?? '',
    outcomes,
    outcomePrices: alignedList(o, 'outcomePrices', path, outcomes.length, priceString),
    clobTokenIds: alignedList(o, 'clobTokenIds', path, outcomes.length, tokenId) ?? [],
    active: optBool(o, 'active', path, false),
    closed: optBool(o, 'closed', path, false),
    archived: optBool(o, 'archived', path, false),
    acceptingOrders: optBool(o, 'acceptingOrders', path, false),
    enableOrderBook: optBool(o, 'enableOrderBook', path, false),
    negRisk: optBool(o, 'negRisk', path, false),
    startDate: optStr(o, 'startDate', path),
    endDate: optStr(o, 'endDate', path),
    volumeNum: optNum(o, 'volumeNum', path),
    liquidityNum: optNum(o, 'liquidityNum', path),
    bestBid: optPriceNum(o, 'bestBid', path),
    bestAsk: optPriceNum(o, 'bestAsk', path),
    lastTradePrice: optPriceNum(o, 'lastTradePrice', path),
    orderPriceMinTickSize: optNum(o, 'orderPriceMinTickSize', path),
    orderMinSize: optNum(o, 'orderMinSize', path),
    sportsMarketType: optStr(o, 'sportsMarketType', path),
    gameId: optId(o, 'gameId', path),
    gameStartTime: optStr(o, 'gameStartTime', path),
    line: optNum(o, 'line', path),
    events: eventRefs(o, path),
    tags: tags(o, path),
  };
}

/** One Gamma Event record; a malformed nested market is set aside, not fatal to the event. */
export function parseGammaEvent(raw: unknown, path = ''): GammaEvent {
  const o = asObject(raw, path);
  const markets: GammaMarket[] = [];
  const rejectedMarkets: PolymarketParseError[] = [];
  const rawMarkets = o.markets === undefined || o.markets === null ? [] : asArray(o.markets, join(path, 'markets'));
  rawMarkets.forEach((m, i) => {
    try {
      markets.push(parseGammaMarket(m, join(join(path, 'markets'), i)));
    } catch (err) {
      if (!(err instanceof PolymarketParseError)) throw err;
      rejectedMarkets.push(err);
    }
  });
  return {
    id: idField(o, 'id', path),
    slug: nonEmpty(o, 'slug', path),
    title: optStr(o, 'title', path),
    ticker: optStr(o, 'ticker', path),
    active: optBool(o, 'active', path, false),
    closed: optBool(o, 'closed', path, false),
    archived: optBool(o, 'archived', path, false),
    negRisk: optBool(o, 'negRisk', path, false),
    startDate: optStr(o, 'startDate', path),
    endDate: optStr(o, 'endDate', path),
    startTime: optStr(o, 'startTime', path),
    seriesSlug: optStr(o, 'seriesSlug', path),
    gameId: optId(o, 'gameId', path),
    live: optBool(o, 'live', path, false),
    ended: optBool(o, 'ended', path, false),
    score: optStr(o, 'score', path),
    period: optStr(o, 'period', path),
    tags: tags(o, path),
    markets,
    rejectedMarkets,
  };
}

export interface GammaPage<T> {
  items: T[];
  rejected: PolymarketParseError[];
  /** Keyset cursor of the next page; null on the last page or for offset listings. */
  nextCursor: string | null;
}

/**
 * A Gamma listing: a bare array (offset listing) or `{ <key>: [...], next_cursor }` (keyset).
 * Each malformed record is rejected on its own and the rest of the page is kept.
 */
export function parseGammaPage<T>(raw: unknown, key: 'events' | 'markets', parseItem: (v: unknown, path: string) => T): GammaPage<T> {
  let list: unknown[];
  let nextCursor: string | null = null;
  if (Array.isArray(raw)) {
    list = raw;
  } else {
    const o = asObject(raw, '');
    list = asArray(o[key], key);
    const c = optStr(o, 'next_cursor', '');
    nextCursor = c === null || c === '' ? null : c;
  }
  const items: T[] = [];
  const rejected: PolymarketParseError[] = [];
  list.forEach((item, i) => {
    try {
      items.push(parseItem(item, `${key}[${i}]`));
    } catch (err) {
      if (!(err instanceof PolymarketParseError)) throw err;
      rejected.push(err);
    }
  });
  return { items, rejected, nextCursor };
}
