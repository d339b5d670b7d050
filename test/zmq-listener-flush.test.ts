/**
 * zmq_listener batches its Redis writes: a partial batch waits up to LISTENER_FLUSH_MS for more
 * entries (one pipeline for many messages instead of one per tick), a full batch and a drain go
 * at once, and the price hash it writes is the same whichever way the entry got there.
 */
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/bus/bus-options.js';
import { parseEntryFields } from '../src/bus/slow-track.js';
import type { RawEnvelope } from '../src/core/envelope.js';
import { SlowKey } from '../src/core/slow-keys.js';
import { ZmqListener } from '../src/services/zmq-listener/zmq-listener-core.js';
import { RedisWriter } from '../src/services/zmq-listener/redis-writer.js';
import { PrivateRedis } from './helpers/private-redis.js';
import { eventually } from './helpers/redis.js';

let server: PrivateRedis;
let redis: Redis;
let writer: RedisWriter;
let bridge: ZmqListener | null = null;

beforeAll(async () => {
  server = await PrivateRedis.start();
  redis = server.client();
  writer = new RedisWriter({ redisUrl: server.url, writeMode: 'script', commandTimeoutMs: 5_000, retryMinMs: 20, retryMaxMs: 200, logger: silentLogger });
  writer.start();
  await new Promise<void>((resolve) => writer.onReady(resolve));
}, 20_000);

afterEach(async () => {
  bridge?.stop();
  bridge = null;
  await redis.flushall();
});

afterAll(async () => {
  await writer?.close();
  redis?.disconnect();
  await server?.stop();
});

function listener(flushMs: number, batchSize = 1_000): ZmqListener {
  bridge = new ZmqListener(writer, {
    limits: { pricesMaxLen: 100_000, gameEventsMaxLen: 100_000, signalsMaxLen: 100_000, mirrorMaxLen: 100_000 },
    bufferMax: 100_000,
    batchSize,
    maxInFlight: 4,
    flushMs,
    retryMinMs: 20,
    retryMaxMs: 200,
    logger: silentLogger,
  });
  return bridge;
}

const price = (seq: number): RawEnvelope => ({
  v: 1, type: 'price', id: `m${seq}`, src: 'kalshi_monitor.0', seq, ts: 1_000 + seq, origin_ts: 900 + seq,
  data: { venue: 'kalshi', market_id: `K${seq % 3}`, game_id: null, team: null, yes_bid: 0.4, yes_ask: 0.42, yes_bid_size: 1, yes_ask_size: 1, status: 'open' },
});

const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Enqueues `count` prices, each on its own event-loop turn (as ZMQ receives deliver them). */
async function feed(target: ZmqListener, count: number): Promise<void> {
  for (let seq = 1; seq <= count; seq++) {
    target.enqueue(`prices.kalshi.K${seq % 3}`, price(seq));
    await nextTick();
  }
}

describe('zmq_listener write batching', () => {
  it('flushes on every turn without a flush interval', async () => {
    const bridge = listener(0);
    await feed(bridge, 20);
    await eventually(() => bridge.metrics().mirrored === 20, 5_000, 'all mirrored');
    expect(bridge.metrics().pipelines).toBeGreaterThan(1);
  });

  it('collects a partial batch for the flush interval into one pipeline', async () => {
    const bridge = listener(1_000);
    await feed(bridge, 20);
    await eventually(() => bridge.metrics().mirrored === 20, 5_000, 'all mirrored');
    expect(bridge.metrics().pipelines).toBe(1);
    expect(await redis.xlen(SlowKey.pricesStream('kalshi'))).toBe(20);
    // One latest write per market, the newest of each.
    const latest = parseEntryFields(await redis.hgetall(SlowKey.latestPrice('kalshi', 'K2')));
    expect(latest?.envelope.seq).toBe(20);
    expect(await redis.hget(SlowKey.latestPrice('kalshi', 'K2'), 'yes_bid')).toBe('0.4');
  });

  it('writes a full batch at once, without waiting for the interval', async () => {
    const bridge = listener(60_000, 10);
    await feed(bridge, 10);
    await eventually(() => bridge.metrics().mirrored === 10, 5_000, 'the full batch mirrored');
    expect(await redis.xlen(SlowKey.pricesStream('kalshi'))).toBe(10);
  });

  it('drain writes a partial batch at once', async () => {
    const bridge = listener(60_000);
    await feed(bridge, 5);
    expect(bridge.metrics().mirrored).toBe(0);
    expect(await bridge.drain(5_000)).toBe(true);
    expect(await redis.xlen(SlowKey.pricesStream('kalshi'))).toBe(5);
    // After the drain, the interval applies again.
    await feed(bridge, 3);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(bridge.metrics().mirrored).toBe(5);
  });
});
