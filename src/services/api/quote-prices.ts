/**
 * Prices for the dashboard from the monitors' quote snapshots (`quotes.<venue>.<instance>`,
 * every 100 ms, the latest top of each market that changed) instead of every price on the hot
 * path. A human reads a price a few times a second at most, and hearing all of them cost the api
 * about 38 us of CPU per venue update at 7k/s: a quarter of a core taken from the hot path on a
 * 2-core machine (bench/README.md). `ARBEES_API_PRICES_FROM=prices` follows every price instead.
 *
 * Each quote becomes the `price` event of its own topic (core/quote-prices.ts); its id lies
 * outside the publisher's own sequence, so the cache orders it against stored prices by time.
 */
import { TopicPrefix } from '../../core/topics.js';
import type { LiveFeed } from './live-families.js';

/** A feed where following `prices.` means following the quote snapshots. */
export function quotesForPrices(feed: LiveFeed): LiveFeed {
  const mapped = (prefix: string) => (prefix === TopicPrefix.prices ? TopicPrefix.quotes : prefix);
  return {
    subscribe: (prefix) => feed.subscribe(mapped(prefix)),
    unsubscribe: (prefix) => feed.unsubscribe(mapped(prefix)),
  };
}
