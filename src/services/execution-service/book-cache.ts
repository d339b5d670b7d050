/**
 * The latest book of every market the monitors publish (`orderbook.<venue>.<id>`), kept for
 * sizing, the risk engine's top of book and paper fills. A `prices.` update that says the market
 * is halted, closed or settled makes its book unusable at once (the monitors publish the halt on
 * the price topic, never a bad book). Paper fills consume the levels they take, so two paper
 * orders cannot both fill against the same contracts before the next book arrives.
 */
import type { LegBook, OrderBook, PriceUpdate } from '../../core/messages.js';
import type { BookLevel } from '../../core/book-level.js';
import { marketKey, type TopOfBook, type YesBook } from '../../core/execution/order-types.js';
import type { LevelFill } from '../../core/execution/paper-fill.js';
import type { Venue } from '../../core/topics.js';

interface Entry {
  bids: BookLevel[];
  asks: BookLevel[];
  receivedUs: number;
  /** origin_ts of the message these levels came from (the monitor's receipt of the venue frame). */
  originUs: number;
  status: PriceUpdate['status'];
  gameId: string | null;
}

interface StatusEntry {
  status: PriceUpdate['status'];
  originUs: number;
}

export type BookLookup =
  | { readonly ok: true; readonly book: YesBook; readonly top: TopOfBook; readonly ageUs: number }
  | { readonly ok: false; readonly why: string };

export interface BookCacheOptions {
  /**
   * Take the top of book of a `prices.` update as a one-level book when it is newer than the
   * book held (execution following only its markets' prices, without `orderbook.`).
   */
  pricesAsBooks?: boolean;
}

const copyLevels = (levels: readonly BookLevel[]): BookLevel[] => levels.map(([p, s]) => [p, s] as const);

export class BookCache {
  readonly #books = new Map<string, Entry>();
  readonly #status = new Map<string, StatusEntry>();
  readonly #pricesAsBooks: boolean;
  books = 0;
  prices = 0;
  /** Signal legs whose carried book replaced an older (or missing) one. */
  carriedUsed = 0;

  constructor(
    private readonly maxAgeUs: number,
    options: BookCacheOptions = {},
  ) {
    this.#pricesAsBooks = options.pricesAsBooks ?? false;
  }

  /** A full book; one older than the book held (by origin) is ignored. */
  onOrderBook(book: OrderBook, receivedUs: number, originUs: number = receivedUs): void {
    this.books++;
    const key = marketKey(book.venue, book.market_id);
    const held = this.#books.get(key);
    if (held !== undefined && originUs < held.originUs) return;
    // A book says nothing about the market's status: the last price's word (a halt...) stands.
    const status = this.#status.get(key)?.status ?? 'open';
    this.#books.set(key, { bids: copyLevels(book.yes_bids), asks: copyLevels(book.yes_asks), receivedUs, originUs, status, gameId: book.game_id });
  }

  onPrice(update: PriceUpdate, originUs = 0, receivedUs = 0): void {
    this.prices++;
    const key = marketKey(update.venue, update.market_id);
    const last = this.#status.get(key);
    if (last !== undefined && originUs < last.originUs) return;
    this.#status.set(key, { status: update.status, originUs });
    const entry = this.#books.get(key);
    if (this.#pricesAsBooks && update.status === 'open' && (entry === undefined || originUs > entry.originUs)) {
      const bids: BookLevel[] = update.yes_bid !== null && update.yes_bid_size > 0 ? [[update.yes_bid, update.yes_bid_size]] : [];
      const asks: BookLevel[] = update.yes_ask !== null && update.yes_ask_size > 0 ? [[update.yes_ask, update.yes_ask_size]] : [];
      this.#install(key, bids, asks, receivedUs, originUs, update.game_id);
      return;
    }
    if (entry) entry.status = update.status;
  }

  /**
   * The book a signal leg was priced on. Installed when the book held is older than it (or there
   * is none), so no paper order fills against a book older than its signal; a newer book held
   * (already moved on, or consumed by an earlier fill of the same levels) is kept.
   */
  offerCarried(venue: Venue, marketId: string, carried: LegBook | undefined, receivedUs: number): void {
    if (carried === undefined) return;
    const key = marketKey(venue, marketId);
    const held = this.#books.get(key);
    if (held !== undefined && held.originUs >= carried.origin_ts) return;
    this.carriedUsed++;
    this.#install(key, copyLevels(carried.yes_bids), copyLevels(carried.yes_asks), receivedUs, carried.origin_ts, held?.gameId ?? null);
  }

  #install(key: string, bids: BookLevel[], asks: BookLevel[], receivedUs: number, originUs: number, gameId: string | null): void {
    const last = this.#status.get(key);
    // These levels came from an open price: a status (halt...) said after it still holds, an older one does not.
    const status = last !== undefined && last.originUs >= originUs ? last.status : 'open';
    this.#books.set(key, { bids, asks, receivedUs, originUs, status, gameId });
  }

  get(venue: Venue, marketId: string, nowUs: number): BookLookup {
    const entry = this.#books.get(marketKey(venue, marketId));
    if (!entry) return { ok: false, why: `no book received for ${marketKey(venue, marketId)}` };
    if (entry.status !== 'open') return { ok: false, why: `${marketKey(venue, marketId)} is ${entry.status}` };
    const ageUs = nowUs - entry.receivedUs;
    if (this.maxAgeUs > 0 && ageUs > this.maxAgeUs) return { ok: false, why: `book of ${marketKey(venue, marketId)} is ${Math.round(ageUs / 1000)} ms old` };
    const book: YesBook = { yes_bids: entry.bids, yes_asks: entry.asks };
    return { ok: true, book, top: topOf(book), ageUs };
  }

  /**
   * Forgets every market not heard of since `beforeUs` (books and statuses): settled and finished
   * markets, which the quote snapshots (the default subscription) bring without ever dropping
   * them, would otherwise pile up for as long as the service runs. Returns how many went.
   */
  forgetSilentSince(beforeUs: number): number {
    let forgotten = 0;
    for (const [key, entry] of this.#books) {
      const status = this.#status.get(key);
      if (entry.receivedUs >= beforeUs || (status !== undefined && status.originUs >= beforeUs)) continue;
      this.#books.delete(key);
      this.#status.delete(key);
      forgotten++;
    }
    for (const [key, status] of this.#status) {
      if (!this.#books.has(key) && status.originUs < beforeUs) this.#status.delete(key);
    }
    return forgotten;
  }

  /** Forgets a market nobody follows any more (its book would only grow stale). */
  forget(venue: Venue, marketId: string): void {
    const key = marketKey(venue, marketId);
    this.#books.delete(key);
    this.#status.delete(key);
  }

  /** Takes filled contracts off the side a paper order consumed (asks for a YES buy, bids for a NO buy...). */
  consume(venue: Venue, marketId: string, fromAsks: boolean, levels: readonly LevelFill[]): void {
    const entry = this.#books.get(marketKey(venue, marketId));
    if (!entry) return;
    const side = fromAsks ? entry.asks : entry.bids;
    for (const taken of levels) {
      const i = side.findIndex(([p]) => Math.round(p * 10_000) === taken.yesCc);
      if (i === -1) continue;
      const left = side[i]![1] - taken.contracts;
      if (left >= 1) side[i] = [side[i]![0], left];
      else side.splice(i, 1);
    }
  }

  get size(): number {
    return this.#books.size;
  }
}

/** Best valid prices (the feed's order is not trusted). */
export function topOf(book: YesBook): TopOfBook {
  let bid: number | null = null;
  let ask: number | null = null;
  for (const [p, s] of book.yes_bids) if (s >= 1 && p > 0 && p < 1 && (bid === null || p > bid)) bid = p;
  for (const [p, s] of book.yes_asks) if (s >= 1 && p > 0 && p < 1 && (ask === null || p < ask)) ask = p;
  return { yesBid: bid, yesAsk: ask };
}
