/**
 * zmq_listener mirrors each message exactly once (issue 15, point 2), on a private redis-server:
 * - a write that timed out but was applied (the server SIGSTOPped past the client's command
 *   timeout, then SIGCONTed, so the timed-out write and all its retries land) is in the stream
 *   once;
 * - a stale latest-state write (an older message of the same publisher boot) never replaces a
 *   newer one; a restarted publisher (new boot id, seqs from 1) replaces it;
 * - the dedupe marks live in Redis, so a second listener instance replaying the same entries
 *   appends nothing, and they stay bounded (generations);
 * - end to end with real ZMQ: invalid messages are counted and not mirrored, and a publisher
 *   that restarts under the same name is mirrored from its seq 1 again.
 */
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/bus/bus-options.js';
import type { RawEnvelope } from '../src/core/envelope.js';
import type { PriceUpdate } from '../src/core/messages.js';
import { SlowKey } from '../src/core/slow-keys.js';
import { sleep } from '../src/core/time.js';
import { Topic } from '../src/core/topics.js';
import { RedisWriter } from '../src/services/zmq-listener/redis-writer.js';
import { routeTopic, type MirrorLimits } from '../src/services/zmq-listener/mirror-rules.js';
import { ZmqListener } from '../src/services/zmq-listener/zmq-listener-core.js';
import type { MirrorItem } from '../src/services/zmq-listener/redis-writer.js';
import type { LatestEntry } from '../src/services/zmq-listener/latest-table.js';
import { PrivateRedis } from './helpers/private-redis.js';
import { eventually } from './helpers/redis.js';
import {
  fieldsOf,
  gameInfo,
  metricsOf,
  startListener,
  startPublisher,
  stopNode,
  tradeSignal,
  warmUp,
  type TestNode,
  type TestPublisher,
} from './zmq-listener-harness.js';

const limits: MirrorLimits = { pricesMaxLen: 1_000_000, gameEventsMaxLen: 1_000_000, signalsMaxLen: 1_000_000, mirrorMaxLen: 1_000_000 };

const quote = (marketId: string, bid: number): PriceUpdate => ({
  venue: 'kalshi', market_id: marketId, game_id: null, team: null, yes_bid: bid, yes_ask: bid + 0.01, yes_bid_size: 1, yes_ask_size: 1, status: 'open',
});

/** An envelope as HotPublisher mints it: id = boot id (8 hex) + message count in base 36. */
const priceEnvelope = (boot: string, marketId: string, seq: number, src = 'kalshi_monitor.0'): RawEnvelope => ({
  v: 1, type: 'price', id: `${boot}${seq.toString(36)}`, src, seq, ts: 1_000 + seq, origin_ts: 1_000 + seq, data: quote(marketId, (seq % 90) / 100),
});

async function seqsInStream(redis: Redis, stream: string, topic: string): Promise<number[]> {
  const entries = await redis.xrange(stream, '-', '+');
  return entries.map(([, pairs]) => fieldsOf(pairs)).filter((f) => f.topic === topic).map((f) => Number(f.seq));
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

let server: PrivateRedis | null = null;
let redis: Redis | null = null;
const writers: RedisWriter[] = [];
const bridges: ZmqListener[] = [];
const nodes: TestNode[] = [];

afterEach(async () => {
  const pid = server?.pid;
  if (pid) process.kill(pid, 'SIGCONT');
  for (const b of bridges.splice(0)) b.stop();
  for (const w of writers.splice(0)) await w.close();
  for (const n of nodes.splice(0).reverse()) await stopNode(n);
  redis?.disconnect();
  await server?.stop();
  server = redis = null;
});

async function newWriter(url: string, commandTimeoutMs = 5_000, seenMax?: number): Promise<RedisWriter> {
  const writer = new RedisWriter({
    redisUrl: url, writeMode: 'script', commandTimeoutMs, retryMinMs: 20, retryMaxMs: 100, logger: silentLogger,
    ...(seenMax !== undefined ? { seenMax } : {}),
  });
  writers.push(writer);
  writer.start();
  await new Promise<void>((resolve) => writer.onReady(resolve));
  return writer;
}

function newBridge(writer: RedisWriter): ZmqListener {
  const bridge = new ZmqListener(writer, { limits, bufferMax: 100_000, batchSize: 100, maxInFlight: 4, retryMinMs: 20, retryMaxMs: 100, logger: silentLogger });
  bridges.push(bridge);
  return bridge;
}

const item = (e: RawEnvelope, topic = `prices.kalshi.${(e.data as PriceUpdate).market_id}`): MirrorItem & LatestEntry => {
  const route = routeTopic(topic, limits);
  return { topic, envelope: e, route, target: route.latest!, fields: undefined };
};

describe('zmq_listener exactly-once writes', () => {
  it('appends a write that timed out but was applied exactly once, however often it was retried', async () => {
    server = await PrivateRedis.start();
    redis = server.client();
    const bridge = newBridge(await newWriter(server.url, 100));
    for (let seq = 1; seq <= 50; seq++) bridge.enqueue('prices.kalshi.STALL', priceEnvelope('0badc0de', 'STALL', seq));
    expect(await bridge.drain(5_000)).toBe(true);

    // The server stalls: every write of the next entries times out on the client (100 ms),
    // which retries with backoff; all of them are queued in the server's socket meanwhile.
    process.kill(server.pid!, 'SIGSTOP');
    for (let seq = 51; seq <= 300; seq++) bridge.enqueue('prices.kalshi.STALL', priceEnvelope('0badc0de', 'STALL', seq));
    await eventually(() => bridge.metrics().pipeline_failures >= 3, 10_000, 'several timed-out flushes');
    process.kill(server.pid!, 'SIGCONT');
    expect(await bridge.drain(10_000)).toBe(true);

    const m = bridge.metrics();
    expect(m.retried).toBeGreaterThan(0);
    expect(m.duplicates).toBeGreaterThan(0);
    expect(await seqsInStream(redis, 'prices:kalshi', 'prices.kalshi.STALL')).toEqual(range(1, 300));
    expect(await redis.hget('price:kalshi:STALL', 'seq')).toBe('300');
    expect(await redis.hget(SlowKey.bridgeSeen('prices:kalshi'), 'kalshi_monitor.0|prices.kalshi.STALL')).toBe('300 0badc0de');
  }, 30_000);

  it('appends an entry Redis refused to run (OOM) even when a later one of its market got in first', async () => {
    server = await PrivateRedis.start();
    redis = server.client();
    const writer = await newWriter(server.url);
    await writer.write(range(1, 3).map((seq) => item(priceEnvelope('0badc0de', 'OOM', seq))), []);
    await redis.config('SET', 'maxmemory', '1000');
    const refused = await writer.write([item(priceEnvelope('0badc0de', 'OOM', 4))], []);
    expect(refused.retry).toHaveLength(1);
    expect(refused.error?.message).toMatch(/^OOM/);
    await redis.config('SET', 'maxmemory', '0');
    // Seq 5 lands before the retry of seq 4 (e.g. another flush in flight at the time).
    await writer.write([item(priceEnvelope('0badc0de', 'OOM', 5))], []);
    const retried = await writer.write(refused.retry, []);
    expect(retried).toMatchObject({ written: 1, duplicates: 0 });
    // The mark stays at 5: a repeat of 4 or 5 is still skipped.
    const again = await writer.write([4, 5].map((seq) => item(priceEnvelope('0badc0de', 'OOM', seq))), []);
    expect(again.duplicates).toBe(2);
    expect(await seqsInStream(redis, 'prices:kalshi', 'prices.kalshi.OOM')).toEqual([1, 2, 3, 5, 4]);
  }, 30_000);

  it('never rolls the latest price or game back with a stale write, and takes a restarted publisher', async () => {
    server = await PrivateRedis.start();
    redis = server.client();
    const writer = await newWriter(server.url);
    const newer = item(priceEnvelope('0badc0de', 'LATE', 7));
    const stale = item(priceEnvelope('0badc0de', 'LATE', 5));
    let out = await writer.write([], [newer]);
    expect(out.latestWritten - out.latestStale).toBe(1);
    // The stale write lands after the newer one (a retry on another connection): skipped.
    out = await writer.write([], [stale]);
    expect(out).toMatchObject({ latestWritten: 1, latestStale: 1 });
    expect(await redis.hget('price:kalshi:LATE', 'seq')).toBe('7');
    // Another publisher, or the same one after a restart (new boot, seq 1): replaces it.
    out = await writer.write([], [item(priceEnvelope('feedf00d', 'LATE', 1))]);
    expect(out.latestStale).toBe(0);
    expect(await redis.hmget('price:kalshi:LATE', 'seq', 'id')).toEqual(['1', 'feedf00d1']);
    out = await writer.write([], [item(priceEnvelope('feedf00d', 'LATE', 2, 'kalshi_monitor.1'))]);
    expect(await redis.hget('price:kalshi:LATE', 'src')).toBe('kalshi_monitor.1');

    // The latest game key (a JSON string) is guarded the same way.
    const game = (boot: string, seq: number, event: 'discovered' | 'updated'): LatestEntry => {
      const topic = Topic.game('nba', 'g9');
      const e: RawEnvelope = { v: 1, type: 'game_info', id: `${boot}${seq}`, src: 'orchestrator.0', seq, ts: seq, origin_ts: seq, data: gameInfo('nba', 'g9', event) };
      return { topic, envelope: e, target: routeTopic(topic, limits).latest!, fields: undefined };
    };
    await writer.write([], [game('0badc0de', 4, 'updated')]);
    out = await writer.write([], [game('0badc0de', 3, 'discovered')]);
    expect(out.latestStale).toBe(1);
    expect(JSON.parse((await redis.get('games:nba:g9'))!)).toMatchObject({ seq: 4, data: { event: 'updated' } });
    expect(await redis.ttl('games:nba:g9')).toBeGreaterThan(86_000);
    await writer.write([], [game('feedf00d', 1, 'discovered')]);
    expect(JSON.parse((await redis.get('games:nba:g9'))!)).toMatchObject({ seq: 1, id: 'feedf00d1' });
  }, 30_000);

  it('keeps its marks in Redis: another listener replaying the same entries appends nothing; a new boot appends', async () => {
    server = await PrivateRedis.start();
    redis = server.client();
    const entries = range(1, 20).map((seq) => item(priceEnvelope('0badc0de', 'REPLAY', seq)));
    const first = await (await newWriter(server.url)).write(entries, []);
    expect(first).toMatchObject({ written: 20, duplicates: 0 });
    const again = await (await newWriter(server.url)).write(entries, []);
    expect(again).toMatchObject({ written: 20, duplicates: 20, retry: [] });
    // Seqs heard twice inside one batch, and a publisher restart in the middle of it.
    const mixed = [3, 21, 21, 22, 1].map((seq) => item(priceEnvelope(seq === 1 ? 'feedf00d' : '0badc0de', 'REPLAY', seq)));
    const out = await writers[1]!.write(mixed, []);
    expect(out.duplicates).toBe(2);
    expect(await seqsInStream(redis, 'prices:kalshi', 'prices.kalshi.REPLAY')).toEqual([...range(1, 22), 1]);
  }, 30_000);

  it('bounds its marks with generations and still dedupes across a rotation', async () => {
    server = await PrivateRedis.start();
    redis = server.client();
    const writer = await newWriter(server.url, 5_000, 4);
    const batch = (seq: number) => range(0, 5).map((m) => item(priceEnvelope('0badc0de', `GEN${m}`, seq)));
    await writer.write(batch(1), []);
    expect(await redis.exists(SlowKey.bridgeSeenPrevious('prices:kalshi'))).toBe(1);
    expect(await redis.hlen(SlowKey.bridgeSeen('prices:kalshi'))).toBe(0);
    const replay = await writer.write(batch(1), []);
    expect(replay.duplicates).toBe(6);
    await writer.write(batch(2), []);
    await writer.write(batch(2), []);
    expect(await redis.xlen('prices:kalshi')).toBe(12);
    const marks = (await redis.hlen(SlowKey.bridgeSeen('prices:kalshi'))) + (await redis.hlen(SlowKey.bridgeSeenPrevious('prices:kalshi')));
    expect(marks).toBeLessThanOrEqual(2 * 6);
  }, 30_000);
});

describe('zmq_listener over the hot path', () => {
  async function setUp(): Promise<{ listener: TestNode; pub: TestPublisher }> {
    server = await PrivateRedis.start();
    redis = server.client();
    const listener = await startListener(server.url, { LISTENER_RETRY_MIN_MS: '20', LISTENER_RETRY_MAX_MS: '200' });
    nodes.push(listener);
    const pub = await startPublisher(server.url, { ARBEES_INSTANCE: 'same' });
    nodes.push(pub);
    await warmUp(pub.publisher, redis);
    return { listener, pub };
  }

  it('counts invalid messages in its heartbeat metrics and mirrors none of them', async () => {
    const { listener, pub } = await setUp();
    const p = pub.publisher;
    p.publishRaw(Topic.tradeSignal('bad1'), 'no_such_type', { signal_id: 'bad1' });
    p.publishRaw(Topic.tradeSignal('bad2'), 'trade_signal', { signal_id: 'bad2' });
    p.publish(Topic.tradeSignal('bad3'), 'price', quote('KXA', 0.5));
    p.publishRaw(Topic.price('kalshi', 'BAD'), 'price', { ...quote('BAD', 0.5), yes_ask: 7 });
    p.publish(Topic.tradeSignal('good'), 'trade_signal', tradeSignal('good'));
    await p.flush();
    await eventually(async () => (await redis!.xlen('signals:trades')) >= 1, 10_000, 'the valid signal');
    await eventually(() => metricsOf(listener)['bridge.invalid'] === 4, 5_000, 'invalid counted');
    const signals = (await redis!.xrange('signals:trades', '-', '+')).map(([, f]) => fieldsOf(f));
    expect(signals.map((s) => [s.topic, s.type])).toEqual([['signals.trade.good', 'trade_signal']]);
    expect(await redis!.exists('price:kalshi:BAD')).toBe(0);
    expect(await redis!.exists('prices:kalshi')).toBe(0);
    const m = metricsOf(listener);
    expect(m['bridge.mirrored']! + m['bridge.invalid']!).toBe(m['bridge.received']);
    await eventually(async () => (await redis!.hget(SlowKey.bridgeStatus, 'bridge.invalid')) === '4', 5_000, 'status hash shows it');
  }, 40_000);

  it('mirrors a publisher that restarted under the same name from its seq 1 again', async () => {
    const { listener, pub } = await setUp();
    const topic = Topic.price('kalshi', 'RESTART');
    for (let i = 1; i <= 5; i++) pub.publisher.publish(topic, 'price', quote('RESTART', i / 100));
    await pub.publisher.flush();
    await eventually(async () => (await redis!.hget('price:kalshi:RESTART', 'seq')) === '5', 10_000, 'first boot mirrored');
    const firstId = await redis!.hget('price:kalshi:RESTART', 'id');
    await stopNode(nodes.pop());

    const again = await startPublisher(server!.url, { ARBEES_INSTANCE: 'same' });
    nodes.push(again);
    expect(again.publisher.src).toBe(pub.publisher.src);
    await warmUp(again.publisher, redis!, 'again');
    for (let i = 1; i <= 3; i++) again.publisher.publish(topic, 'price', quote('RESTART', i / 10));
    await again.publisher.flush();
    await eventually(async () => (await redis!.xlen('prices:kalshi')) === 8, 10_000, 'second boot mirrored');
    expect(await seqsInStream(redis!, 'prices:kalshi', topic)).toEqual([1, 2, 3, 4, 5, 1, 2, 3]);
    const hash = await redis!.hmget('price:kalshi:RESTART', 'seq', 'id', 'yes_bid');
    expect(hash[0]).toBe('3');
    expect(hash[1]!.slice(0, 8)).not.toBe(firstId!.slice(0, 8));
    expect(hash[2]).toBe('0.3');
    await sleep(100);
    expect(metricsOf(listener)['bridge.duplicates']).toBe(0);
  }, 40_000);
});
