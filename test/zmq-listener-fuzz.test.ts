/**
 * The bridge never trusts what the hot path hands it (it subscribes with validation off and
 * checks each message itself): arbitrary topics and arbitrary envelope data (unicode, BigInt,
 * NaN, deep nesting), mixed with valid prices whose src/boot/seq repeat, are fed through the
 * real bridge and writer into a private Redis. Nothing may throw; every message is either
 * counted invalid or mirrored; a valid one lands in its stream unless a model of the dedupe
 * rule (same publisher stream and boot, seq not above the last appended) says it is a repeat;
 * and no key outside the bridge's own may ever be written.
 */
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/bus/bus-options.js';
import type { RawEnvelope } from '../src/core/envelope.js';
import { ZmqListener } from '../src/services/zmq-listener/zmq-listener-core.js';
import { RedisWriter } from '../src/services/zmq-listener/redis-writer.js';
import { checkMirrorable, publisherBoot } from '../src/services/zmq-listener/mirror-check.js';
import { routeTopic, type MirrorLimits } from '../src/services/zmq-listener/mirror-rules.js';
import { PrivateRedis } from './helpers/private-redis.js';

const ALLOWED_KEY = /^(prices:(kalshi|poly)|price:(kalshi|poly):.+|games:events|games:[a-z]+:.+|signals:trades|mirror:.+|bridge:seen(_prev)?:(prices:(kalshi|poly)|games:events|signals:trades|mirror:.+))$/;
const limits: MirrorLimits = { pricesMaxLen: 1_000_000, gameEventsMaxLen: 1_000_000, signalsMaxLen: 1_000_000, mirrorMaxLen: 1_000_000 };

const topicArb = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc
    .tuple(fc.constantFrom('prices.kalshi.', 'prices.poly.', 'games.nba.', 'games.xfl.', 'signals.', 'orderbook.poly.', 'trades.completed.', 'positions.', 'positions:open.', 'registry.x.'), fc.string({ maxLength: 20 }))
    .map(([a, b]) => a + b),
);

const valueArb = fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.double(), fc.integer(), fc.bigInt(), fc.boolean(), fc.constant(null));
const dataArb = fc.oneof(
  fc.dictionary(fc.string({ maxLength: 10 }), valueArb, { maxKeys: 12 }),
  fc.object({ maxDepth: 3, values: [valueArb] }),
  fc.array(valueArb, { maxLength: 5 }),
);

const envelopeArb = fc.record({
  v: fc.integer({ min: 0, max: 3 }),
  type: fc.string({ maxLength: 20 }),
  id: fc.string({ maxLength: 30 }),
  src: fc.string({ maxLength: 30 }),
  seq: fc.nat(),
  ts: fc.nat(),
  origin_ts: fc.nat(),
  cause: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
  data: dataArb,
});

/** Valid prices from a few publishers, boots and seqs, so repeats and restarts happen. */
const validPriceArb = fc
  .record({
    market: fc.constantFrom('F1', 'F2'),
    src: fc.constantFrom('kalshi_monitor.0', 'kalshi_monitor.1'),
    boot: fc.constantFrom('0badc0de', 'feedf00d'),
    seq: fc.integer({ min: 1, max: 6 }),
  })
  .map(({ market, src, boot, seq }): [string, RawEnvelope] => [
    `prices.kalshi.${market}`,
    {
      v: 1, type: 'price', id: `${boot}${seq.toString(36)}`, src, seq, ts: seq, origin_ts: seq,
      data: { venue: 'kalshi', market_id: market, game_id: null, team: null, yes_bid: 0.5, yes_ask: 0.6, yes_bid_size: 1, yes_ask_size: 1, status: 'open' },
    },
  ]);

/** The dedupe rule of mirror-scripts.ts, in memory: stream + publisher stream -> last (seq, boot). */
const lastAppended = new Map<string, { seq: number; boot: string }>();
function modelAppends(topic: string, envelope: RawEnvelope): boolean {
  const route = routeTopic(topic, limits);
  const key = `${route.stream}\n${envelope.src}|${route.seqKey}`;
  const last = lastAppended.get(key);
  const boot = publisherBoot(envelope.id);
  if (last !== undefined && last.boot === boot && envelope.seq <= last.seq) return false;
  lastAppended.set(key, { seq: envelope.seq, boot });
  return true;
}

let server: PrivateRedis;
let redis: Redis;
let writer: RedisWriter;
let bridge: ZmqListener;

beforeAll(async () => {
  server = await PrivateRedis.start();
  redis = server.client();
  writer = new RedisWriter({ redisUrl: server.url, writeMode: 'script', commandTimeoutMs: 5_000, retryMinMs: 20, retryMaxMs: 200, logger: silentLogger });
  bridge = new ZmqListener(writer, {
    limits,
    bufferMax: 100_000,
    batchSize: 64,
    maxInFlight: 2,
    retryMinMs: 20,
    retryMaxMs: 200,
    logger: silentLogger,
  });
  writer.start();
  await new Promise<void>((resolve) => writer.onReady(resolve));
}, 20_000);

afterAll(async () => {
  bridge?.stop();
  await writer?.close();
  redis?.disconnect();
  await server?.stop();
});

async function totalStreamLength(): Promise<number> {
  let total = 0;
  for (const key of await redis.keys('*')) if ((await redis.type(key)) === 'stream') total += await redis.xlen(key);
  return total;
}

describe('zmq_listener bridge under arbitrary input', () => {
  it('checks every message, mirrors each valid one once, never throws, and never writes outside its own keys', async () => {
    let expectedInStreams = 0;
    const messageArb = fc.oneof(fc.tuple(topicArb, envelopeArb).map(([t, e]) => [t, e as unknown as RawEnvelope] as [string, RawEnvelope]), validPriceArb);
    await fc.assert(
      fc.asyncProperty(fc.array(messageArb, { minLength: 1, maxLength: 150 }), async (messages) => {
        const before = bridge.metrics();
        let invalid = 0;
        let appended = 0;
        for (const [topic, envelope] of messages) {
          if (checkMirrorable(routeTopic(topic, limits), envelope) !== null) invalid++;
          else if (modelAppends(topic, envelope)) appended++;
          bridge.enqueue(topic, envelope);
        }
        expect(await bridge.drain(10_000)).toBe(true);
        const after = bridge.metrics();
        expectedInStreams += appended;
        expect(after.received - before.received).toBe(messages.length);
        expect(after.invalid - before.invalid).toBe(invalid);
        expect(after.mirrored - before.mirrored).toBe(messages.length - invalid);
        expect(after.mirrored - after.duplicates - (before.mirrored - before.duplicates)).toBe(appended);
        expect(after.write_errors).toBe(0);
        expect(after.dropped).toBe(0);
        const keys = await redis.keys('*');
        for (const key of keys) expect(key).toMatch(ALLOWED_KEY);
        expect(keys.some((k) => k === 'trades:completed' || k.startsWith('positions:'))).toBe(false);
      }),
      { numRuns: 40 },
    );
    expect(await totalStreamLength()).toBe(expectedInStreams);
    expect(expectedInStreams).toBeGreaterThan(0);
  }, 60_000);
});
