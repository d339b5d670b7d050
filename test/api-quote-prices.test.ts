/**
 * /ws prices from the monitors' quote snapshots (ARBEES_API_PRICES_FROM=quotes, the default),
 * against a real api, a real publisher on the ZMQ hot path and a real zmq_listener: a client of
 * `prices.` gets the stored state, then one `price` event per quote of each snapshot, on the
 * quote's own market topic with its origin_ts; the prices themselves never reach the api.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WsServerMessage } from '../src/core/api-protocol.js';
import type { RawEnvelope } from '../src/core/envelope.js';
import { SlowKey } from '../src/core/slow-keys.js';
import { Topic } from '../src/core/topics.js';
import { nowMicros } from '../src/core/time.js';
import { pricesOfSnapshot } from '../src/core/quote-prices.js';
import { ApiHarness, price } from './helpers/api-harness.js';
import { eventually } from './helpers/redis.js';

const h = new ApiHarness();
beforeAll(() => h.start({ ARBEES_API_PRICES_FROM: 'quotes', ARBEES_API_LIVE_SETTLE_MS: '100' }, { listener: true }), 60_000);
afterAll(() => h.close());

type Event = Extract<WsServerMessage, { kind: 'event' }>;

const openClient = () => h.openClient();

describe('/ws prices from quote snapshots', () => {
  it('sends each quote as its market price event, after the stored state, and never hears the prices themselves', async () => {
    h.pub.publish(Topic.price('kalshi', 'QP-A'), 'price', price('kalshi', 'QP-A', 0.3, 0.32));
    await eventually(async () => (await h.redis.hget(SlowKey.latestPrice('kalshi', 'QP-A'), 'yes_bid')) === '0.3', 5_000, 'QP-A stored');

    const c = await openClient();
    c.ws.send(JSON.stringify({ subscribe: ['prices.kalshi.'] }));
    await eventually(() => c.messages.some((m) => m.kind === 'snapshot'), 5_000, 'snapshot');
    const snap = c.messages.find((m): m is Extract<WsServerMessage, { kind: 'snapshot' }> => m.kind === 'snapshot')!;
    expect(snap.events.find((e) => e.topic === 'prices.kalshi.QP-A')?.data).toMatchObject({ yes_bid: 0.3 });

    const origin = nowMicros() - 2_000;
    const quotes = [
      { ...price('kalshi', 'QP-A', 0.35, 0.37), origin_ts: origin },
      { ...price('kalshi', 'QP-B', 0.6, 0.62), origin_ts: origin + 1 },
    ];
    // Until the api has switched prices on (quotes subscribed), snapshots sent are lost: repeat.
    await eventually(() => {
      h.pub.publish(Topic.quotes('kalshi', '0'), 'quotes', { venue: 'kalshi', quotes });
      return c.messages.some((m) => m.kind === 'event' && m.topic === 'prices.kalshi.QP-B');
    }, 5_000, 'the quotes as price events');
    const events = c.messages.filter((m): m is Event => m.kind === 'event');
    const a = events.find((e) => e.topic === 'prices.kalshi.QP-A')!;
    const b = events.find((e) => e.topic === 'prices.kalshi.QP-B')!;
    expect(a).toMatchObject({ type: 'price', origin_ts: origin, data: { market_id: 'QP-A', yes_bid: 0.35, yes_ask: 0.37 } });
    expect(b).toMatchObject({ type: 'price', origin_ts: origin + 1, data: { market_id: 'QP-B', yes_bid: 0.6 } });
    expect(a.data).not.toHaveProperty('origin_ts');

    // A price on the hot path is not followed: the dashboard hears it only through a snapshot.
    for (let i = 0; i < 5; i++) h.pub.publish(Topic.price('kalshi', 'QP-C'), 'price', price('kalshi', 'QP-C', 0.1, 0.12));
    await new Promise((r) => setTimeout(r, 300));
    expect(c.messages.some((m) => m.kind === 'event' && m.topic === 'prices.kalshi.QP-C')).toBe(false);
    c.ws.close();
  });

  it('reads nothing from what is not a quote snapshot, and skips a quote whose market cannot be a topic', () => {
    const base: RawEnvelope = { v: 1, type: 'price', id: 'abcd1234-1', src: 'kalshi_monitor.0', seq: 7, ts: 100, origin_ts: 90, data: price('kalshi', 'X', 0.5, 0.52) };
    expect(pricesOfSnapshot(base)).toEqual([]);
    const snapshot = { ...base, type: 'quotes', data: { venue: 'kalshi', quotes: [{ ...price('kalshi', 'bad id!', 0.5, 0.52), origin_ts: 1 }, { ...price('kalshi', 'OK-1', 0.5, 0.52), origin_ts: 2 }] } };
    const out = pricesOfSnapshot(snapshot);
    expect(out.map((p) => p.topic)).toEqual(['prices.kalshi.OK-1']);
    // Outside the publisher's own sequence: ordered against stored prices by time, not seq.
    expect(out[0]!.envelope).toMatchObject({ type: 'price', id: 'qabcd1234-1', src: 'kalshi_monitor.0', seq: 7, ts: 100, origin_ts: 2 });
  });
});
