/**
 * The price messages a monitor's quote snapshot (`quotes.<venue>.<instance>`, every 100 ms, the
 * latest top of each market that changed) stands for. Readers that need a market's latest price
 * a few times a second (the dashboard, the slow track) follow the snapshots instead of every
 * price on the hot path; this turns a snapshot back into the `price` messages they expect.
 *
 * Each quote becomes the `price` message of its own market topic: the same data, its own
 * `origin_ts`, the snapshot's publish time as `ts`, and an id outside the publisher's own sequence
 * (a `q` in front, so its first characters never name a price publisher's boot), with the
 * snapshot's `seq`: it counts up per snapshot, so per market too.
 */
import type { RawEnvelope } from './envelope.js';
import type { Quote } from './messages.js';
import { Topic } from './topics.js';

export interface SnapshotPrice {
  topic: string;
  envelope: RawEnvelope;
}

/** The price messages a quote snapshot stands for; [] for anything that is not one. */
export function pricesOfSnapshot(envelope: RawEnvelope): SnapshotPrice[] {
  const data = envelope.data as { quotes?: unknown } | null;
  if (envelope.type !== 'quotes' || data === null || typeof data !== 'object' || !Array.isArray(data.quotes)) return [];
  const id = `q${envelope.id}`;
  const out: SnapshotPrice[] = [];
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
