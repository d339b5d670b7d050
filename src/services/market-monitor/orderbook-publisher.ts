/**
 * Publishes `orderbook.<venue>.<id>` (top N levels per side), off the critical path: a changed
 * book is only marked dirty, and dirty books are published together every `intervalMs` (the
 * publisher batches the `orderbook.` family into few frames). A market that changes a hundred
 * times in an interval costs one message; an invalid book is not published at all (its halted
 * price says so).
 */
import type { HotPublisher } from '../../bus/hot-publisher.js';
import type { OrderBook } from '../../core/messages.js';
import type { Metrics } from '../../runtime/metrics.js';
import { FlushSchedule } from './flush-schedule.js';
import type { MarketSlot } from './market-slot.js';
import type { VenueFeed } from '../../venues/venue-feed.js';

export interface OrderbookPublisherOptions {
  publisher: HotPublisher;
  feed: VenueFeed;
  metrics: Metrics;
  depth: number;
  /** 0 publishes each change on the next turn of the event loop. */
  intervalMs: number;
}

export class OrderbookPublisher {
  readonly #o: Readonly<OrderbookPublisherOptions>;
  readonly #dirty = new Map<string, MarketSlot>();
  readonly #schedule: FlushSchedule;

  constructor(options: OrderbookPublisherOptions) {
    this.#o = Object.freeze({ ...options });
    this.#schedule = new FlushSchedule(options.intervalMs, () => this.flush());
  }

  markDirty(slot: MarketSlot): void {
    this.#dirty.set(slot.assignment.marketId, slot);
    this.#schedule.changed();
  }

  forget(marketId: string): void {
    this.#dirty.delete(marketId);
  }

  flush(): void {
    if (this.#dirty.size === 0) return;
    const { feed, publisher, metrics, depth } = this.#o;
    for (const slot of this.#dirty.values()) {
      const a = slot.assignment;
      const ladders = feed.ladders(a.marketId, depth);
      if (ladders === null) continue;
      const data: OrderBook = {
        venue: a.venue,
        market_id: a.marketId,
        game_id: a.gameId,
        book_seq: ladders.seq,
        yes_bids: ladders.yesBids,
        yes_asks: ladders.yesAsks,
      };
      if (publisher.publish(slot.bookTopic, 'orderbook', data, { originTs: slot.originUs || undefined }) === null) {
        metrics.inc('orderbooks_dropped');
      } else metrics.inc('orderbooks_published');
    }
    this.#dirty.clear();
  }

  stop(): void {
    this.#schedule.stop();
    this.#dirty.clear();
  }
}
