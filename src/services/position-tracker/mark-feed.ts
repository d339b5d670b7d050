/**
 * Marks for held markets only, seeded from the latest price the slow track holds so a restarted
 * tracker marks at once. Two sources (PT_MARK_SOURCE):
 * - `quotes` (default): the monitors' quote snapshots (`quotes.`), one message per monitor and
 *   interval holding every changed market; quotes of markets not held are skipped. At 7k venue
 *   updates/s this replaced thousands of price messages a second by about twenty (issue 13).
 * - `prices`: each held market gets an exact subscription to `prices.<venue>.<id>` (a prefix
 *   would also hear `<id>0`...), dropped when the market goes flat; every tick, at its cost.
 * The reference system's tracker never saw a live price, so its take profit and stop loss never
 * fired; here the marks are the monitors' own messages.
 */
import type { Redis } from 'ioredis';
import type { TopOfBook } from '../../core/execution/order-types.js';
import type { PriceUpdate } from '../../core/messages.js';
import { PriceUpdateSchema } from '../../core/messages.js';
import { TopicPrefix } from '../../core/topics.js';
import { parseEntryFields } from '../../bus/slow-track.js';
import type { HotSubscriber } from '../../bus/hot-subscriber.js';
import { Topic, type Venue } from '../../core/topics.js';

export interface Mark {
  readonly top: TopOfBook;
  readonly status: PriceUpdate['status'];
  /**
   * When the monitor received the venue frame behind this quote (the price's `origin_ts`, else
   * its publish time): our clocks, not the venue's (a venue or simulator clock may run apart from
   * ours, and staleness is judged against our now). The same whichever source it came from.
   */
  quoteUs: number;
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

export type MarkSource = 'quotes' | 'prices';

export interface HeldMarket {
  readonly venue: Venue;
  readonly marketId: string;
}

const key = (venue: Venue, marketId: string) => `${venue}:${marketId}`;

/** The time a price message's quote dates from (see Mark.quoteUs). */
export const quoteTimeOf = (envelope: { ts: number; origin_ts: number }): number => (envelope.origin_ts > 0 ? envelope.origin_ts : envelope.ts);

export class MarkFeed {
  readonly counters: MarkFeedCounters = { marks_applied: 0, prices_not_held: 0, prices_stale: 0, marks_seeded: 0, seed_errors: 0 };
  private readonly held = new Map<string, HeldMarket>();
  private readonly marks = new Map<string, Mark>();

  constructor(
    private readonly subscriber: HotSubscriber,
    private readonly redis: Redis,
    private readonly latestPriceKey: (venue: Venue, marketId: string) => string,
    private readonly source: MarkSource = 'quotes',
  ) {
    if (source === 'quotes') subscriber.subscribe(TopicPrefix.quotes);
  }

  /** Stops hearing marks (the tracker stops). */
  close(): void {
    if (this.source === 'quotes') this.subscriber.unsubscribe(TopicPrefix.quotes);
    else for (const m of this.held.values()) this.subscriber.unsubscribeTopic(Topic.price(m.venue, m.marketId));
  }

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
      if (this.source === 'prices') this.subscriber.subscribeTopic(Topic.price(m.venue, m.marketId));
      added.push(m);
    }
    for (const [k, m] of this.held) {
      if (wanted.has(k)) continue;
      this.held.delete(k);
      this.marks.delete(k);
      if (this.source === 'prices') this.subscriber.unsubscribeTopic(Topic.price(m.venue, m.marketId));
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
      const applied = this.apply(parsed.data, quoteTimeOf(entry.envelope));
      if (applied) this.counters.marks_seeded++;
      return applied;
    } catch {
      this.counters.seed_errors++;
      return false;
    }
  }

  /**
   * A price from the hot path (or one quote of a snapshot, timed by its `origin_ts`); true when
   * it changed the mark of a held market.
   */
  onPrice(price: PriceUpdate, quoteUs: number): boolean {
    return this.apply(price, quoteUs);
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
      // A snapshot carries every changed market of a monitor: most are not held, as expected.
      if (this.source === 'prices') this.counters.prices_not_held++;
      return false;
    }
    const quoteUs = publishedUs;
    const current = this.marks.get(k);
    if (current !== undefined && quoteUs < current.quoteUs) {
      this.counters.prices_stale++;
      return false;
    }
    if (current !== undefined && current.status === price.status && current.top.yesBid === price.yes_bid && current.top.yesAsk === price.yes_ask) {
      // Only sizes moved: the mark is the same, only fresher (staleness rules read quoteUs).
      current.quoteUs = quoteUs;
      return false;
    }
    this.marks.set(k, { top: { yesBid: price.yes_bid, yesAsk: price.yes_ask }, status: price.status, quoteUs });
    this.counters.marks_applied++;
    return true;
  }
}
