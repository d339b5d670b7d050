/**
 * The Polymarket market-channel client (src/venues/polymarket/ws.ts) seen as a monitor's
 * VenueFeed. The client keeps a book per token and marks books stale when their connection
 * drops; this adapter adds the consistency checks that turn a drifted copy into a halt instead
 * of a wrong price:
 * - a crossed book (bid >= ask), which the venue never shows;
 * - a disagreement with the best bid/ask the venue states in each price_change (the client
 *   counts these in `bookMismatches`, raised while it handles the message that showed it).
 * Either halts the token and resubscribes it alone (a fresh snapshot), at most once per
 * `resyncMinIntervalMs` per token.
 */
import { ArbeesError } from '../../core/errors.js';
import { nowMicros } from '../../core/time.js';
import type { PolyOrderBook } from './order-book.js';
import type { PolymarketMarketStream } from './ws.js';
import type { FeedLadders, VenueFeed, VenueFeedHandlers } from '../venue-feed.js';

export interface PolymarketFeedOptions {
  resyncMinIntervalMs?: number;
}

export class PolymarketFeed implements VenueFeed {
  readonly venue = 'poly' as const;
  readonly label = 'polymarket ws';
  readonly #resyncMinIntervalMs: number;
  readonly #lastResync = new Map<string, number>();
  #mismatches = 0;
  #resyncs = 0;
  #crossed = 0;
  #handlers: VenueFeedHandlers | null = null;

  constructor(
    readonly stream: PolymarketMarketStream,
    options: PolymarketFeedOptions = {},
  ) {
    this.#resyncMinIntervalMs = options.resyncMinIntervalMs ?? 2_000;
  }

  attach(h: VenueFeedHandlers): void {
    this.#handlers = h;
    const s = this.stream;
    s.on('book', (book, receivedUs) => this.#onBook(h, book, receivedUs));
    s.on('stale', (ids) => {
      // The client does not stamp this event: the loss is noticed now.
      const us = nowMicros();
      for (const id of ids) h.onInvalid(id, 'connection lost', us);
    });
    s.on('refused', (id, reason) => h.onInvalid(id, reason, nowMicros()));
    s.on('resolved', (r) => {
      const us = nowMicros();
      for (const id of r.assetIds) h.onSettled(id, id === r.winningAssetId ? 1 : 0, us);
    });
    s.on('connected', () => h.onLink());
    s.on('disconnected', () => h.onLink());
    s.on('problem', (err) => h.onProblem(err));
  }

  setMarkets(marketIds: readonly string[]): void {
    this.stream.setAssets(marketIds);
    const wanted = new Set(marketIds);
    for (const id of this.#lastResync.keys()) if (!wanted.has(id)) this.#lastResync.delete(id);
  }

  ladders(marketId: string, depth: number): FeedLadders | null {
    const book = this.stream.book(marketId);
    if (!book?.synced) return null;
    return {
      yesBids: book.bidLevels(depth).map((l) => [l.price, l.size]),
      yesAsks: book.askLevels(depth).map((l) => [l.price, l.size]),
      seq: null,
    };
  }

  /** Up when every connection that carries tokens is open (no tokens, nothing to be down). */
  isUp(): boolean {
    const s = this.stream.stats();
    return s.openConnections === s.connections;
  }

  start(): void {
    // Connections open as tokens are added (setMarkets).
  }

  close(): Promise<void> {
    return this.stream.close();
  }

  stats(): Record<string, number> {
    return { ...this.stream.stats(), crossedBooks: this.#crossed, resyncs: this.#resyncs };
  }

  #onBook(h: VenueFeedHandlers, book: PolyOrderBook, receivedUs: number): void {
    if (book.refused) {
      h.onInvalid(book.tokenId, book.refused, receivedUs);
      return;
    }
    const mismatches = this.stream.bookMismatches;
    const mismatched = mismatches !== this.#mismatches;
    this.#mismatches = mismatches;
    if (mismatched || book.isCrossed()) {
      if (!mismatched) this.#crossed++;
      h.onInvalid(book.tokenId, mismatched ? 'book disagrees with the venue best bid/ask' : 'crossed book', receivedUs);
      this.#resync(book.tokenId, mismatched ? 'mismatch' : 'crossed');
      return;
    }
    const { bestBid, bestAsk } = book.top();
    const venueTsUs = book.venueTimestampMs === null ? null : book.venueTimestampMs * 1000;
    h.onBook(
      book.tokenId,
      {
        yesBid: bestBid?.price ?? null,
        yesBidSize: bestBid?.size ?? 0,
        yesAsk: bestAsk?.price ?? null,
        yesAskSize: bestAsk?.size ?? 0,
        lastPrice: book.lastTradePrice,
        venueTsUs,
      },
      receivedUs,
    );
  }

  /** Resubscribes one token so the venue sends a fresh snapshot; the old book is dropped at once. */
  #resync(tokenId: string, why: string): void {
    const now = Date.now();
    if (now - (this.#lastResync.get(tokenId) ?? 0) < this.#resyncMinIntervalMs) return;
    this.#lastResync.set(tokenId, now);
    this.#resyncs++;
    this.#handlers?.onProblem(new ArbeesError('ARB_MONITOR_BOOK_INCONSISTENT', `token ${tokenId}: ${why}; resubscribing`));
    try {
      this.stream.removeAssets([tokenId]);
      this.stream.addAssets([tokenId]);
    } catch (err) {
      // The stream was closed under us (shutdown): nothing left to resync.
      this.#handlers?.onProblem(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
