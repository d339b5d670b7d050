/**
 * The book of one simulated token: the market maker's quote ladder (replaced wholesale by
 * setMakerQuotes) plus resting user orders (price-time priority). Prices are integer 1/10000s
 * (`p4`), quantities bigint micro-shares (6 decimals), so matching and accounting are exact.
 * The maker has no account: its liquidity is simply consumed until the next quote update.
 */
import type { BookLevel } from '../../core/book-level.js';
import type { PolySide, TickSize } from '../../venues/polymarket/common.js';
import type { QuoteLadder } from '../world.js';

export const P4 = 10_000;

export interface RestingOrder {
  orderId: string;
  apiKey: string;
  side: PolySide;
  p4: number;
  remaining: bigint;
  original: bigint;
  seq: number;
  /** Unix seconds; 0 = good till cancelled. */
  expiresAtS: number;
}

/** One planned or executed fill against the book. */
export interface BookFill {
  p4: number;
  qty: bigint;
  /** null: the market maker's quote. */
  resting: RestingOrder | null;
}

export type AggregatedSide = Map<number, bigint>;

export function tickP4(tick: TickSize): number {
  return Math.round(Number(tick) * P4);
}

function sharesFromNumber(size: number): bigint {
  // Sizes on the venue have at most 2 decimals.
  return BigInt(Math.floor(size * 100 + 1e-9)) * 10_000n;
}

export class SimTokenBook {
  readonly tokenId: string;
  readonly conditionId: string;
  tickSize: TickSize;
  lastTradeP4: number | null = null;
  private makerBids: AggregatedSide = new Map();
  private makerAsks: AggregatedSide = new Map();
  private resting: RestingOrder[] = [];

  constructor(tokenId: string, conditionId: string, tickSize: TickSize) {
    this.tokenId = tokenId;
    this.conditionId = conditionId;
    this.tickSize = tickSize;
  }

  /** Replaces the maker's ladder: bids rounded down and asks up to the tick, sizes to 0.01. */
  setMakerLadder(ladder: QuoteLadder): void {
    const tick = tickP4(this.tickSize);
    this.makerBids = toSide(ladder.yesBids, (p) => Math.floor(p / tick + 1e-9) * tick, tick);
    this.makerAsks = toSide(ladder.yesAsks, (p) => Math.ceil(p / tick - 1e-9) * tick, tick);
  }

  clearMaker(): void {
    this.makerBids.clear();
    this.makerAsks.clear();
  }

  addResting(order: RestingOrder): void {
    this.resting.push(order);
  }

  removeResting(orderId: string): RestingOrder | undefined {
    const i = this.resting.findIndex((o) => o.orderId === orderId);
    if (i === -1) return undefined;
    return this.resting.splice(i, 1)[0];
  }

  restingOrders(): readonly RestingOrder[] {
    return this.resting;
  }

  /** Resting orders whose GTD expiry has passed, removed from the book. */
  expire(nowS: number): RestingOrder[] {
    const gone = this.resting.filter((o) => o.expiresAtS > 0 && o.expiresAtS <= nowS);
    if (gone.length > 0) this.resting = this.resting.filter((o) => !gone.includes(o));
    return gone;
  }

  /** Bids and asks aggregated per price (maker plus resting). */
  aggregated(): { bids: AggregatedSide; asks: AggregatedSide } {
    const bids = new Map(this.makerBids);
    const asks = new Map(this.makerAsks);
    for (const o of this.resting) {
      const side = o.side === 'BUY' ? bids : asks;
      side.set(o.p4, (side.get(o.p4) ?? 0n) + o.remaining);
    }
    return { bids, asks };
  }

  bestBidP4(): number | null {
    return extreme(this.aggregated().bids, 'max');
  }

  bestAskP4(): number | null {
    return extreme(this.aggregated().asks, 'min');
  }

  /**
   * The fills a taker order would get, best price first, at each resting price; the maker's
   * quote comes before resting orders at the same price. `apiKey`'s own orders are skipped
   * (self-trade prevention). Nothing is changed.
   */
  plan(side: PolySide, limitP4: number, qty: bigint, apiKey: string): BookFill[] {
    const sources = side === 'BUY' ? this.askSources(limitP4, apiKey) : this.bidSources(limitP4, apiKey);
    const fills: BookFill[] = [];
    let left = qty;
    for (const s of sources) {
      if (left === 0n) break;
      const take = s.qty < left ? s.qty : left;
      fills.push({ p4: s.p4, qty: take, resting: s.resting });
      left -= take;
    }
    return fills;
  }

  /** Applies planned fills: consumes maker liquidity and resting orders. */
  execute(side: PolySide, fills: readonly BookFill[]): void {
    const maker = side === 'BUY' ? this.makerAsks : this.makerBids;
    for (const f of fills) {
      if (f.resting) {
        f.resting.remaining -= f.qty;
        if (f.resting.remaining === 0n) this.resting = this.resting.filter((o) => o !== f.resting);
      } else {
        const left = (maker.get(f.p4) ?? 0n) - f.qty;
        if (left > 0n) maker.set(f.p4, left);
        else maker.delete(f.p4);
      }
      this.lastTradeP4 = f.p4;
    }
  }

  /**
   * Resting user orders that the maker's new quotes cross: the maker trades against them at the
   * resting price (the user is the maker of that trade and pays no fee).
   */
  crossRestingWithMaker(): { order: RestingOrder; p4: number; qty: bigint }[] {
    const out: { order: RestingOrder; p4: number; qty: bigint }[] = [];
    for (const o of [...this.resting].sort((a, b) => a.seq - b.seq)) {
      const maker = o.side === 'BUY' ? this.makerAsks : this.makerBids;
      const prices = [...maker.keys()].filter((p) => (o.side === 'BUY' ? p <= o.p4 : p >= o.p4));
      prices.sort((a, b) => (o.side === 'BUY' ? a - b : b - a));
      for (const p of prices) {
        if (o.remaining === 0n) break;
        const avail = maker.get(p) ?? 0n;
        const take = avail < o.remaining ? avail : o.remaining;
        if (take === 0n) continue;
        o.remaining -= take;
        if (avail - take > 0n) maker.set(p, avail - take);
        else maker.delete(p);
        out.push({ order: o, p4: o.p4, qty: take });
        this.lastTradeP4 = o.p4;
      }
    }
    this.resting = this.resting.filter((o) => o.remaining > 0n);
    return out;
  }

  private askSources(limitP4: number, apiKey: string) {
    return this.sources(this.makerAsks, 'SELL', apiKey)
      .filter((s) => s.p4 <= limitP4)
      .sort((a, b) => a.p4 - b.p4 || a.rank - b.rank);
  }

  private bidSources(limitP4: number, apiKey: string) {
    return this.sources(this.makerBids, 'BUY', apiKey)
      .filter((s) => s.p4 >= limitP4)
      .sort((a, b) => b.p4 - a.p4 || a.rank - b.rank);
  }

  private sources(maker: AggregatedSide, restingSide: PolySide, apiKey: string) {
    const out: { p4: number; qty: bigint; resting: RestingOrder | null; rank: number }[] = [];
    for (const [p4, qty] of maker) out.push({ p4, qty, resting: null, rank: -1 });
    for (const o of this.resting) {
      if (o.side === restingSide && o.apiKey !== apiKey) out.push({ p4: o.p4, qty: o.remaining, resting: o, rank: o.seq });
    }
    return out;
  }
}

function toSide(ladder: readonly BookLevel[], snap: (p4: number) => number, tick: number): AggregatedSide {
  const side: AggregatedSide = new Map();
  for (const [price, size] of ladder) {
    if (!Number.isFinite(price) || !Number.isFinite(size) || size <= 0) continue;
    const p4 = snap(Math.round(price * P4));
    if (p4 < tick || p4 > P4 - tick) continue;
    const qty = sharesFromNumber(size);
    if (qty > 0n) side.set(p4, (side.get(p4) ?? 0n) + qty);
  }
  return side;
}

function extreme(side: AggregatedSide, which: 'max' | 'min'): number | null {
  let out: number | null = null;
  for (const p of side.keys()) if (out === null || (which === 'max' ? p > out : p < out)) out = p;
  return out;
}
