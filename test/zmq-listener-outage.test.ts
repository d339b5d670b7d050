/**
 * zmq_listener when Redis goes away: a private redis-server is SIGKILLed while messages keep
 * flowing on the hot path; the listener must buffer them (bounded, oldest dropped and counted),
 * stay up, and backfill them in order once redis-server is back on the same port.
 */
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { HotPublisher } from '../src/bus/hot-publisher.js';
import type { PriceUpdate } from '../src/core/messages.js';
import { sleep } from '../src/core/time.js';
import { Topic } from '../src/core/topics.js';
import { eventually } from './helpers/redis.js';
import { PrivateRedis } from './helpers/private-redis.js';
import {
  fieldsOf,
  gameInfo,
  tradeSignal,
  metricsOf,
  startListener,
  startPublisher,
  stopNode,
  warmUp,
  type TestNode,
  type TestPublisher,
} from './zmq-listener-harness.js';

const quote = (marketId: string, i: number): PriceUpdate => ({
  venue: 'kalshi',
  market_id: marketId,
  game_id: null,
  team: null,
  yes_bid: (i % 90) / 100,
  yes_ask: (i % 90) / 100 + 0.01,
  yes_bid_size: i,
  yes_ask_size: 1,
  status: 'open',
});

async function publishPaced(publisher: HotPublisher, marketId: string, count: number, perChunk = 250, everyMs = 5): Promise<void> {
  for (let i = 1; i <= count; i++) {
    publisher.publish(Topic.price('kalshi', marketId), 'price', quote(marketId, i));
    if (i % perChunk === 0) await sleep(everyMs);
  }
  await publisher.flush();
}

/** Seqs of one topic found in a stream, in stream order. */
async function seqsInStream(redis: Redis, stream: string, topic: string): Promise<number[]> {
  const out: number[] = [];
  let start = '-';
  for (;;) {
    const page = await redis.xrange(stream, start, '+', 'COUNT', 5_000);
    for (const [, pairs] of page) {
      const f = fieldsOf(pairs);
      if (f.topic === topic) out.push(Number(f.seq));
    }
    if (page.length < 5_000) return out;
    start = `(${page.at(-1)![0]}`;
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Waits until the listener has written everything it heard, including late warm-up messages. */
async function settled(node: TestNode): Promise<void> {
  const idle = () => {
    const m = metricsOf(node);
    return m['bridge.buffered'] === 0 && m['bridge.in_flight'] === 0 && m['bridge.latest_pending'] === 0;
  };
  await eventually(idle, 10_000, 'listener idle');
  await sleep(100);
  await eventually(idle, 10_000, 'listener idle');
}

let server: PrivateRedis | null = null;
let redis: Redis | null = null;
let listener: TestNode | null = null;
let pub: TestPublisher | null = null;

afterEach(async () => {
  await stopNode(pub);
  await stopNode(listener);
  redis?.disconnect();
  await server?.stop();
  pub = listener = redis = server = null;
});

async function setUp(
  listenerEnv: NodeJS.ProcessEnv,
  durable = false,
): Promise<{ server: PrivateRedis; redis: Redis; listener: TestNode; pub: TestPublisher }> {
  server = await PrivateRedis.start({ durable });
  redis = server.client();
  listener = await startListener(server.url, {
    LISTENER_RETRY_MIN_MS: '20',
    LISTENER_RETRY_MAX_MS: '200',
    LISTENER_PRICES_MAXLEN: '1000000',
    ...listenerEnv,
  });
  pub = await startPublisher(server.url);
  await warmUp(pub.publisher, redis);
  await settled(listener);
  return { server, redis, listener, pub };
}

describe('zmq_listener without Redis', () => {
  it('mirrors 20k paced messages with no seq missing', async () => {
    const { redis, listener, pub } = await setUp({});
    const markets = ['Z0', 'Z1', 'Z2', 'Z3'];
    await Promise.all(markets.map((m) => publishPaced(pub.publisher, m, 5_000, 100, 2)));
    for (const m of markets) {
      await eventually(async () => (await redis.hget(`price:kalshi:${m}`, 'seq')) === '5000', 20_000, `${m} complete`);
    }
    await eventually(() => metricsOf(listener)['bridge.buffered'] === 0 && metricsOf(listener)['bridge.in_flight'] === 0, 10_000, 'idle');
    for (const m of markets) expect(await seqsInStream(redis, 'prices:kalshi', `prices.kalshi.${m}`)).toEqual(range(1, 5_000));
    const m = metricsOf(listener);
    expect(m['sub.gaps']).toBe(0);
    expect(m['bridge.dropped']).toBe(0);
    expect(m['bridge.mirrored']).toBe(m['bridge.received']);
  }, 60_000);

  it('buffers through a Redis crash and backfills every message in order', async () => {
    const { server, redis, listener, pub } = await setUp({});
    await publishPaced(pub.publisher, 'BEFORE', 1_000);
    await eventually(async () => (await redis.hget('price:kalshi:BEFORE', 'seq')) === '1000', 10_000, 'before-outage messages');
    await settled(listener);
    const receivedBefore = metricsOf(listener)['bridge.received']!;

    await server.kill();
    await publishPaced(pub.publisher, 'DURING', 5_000);
    pub.publisher.publish(Topic.game('nhl', 'g77'), 'game_info', gameInfo('nhl', 'g77'));
    pub.publisher.publish(Topic.tradeSignal('s77'), 'trade_signal', tradeSignal('s77'));
    await pub.publisher.flush();
    await eventually(() => metricsOf(listener)['bridge.received'] === receivedBefore + 5_002, 10_000, 'outage messages received');
    let m = metricsOf(listener);
    expect(m['bridge.redis_up']).toBe(0);
    expect(m['bridge.buffered']).toBe(5_002);
    expect(m['bridge.dropped']).toBe(0);
    // Still down a while later: nothing lost, nothing crashed, the buffer holds.
    await sleep(500);
    expect(metricsOf(listener)['bridge.buffered']).toBe(5_002);

    await server.restart();
    await eventually(async () => (await redis.hget('price:kalshi:DURING', 'seq')) === '5000', 15_000, 'backfill');
    await eventually(() => metricsOf(listener)['bridge.buffered'] === 0 && metricsOf(listener)['bridge.in_flight'] === 0, 10_000, 'idle');
    // The restarted server has no persistence: only what the bridge backfilled is there, in order.
    expect(await seqsInStream(redis, 'prices:kalshi', 'prices.kalshi.DURING')).toEqual(range(1, 5_000));
    expect(await seqsInStream(redis, 'prices:kalshi', 'prices.kalshi.BEFORE')).toEqual([]);
    expect(JSON.parse((await redis.get('games:nhl:g77'))!)).toMatchObject({ type: 'game_info', data: { game_id: 'g77', sport: 'nhl' } });
    expect(await redis.xlen('signals:trades')).toBe(1);
    m = metricsOf(listener);
    expect(m['bridge.outages']).toBe(1);
    expect(m['bridge.redis_up']).toBe(1);
    expect(m['bridge.dropped']).toBe(0);
    expect(m['bridge.buffered_peak']).toBeGreaterThanOrEqual(5_002);
    expect(m['bridge.mirrored']).toBe(m['bridge.received']);

    // And the hot path keeps flowing into the new server once the registry is rebuilt.
    await warmUp(pub.publisher, redis, 'after');
    await publishPaced(pub.publisher, 'AFTER', 1_000);
    await eventually(async () => (await redis.hget('price:kalshi:AFTER', 'seq')) === '1000', 10_000, 'after-outage messages');
    expect(await seqsInStream(redis, 'prices:kalshi', 'prices.kalshi.AFTER')).toEqual(range(1, 1_000));
  }, 60_000);

  it('drops the oldest entries beyond its bound, counts them, and backfills the rest', async () => {
    const { server, redis, listener, pub } = await setUp({ LISTENER_BUFFER_MAX: '1000' });
    const receivedBefore = metricsOf(listener)['bridge.received']!;
    await server.kill();
    await publishPaced(pub.publisher, 'BOUND', 3_000);
    await eventually(() => metricsOf(listener)['bridge.received'] === receivedBefore + 3_000, 10_000, 'all received');
    let m = metricsOf(listener);
    expect(m['bridge.buffered']).toBe(1_000);
    expect(m['bridge.dropped']).toBe(2_000);
    expect(m['bridge.latest_pending']).toBe(1);

    await server.restart();
    await eventually(async () => (await redis.hget('price:kalshi:BOUND', 'seq')) === '3000', 15_000, 'backfill');
    await eventually(() => metricsOf(listener)['bridge.buffered'] === 0, 10_000, 'drained');
    expect(await seqsInStream(redis, 'prices:kalshi', 'prices.kalshi.BOUND')).toEqual(range(2_001, 3_000));
    m = metricsOf(listener);
    expect(m['bridge.dropped']).toBe(2_000);
    expect(m['bridge.mirrored']! + m['bridge.dropped']!).toBe(m['bridge.received']);
    await eventually(async () => (await redis.hget('bridge:status', 'bridge.dropped')) === '2000', 5_000, 'status hash shows the drops');
  }, 60_000);

  it('loses nothing when Redis crashes in the middle of flushes under load', async () => {
    // A durable server (AOF, fsync always): whatever Redis acknowledged survives the SIGKILL, so
    // every seq must be there afterwards. Flushes in flight at the kill are retried; one whose
    // reply was lost was applied, and its retry is skipped by the dedupe marks: exactly once.
    const { server, redis, listener, pub } = await setUp({ LISTENER_BATCH_SIZE: '200' }, true);
    const total = 30_000;
    const publishing = publishPaced(pub.publisher, 'LOAD', total, 100, 10);
    await eventually(async () => Number((await redis.hget('price:kalshi:LOAD', 'seq')) ?? 0) > 5_000, 10_000, 'flow under way');
    await server.kill();
    await sleep(700);
    await server.restart();
    await publishing;
    await eventually(async () => (await redis.hget('price:kalshi:LOAD', 'seq')) === String(total), 20_000, 'all mirrored');
    await settled(listener);
    const seqs = await seqsInStream(redis, 'prices:kalshi', 'prices.kalshi.LOAD');
    const m = metricsOf(listener);
    expect(m['sub.gaps']).toBe(0);
    expect(seqs).toEqual(range(1, total));
    expect(m['bridge.outages']).toBe(1);
    expect(m['bridge.dropped']).toBe(0);
  }, 60_000);
});
