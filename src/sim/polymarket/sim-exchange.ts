/**
 * The simulated CLOB's matching engine: verifies a signed V2 order (EIP-712 signature recovers
 * to the API key's signer, price on the tick, minimum size, balance), matches it against the
 * maker's quotes and resting orders with partial fills, charges the sports taker fee
 * (`C * rate * p * (1 - p)`, rounded up to the centi-cent, takers only), rests or cancels the
 * remainder by order type, and settles markets at the final. Every book change is reported as
 * events the WebSocket server turns into `price_change`, `book` and `last_trade_price`.
 */
import { EventEmitter } from 'node:events';
import type { PolyOrderType, PolySide, TickSize } from '../../venues/polymarket/common.js';
import { marketOrderPrecisionProblem } from '../../venues/polymarket/market-order-amounts.js';
import { orderHash, recoverOrderSigner, type SignedOrderV2 } from '../../venues/polymarket/order-signing.js';
import type { QuoteLadder } from '../world.js';
import type { SimCatalog, SimPolyMarket } from './sim-catalog.js';
import type { SimAccount, SimLedger } from './sim-ledger.js';
import { P4, SimTokenBook, tickP4, type AggregatedSide, type BookFill, type RestingOrder } from './sim-token-book.js';

export interface SimExchangeOptions {
  /** Taker fee rate in basis points of C * p * (1 - p): sports 300. */
  takerFeeBp: number;
  /**
   * A BUY's fee is kept out of the shares credited: the fee's collateral value at each fill's
   * price, in shares rounded up to 1e-4 (the step shares move in), so the reply's shares are net.
   */
  buyFeeInShares?: boolean;
}

export interface LevelChange {
  tokenId: string;
  side: PolySide;
  p4: number;
  size: bigint;
}

export interface SimTrade {
  tradeId: string;
  tokenId: string;
  conditionId: string;
  p4: number;
  qty: bigint;
  takerSide: PolySide;
  takerApiKey: string | null;
  /** null when the maker was the market maker's quote. */
  makerApiKey: string | null;
  takerFee: bigint;
  /** The taker's order hash; null when the market maker took a resting order. */
  takerOrderId: string | null;
  /** The resting order's hash; null when the maker was the market maker's quote. */
  makerOrderId: string | null;
  matchTimeS: number;
}

export type SimExchangeEvents = {
  levels: [conditionId: string, changes: LevelChange[]];
  trade: [trade: SimTrade];
  /** The token's book changed by a trade: a fresh snapshot is due. */
  book: [tokenId: string];
  resolved: [market: SimPolyMarket, winningTokenId: string | null];
  tickSize: [tokenId: string, conditionId: string, oldTick: TickSize, newTick: TickSize];
};

/** A refusal with the venue's error string. */
export class SimOrderRejection extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'SimOrderRejection';
  }
}

export interface PlacedOrder {
  orderId: string;
  status: 'matched' | 'live' | 'unmatched';
  /** What the taker gave and got, base units. */
  makingAmount: bigint;
  takingAmount: bigint;
  tradeIds: string[];
  filled: bigint;
  fee: bigint;
  /** Shares kept as the fee (buyFeeInShares), already off takingAmount. */
  feeShares: bigint;
}

interface OrderTerms {
  tokenId: string;
  side: PolySide;
  p4: number;
  qty: bigint;
}

/** What `GET /data/order/{id}` answers about one of an account's orders. */
export interface SimOrderRecord {
  orderId: string;
  apiKey: string;
  tokenId: string;
  conditionId: string;
  side: PolySide;
  p4: number;
  original: bigint;
  matched: bigint;
  status: 'LIVE' | 'MATCHED' | 'CANCELED';
  orderType: PolyOrderType;
  createdAtS: number;
  tradeIds: string[];
}

/** One side of a trade: whose it was and which order. */
interface TradeParty {
  apiKey: string;
  orderId: string;
}

const MAX_TRADES_PER_ACCOUNT = 100_000;

const isMarketOrder = (t: PolyOrderType): boolean => t === 'FAK' || t === 'FOK';

export function takerFee(qty: bigint, p4: number, rateBp: number): bigint {
  // qty/1e6 shares * bp/1e4 * p * (1-p) dollars, in base units, rounded up to 100 units (1 centi-cent).
  const num = qty * BigInt(rateBp) * BigInt(p4) * BigInt(P4 - p4);
  const unit = 100_000_000_000_000n;
  return ((num + unit - 1n) / unit) * 100n;
}

/** A fee in collateral as shares at the fill's price, rounded up to 1e-4 share (100 base units). */
export function feeInShares(fee: bigint, p4: number): bigint {
  const exact = fee * BigInt(P4);
  const unit = BigInt(p4) * 100n;
  return ((exact + unit - 1n) / unit) * 100n;
}

const cost = (qty: bigint, p4: number): bigint => (qty * BigInt(p4)) / BigInt(P4);

export class SimExchange extends EventEmitter<SimExchangeEvents> {
  private readonly books = new Map<string, SimTokenBook>();
  private readonly orderToken = new Map<string, string>();
  private readonly orders = new Map<string, SimOrderRecord>();
  private seq = 0;
  private tradeSeq = 0;
  private readonly accountTrades = new Map<string, SimTrade[]>();

  constructor(
    private readonly catalog: SimCatalog,
    private readonly ledger: SimLedger,
    private readonly opts: Readonly<SimExchangeOptions>,
  ) {
    super();
  }

  book(tokenId: string): SimTokenBook | undefined {
    const existing = this.books.get(tokenId);
    if (existing) return existing;
    const market = this.catalog.marketOfToken(tokenId);
    if (!market) return undefined;
    const book = new SimTokenBook(tokenId, market.conditionId, market.tickSize);
    this.books.set(tokenId, book);
    return book;
  }

  setMakerQuotes(tokenId: string, ladder: QuoteLadder): void {
    const book = this.requireBook(tokenId);
    const market = this.catalog.marketOfToken(tokenId) as SimPolyMarket;
    if (market.closed) return;
    let crossed: ReturnType<SimTokenBook['crossRestingWithMaker']> = [];
    this.withLevelDiff(market, () => {
      book.setMakerLadder(ladder);
      crossed = book.crossRestingWithMaker();
    });
    for (const c of crossed) this.fillRestingAgainstMaker(book, market, c.order, c.p4, c.qty);
    if (crossed.length > 0) this.emit('book', tokenId);
  }

  setTickSize(tokenId: string, tick: TickSize): void {
    const book = this.requireBook(tokenId);
    const old = book.tickSize;
    if (old === tick) return;
    book.tickSize = tick;
    this.emit('tickSize', tokenId, book.conditionId, old, tick);
  }

  /** Verifies and places a signed order for `account`. Throws SimOrderRejection with the venue's reason. */
  async submit(
    account: SimAccount,
    signed: SignedOrderV2,
    orderType: PolyOrderType,
    postOnly: boolean,
  ): Promise<PlacedOrder> {
    const tokenId = signed.order.tokenId.toString();
    const market = this.catalog.marketOfToken(tokenId);
    if (!market) throw new SimOrderRejection('Invalid token id');
    if (signed.order.signer !== account.address) throw new SimOrderRejection('the order signer is not the API key owner');
    let recovered: string;
    try {
      recovered = await recoverOrderSigner(signed, { negRisk: market.negRisk });
    } catch {
      throw new SimOrderRejection('invalid order signature');
    }
    if (recovered !== signed.order.signer) throw new SimOrderRejection('invalid order signature');
    const orderId = orderHash(signed.order, { negRisk: market.negRisk });
    if (this.orders.has(orderId)) throw new SimOrderRejection('INVALID_ORDER_DUPLICATED');
    const terms = this.terms(signed, market, orderType);
    const expiresAtS = this.expiry(signed, orderType);
    const placed = this.place(account, terms, orderType, postOnly, orderId, expiresAtS, market);
    this.orders.set(orderId, {
      orderId,
      apiKey: account.apiKey,
      tokenId: terms.tokenId,
      conditionId: market.conditionId,
      side: terms.side,
      p4: terms.p4,
      original: terms.qty,
      matched: placed.filled,
      status: placed.status === 'live' ? 'LIVE' : placed.status === 'matched' ? 'MATCHED' : 'CANCELED',
      orderType,
      createdAtS: Math.floor(Date.now() / 1000),
      tradeIds: placed.tradeIds,
    });
    return placed;
  }

  /** One of `account`'s orders as the venue holds it (a resting order's matched size is current), or null. */
  lookup(account: SimAccount, orderId: string): SimOrderRecord | null {
    const rec = this.orders.get(orderId);
    if (!rec || rec.apiKey !== account.apiKey) return null;
    const resting = this.books.get(rec.tokenId)?.restingOrders().find((o) => o.orderId === orderId);
    if (resting) return { ...rec, matched: resting.original - resting.remaining, status: 'LIVE' };
    if (rec.status === 'LIVE') return { ...rec, status: 'CANCELED' };
    return rec;
  }

  cancel(account: SimAccount, orderId: string): string | null {
    const tokenId = this.orderToken.get(orderId);
    const book = tokenId ? this.books.get(tokenId) : undefined;
    const order = book?.restingOrders().find((o) => o.orderId === orderId);
    if (!book || !order) return 'order not found or already canceled';
    if (order.apiKey !== account.apiKey) return 'not the owner of the order';
    const market = this.catalog.marketOfToken(book.tokenId) as SimPolyMarket;
    this.withLevelDiff(market, () => {
      book.removeResting(orderId);
      this.refund(order);
    });
    this.orderToken.delete(orderId);
    return null;
  }

  openOrders(account: SimAccount): RestingOrder[] {
    return [...this.books.values()].flatMap((b) => b.restingOrders().filter((o) => o.apiKey === account.apiKey));
  }

  /**
   * Closes the market, cancels its orders and pays 1 pUSD per winning share; with no winner
   * (a two-way market whose game ended level) every share pays 0.50.
   */
  settle(conditionId: string, winningTokenId: string | null): void {
    const market = this.catalog.marketByConditionId(conditionId);
    if (!market) throw new Error(`unknown condition id ${conditionId}`);
    if (winningTokenId !== null && !market.tokens.some((t) => t.tokenId === winningTokenId)) {
      throw new Error(`token ${winningTokenId} is not in market ${conditionId}`);
    }
    if (market.closed) return;
    this.withLevelDiff(market, () => {
      for (const t of market.tokens) {
        const book = this.requireBook(t.tokenId);
        for (const o of [...book.restingOrders()]) {
          book.removeResting(o.orderId);
          this.refund(o);
        }
        book.clearMaker();
      }
    });
    market.closed = true;
    market.winningTokenId = winningTokenId;
    for (const account of this.ledger.all()) {
      for (const t of market.tokens) {
        const held = this.ledger.sharesOf(account, t.tokenId);
        if (held === 0n) continue;
        if (winningTokenId === null) account.collateral += held / 2n;
        else if (t.tokenId === winningTokenId) account.collateral += held;
        this.ledger.addShares(account, t.tokenId, -held);
      }
    }
    this.emit('resolved', market, winningTokenId);
  }

  private terms(signed: SignedOrderV2, market: SimPolyMarket, orderType: PolyOrderType): OrderTerms {
    const o = signed.order;
    const side: PolySide = o.side === 0 ? 'BUY' : 'SELL';
    const [collateral, shares] = side === 'BUY' ? [o.makerAmount, o.takerAmount] : [o.takerAmount, o.makerAmount];
    const book = this.requireBook(o.tokenId.toString());
    const tick = tickP4(book.tickSize);
    if (isMarketOrder(orderType)) {
      const t = marketTerms(o.tokenId.toString(), side, o.makerAmount, o.takerAmount, tick);
      if (t.qty < BigInt(Math.round(market.minOrderSize * 1e6))) throw new SimOrderRejection('INVALID_ORDER_MIN_SIZE');
      return t;
    }
    if (shares === 0n || (collateral * BigInt(P4)) % shares !== 0n) throw new SimOrderRejection('INVALID_ORDER_MIN_TICK_SIZE');
    const p4 = Number((collateral * BigInt(P4)) / shares);
    if (p4 % tick !== 0 || p4 < tick || p4 > P4 - tick) throw new SimOrderRejection('INVALID_ORDER_MIN_TICK_SIZE');
    if (shares % 10_000n !== 0n) throw new SimOrderRejection('INVALID_ORDER_MIN_SIZE');
    if (shares < BigInt(Math.round(market.minOrderSize * 1e6))) throw new SimOrderRejection('INVALID_ORDER_MIN_SIZE');
    return { tokenId: o.tokenId.toString(), side, p4, qty: shares };
  }

  private expiry(signed: SignedOrderV2, orderType: PolyOrderType): number {
    const exp = Number(signed.expiration);
    if (orderType !== 'GTD') return 0;
    // The venue keeps a one-minute security threshold on GTD expirations.
    if (exp < Math.floor(Date.now() / 1000) + 60) throw new SimOrderRejection('INVALID_ORDER_EXPIRATION');
    return exp;
  }

  private place(
    account: SimAccount,
    t: OrderTerms,
    orderType: PolyOrderType,
    postOnly: boolean,
    orderId: string,
    expiresAtS: number,
    market: SimPolyMarket,
  ): PlacedOrder {
    if (market.closed) throw new SimOrderRejection('MARKET_NOT_READY');
    const book = this.requireBook(t.tokenId);
    for (const o of book.expire(Math.floor(Date.now() / 1000))) this.refund(o);
    const fills = book.plan(t.side, t.p4, t.qty, account.apiKey);
    const filled = fills.reduce((n, f) => n + f.qty, 0n);
    if (orderType === 'FOK' && filled < t.qty) throw new SimOrderRejection('FOK_ORDER_NOT_FILLED_ERROR');
    if (postOnly && filled > 0n) throw new SimOrderRejection('INVALID_POST_ONLY_ORDER: order crosses the book');
    const rest = orderType === 'GTC' || orderType === 'GTD' ? t.qty - filled : 0n;
    const notional = fills.reduce((n, f) => n + cost(f.qty, f.p4), 0n);
    const fee = fills.reduce((n, f) => n + takerFee(f.qty, f.p4, this.opts.takerFeeBp), 0n);
    const feeShares = t.side === 'BUY' && this.opts.buyFeeInShares ? fills.reduce((n, f) => n + feeInShares(takerFee(f.qty, f.p4, this.opts.takerFeeBp), f.p4), 0n) : 0n;
    const cashFee = t.side === 'BUY' && this.opts.buyFeeInShares ? 0n : fee;
    this.checkFunds(account, t, filled, notional, cashFee, rest);

    const tradeIds: string[] = [];
    this.withLevelDiff(market, () => {
      book.execute(t.side, fills);
      this.settleTakerFills(account, t, orderId, fills, notional, cashFee, feeShares, tradeIds, book);
      if (rest > 0n) this.rest(account, t, rest, orderId, expiresAtS, book);
    });
    market.volume += Number(notional) / 1e6;
    if (fills.length > 0) this.emit('book', t.tokenId);
    return {
      orderId,
      status: filled > 0n ? 'matched' : rest > 0n ? 'live' : 'unmatched',
      makingAmount: t.side === 'BUY' ? notional : filled,
      takingAmount: t.side === 'BUY' ? filled - feeShares : notional,
      tradeIds,
      filled,
      fee,
      feeShares,
    };
  }

  private checkFunds(account: SimAccount, t: OrderTerms, filled: bigint, notional: bigint, fee: bigint, rest: bigint): void {
    if (t.side === 'BUY') {
      if (account.collateral < notional + fee + cost(rest, t.p4)) throw new SimOrderRejection('INVALID_ORDER_NOT_ENOUGH_BALANCE');
    } else if (this.ledger.sharesOf(account, t.tokenId) < filled + rest) {
      throw new SimOrderRejection('INVALID_ORDER_NOT_ENOUGH_BALANCE');
    } else if (account.collateral + notional < fee) {
      throw new SimOrderRejection('INVALID_ORDER_NOT_ENOUGH_BALANCE');
    }
  }

  private settleTakerFills(
    account: SimAccount,
    t: OrderTerms,
    orderId: string,
    fills: readonly BookFill[],
    notional: bigint,
    fee: bigint,
    feeShares: bigint,
    tradeIds: string[],
    book: SimTokenBook,
  ): void {
    const filled = fills.reduce((n, f) => n + f.qty, 0n);
    if (t.side === 'BUY') {
      account.collateral -= notional + fee;
      this.ledger.addShares(account, t.tokenId, filled - feeShares);
    } else {
      account.collateral += notional - fee;
      this.ledger.addShares(account, t.tokenId, -filled);
    }
    account.feesPaid += fee;
    for (const f of fills) {
      if (f.resting) this.creditRestingFill(f.resting, f.p4, f.qty);
      const maker = f.resting ? { apiKey: f.resting.apiKey, orderId: f.resting.orderId } : null;
      const trade = this.trade(book, f.p4, f.qty, t.side, { apiKey: account.apiKey, orderId }, maker, takerFee(f.qty, f.p4, this.opts.takerFeeBp));
      tradeIds.push(trade.tradeId);
    }
  }

  private rest(account: SimAccount, t: OrderTerms, rest: bigint, orderId: string, expiresAtS: number, book: SimTokenBook): void {
    if (t.side === 'BUY') account.collateral -= cost(rest, t.p4);
    else this.ledger.addShares(account, t.tokenId, -rest);
    book.addResting({ orderId, apiKey: account.apiKey, side: t.side, p4: t.p4, remaining: rest, original: t.qty, seq: this.seq++, expiresAtS });
    this.orderToken.set(orderId, t.tokenId);
  }

  /** A resting order was hit: its owner receives the other asset (its own side was held by the order). */
  private creditRestingFill(order: RestingOrder, p4: number, qty: bigint): void {
    const owner = this.ledger.get(order.apiKey);
    if (!owner) return;
    const tokenId = this.orderToken.get(order.orderId);
    if (order.side === 'BUY' && tokenId) this.ledger.addShares(owner, tokenId, qty);
    else owner.collateral += cost(qty, p4);
    if (order.remaining === 0n) this.orderToken.delete(order.orderId);
  }

  private fillRestingAgainstMaker(book: SimTokenBook, market: SimPolyMarket, order: RestingOrder, p4: number, qty: bigint): void {
    this.creditRestingFill(order, p4, qty);
    market.volume += Number(cost(qty, p4)) / 1e6;
    this.trade(book, p4, qty, order.side === 'BUY' ? 'SELL' : 'BUY', null, { apiKey: order.apiKey, orderId: order.orderId }, 0n);
  }

  private refund(order: RestingOrder): void {
    const owner = this.ledger.get(order.apiKey);
    const tokenId = this.orderToken.get(order.orderId);
    this.orderToken.delete(order.orderId);
    if (!owner) return;
    if (order.side === 'BUY') owner.collateral += cost(order.remaining, order.p4);
    else if (tokenId) this.ledger.addShares(owner, tokenId, order.remaining);
  }

  private trade(book: SimTokenBook, p4: number, qty: bigint, takerSide: PolySide, taker: TradeParty | null, maker: TradeParty | null, fee: bigint): SimTrade {
    const trade: SimTrade = {
      tradeId: `sim-trade-${++this.tradeSeq}`,
      tokenId: book.tokenId,
      conditionId: book.conditionId,
      p4,
      qty,
      takerSide,
      takerApiKey: taker?.apiKey ?? null,
      makerApiKey: maker?.apiKey ?? null,
      takerFee: fee,
      takerOrderId: taker?.orderId ?? null,
      makerOrderId: maker?.orderId ?? null,
      matchTimeS: Math.floor(Date.now() / 1000),
    };
    for (const party of [taker, maker]) if (party !== null) this.remember(party.apiKey, trade);
    this.emit('trade', trade);
    return trade;
  }

  /** An account's trades, oldest first (what `GET /data/trades` pages through). */
  tradesOf(apiKey: string): readonly SimTrade[] {
    return this.accountTrades.get(apiKey) ?? [];
  }

  private remember(apiKey: string, trade: SimTrade): void {
    let list = this.accountTrades.get(apiKey);
    if (list === undefined) this.accountTrades.set(apiKey, (list = []));
    list.push(trade);
    // A simulator left running for days must not grow without bound; the venue keeps history, we keep the recent part.
    if (list.length > MAX_TRADES_PER_ACCOUNT) list.splice(0, list.length - MAX_TRADES_PER_ACCOUNT);
  }

  /** Runs a mutation of a market's books and reports every price level whose size changed. */
  private withLevelDiff(market: SimPolyMarket, mutate: () => void): void {
    const books = market.tokens.map((t) => this.requireBook(t.tokenId));
    const before = books.map((b) => b.aggregated());
    mutate();
    const changes: LevelChange[] = [];
    books.forEach((b, i) => {
      const after = b.aggregated();
      diff(b.tokenId, 'BUY', before[i]!.bids, after.bids, changes);
      diff(b.tokenId, 'SELL', before[i]!.asks, after.asks, changes);
    });
    if (changes.length > 0) this.emit('levels', market.conditionId, changes);
  }

  private requireBook(tokenId: string): SimTokenBook {
    const book = this.book(tokenId);
    if (!book) throw new SimOrderRejection('Invalid token id');
    return book;
  }
}

/**
 * A FAK/FOK order is a market order: the venue's market-order precision (BUY dollars 2 dp,
 * shares 4 dp; SELL shares 2 dp, dollars 4 dp). Its price is the signed collateral / shares,
 * which the official clients' rounding puts at the limit or less than a tick above it for a BUY
 * (so the tick below the signed price is the limit) and exactly at it for a SELL.
 */
function marketTerms(tokenId: string, side: PolySide, makerAmount: bigint, takerAmount: bigint, tick: number): OrderTerms {
  const problem = marketOrderPrecisionProblem(side, makerAmount, takerAmount);
  if (problem) throw new SimOrderRejection(problem);
  const [collateral, shares] = side === 'BUY' ? [makerAmount, takerAmount] : [takerAmount, makerAmount];
  const exact = (collateral * BigInt(P4)) / shares;
  const p4 = side === 'BUY' ? Number(exact / BigInt(tick)) * tick : Number((collateral * BigInt(P4) + shares * BigInt(tick) - 1n) / (shares * BigInt(tick))) * tick;
  if (p4 < tick || p4 > P4 - tick) throw new SimOrderRejection('INVALID_ORDER_MIN_TICK_SIZE');
  return { tokenId, side, p4, qty: shares };
}

function diff(tokenId: string, side: PolySide, before: AggregatedSide, after: AggregatedSide, out: LevelChange[]): void {
  for (const [p4, size] of after) if (before.get(p4) !== size) out.push({ tokenId, side, p4, size });
  for (const p4 of before.keys()) if (!after.has(p4)) out.push({ tokenId, side, p4, size: 0n });
}
