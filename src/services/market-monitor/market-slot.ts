/**
 * One watched market: its assignment (game, team), its topics, and the price last published for
 * it, against which the next book change is compared.
 */
import type { PriceUpdate } from '../../core/messages.js';
import { Topic } from '../../core/topics.js';
import type { MarketAssignment } from '../../core/market-assignment.js';
import type { FeedTop } from '../../venues/venue-feed.js';

type PriceStatus = PriceUpdate['status'];

/** One watched market and what was last published for it. */
export class MarketSlot {
  assignment: MarketAssignment;
  readonly priceTopic: string;
  readonly bookTopic: string;
  status: PriceStatus | null = null;
  yesBid: number | null = null;
  yesBidSize = 0;
  yesAsk: number | null = null;
  yesAskSize = 0;
  lastPrice: number | null = null;
  venueTsUs: number | null = null;
  originUs = 0;

  constructor(assignment: MarketAssignment) {
    this.assignment = assignment;
    this.priceTopic = Topic.price(assignment.venue, assignment.marketId);
    this.bookTopic = Topic.orderbook(assignment.venue, assignment.marketId);
  }

  /** The price last published for this market (as it was sent). */
  toPrice(): PriceUpdate {
    const a = this.assignment;
    return {
      venue: a.venue,
      market_id: a.marketId,
      game_id: a.gameId,
      team: a.team,
      yes_bid: this.yesBid,
      yes_ask: this.yesAsk,
      yes_bid_size: this.yesBidSize,
      yes_ask_size: this.yesAskSize,
      last_price: this.lastPrice,
      status: this.status ?? 'halted',
      venue_ts: this.venueTsUs,
    };
  }

  get published(): boolean {
    return this.status !== null;
  }

  sameTop(top: FeedTop): boolean {
    return (
      this.status === 'open' &&
      this.yesBid === top.yesBid &&
      this.yesAsk === top.yesAsk &&
      this.yesBidSize === top.yesBidSize &&
      this.yesAskSize === top.yesAskSize
    );
  }
}

