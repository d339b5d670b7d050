/**
 * The matching engine and ledger behind the Kalshi simulator, free of any I/O.
 *
 * Kalshi's book holds bids only: YES bids at a YES price and NO bids at a NO price. A V2 `bid`
 * at YES price p is a YES bid at p; an `ask` at p is a NO bid at 1 - p. An incoming bid at p
 * crosses NO bids at q >= 1 - p and trades at the maker's price (YES 1 - q); an incoming ask
 * crosses YES bids at >= p. Price-time priority, partial fills, IOC/FOK/GTC, self-trade
 * prevention, post-only. Market makers' quotes are resting orders without an account.
 *
 * Fees follow the Kalshi rule (src/core/fees.ts): rate x C x P x (1-P), with the total of an
 * order rounded up to the cent, so an order filled in pieces pays what one fill would have.
 *
 * Every change of an aggregated price level is emitted as a `delta` (what the WebSocket sends),
 * every change of the top of book as `top`, every match as `trade`.
 */
import type { BookLevel } from '../../core/book-level.js';
import { EventEmitter } from 'node:events';
import { CC_PER_DOLLAR } from '../../core/money.js';
import { DEFAULT_FEES, type VenueFeeRule } from '../../core/fees.js';
import type { QuoteLadder } from '../world.js';
import { SimAccount, type SimFill } from './sim-account.js';
import type { SeededIds } from './seeded-ids.js';

export type LegSide = 'yes' | 'no';
export type BookSide = 'bid' | 'ask';
export type TimeInForce = 'fill_or_kill' | 'good_till_canceled' | 'immediate_or_cancel';

export interface SimMarketSpec {
  ticker: string;
  eventTicker: string;
  seriesTicker: string;
  gameId: string;
  title: string;
  yesSubTitle: string;
  noSubTitle: string;
  openTimeMs: number;
  closeTimeMs: number;
  expectedExpirationMs: number;
  /** Price grid in centi-cents (100 = one cent, Kalshi's linear_cent). */
  tickCc?: number;
}

export interface SimMarket extends Required<SimMarketSpec> {
  marketId: string;
  status: 'active' | 'closed' | 'finalized';
  result: 'yes' | 'no' | null;
  createdMs: number;
  updatedMs: number;
  lastPriceCc: number;
  volume: number;
  openInterest: number;
  settledMs: number | null;
}

export interface SimOrder {
  orderId: string;
  clientOrderId: string | null;
  /** Account key id; null for a market maker's quote. */
  owner: string | null;
  ticker: string;
  bookSide: BookSide;
  /** Limit in YES terms. */
  yesPriceCc: number;
  initial: number;
  filled: number;
  remaining: number;
  status: 'resting' | 'canceled' | 'executed';
  createdMs: number;
  updatedMs: number;
  selfTradePrevention: 'taker_at_cross' | 'maker';
  /** Exact fee accumulator: sum of rate_bp x C x p x (1e4 - p). */
  feeNumerator: bigint;
  feesChargedCc: number;
  takerFeesCc: number;
  makerFeesCc: number;
  takerCostCc: number;
  makerCostCc: number;
  /** Cash held for the resting remainder. */
  reservedCc: number;
}

export interface SimOrderRequest {
  ticker: string;
  side: BookSide;
  count: number;
  yesPriceCc: number;
  timeInForce: TimeInForce;
  selfTradePrevention: 'taker_at_cross' | 'maker';
  clientOrderId: string | null;
  postOnly: boolean;
}

export interface SimOrderResult {
  order: SimOrder;
  fillCount: number;
  /** Sum of YES-price x contracts over this order's fills, for the average. */
  fillNotionalCc: number;
  feesCc: number;
}

export interface SimLevelDelta {
  ticker: string;
  marketId: string;
  side: LegSide;
  /** Price on the leg's own scale (a NO bid at 0.18 is 1800). */
  legPriceCc: number;
  delta: number;
  /** Set when the change was caused by one account's order (Kalshi tells only that account). */
  owner: string | null;
  clientOrderId: string | null;
  tsMs: number;
}

export interface SimTrade {
  tradeId: string;
  ticker: string;
  yesPriceCc: number;
  count: number;
  takerBookSide: BookSide;
  tsMs: number;
}

export interface SimTop {
  yesBidCc: number | null;
  yesBidSize: number;
  yesAskCc: number | null;
  yesAskSize: number;
}

/** The venue refused a request; `status` and `code` become the HTTP answer. */
export class SimVenueError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'SimVenueError';
    this.status = status;
    this.code = code;
  }
}

type Levels = Map<number, SimOrder[]>;

interface Book {
  yes: Levels;
  no: Levels;
  lastTop: SimTop;
}

export interface SimExchangeOptions {
  ids: SeededIds;
  now: () => number;
  fees?: VenueFeeRule;
}

const EMPTY_TOP: SimTop = { yesBidCc: null, yesBidSize: 0, yesAskCc: null, yesAskSize: 0 };

export class KalshiSimExchange extends EventEmitter<{ delta: [SimLevelDelta]; top: [string, SimTop]; trade: [SimTrade]; settled: [ticker: string, result: 'yes' | 'no', tsMs: number] }> {
  readonly #ids: SeededIds;
  readonly #now: () => number;
  readonly #fees: VenueFeeRule;
  readonly #markets = new Map<string, SimMarket>();
  readonly #books = new Map<string, Book>();
  readonly #orders = new Map<string, SimOrder>();
  readonly #accounts = new Map<string, SimAccount>();

  constructor(options: SimExchangeOptions) {
    super();
    this.#ids = options.ids;
    this.#now = options.now;
    this.#fees = options.fees ?? DEFAULT_FEES.kalshi;
  }

  // ---- markets ------------------------------------------------------------------------------

  addMarket(spec: SimMarketSpec): SimMarket {
    const existing = this.#markets.get(spec.ticker);
    if (existing) return existing;
    const now = this.#now();
    const market: SimMarket = {
      tickCc: 100,
      ...spec,
      marketId: this.#ids.next('market'),
      status: 'active',
      result: null,
      createdMs: now,
      updatedMs: now,
      lastPriceCc: 0,
      volume: 0,
      openInterest: 0,
      settledMs: null,
    };
    this.#markets.set(spec.ticker, market);
    this.#books.set(spec.ticker, { yes: new Map(), no: new Map(), lastTop: EMPTY_TOP });
    return market;
  }

  market(ticker: string): SimMarket | undefined {
    return this.#markets.get(ticker);
  }

  markets(): SimMarket[] {
    return [...this.#markets.values()];
  }

  /** Aggregated bid levels per leg, ascending by price: [priceCc, contracts]. */
  levels(ticker: string): { yes: [number, number][]; no: [number, number][] } {
    const book = this.#book(ticker);
    return { yes: aggregate(book.yes), no: aggregate(book.no) };
  }

  top(ticker: string): SimTop {
    return computeTop(this.#book(ticker));
  }

  // ---- accounts -----------------------------------------------------------------------------

  openAccount(keyId: string, cashCc: number): SimAccount {
    let account = this.#accounts.get(keyId);
    if (!account) {
      account = new SimAccount(keyId, cashCc);
      this.#accounts.set(keyId, account);
    }
    return account;
  }

  account(keyId: string): SimAccount | undefined {
    return this.#accounts.get(keyId);
  }

  order(orderId: string): SimOrder | undefined {
    return this.#orders.get(orderId);
  }

  ordersOf(keyId: string): SimOrder[] {
    return [...this.#orders.values()].filter((o) => o.owner === keyId);
  }

  // ---- market makers ------------------------------------------------------------------------

  /**
   * Replaces the maker's quotes on a market. Prices snap to the tick grid away from the mid
   * (bids down, asks up). A quote that crosses a resting member order trades with it first.
   */
  setMakerQuotes(ticker: string, ladder: QuoteLadder): void {
    const market = this.#activeMarket(ticker);
    const tick = market.tickCc;
    const bids = normalizeLadder(ladder.yesBids, tick, 'down');
    const asks = normalizeLadder(ladder.yesAsks, tick, 'up');
    const bestBid = bids[0]?.[0];
    const bestAsk = asks[0]?.[0];
    if (bestBid !== undefined && bestAsk !== undefined && bestBid >= bestAsk) {
      throw new RangeError(`maker quotes on ${ticker} cross themselves (bid ${bestBid} >= ask ${bestAsk})`);
    }
    this.#mutate(ticker, null, null, () => {
      const book = this.#book(ticker);
      for (const levels of [book.yes, book.no]) {
        for (const [price, queue] of levels) {
          const kept = queue.filter((o) => o.owner !== null);
          if (kept.length) levels.set(price, kept);
          else levels.delete(price);
        }
      }
      const now = this.#now();
      for (const [yesCc, size] of bids) this.#makerTakes(market, 'bid', yesCc, size, now);
      for (const [yesCc, size] of asks) this.#makerTakes(market, 'ask', yesCc, size, now);
    });
  }

  /** A maker quote first trades with crossing member orders, then rests. */
  #makerTakes(market: SimMarket, side: BookSide, yesCc: number, size: number, now: number): void {
    const maker = this.#newOrder(null, market.ticker, side, yesCc, size, null, 'taker_at_cross', now);
    this.#match(market, maker, now);
    if (maker.remaining > 0) this.#rest(maker);
  }

  // ---- orders -------------------------------------------------------------------------------

  placeOrder(owner: string, req: SimOrderRequest): SimOrderResult {
    const account = this.#accounts.get(owner);
    if (!account) throw new SimVenueError(401, 'authentication_error', 'unknown account');
    const market = this.#markets.get(req.ticker);
    if (!market) throw new SimVenueError(404, 'market_not_found', `market ${req.ticker} not found`);
    if (market.status !== 'active') throw new SimVenueError(400, 'market_closed', `market ${req.ticker} is ${market.status}`);
    if (!Number.isInteger(req.count) || req.count <= 0) throw new SimVenueError(400, 'invalid_parameters', 'count must be a positive whole number');
    const tick = market.tickCc;
    if (req.yesPriceCc <= 0 || req.yesPriceCc >= CC_PER_DOLLAR || req.yesPriceCc % tick !== 0) {
      throw new SimVenueError(400, 'invalid_price', `price must be inside (0, 1) on a ${tick / CC_PER_DOLLAR} grid`);
    }
    if (req.clientOrderId && this.ordersOf(owner).some((o) => o.clientOrderId === req.clientOrderId)) {
      throw new SimVenueError(409, 'order_already_exists', `client_order_id ${req.clientOrderId} was already used`);
    }
    const payCc = req.side === 'bid' ? req.yesPriceCc : CC_PER_DOLLAR - req.yesPriceCc;
    const opening = req.count - Math.min(req.count, account.closable(req.ticker, req.side));
    const needed = opening * payCc + this.#feeOf(req.count, req.yesPriceCc, this.#fees.takerRateBp);
    if (opening > 0 && account.availableCc < needed) {
      throw new SimVenueError(400, 'insufficient_balance', 'insufficient balance for this order');
    }
    const now = this.#now();
    const order = this.#newOrder(owner, req.ticker, req.side, req.yesPriceCc, req.count, req.clientOrderId, req.selfTradePrevention, now);
    const crossable = this.#crossableSize(market.ticker, order);
    if (req.postOnly && crossable > 0) throw new SimVenueError(400, 'post_only_cross', 'post-only order would cross the book');
    this.#orders.set(order.orderId, order);
    if (req.timeInForce === 'fill_or_kill' && crossable < req.count) {
      order.status = 'canceled';
      order.remaining = 0;
      return { order, fillCount: 0, fillNotionalCc: 0, feesCc: 0 };
    }
    let fillNotionalCc = 0;
    const before = account.fills.length;
    this.#mutate(req.ticker, owner, req.clientOrderId, () => {
      this.#match(market, order, now);
      if (order.remaining > 0 && order.status !== 'canceled') {
        if (req.timeInForce === 'good_till_canceled') this.#rest(order);
        else this.#finish(order, 'canceled');
      }
    });
    const fills = account.fills.slice(before).filter((f) => f.orderId === order.orderId);
    for (const f of fills) fillNotionalCc += f.count * f.yesPriceCc;
    return { order, fillCount: order.filled, fillNotionalCc, feesCc: order.takerFeesCc };
  }

  cancelOrder(owner: string, orderId: string): { order: SimOrder; reducedBy: number } {
    const order = this.#orders.get(orderId);
    if (!order || order.owner !== owner) throw new SimVenueError(404, 'order_not_found', `order ${orderId} not found`);
    if (order.status !== 'resting') throw new SimVenueError(400, 'order_not_resting', `order ${orderId} is ${order.status}`);
    const reducedBy = order.remaining;
    this.#mutate(order.ticker, owner, order.clientOrderId, () => {
      this.#unrest(order);
      this.#finish(order, 'canceled');
    });
    return { order, reducedBy };
  }

  /** Settles a market: $1 per winning contract, resting orders canceled, book emptied. */
  settle(ticker: string, result: 'yes' | 'no'): void {
    const market = this.#markets.get(ticker);
    if (!market) throw new SimVenueError(404, 'market_not_found', `market ${ticker} not found`);
    if (market.status === 'finalized') {
      if (market.result !== result) throw new SimVenueError(400, 'already_settled', `market ${ticker} already settled ${market.result}`);
      return;
    }
    const now = this.#now();
    this.#mutate(ticker, null, null, () => {
      const book = this.#book(ticker);
      for (const levels of [book.yes, book.no]) {
        for (const queue of levels.values()) for (const o of queue) this.#finish(o, 'canceled');
        levels.clear();
      }
    });
    for (const account of this.#accounts.values()) account.settle(ticker, result, now);
    market.status = 'finalized';
    market.result = result;
    market.settledMs = now;
    market.updatedMs = now;
    market.openInterest = 0;
    this.emit('settled', ticker, result, now);
  }

  /** Stops trading without settling (game over, result pending). */
  close(ticker: string): void {
    const market = this.#markets.get(ticker);
    if (market && market.status === 'active') {
      market.status = 'closed';
      market.updatedMs = this.#now();
    }
  }

  // ---- matching internals -------------------------------------------------------------------

  #newOrder(
    owner: string | null,
    ticker: string,
    side: BookSide,
    yesPriceCc: number,
    count: number,
    clientOrderId: string | null,
    stp: 'taker_at_cross' | 'maker',
    now: number,
  ): SimOrder {
    return {
      orderId: this.#ids.next(owner === null ? 'maker-order' : 'order'),
      clientOrderId,
      owner,
      ticker,
      bookSide: side,
      yesPriceCc,
      initial: count,
      filled: 0,
      remaining: count,
      status: 'resting',
      createdMs: now,
      updatedMs: now,
      selfTradePrevention: stp,
      feeNumerator: 0n,
      feesChargedCc: 0,
      takerFeesCc: 0,
      makerFeesCc: 0,
      takerCostCc: 0,
      makerCostCc: 0,
      reservedCc: 0,
    };
  }

  /** The contra levels an order can trade with, best first, as [legPrice, queue]. */
  #contra(ticker: string, order: SimOrder): [number, SimOrder[]][] {
    const book = this.#book(ticker);
    if (order.bookSide === 'bid') {
      // NO bids at q trade with a YES bid at p when 1 - q <= p.
      return [...book.no.entries()].filter(([q]) => CC_PER_DOLLAR - q <= order.yesPriceCc).sort((a, b) => b[0] - a[0]);
    }
    return [...book.yes.entries()].filter(([p]) => p >= order.yesPriceCc).sort((a, b) => b[0] - a[0]);
  }

  #crossableSize(ticker: string, order: SimOrder): number {
    let size = 0;
    for (const [, queue] of this.#contra(ticker, order)) for (const o of queue) if (o.owner !== order.owner || o.owner === null) size += o.remaining;
    return size;
  }

  #match(market: SimMarket, taker: SimOrder, now: number): void {
    for (const [legPrice, queue] of this.#contra(market.ticker, taker)) {
      const tradeYesCc = taker.bookSide === 'bid' ? CC_PER_DOLLAR - legPrice : legPrice;
      while (queue.length > 0 && taker.remaining > 0) {
        const maker = queue[0]!;
        if (maker.owner !== null && maker.owner === taker.owner) {
          if (taker.selfTradePrevention === 'taker_at_cross') {
            this.#finish(taker, 'canceled');
            return;
          }
          // `queue` is the live level: drop the member's own resting order from it in place.
          queue.shift();
          this.#finish(maker, 'canceled');
          continue;
        }
        const qty = Math.min(taker.remaining, maker.remaining);
        this.#execute(market, taker, maker, qty, tradeYesCc, now);
        if (maker.remaining === 0) queue.shift();
      }
      const levels = taker.bookSide === 'bid' ? this.#book(market.ticker).no : this.#book(market.ticker).yes;
      if (queue.length === 0) levels.delete(legPrice);
      if (taker.remaining === 0) return;
    }
  }

  #execute(market: SimMarket, taker: SimOrder, maker: SimOrder, qty: number, tradeYesCc: number, now: number): void {
    const tradeId = this.#ids.next('trade');
    this.#fill(market, taker, qty, tradeYesCc, true, tradeId, now);
    this.#fill(market, maker, qty, tradeYesCc, false, tradeId, now);
    market.lastPriceCc = tradeYesCc;
    market.volume += qty;
    market.updatedMs = now;
    market.openInterest = this.#openInterest(market.ticker);
    this.emit('trade', { tradeId, ticker: market.ticker, yesPriceCc: tradeYesCc, count: qty, takerBookSide: taker.bookSide, tsMs: now });
  }

  #fill(market: SimMarket, order: SimOrder, qty: number, tradeYesCc: number, isTaker: boolean, tradeId: string, now: number): void {
    order.filled += qty;
    order.remaining -= qty;
    order.updatedMs = now;
    if (order.remaining === 0) order.status = 'executed';
    if (order.owner === null) return;
    const account = this.#accounts.get(order.owner);
    if (!account) return;
    const payCc = order.bookSide === 'bid' ? tradeYesCc : CC_PER_DOLLAR - tradeYesCc;
    const feeCc = this.#chargeFee(order, qty, tradeYesCc, isTaker);
    if (order.reservedCc > 0) {
      const release = Math.min(order.reservedCc, qty * (order.bookSide === 'bid' ? order.yesPriceCc : CC_PER_DOLLAR - order.yesPriceCc));
      order.reservedCc -= release;
      account.reservedCc -= release;
    }
    if (isTaker) order.takerCostCc += qty * payCc;
    else order.makerCostCc += qty * payCc;
    const pos = account.position(market.ticker, market.eventTicker);
    account.applyFill(pos, order.bookSide, qty, tradeYesCc, feeCc, now);
    const fill: SimFill = {
      fillId: tradeId,
      orderId: order.orderId,
      clientOrderId: order.clientOrderId,
      ticker: market.ticker,
      bookSide: order.bookSide,
      count: qty,
      yesPriceCc: tradeYesCc,
      isTaker,
      feeCc,
      tsMs: now,
      postPosition: pos.contracts,
    };
    account.fills.push(fill);
  }

  /** Fee of this fill: the order's running total, rounded up to the unit, minus what it paid. */
  #chargeFee(order: SimOrder, qty: number, yesCc: number, isTaker: boolean): number {
    const rate = isTaker ? this.#fees.takerRateBp : this.#fees.makerRateBp;
    order.feeNumerator += BigInt(rate) * BigInt(qty) * BigInt(yesCc) * BigInt(CC_PER_DOLLAR - yesCc);
    const unit = BigInt(100_000_000 * this.#fees.roundingCc);
    const total = Number((order.feeNumerator + unit - 1n) / unit) * this.#fees.roundingCc;
    const fee = total - order.feesChargedCc;
    order.feesChargedCc = total;
    if (isTaker) order.takerFeesCc += fee;
    else order.makerFeesCc += fee;
    return fee;
  }

  #feeOf(count: number, yesCc: number, rateBp: number): number {
    const unit = BigInt(100_000_000 * this.#fees.roundingCc);
    const num = BigInt(rateBp) * BigInt(count) * BigInt(yesCc) * BigInt(CC_PER_DOLLAR - yesCc);
    return Number((num + unit - 1n) / unit) * this.#fees.roundingCc;
  }

  #rest(order: SimOrder): void {
    const book = this.#book(order.ticker);
    const [levels, legPrice] = order.bookSide === 'bid' ? [book.yes, order.yesPriceCc] : [book.no, CC_PER_DOLLAR - order.yesPriceCc];
    const queue = levels.get(legPrice) ?? [];
    queue.push(order);
    levels.set(legPrice, queue);
    order.status = 'resting';
    if (order.owner !== null) {
      const account = this.#accounts.get(order.owner);
      const hold = order.remaining * (order.bookSide === 'bid' ? order.yesPriceCc : CC_PER_DOLLAR - order.yesPriceCc);
      order.reservedCc = hold;
      if (account) account.reservedCc += hold;
    }
  }

  #unrest(order: SimOrder): void {
    const book = this.#book(order.ticker);
    const [levels, legPrice] = order.bookSide === 'bid' ? [book.yes, order.yesPriceCc] : [book.no, CC_PER_DOLLAR - order.yesPriceCc];
    const queue = levels.get(legPrice);
    if (!queue) return;
    const rest = queue.filter((o) => o !== order);
    if (rest.length) levels.set(legPrice, rest);
    else levels.delete(legPrice);
  }

  #finish(order: SimOrder, status: 'canceled' | 'executed'): void {
    order.status = status;
    if (status === 'canceled') order.remaining = 0;
    order.updatedMs = this.#now();
    if (order.reservedCc > 0 && order.owner !== null) {
      const account = this.#accounts.get(order.owner);
      if (account) account.reservedCc -= order.reservedCc;
      order.reservedCc = 0;
    }
  }

  #openInterest(ticker: string): number {
    let yes = 0;
    for (const a of this.#accounts.values()) {
      const c = a.positions.get(ticker)?.contracts ?? 0;
      if (c > 0) yes += c;
    }
    return yes;
  }

  /** Runs a change and emits the net level deltas and, if it moved, the new top of book. */
  #mutate(ticker: string, owner: string | null, clientOrderId: string | null, change: () => void): void {
    const book = this.#book(ticker);
    const market = this.#markets.get(ticker)!;
    const before = { yes: new Map(aggregate(book.yes)), no: new Map(aggregate(book.no)) };
    change();
    const after = { yes: new Map(aggregate(book.yes)), no: new Map(aggregate(book.no)) };
    const tsMs = this.#now();
    for (const side of ['yes', 'no'] as const) {
      const prices = new Set([...before[side].keys(), ...after[side].keys()]);
      for (const legPriceCc of [...prices].sort((a, b) => a - b)) {
        const delta = (after[side].get(legPriceCc) ?? 0) - (before[side].get(legPriceCc) ?? 0);
        if (delta !== 0) this.emit('delta', { ticker, marketId: market.marketId, side, legPriceCc, delta, owner, clientOrderId, tsMs });
      }
    }
    const top = computeTop(book);
    if (!sameTop(top, book.lastTop)) {
      book.lastTop = top;
      this.emit('top', ticker, top);
    }
  }

  #book(ticker: string): Book {
    const book = this.#books.get(ticker);
    if (!book) throw new SimVenueError(404, 'market_not_found', `market ${ticker} not found`);
    return book;
  }

  #activeMarket(ticker: string): SimMarket {
    const market = this.#markets.get(ticker);
    if (!market) throw new SimVenueError(404, 'market_not_found', `market ${ticker} not found`);
    if (market.status !== 'active') throw new SimVenueError(400, 'market_closed', `market ${ticker} is ${market.status}`);
    return market;
  }
}

function aggregate(levels: Levels): [number, number][] {
  const out: [number, number][] = [];
  for (const [price, queue] of levels) {
    const size = queue.reduce((s, o) => s + o.remaining, 0);
    if (size > 0) out.push([price, size]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

function computeTop(book: Book): SimTop {
  const yes = aggregate(book.yes);
  const no = aggregate(book.no);
  const bid = yes[yes.length - 1];
  const noBid = no[no.length - 1];
  return {
    yesBidCc: bid ? bid[0] : null,
    yesBidSize: bid ? bid[1] : 0,
    yesAskCc: noBid ? CC_PER_DOLLAR - noBid[0] : null,
    yesAskSize: noBid ? noBid[1] : 0,
  };
}

function sameTop(a: SimTop, b: SimTop): boolean {
  return a.yesBidCc === b.yesBidCc && a.yesBidSize === b.yesBidSize && a.yesAskCc === b.yesAskCc && a.yesAskSize === b.yesAskSize;
}

/** Maker ladder to whole contracts on the tick grid, best first, merged per price. */
function normalizeLadder(ladder: readonly BookLevel[], tickCc: number, round: 'down' | 'up'): [number, number][] {
  const merged = new Map<number, number>();
  for (const [price, size] of ladder) {
    if (!Number.isFinite(price) || !Number.isFinite(size)) throw new RangeError(`maker quote [${price}, ${size}] is not finite`);
    const raw = Math.round(price * CC_PER_DOLLAR);
    const snapped = round === 'down' ? Math.floor(raw / tickCc) * tickCc : Math.ceil(raw / tickCc) * tickCc;
    const contracts = Math.floor(size);
    if (snapped <= 0 || snapped >= CC_PER_DOLLAR || contracts <= 0) continue;
    merged.set(snapped, (merged.get(snapped) ?? 0) + contracts);
  }
  const sorted = [...merged.entries()].sort((a, b) => (round === 'down' ? b[0] - a[0] : a[0] - b[0]));
  return sorted;
}
