/**
 * The bridge never trusts what the hot path hands it (it subscribes with validation off):
 * arbitrary topics and arbitrary envelope data (unicode, BigInt, NaN, deep nesting) are fed
 * through the real bridge and writer into a private Redis. Nothing may throw, every message must
 * land in exactly one stream, and no key outside the bridge's own may ever be written.
 */
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/bus/bus-options.js';
import type { RawEnvelope } from '../src/core/envelope.js';
import { ZmqListener } from '../src/services/zmq-listener/zmq-listener-core.js';
import { RedisWriter } from '../src/services/zmq-listener/redis-writer.js';
import { PrivateRedis } from './helpers/private-redis.js';

const ALLOWED_KEY = /^(prices:(kalshi|poly)|price:(kalshi|poly):.+|games:events|games:[a-z]+:.+|signals:trades|mirror:.+)$/;

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

let server: PrivateRedis;
let redis: Redis;
let writer: RedisWriter;
let bridge: ZmqListener;

beforeAll(async () => {
  server = await PrivateRedis.start();
  redis = server.client();
  writer = new RedisWriter({ redisUrl: server.url, writeMode: 'script', commandTimeoutMs: 5_000, retryMinMs: 20, retryMaxMs: 200, logger: silentLogger });
  bridge = new ZmqListener(writer, {
    limits: { pricesMaxLen: 1_000_000, gameEventsMaxLen: 1_000_000, signalsMaxLen: 1_000_000, mirrorMaxLen: 1_000_000 },
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
  it('mirrors every message, never throws, and never writes outside its own keys', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(topicArb, envelopeArb), { minLength: 1, maxLength: 150 }), async (messages) => {
        const before = bridge.metrics();
        for (const [topic, envelope] of messages) bridge.enqueue(topic, envelope as unknown as RawEnvelope);
        expect(await bridge.drain(10_000)).toBe(true);
        const after = bridge.metrics();
        expect(after.received - before.received).toBe(messages.length);
        expect(after.mirrored - before.mirrored).toBe(messages.length);
        expect(after.write_errors).toBe(0);
        expect(after.dropped).toBe(0);
        const keys = await redis.keys('*');
        for (const key of keys) expect(key).toMatch(ALLOWED_KEY);
        expect(keys.some((k) => k === 'trades:completed' || k.startsWith('positions:'))).toBe(false);
      }),
      { numRuns: 40 },
    );
    expect(await totalStreamLength()).toBe(bridge.metrics().received);
  }, 60_000);
});
