/** What the bus benchmark sends: a real price update on two topics (warm-up and measured). */
import type { PriceUpdate } from '../../src/core/messages.js';

export const SUBSCRIBE_PREFIX = 'prices.kalshi.';
/** Warm-up traffic goes on its own topic so the subscriber can discard it without bookkeeping. */
export const WARM_TOPIC = 'prices.kalshi.BENCH-WARM';
export const MEASURED_TOPIC = 'prices.kalshi.BENCH-MEASURED';

/** A fresh object per message, as a monitor would build from each venue update. */
export function benchPrice(i: number): PriceUpdate {
  const bid = 0.4 + (i % 50) / 1000;
  return {
    venue: 'kalshi',
    market_id: 'KXNFLGAME-26JAN11BUFJAX-BUF',
    game_id: '401772981',
    team: 'BUF',
    yes_bid: Math.round(bid * 10_000) / 10_000,
    yes_ask: Math.round((bid + 0.02) * 10_000) / 10_000,
    yes_bid_size: 100 + (i % 7),
    yes_ask_size: 250,
    last_price: 0.41,
    status: 'open',
    venue_ts: null,
  };
}
