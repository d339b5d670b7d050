/**
 * Prices for the dashboard from the monitors' quote snapshots (`quotes.<venue>.<instance>`,
 * every 100 ms, the latest top of each market that changed) instead of every price on the hot
 * path. A human reads a price a few times a second at most, and hearing all of them cost the api
 * about 38 us of CPU per venue update at 7k/s: a quarter of a core taken from the hot path on a
 * 2-core machine (bench/README.md). `ARBEES_API_PRICES_FROM=prices` follows every price instead.
 *
 * Each quote becomes the `price` event of its own topic, as if that price message had been heard:
 * same shape, its `origin_ts`, the snapshot's publish time as `ts`, and an id outside the
 * publisher's own sequence (a `q` in front), so the cache orders it against stored prices by time.
 */
import type { RawEnvelope } from '../../core/envelope.js';
import type { Quote } from '../../core/messages.js';
import { Topic, TopicPrefix } from '../../core/topics.js';
import type { LiveFeed } from './live-families.js';

/** A feed where following `prices.` means following the quote snapshots. */
export function quotesForPrices(feed: LiveFeed): LiveFeed {
  const mapped = (prefix: string) => (prefix === TopicPrefix.prices ? TopicPrefix.quotes : prefix);
  return {
    subscribe: (prefix) => feed.subscribe(mapped(prefix)),
    unsubscribe: (prefix) => feed.unsubscribe(mapped(prefix)),
  };
}

/** The price messages a quote snapshot stands for; [] for anything that is not one. */
export function pricesOfSnapshot(envelope: RawEnvelope): { topic: string; envelope: RawEnvelope }[] {
  const data = envelope.data as { quotes?: unknown } | null;
  if (envelope.type !== 'quotes' || data === null || typeof data !== 'object' || !Array.isArray(data.quotes)) return [];
  const id = `q${envelope.id}`;
  const out: { topic: string; envelope: RawEnvelope }[] = [];
  for (const quote of data.quotes as Quote[]) {
    const { origin_ts, ...price } = quote;
    let topic: string;
    try {
      topic = Topic.price(price.venue, price.market_id);
    } catch {
      continue; // not a market id a topic can carry (the subscriber's check refuses such snapshots first)
    }
    out.push({ topic, envelope: { v: envelope.v, type: 'price', id, src: envelope.src, seq: envelope.seq, ts: envelope.ts, origin_ts, data: price } });
  }
  return out;
}
