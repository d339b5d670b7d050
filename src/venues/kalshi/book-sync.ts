/**
 * Keeps the per-market books of an `orderbook_delta` subscription consistent with the wire.
 *
 * Kalshi numbers snapshot and delta messages per subscription (`sid`), not per market: `seq`
 * goes up by exactly one per message. A jump means something was lost, and a repeat or a step
 * back means the stream cannot be trusted; either way we cannot know which market suffered, so
 * every book of that subscription is invalidated and a resync is requested. Nothing is ever
 * applied to an invalid book; the next snapshot of a market makes it valid again.
 */
import type { KalshiWsDelta, KalshiWsSnapshot } from './common.js';
import { KalshiOrderBook, type KalshiOrderBookOptions } from './order-book.js';

export interface KalshiSyncResult {
  /** Markets whose valid book changed. */
  changed: string[];
  /** Markets that just became invalid. */
  invalidated: string[];
  /** Set when the caller must ask for fresh snapshots of these markets on this subscription. */
  resync: { sid: number; tickers: string[]; reason: 'gap' | 'out_of_order' } | null;
}

export interface KalshiSyncStats {
  snapshots: number;
  deltas: number;
  /** Deltas dropped because their market had no valid book (awaiting a snapshot). */
  deltasSkipped: number;
  /** Messages for markets we do not track (after an unsubscribe, say). */
  untracked: number;
  gaps: number;
  outOfOrder: number;
}

const NONE: KalshiSyncResult = Object.freeze({ changed: [], invalidated: [], resync: null }) as KalshiSyncResult;

export class KalshiBookSync {
  readonly #books = new Map<string, KalshiOrderBook>();
  readonly #lastSeq = new Map<number, number>();
  readonly #sidOf = new Map<string, number>();
  readonly #bookOptions: KalshiOrderBookOptions;
  readonly #stats: KalshiSyncStats = { snapshots: 0, deltas: 0, deltasSkipped: 0, untracked: 0, gaps: 0, outOfOrder: 0 };

  constructor(bookOptions: KalshiOrderBookOptions = {}) {
    this.#bookOptions = bookOptions;
  }

  stats(): Readonly<KalshiSyncStats> {
    return { ...this.#stats };
  }

  book(ticker: string): KalshiOrderBook | undefined {
    return this.#books.get(ticker);
  }

  tickers(): string[] {
    return [...this.#books.keys()];
  }

  /** Starts tracking a market (its book awaits a snapshot). */
  track(ticker: string): KalshiOrderBook {
    let book = this.#books.get(ticker);
    if (!book) {
      book = new KalshiOrderBook(ticker, this.#bookOptions);
      this.#books.set(ticker, book);
    }
    return book;
  }

  untrack(ticker: string): void {
    this.#books.delete(ticker);
    this.#sidOf.delete(ticker);
  }

  /** A new subscription id: its sequence starts fresh (the first message must be seq 1). */
  beginSubscription(sid: number, tickers: readonly string[]): void {
    this.#lastSeq.set(sid, 0);
    for (const t of tickers) if (this.#books.has(t)) this.#sidOf.set(t, sid);
  }

  /** Adds markets to a running subscription (update_subscription add_markets). */
  bindTickers(sid: number, tickers: readonly string[]): void {
    for (const t of tickers) if (this.#books.has(t)) this.#sidOf.set(t, sid);
  }

  endSubscription(sid: number): void {
    this.#lastSeq.delete(sid);
  }

  /** The connection dropped: nothing on it can be trusted until new snapshots arrive. */
  invalidateAll(reason: string): string[] {
    this.#lastSeq.clear();
    this.#sidOf.clear();
    const invalidated: string[] = [];
    for (const book of this.#books.values()) {
      if (book.state === 'valid') invalidated.push(book.ticker);
      if (book.state !== 'awaiting_snapshot') book.invalidate(reason);
    }
    return invalidated;
  }

  onSnapshot(msg: KalshiWsSnapshot): KalshiSyncResult {
    const seqCheck = this.#checkSeq(msg.sid, msg.seq);
    const book = this.#books.get(msg.ticker);
    if (!book) {
      this.#stats.untracked++;
      return seqCheck;
    }
    this.#sidOf.set(msg.ticker, msg.sid);
    book.applySnapshot(msg.yes, msg.no, msg.seq);
    this.#stats.snapshots++;
    return { ...seqCheck, changed: [msg.ticker], invalidated: seqCheck.invalidated.filter((t) => t !== msg.ticker) };
  }

  onDelta(msg: KalshiWsDelta): KalshiSyncResult {
    const seqCheck = this.#checkSeq(msg.sid, msg.seq);
    const book = this.#books.get(msg.ticker);
    if (!book) {
      this.#stats.untracked++;
      return seqCheck;
    }
    if (!book.applyDelta(msg.side, msg.price, msg.delta, msg.seq)) {
      this.#stats.deltasSkipped++;
      return seqCheck;
    }
    this.#stats.deltas++;
    return { ...seqCheck, changed: [msg.ticker] };
  }

  #checkSeq(sid: number, seq: number): KalshiSyncResult {
    const last = this.#lastSeq.get(sid) ?? 0;
    if (seq === last + 1) {
      this.#lastSeq.set(sid, seq);
      return NONE;
    }
    const reason = seq > last + 1 ? 'gap' : 'out_of_order';
    if (reason === 'gap') {
      this.#stats.gaps++;
      // Keep counting from here: later messages are judged against this one.
      this.#lastSeq.set(sid, seq);
    } else {
      this.#stats.outOfOrder++;
    }
    const tickers = [...this.#sidOf.entries()].filter(([, s]) => s === sid).map(([t]) => t);
    const invalidated: string[] = [];
    for (const t of tickers) {
      const book = this.#books.get(t);
      if (book?.state === 'valid') invalidated.push(t);
      book?.invalidate(`${reason} on sid ${sid} at seq ${seq} (last ${last})`);
    }
    return { changed: [], invalidated, resync: { sid, tickers, reason } };
  }
}
