/**
 * Marks for held markets only. Each market with an open position gets an exact subscription to
 * `prices.<venue>.<id>` (a prefix would also hear `<id>0`...), seeded from the latest price the
 * slow track holds so a restarted tracker marks at once; the subscription is dropped when the
 * market goes flat. The reference system's tracker never saw a live price, so its take profit
 * and stop loss never fired; here the marks are the monitors' own messages.
 */
import type { Redis } from 'ioredis';
import type { TopOfBook } from '../../core/execution/order-types.js';
import type { PriceUpdate } from '../../core/messages.js';
import { PriceUpdateSchema } from '../../core/messages.js';
import { parseEntryFields } from '../../bus/slow-track.js';
import type { HotSubscriber } from '../../bus/hot-subscriber.js';
import { Topic, type Venue } from '../../core/topics.js';

export interface Mark {
  readonly top: TopOfBook;
  readonly status: PriceUpdate['status'];
  /**
   * When the monitor published this quote (our clocks, not the venue's: a venue or simulator
   * clock may run apart from ours, and staleness is judged against our now).
   */
  readonly quoteUs: number;
}

export interface MarkFeedCounters {
  marks_applied: number;
  /** Prices for a market not held (a late message after going flat): ignored. */
  prices_not_held: number;
  /** Prices older than the mark already held (reordered): ignored. */
  prices_stale: number;
  marks_seeded: number;
  seed_errors: number;
}

export interface HeldMarket {
  readonly venue: Venue;
  readonly marketId: string;
}

const key = (venue: Venue, marketId: string) => `${venue}:${marketId}`;

export class MarkFeed {
  readonly counters: MarkFeedCounters = { marks_applied: 0, prices_not_held: 0, prices_stale: 0, marks_seeded: 0, seed_errors: 0 };
  private readonly held = new Map<string, HeldMarket>();
  private readonly marks = new Map<string, Mark>();

  constructor(
    private readonly subscriber: HotSubscriber,
    private readonly redis: Redis,
    private readonly latestPriceKey: (venue: Venue, marketId: string) => string,
  ) {}

  /**
   * Subscribes to the markets newly held and drops the ones no longer held. Returns the newly
   * held ones (seed them with `seed`).
   */
  sync(markets: Iterable<HeldMarket>): HeldMarket[] {
    const wanted = new Map<string, HeldMarket>();
    for (const m of markets) wanted.set(key(m.venue, m.marketId), m);
    const added: HeldMarket[] = [];
    for (const [k, m] of wanted) {
      if (this.held.has(k)) continue;
      this.held.set(k, m);
      this.subscriber.subscribeTopic(Topic.price(m.venue, m.marketId));
      added.push(m);
    }
    for (const [k, m] of this.held) {
      if (wanted.has(k)) continue;
      this.held.delete(k);
      this.marks.delete(k);
      this.subscriber.unsubscribeTopic(Topic.price(m.venue, m.marketId));
    }
    return added;
  }

  /** Reads the latest price the slow track holds; a newer hot-path price already applied wins. */
  async seed(market: HeldMarket): Promise<boolean> {
    try {
      const fields = await this.redis.hgetall(this.latestPriceKey(market.venue, market.marketId));
      const entry = Object.keys(fields).length === 0 ? null : parseEntryFields(fields);
      if (entry === null || entry.envelope.type !== 'price') return false;
      const parsed = PriceUpdateSchema.safeParse(entry.envelope.data);
      if (!parsed.success) return false;
      const applied = this.apply(parsed.data, entry.envelope.ts);
      if (applied) this.counters.marks_seeded++;
      return applied;
    } catch {
      this.counters.seed_errors++;
      return false;
    }
  }

  /** A price from the hot path; true when it changed the mark of a held market. */
  onPrice(price: PriceUpdate, publishedUs: number): boolean {
    return this.apply(price, publishedUs);
  }

  get(venue: Venue, marketId: string): Mark | undefined {
    return this.marks.get(key(venue, marketId));
  }

  isHeld(venue: Venue, marketId: string): boolean {
    return this.held.has(key(venue, marketId));
  }

  heldCount(): number {
    return this.held.size;
  }

  private apply(price: PriceUpdate, publishedUs: number): boolean {
    const k = key(price.venue, price.market_id);
    if (!this.held.has(k)) {
      this.counters.prices_not_held++;
      return false;
    }
    const quoteUs = publishedUs;
    const current = this.marks.get(k);
    if (current !== undefined && quoteUs < current.quoteUs) {
      this.counters.prices_stale++;
      return false;
    }
    this.marks.set(k, { top: { yesBid: price.yes_bid, yesAsk: price.yes_ask }, status: price.status, quoteUs });
    this.counters.marks_applied++;
    return true;
  }
}
