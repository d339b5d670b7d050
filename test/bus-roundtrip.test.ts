import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawEnvelope } from '../src/core/envelope.js';
import type { PriceUpdate } from '../src/core/messages.js';
import { Topic } from '../src/core/topics.js';
import type { HotPublisher } from '../src/bus/hot-publisher.js';
import type { HotSubscriber } from '../src/bus/hot-subscriber.js';
import { RedisPublisher } from '../src/bus/redis-publisher.js';
import { RedisSubscriber } from '../src/bus/redis-subscriber.js';
import { ZmqPublisher } from '../src/bus/zmq-publisher.js';
import { ZmqSubscriber } from '../src/bus/zmq-subscriber.js';
import { eventually, TEST_REDIS_URL } from './helpers/redis.js';
import { gamePrice as price } from './helpers/prices.js';

type Pair = { pub: HotPublisher; sub: HotSubscriber; connect(): Promise<void> };

type PairFactory = (batchPrefixes?: string[], batchMaxDelayMs?: number, pace?: { batchPaceMs: number; batchPaceBurst: number }) => Promise<Pair>;

async function zmqPair(bindAddress: string, batchPrefixes: string[] = [], batchMaxDelayMs?: number, pace?: { batchPaceMs: number; batchPaceBurst: number }): Promise<Pair> {
  const pub = await ZmqPublisher.create({ src: 'test.0', bindAddress, batchPrefixes, ...(batchMaxDelayMs === undefined ? {} : { batchMaxDelayMs }), ...pace });
  const sub = new ZmqSubscriber();
  return { pub, sub, connect: async () => sub.connect(pub.endpoint!) };
}

async function redisPair(batchPrefixes: string[] = [], batchMaxDelayMs?: number, pace?: { batchPaceMs: number; batchPaceBurst: number }): Promise<Pair> {
  const pub = new RedisPublisher({ src: 'test.0', redisUrl: TEST_REDIS_URL, batchPrefixes, ...(batchMaxDelayMs === undefined ? {} : { batchMaxDelayMs }), ...pace });
  const sub = new RedisSubscriber({ redisUrl: TEST_REDIS_URL });
  return { pub, sub, connect: () => sub.ready() };
}

const transports: Record<string, PairFactory> = {
  'zmq ipc': (b, d, p) => zmqPair(`ipc://${path.join(mkdtempSync(path.join(tmpdir(), 'arb-')), 'p.ipc')}`, b, d, p),
  'zmq tcp': (b, d, p) => zmqPair('tcp://127.0.0.1:*', b, d, p),
  redis: redisPair,
};

let open: Pair[] = [];
afterEach(async () => {
  for (const p of open) {
    await p.pub.close();
    await p.sub.close();
  }
  open = [];
});

/** Publishes until the subscriber hears something: PUB/SUB drops what it sends before the join. */
async function warmUp(pair: Pair, topic: string, got: RawEnvelope[]): Promise<void> {
  await eventually(() => {
    pair.pub.publish(topic, 'price', price('WARM', 0.5));
    return got.length > 0;
  }, 5000, 'subscription to join');
  await pair.pub.flush();
  await new Promise((r) => setTimeout(r, 50));
  got.length = 0;
}

/** A batching pair, connected, subscribed to `prefix` and warmed up: returns it and what it hears. */
async function warmBatchedPair(factory: PairFactory, prefix: string, batchMaxDelayMs?: number, pace?: { batchPaceMs: number; batchPaceBurst: number }): Promise<{ pair: Pair; envs: RawEnvelope[] }> {
  const pair = await factory(['prices.'], batchMaxDelayMs, pace);
  open.push(pair);
  const envs: RawEnvelope[] = [];
  pair.sub.onMessage((_t, env) => void envs.push(env));
  pair.sub.subscribe(prefix);
  await pair.connect();
  await warmUp(pair, Topic.price('kalshi', 'A'), envs);
  return { pair, envs };
}

describe.each(Object.keys(transports))('hot path round trip over %s', (name) => {
  it('delivers the envelope with topic, type, seq and timing intact', async () => {
    const pair = await transports[name]!();
    open.push(pair);
    const got: [string, RawEnvelope][] = [];
    const envs: RawEnvelope[] = [];
    pair.sub.onMessage((topic, env) => {
      got.push([topic, env]);
      envs.push(env);
    });
    pair.sub.subscribe('prices.kalshi.');
    await pair.connect();
    await warmUp(pair, Topic.price('kalshi', 'WARM'), envs);
    got.length = 0;

    const origin = 1_700_000_000_000_000;
    const id = pair.pub.publish(Topic.price('kalshi', 'KXNBA-1'), 'price', price('KXNBA-1', 0.41), { originTs: origin, cause: 'c1' });
    pair.pub.publish(Topic.price('poly', '123'), 'price', { ...price('123', 0.3), venue: 'poly' });
    await eventually(() => got.length >= 1);
    await new Promise((r) => setTimeout(r, 50));

    expect(got).toHaveLength(1); // the poly price is outside the prefix
    const [topic, env] = got[0]!;
    expect(topic).toBe('prices.kalshi.KXNBA-1');
    expect(env.id).toBe(id);
    expect(env.type).toBe('price');
    expect(env.src).toBe('test.0');
    expect(env.seq).toBe(1);
    expect(env.origin_ts).toBe(origin);
    expect(env.cause).toBe('c1');
    expect((env.data as PriceUpdate).yes_bid).toBe(0.41);
    expect(env.ts).toBeGreaterThan(origin);
    expect(pair.sub.metrics().gaps).toBe(0);
  });

  it('delivers batched messages to exact-topic subscribers', async () => {
    const { pair, envs } = await warmBatchedPair(transports[name]!, 'prices.kalshi.A');
    const batchedBefore = pair.pub.metrics().batched;
    for (let i = 0; i < 10; i++) pair.pub.publish(Topic.price('kalshi', i % 2 ? 'A' : 'B'), 'price', price('A', 0.5));
    await pair.pub.flush();
    await eventually(() => envs.length >= 5);
    await new Promise((r) => setTimeout(r, 50));
    expect(envs).toHaveLength(5);
    expect(pair.pub.metrics().batched - batchedBefore).toBe(10);
    expect(envs.every((e) => e.src === 'test.0')).toBe(true);
  });

  it('batchMaxDelayMs 0: what is published in one turn of the event loop goes out as one frame on the next', async () => {
    const { pair, envs } = await warmBatchedPair(transports[name]!, 'prices.kalshi.', 0);
    await new Promise((r) => setTimeout(r, 50));
    const framesBefore = pair.pub.metrics().sent_frames;
    const heardBefore = envs.length;
    for (let i = 0; i < 20; i++) pair.pub.publish(Topic.price('kalshi', `M${i}`), 'price', price(`M${i}`, 0.5));
    expect(pair.pub.metrics().sent_frames).toBe(framesBefore); // nothing sent in this turn
    await new Promise((r) => setImmediate(r));
    await pair.pub.flush();
    expect(pair.pub.metrics().sent_frames - framesBefore).toBe(1);
    await eventually(() => envs.length - heardBefore >= 20);
    expect(envs.slice(heardBefore).map((e) => (e.data as { market_id: string }).market_id)).toEqual(Array.from({ length: 20 }, (_, i) => `M${i}`));
  });

  it('batchPaceMs: batches go at once while under the pace (a burst allowed), then wait their turn and take what came meanwhile', async () => {
    // A long pace and a burst of 2, so a loaded machine cannot earn a token inside the test's steps.
    const { pair, envs } = await warmBatchedPair(transports[name]!, 'prices.kalshi.', 0, { batchPaceMs: 1_000, batchPaceBurst: 2 });
    await new Promise((r) => setTimeout(r, 2_100)); // quiet: the bucket is full again
    const framesBefore = pair.pub.metrics().sent_frames;
    const nextTurns = async () => {
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
    };
    for (let i = 1; i <= 2; i++) {
      pair.pub.publish(Topic.price('kalshi', `P${i}`), 'price', price(`P${i}`, 0.5));
      await nextTurns();
      expect(pair.pub.metrics().sent_frames - framesBefore).toBe(i); // each at once
    }
    const waitedFrom = performance.now();
    for (let i = 3; i <= 5; i++) pair.pub.publish(Topic.price('kalshi', `P${i}`), 'price', price(`P${i}`, 0.5));
    await nextTurns();
    expect(pair.pub.metrics().sent_frames - framesBefore).toBe(2); // over the pace: waits its turn
    await eventually(() => pair.pub.metrics().sent_frames - framesBefore === 3, 3_000, 'the paced frame');
    expect(performance.now() - waitedFrom).toBeGreaterThanOrEqual(500);
    await eventually(() => envs.length >= 5);
    expect(envs.map((e) => (e.data as { market_id: string }).market_id)).toEqual(['P1', 'P2', 'P3', 'P4', 'P5']);
  });
});
