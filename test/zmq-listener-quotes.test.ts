/**
 * zmq_listener with its defaults (LISTENER_PRICES_FROM=quotes, LISTENER_BOOKS_MS): prices reach
 * the slow track from the monitors' quote snapshots, never from the price messages themselves,
 * and each market's book is mirrored at most once per interval, its latest. A real publisher
 * service on the ZMQ hot path, a real listener, a private Redis.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLatestPrice, readRecent } from '../src/bus/slow-track.js';
import type { OrderBook, Quote } from '../src/core/messages.js';
import { SlowKey } from '../src/core/slow-keys.js';
import { Topic } from '../src/core/topics.js';
import { eventually } from './helpers/redis.js';
import { priceUpdate, startBridge, type Bridge, type TestPublisher } from './zmq-listener-harness.js';

const BOOKS_MS = 600;

const price = priceUpdate;

const book = (marketId: string, bookSeq: number): OrderBook => ({
  venue: 'kalshi',
  market_id: marketId,
  game_id: null,
  book_seq: bookSeq,
  yes_bids: [[0.54, bookSeq]],
  yes_asks: [[0.56, 70]],
});

describe('zmq_listener, prices from quote snapshots and books throttled (the defaults)', () => {
  let bridge: Bridge;
  let redis: Redis;
  let pub: TestPublisher;

  beforeAll(async () => {
    // The harness makes the listener hear every topic and every book: back to the defaults here,
    // where only our own families are heard (the warm-up goes on `health.`).
    bridge = await startBridge({ LISTENER_PRICES_FROM: 'quotes', LISTENER_BOOKS_MS: String(BOOKS_MS) }, 'health');
    ({ redis, pub } = bridge);
  }, 30_000);

  afterAll(() => bridge?.stop());

  it('mirrors each quote of a snapshot as its market price, and never hears the prices themselves', async () => {
    for (let i = 0; i < 3; i++) pub.publisher.publish(Topic.price('kalshi', 'QX-HOT'), 'price', price('QX-HOT', 0.2 + i / 100));
    const quotes: Quote[] = [
      { ...price('QX-A', 0.31), origin_ts: 1_700_000_000_000_001 },
      { ...price('QX-B', 0.62), origin_ts: 1_700_000_000_000_002 },
    ];
    const id = pub.publisher.publish(Topic.quotes('kalshi', '0'), 'quotes', { venue: 'kalshi', quotes });
    await eventually(async () => (await readLatestPrice(redis, 'kalshi', 'QX-B')) !== null, 5_000, 'QX-B stored');

    const a = await readLatestPrice(redis, 'kalshi', 'QX-A');
    expect(a?.envelope).toMatchObject({ type: 'price', id: `q${id}`, origin_ts: 1_700_000_000_000_001, data: { market_id: 'QX-A', yes_bid: 0.31 } });
    expect(a?.envelope.data).not.toHaveProperty('origin_ts');
    const stream = await readRecent(redis, SlowKey.pricesStream('kalshi'), 100);
    expect(stream.map((e) => e.topic).sort()).toEqual(['prices.kalshi.QX-A', 'prices.kalshi.QX-B']);
    // The snapshot itself is not mirrored (its prices are), nor is any price message.
    expect(await redis.exists(SlowKey.mirrorStream('quotes.kalshi'))).toBe(0);
    expect(await redis.exists(SlowKey.latestPrice('kalshi', 'QX-HOT'))).toBe(0);
  });

  it('mirrors a market book at once, then only its latest once per interval', async () => {
    const stream = SlowKey.mirrorStream('orderbook.kalshi');
    const topic = Topic.orderbook('kalshi', 'QX-BOOK');
    pub.publisher.publish(topic, 'orderbook', book('QX-BOOK', 1));
    await eventually(async () => (await redis.xlen(stream)) === 1, 5_000, 'the first book');
    const sentAt = Date.now();
    for (let s = 2; s <= 6; s++) pub.publisher.publish(topic, 'orderbook', book('QX-BOOK', s));
    await eventually(async () => (await redis.xlen(stream)) === 2, 5_000, 'the latest book');
    // Not before the interval was up (the first went at `sentAt` or a little before).
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(BOOKS_MS - 100);
    const entries = await readRecent(redis, stream, 10);
    expect(entries.map((e) => (e.envelope.data as OrderBook).book_seq)).toEqual([1, 6]); // oldest first
    await new Promise((r) => setTimeout(r, BOOKS_MS * 2));
    expect(await redis.xlen(stream)).toBe(2); // nothing held back, nothing sent twice
  });
});
