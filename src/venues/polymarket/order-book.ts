/**
 * The order book of one Polymarket token, built from a `book` snapshot and kept current by
 * `price_change` level updates (each carries the new aggregate size at a price, 0 = removed).
 * Prices are the token's own YES-side prices: which team or outcome the token pays on is the
 * caller's business, not this layer's.
 */
import type { PolyLevel, PolySide, TickSize } from './common.js';

/** Prices have at most 4 decimals (tick 0.0001); keying by integer millionths avoids float keys. */
const KEY_SCALE = 1_000_000;
const keyOf = (price: number): number => Math.round(price * KEY_SCALE);
/** The level's price, normalised so that 0.1 + 0.7 and 0.8 are one level with one price. */
const level = (key: number, size: number): PolyLevel => ({ price: key / KEY_SCALE, size });

export interface BookTop {
  bestBid: PolyLevel | null;
  bestAsk: PolyLevel | null;
}

export class PolyOrderBook {
  readonly tokenId: string;
  market = '';
  tickSize: TickSize | null = null;
  lastTradePrice: number | null = null;
  /** Venue time of the last applied message, epoch ms. */
  venueTimestampMs: number | null = null;
  /** Our receive time of the last applied message, epoch µs. */
  receivedUs: number | null = null;
  /** False until the first snapshot, and again after a disconnect until the next snapshot. */
  synced = false;
  /** Why the token cannot be traded whatever its book says (a tick size this client does not know), or null. */
  refused: string | null = null;
  hash = '';
  private readonly bids = new Map<number, PolyLevel>();
  private readonly asks = new Map<number, PolyLevel>();

  constructor(tokenId: string) {
    this.tokenId = tokenId;
  }

  applySnapshot(bids: readonly PolyLevel[], asks: readonly PolyLevel[], venueTimestampMs: number, receivedUs: number): void {
    this.bids.clear();
    this.asks.clear();
    for (const l of bids) if (l.size > 0) this.bids.set(keyOf(l.price), level(keyOf(l.price), l.size));
    for (const l of asks) if (l.size > 0) this.asks.set(keyOf(l.price), level(keyOf(l.price), l.size));
    this.synced = true;
    this.touch(venueTimestampMs, receivedUs);
  }

  /** Sets the aggregate size at one price; BUY is the bid side, SELL the ask side. */
  applyLevel(side: PolySide, price: number, size: number, venueTimestampMs: number, receivedUs: number): void {
    const book = side === 'BUY' ? this.bids : this.asks;
    const key = keyOf(price);
    if (size > 0) book.set(key, level(key, size));
    else book.delete(key);
    this.touch(venueTimestampMs, receivedUs);
  }

  markStale(): void {
    this.synced = false;
  }

  /** Bids best (highest) first. */
  bidLevels(depth = Infinity): PolyLevel[] {
    return [...this.bids.values()].sort((a, b) => b.price - a.price).slice(0, depth);
  }

  /** Asks best (lowest) first. */
  askLevels(depth = Infinity): PolyLevel[] {
    return [...this.asks.values()].sort((a, b) => a.price - b.price).slice(0, depth);
  }

  top(): BookTop {
    return { bestBid: best(this.bids, 'max'), bestAsk: best(this.asks, 'min') };
  }

  midpoint(): number | null {
    const { bestBid, bestAsk } = this.top();
    if (!bestBid || !bestAsk) return null;
    return Math.round(((bestBid.price + bestAsk.price) / 2) * 10_000) / 10_000;
  }

  /** A bid at or above the best ask: a state the venue never shows, so our copy has drifted. */
  isCrossed(): boolean {
    const { bestBid, bestAsk } = this.top();
    return bestBid !== null && bestAsk !== null && bestBid.price >= bestAsk.price;
  }

  get depth(): { bids: number; asks: number } {
    return { bids: this.bids.size, asks: this.asks.size };
  }

  private touch(venueTimestampMs: number, receivedUs: number): void {
    this.venueTimestampMs = venueTimestampMs;
    this.receivedUs = receivedUs;
  }
}

function best(levels: Map<number, PolyLevel>, which: 'max' | 'min'): PolyLevel | null {
  let out: PolyLevel | null = null;
  for (const l of levels.values()) {
    if (out === null || (which === 'max' ? l.price > out.price : l.price < out.price)) out = l;
  }
  return out;
}
