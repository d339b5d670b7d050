/**
 * Which markets' prices execution_service hears (issue 13, lever 1). It acts on a handful of
 * markets, yet subscribing to `prices.`/`orderbook.` made it receive and decode every update of
 * every market. Instead it follows, by exact topic, the markets it holds a position in, has an
 * order in doubt on, or has a live signal for (until the signal expires, plus a grace), and
 * drops the rest. ZMQ filters by topic at the publisher, so an unfollowed market costs nothing.
 *
 * A signal carries the book it was priced on (SignalLeg.book), so the first decision on a newly
 * signalled market does not need its earlier prices; the subscription serves what comes after
 * (halts, settlements, the marks of positions, fresher books).
 */
import { errorMessage } from '../../core/errors.js';
import { Topic, type Venue } from '../../core/topics.js';
import type { Logger } from 'pino';

export interface FollowedMarket {
  readonly venue: Venue;
  readonly marketId: string;
}

export interface MarketFollowerHooks {
  subscribeTopic(topic: string): void;
  unsubscribeTopic(topic: string): void;
  /** A market is no longer followed: its cached book would only go stale. */
  onDropped?(market: FollowedMarket): void;
}

interface Followed extends FollowedMarket {
  readonly topic: string;
  /** A live signal or order keeps the market until then (µs); 0 when only held. */
  untilUs: number;
}

export class MarketFollower {
  readonly #followed = new Map<string, Followed>();
  followedTotal = 0;
  droppedTotal = 0;

  constructor(
    private readonly hooks: MarketFollowerHooks,
    private readonly log: Pick<Logger, 'warn'>,
  ) {}

  /** Follows a market at once (a signal or order on it), at least until `untilUs`. */
  follow(venue: Venue, marketId: string, untilUs: number): void {
    const key = `${venue}:${marketId}`;
    const known = this.#followed.get(key);
    if (known !== undefined) {
      if (untilUs > known.untilUs) known.untilUs = untilUs;
      return;
    }
    let topic: string;
    try {
      topic = Topic.price(venue, marketId);
    } catch (err) {
      this.log.warn({ venue, marketId, err: errorMessage(err) }, 'market id cannot name a topic: not followed');
      return;
    }
    this.#followed.set(key, { venue, marketId, topic, untilUs });
    this.followedTotal++;
    this.hooks.subscribeTopic(topic);
  }

  /**
   * Brings the followed set to `kept` (held or in doubt) plus the markets whose live window has
   * not passed; everything else is unsubscribed. Called on a timer and after position changes.
   */
  sync(kept: Iterable<FollowedMarket>, nowUs: number): void {
    const keep = new Set<string>();
    for (const m of kept) {
      keep.add(`${m.venue}:${m.marketId}`);
      this.follow(m.venue, m.marketId, 0);
    }
    for (const [key, f] of this.#followed) {
      if (keep.has(key) || f.untilUs > nowUs) continue;
      this.#followed.delete(key);
      this.droppedTotal++;
      this.hooks.unsubscribeTopic(f.topic);
      this.hooks.onDropped?.(f);
    }
  }

  isFollowed(venue: Venue, marketId: string): boolean {
    return this.#followed.has(`${venue}:${marketId}`);
  }

  get size(): number {
    return this.#followed.size;
  }
}
