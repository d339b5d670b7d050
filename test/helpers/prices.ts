/** Price updates the bus, registry and slow-track tests send; the values only need to be valid. */
import type { PriceUpdate } from '../../src/core/messages.js';
import type { Venue } from '../../src/core/topics.js';

/** A bid-only quote outside any game. */
export function bidOnlyPrice(marketId: string, bid: number, venue: Venue = 'kalshi'): PriceUpdate {
  return {
    venue,
    market_id: marketId,
    game_id: null,
    team: null,
    yes_bid: bid,
    yes_ask: null,
    yes_bid_size: 1,
    yes_ask_size: 0,
    status: 'open',
  };
}

/** A two-sided Kalshi quote on game g1 (BOS), ask 2 cents over the bid. */
export function gamePrice(marketId: string, bid: number): PriceUpdate {
  return {
    venue: 'kalshi',
    market_id: marketId,
    game_id: 'g1',
    team: 'BOS',
    yes_bid: bid,
    yes_ask: bid + 0.02,
    yes_bid_size: 100,
    yes_ask_size: 50,
    status: 'open',
  };
}
