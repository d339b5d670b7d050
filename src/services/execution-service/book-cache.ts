/**
 * The latest book of every market the monitors publish (`orderbook.<venue>.<id>`), kept for
 * sizing, the risk engine's top of book and paper fills. A `prices.` update that says the market
 * is halted, closed or settled makes its book unusable at once (the monitors publish the halt on
 * the price topic, never a bad book). Paper fills consume the levels they take, so two paper
 * orders cannot both fill against the same contracts before the next book arrives.
 */
import type { OrderBook, PriceUpdate } from '../../core/messages.js';
import type { BookLevel } from '../../core/book-level.js';
import { marketKey, type TopOfBook, type YesBook } from '../../core/execution/order-types.js';
import type { LevelFill } from '../../core/execution/paper-fill.js';
import type { Venue } from '../../core/topics.js';

interface Entry {
  bids: BookLevel[];
  asks: BookLevel[];
  receivedUs: number;
  status: PriceUpdate['status'];
  gameId: string | null;
}

export type BookLookup =
  | { readonly ok: true; readonly book: YesBook; readonly top: TopOfBook; readonly ageUs: number }
  | { readonly ok: false; readonly why: string };

export class BookCache {
  readonly #books = new Map<string, Entry>();
  readonly #status = new Map<string, PriceUpdate['status']>();
  books = 0;
  prices = 0;

  constructor(private readonly maxAgeUs: number) {}

  onOrderBook(book: OrderBook, receivedUs: number): void {
    this.books++;
    const key = marketKey(book.venue, book.market_id);
    this.#books.set(key, {
      bids: book.yes_bids.map(([p, s]) => [p, s] as const),
      asks: book.yes_asks.map(([p, s]) => [p, s] as const),
      receivedUs,
      status: this.#status.get(key) ?? 'open',
      gameId: book.game_id,
    });
  }

  onPrice(update: PriceUpdate): void {
    this.prices++;
    const key = marketKey(update.venue, update.market_id);
    this.#status.set(key, update.status);
    const entry = this.#books.get(key);
    if (entry) entry.status = update.status;
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
