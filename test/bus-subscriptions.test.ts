/**
 * Subscription changes on a live subscriber, over ZMQ and Redis: overlapping prefixes deliver
 * once, unsubscribing stops delivery, and batched messages keep flowing to an exact-topic
 * subscription whatever broader prefixes came and went around it.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawEnvelope } from '../src/core/envelope.js';
import type { HotPublisher } from '../src/bus/hot-publisher.js';
import type { HotSubscriber } from '../src/bus/hot-subscriber.js';
import { RedisPublisher } from '../src/bus/redis-publisher.js';
import { RedisSubscriber } from '../src/bus/redis-subscriber.js';
import { ZmqPublisher } from '../src/bus/zmq-publisher.js';
import { ZmqSubscriber } from '../src/bus/zmq-subscriber.js';
import { eventually, TEST_REDIS_URL } from './helpers/redis.js';

interface Pair {
  pub: HotPublisher;
  sub: HotSubscriber;
  ready(): Promise<void>;
}

async function zmqPair(batchPrefixes: string[]): Promise<Pair> {
  const pub = await ZmqPublisher.create({ src: `subs.${randomBytes(3).toString('hex')}`, bindAddress: 'tcp://127.0.0.1:*', batchPrefixes });
  const sub = new ZmqSubscriber({ validate: false });
  sub.connect(pub.endpoint!);
  return { pub, sub, ready: async () => {} };
}

async function redisPair(batchPrefixes: string[]): Promise<Pair> {
  const pub = new RedisPublisher({ src: `subs.${randomBytes(3).toString('hex')}`, redisUrl: TEST_REDIS_URL, batchPrefixes });
  const sub = new RedisSubscriber({ redisUrl: TEST_REDIS_URL, validate: false });
  return { pub, sub, ready: () => sub.ready() };
}

let open: Pair[] = [];
afterEach(async () => {
  for (const p of open) {
    await p.pub.close();
    await p.sub.close();
  }
  open = [];
});

describe.each([
  ['zmq', zmqPair],
  ['redis', redisPair],
] as const)('subscriptions over %s', (_name, makePair) => {
  // A topic family of its own: Redis channels are shared with every other test file.
  const fam = `s${randomBytes(4).toString('hex')}`;
  const A = `${fam}.kalshi.A`;
  const B = `${fam}.kalshi.B`;
  // The marker lives in another family, so its batch subscription cannot mask the ones under test.
  const markFam = `${fam}x.mark.`;
  const marker = `${markFam}M`;

  async function setUp(batched: boolean): Promise<{ pair: Pair; got: [string, RawEnvelope][] }> {
    const pair = await makePair(batched ? [`${fam}.kalshi.`] : []);
    open.push(pair);
    const got: [string, RawEnvelope][] = [];
    pair.sub.onMessage((t, e) => void got.push([t, e]));
    pair.sub.subscribe(markFam);
    await pair.ready();
    await eventually(() => {
      pair.pub.publishRaw(marker, 'price', {});
      return got.length > 0;
    }, 10_000, 'subscription');
    await pair.pub.flush();
    await new Promise((r) => setTimeout(r, 50));
    got.length = 0;
    return { pair, got };
  }

  /** Publishes A and B, then a marker; returns the topics heard before the marker arrived. */
  async function roundOf(pair: Pair, got: [string, RawEnvelope][]): Promise<string[]> {
    got.length = 0;
    pair.pub.publishRaw(A, 'price', {});
    pair.pub.publishRaw(B, 'price', {});
    await pair.pub.flush();
    pair.pub.publishRaw(marker, 'price', {});
    await eventually(() => got.some(([t]) => t === marker), 10_000, 'the marker');
    await new Promise((r) => setTimeout(r, 30));
    return got.map(([t]) => t).filter((t) => t !== marker).sort();
  }

  const settle = async (pair: Pair) => {
    await pair.ready();
    await new Promise((r) => setTimeout(r, 100)); // ZMQ subscriptions travel to the publisher
  };

  it.each([false, true])('overlapping prefixes deliver once, and unsubscribing stops delivery (batched: %s)', async (batched) => {
    const { pair, got } = await setUp(batched);
    pair.sub.subscribe(`${fam}.`);
    pair.sub.subscribe(`${fam}.kalshi.`);
    pair.sub.subscribe(A);
    await settle(pair);
    expect(await roundOf(pair, got)).toEqual([A, B]);

    pair.sub.unsubscribe(`${fam}.`);
    pair.sub.unsubscribe(`${fam}.kalshi.`);
    await settle(pair);
    expect(await roundOf(pair, got)).toEqual([A]);

    pair.sub.unsubscribe(A);
    await settle(pair);
    expect(await roundOf(pair, got)).toEqual([]);
  });

  it.each([false, true])('an exact topic still hears its messages after a broader prefix is dropped (batched: %s)', async (batched) => {
    const { pair, got } = await setUp(batched);
    pair.sub.subscribe('');
    pair.sub.subscribe(A);
    await settle(pair);
    expect(await roundOf(pair, got)).toEqual([A, B]);

    pair.sub.unsubscribe('');
    await settle(pair);
    expect(await roundOf(pair, got)).toEqual([A]);
  });

  it.each([false, true])('an exact-topic subscription ignores topics it is merely a prefix of (batched: %s)', async (batched) => {
    const { pair, got } = await setUp(batched);
    const longer = `${A}1`;
    pair.sub.subscribeTopic(A);
    await settle(pair);
    got.length = 0;
    pair.pub.publishRaw(longer, 'price', {});
    pair.pub.publishRaw(A, 'price', {});
    await pair.pub.flush();
    pair.pub.publishRaw(marker, 'price', {});
    await eventually(() => got.some(([t]) => t === marker), 10_000, 'the marker');
    await new Promise((r) => setTimeout(r, 30));
    expect(got.map(([t]) => t).filter((t) => t !== marker)).toEqual([A]);

    pair.sub.unsubscribeTopic(A);
    await settle(pair);
    expect(await roundOf(pair, got)).toEqual([]);
  });
});
