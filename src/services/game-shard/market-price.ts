/**
 * The latest price of one market the shard follows, with when it was made (origin_ts), when it
 * arrived, and whether it may be traded on. It owns one MarketBook object that the detectors
 * read: its level arrays are reused, so a price update allocates nothing here.
 */
import type { PriceUpdate } from '../../core/messages.js';
import type { MarketBook, Outcome } from '../../core/signals/index.js';
import type { Venue } from '../../core/topics.js';
import { Topic } from '../../core/topics.js';

const NO_LEVELS: readonly (readonly [number, number])[] = Object.freeze([]);

export class MarketPrice {
  readonly topic: string;
  yesBid: number | null = null;
  yesAsk: number | null = null;
  bidSize = 0;
  askSize = 0;
  status: PriceUpdate['status'] | null = null;
  /** origin_ts of the update this price came from (µs); 0 before any. */
  originUs = 0;
  receivedUs = 0;
  /** When the top of book last changed (origin time, µs). */
  changedUs: number | null = null;
  /** The last stored update moved the bid or the ask (not only a size): the mid may have moved. */
  priceMoved = false;
  src = '';
  seq = 0;
  /**
   * The last update may be a leg of a signal: open, two-sided or one-sided, not crossed, not
   * late. A bad update clears it, so the older good price behind it is not used either.
   */
  trusted = false;
  /** The detectors' view; `refreshBook` brings it up to date before each use. */
  readonly book: MarketBook;
  private readonly bidLevel: [number, number] = [0, 0];
  private readonly askLevel: [number, number] = [0, 0];
  private readonly bids: (readonly [number, number])[] = [this.bidLevel];
  private readonly asks: (readonly [number, number])[] = [this.askLevel];

  constructor(
    readonly venue: Venue,
    readonly marketId: string,
    readonly gameId: string,
    readonly outcome: Outcome,
    readonly team: string | null,
  ) {
    this.topic = Topic.price(venue, marketId);
    this.book = { venue, market_id: marketId, outcome, team, yes_bids: NO_LEVELS, yes_asks: NO_LEVELS, stale: true, changed_ts: null };
  }

  /** Stores an update's top of book (already checked by the PriceBook). */
  store(d: PriceUpdate, originUs: number, receivedUs: number, trusted: boolean): void {
    this.priceMoved = d.yes_bid !== this.yesBid || d.yes_ask !== this.yesAsk || trusted !== this.trusted;
    if (d.yes_bid !== this.yesBid || d.yes_ask !== this.yesAsk || d.yes_bid_size !== this.bidSize || d.yes_ask_size !== this.askSize) {
      this.changedUs = originUs;
    }
    this.yesBid = d.yes_bid;
    this.yesAsk = d.yes_ask;
    this.bidSize = d.yes_bid_size;
    this.askSize = d.yes_ask_size;
    this.status = d.status;
    this.originUs = originUs;
    this.receivedUs = receivedUs;
    this.trusted = trusted;
  }

  /** Mid of a two-sided book, else null. */
  mid(): number | null {
    return this.yesBid !== null && this.yesAsk !== null ? (this.yesBid + this.yesAsk) / 2 : null;
  }

  /** Whether this price may be a leg now: trusted and younger than the TTL. */
  fresh(nowUs: number, ttlUs: number): boolean {
    return this.trusted && nowUs - this.originUs <= ttlUs;
  }

  /** Brings the detectors' book up to date (no allocation). */
  refreshBook(nowUs: number, ttlUs: number): MarketBook {
    const b = this.book;
    if (this.yesBid !== null && this.bidSize > 0) {
      this.bidLevel[0] = this.yesBid;
      this.bidLevel[1] = this.bidSize;
      b.yes_bids = this.bids;
    } else b.yes_bids = NO_LEVELS;
    if (this.yesAsk !== null && this.askSize > 0) {
      this.askLevel[0] = this.yesAsk;
      this.askLevel[1] = this.askSize;
      b.yes_asks = this.asks;
    } else b.yes_asks = NO_LEVELS;
    b.stale = !this.fresh(nowUs, ttlUs);
    b.changed_ts = this.changedUs;
    // A signal's legs carry these, so execution can tell its book from an older or newer one.
    if (this.originUs > 0) {
      b.origin_ts = this.originUs;
      b.seq = this.seq;
    }
    return b;
  }
}
