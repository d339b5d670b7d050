import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawEnvelope } from '../src/core/envelope.js';
import type { GameState } from '../src/core/messages.js';
import { GAME_LATEST_TTL_S, SlowKey } from '../src/core/slow-keys.js';
import { Topic } from '../src/core/topics.js';
import {
  appendToStream,
  checkEntry,
  latestGameValue,
  latestPriceFields,
  newSlowReadCounters,
  parseEntryFields,
  parseGameValue,
  readLatestGame,
  readLatestPrice,
  readRecent,
  readSince,
  streamEntryFields,
  writeLatestGame,
  writeLatestPrice,
} from '../src/bus/slow-track.js';
import { TEST_REDIS_URL, testRedis } from './helpers/redis.js';
import { gamePrice as price } from './helpers/prices.js';

const gameState = (gameId: string): GameState => ({
  game_id: gameId,
  sport: 'nba',
  status: 'live',
  period: 3,
  clock_s: 312.5,
  home_score: 71,
  away_score: 64,
  possession: 'home',
  situation: null,
  model_home_prob: 0.71,
  espn_home_prob: null,
  markets: [{ venue: 'kalshi', market_id: 'KXNBA-BOS', yes_bid: 0.69, yes_ask: 0.72 }],
  updated_ts: 1_760_000_000_000_000,
});

let seq = 0;
function envelope(type: string, data: unknown, cause?: string): RawEnvelope {
  seq += 1;
  const env: RawEnvelope = {
    v: 1,
    type,
    id: `m-${seq}`,
    src: 'kalshi_monitor.0',
    seq,
    ts: 1_760_000_000_000_000 + seq,
    origin_ts: 1_760_000_000_000_000,
    data,
  };
  if (cause !== undefined) env.cause = cause;
  return env;
}

// Every key of this file lives under a unique ioredis keyPrefix, so the real SlowKey names are used
// unchanged and parallel test files never collide.
let redis: Redis;
let plain: Redis;
beforeAll(() => {
  const t = testRedis();
  plain = t.redis;
  redis = new Redis(TEST_REDIS_URL, { keyPrefix: t.prefix });
});
afterAll(async () => {
  const prefix = redis.options.keyPrefix ?? 'never';
  const keys = await plain.keys(`${prefix}*`);
  if (keys.length > 0) await plain.del(...keys);
  redis.disconnect();
  plain.disconnect();
});

describe('slow-track entry builders', () => {
  it('lays a stream entry out as topic, id, src, seq, ts, type, origin_ts, data', () => {
    const env = envelope('price', price('KXA', 0.4));
    const fields = streamEntryFields(Topic.price('kalshi', 'KXA'), env);
    expect(fields.filter((_, i) => i % 2 === 0)).toEqual(['topic', 'id', 'src', 'seq', 'ts', 'type', 'origin_ts', 'data']);
    expect(fields[1]).toBe('prices.kalshi.KXA');
    expect(fields[7]).toBe(String(env.seq));
    expect(JSON.parse(fields[15]!)).toEqual(env.data);
  });

  it('adds cause only when the envelope has one', () => {
    const fields = latestPriceFields('prices.kalshi.KXA', envelope('price', price('KXA', 0.4), 'sig-1'));
    expect(fields.cause).toBe('sig-1');
    expect('cause' in latestPriceFields('prices.kalshi.KXA', envelope('price', price('KXA', 0.4)))).toBe(false);
  });

  it('never throws on data a msgpack decoder can produce (BigInt)', () => {
    const fields = streamEntryFields('x.y.z', envelope('other', { big: 2n ** 70n }));
    expect(JSON.parse(fields.at(-1)!)).toEqual({ big: (2n ** 70n).toString() });
  });

  it('round-trips any envelope through the entry fields and the game value', () => {
    const arbEnvelope = fc.record({
      v: fc.constant(1),
      type: fc.string({ minLength: 1, maxLength: 20 }),
      id: fc.string({ minLength: 1, maxLength: 40 }),
      src: fc.string({ minLength: 1, maxLength: 40 }),
      seq: fc.nat(),
      ts: fc.maxSafeNat(),
      origin_ts: fc.maxSafeNat(),
      data: fc.dictionary(fc.string(), fc.jsonValue()),
    });
    fc.assert(
      fc.property(arbEnvelope, fc.option(fc.string({ minLength: 1 }), { nil: undefined }), fc.string({ minLength: 1 }), (env, cause, topic) => {
        const e: RawEnvelope = cause === undefined ? env : { ...env, cause };
        const expected = JSON.parse(JSON.stringify(e)) as RawEnvelope; // -0 and the like normalise in JSON
        expect(parseEntryFields(latestPriceFields(topic, e))).toEqual({ topic, envelope: expected });
        expect(parseGameValue(latestGameValue(topic, e))).toEqual({ topic, envelope: expected });
      }),
      { numRuns: 300 },
    );
  });

  it('parsers never throw on arbitrary input', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('topic', 'id', 'src', 'seq', 'ts', 'type', 'origin_ts', 'cause', 'data', 'x'), fc.string()), (fields) => {
        const entry = parseEntryFields(fields);
        if (entry !== null) expect(typeof entry.envelope.data).toBe('object');
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        parseGameValue(text);
      }),
      { numRuns: 500 },
    );
  });
});

describe('slow-track on real Redis', () => {
  it('appends to a capped stream and reads recent entries back in order', async () => {
    const key = SlowKey.pricesStream('kalshi');
    const sent = [0.41, 0.42, 0.43].map((b) => envelope('price', price('KXB', b)));
    const ids: string[] = [];
    for (const env of sent) ids.push(await appendToStream(redis, key, Topic.price('kalshi', 'KXB'), env, 10_000));

    const recent = await readRecent(redis, key, 2);
    expect(recent.map((e) => e.envelope)).toEqual(sent.slice(1));
    expect(recent.map((e) => e.streamId)).toEqual(ids.slice(1));
    expect(recent.every((e) => e.topic === 'prices.kalshi.KXB')).toBe(true);

    const since = await readSince(redis, key, ids[0]!, 100);
    expect(since.map((e) => e.envelope.id)).toEqual([sent[1]!.id, sent[2]!.id]);
  });

  it('trims the stream near its MAXLEN', async () => {
    const key = SlowKey.mirrorStream('orderbook.kalshi');
    const pipeline = redis.pipeline();
    for (let i = 0; i < 2000; i++) {
      pipeline.xadd(key, 'MAXLEN', '~', 100, '*', ...streamEntryFields('orderbook.kalshi.X', envelope('orderbook', { i })));
    }
    await pipeline.exec();
    await appendToStream(redis, key, 'orderbook.kalshi.X', envelope('orderbook', { i: 2000 }), 100);
    const len = await redis.xlen(key);
    expect(len).toBeGreaterThanOrEqual(100);
    expect(len).toBeLessThan(400); // `~` trims whole radix-tree nodes (100 entries each by default)
    const [last] = await readRecent(redis, key, 1);
    expect(last?.envelope.data).toEqual({ i: 2000 });
  });

  it('writes and reads the latest price, schema-checked, replacing older fields', async () => {
    await writeLatestPrice(redis, 'kalshi', 'KXC', 'prices.kalshi.KXC', envelope('price', price('KXC', 0.3), 'cause-1'));
    const newer = envelope('price', price('KXC', 0.35));
    await writeLatestPrice(redis, 'kalshi', 'KXC', 'prices.kalshi.KXC', newer);
    const got = await readLatestPrice(redis, 'kalshi', 'KXC');
    expect(got?.envelope).toEqual(newer);
    expect(got?.envelope.data.yes_bid).toBe(0.35);
    expect(await readLatestPrice(redis, 'kalshi', 'NOPE')).toBeNull();
  });

  it('reads a price hash that also carries the data flattened into fields (as the bridge writes it)', async () => {
    const env = envelope('price', price('KXF', 0.52));
    await redis.hset(SlowKey.latestPrice('kalshi', 'KXF'), { yes_bid: '0.52', status: 'open', ...latestPriceFields('prices.kalshi.KXF', env) });
    const got = await readLatestPrice(redis, 'kalshi', 'KXF');
    expect(got?.envelope).toEqual(env);
  });

  it('writes and reads the latest game with its day-long TTL', async () => {
    const env = envelope('game_state', gameState('401'));
    await writeLatestGame(redis, 'nba', '401', Topic.game('nba', '401'), env);
    const got = await readLatestGame(redis, 'nba', '401');
    expect(got?.topic).toBe('games.nba.401');
    expect(got?.envelope).toEqual(env);
    const ttl = await redis.ttl(SlowKey.gameLatest('nba', '401'));
    expect(ttl).toBeGreaterThan(GAME_LATEST_TTL_S - 10);
    expect(ttl).toBeLessThanOrEqual(GAME_LATEST_TTL_S);
  });

  it('skips and counts malformed stream entries written by hand', async () => {
    const key = SlowKey.signalsStream;
    const good = envelope('trade_signal', { any: 'thing' });
    await redis.xadd(key, '*', 'garbage', 'yes');
    await appendToStream(redis, key, 'signals.trade.s1', good, 1000);
    await redis.xadd(key, '*', ...streamEntryFields('signals.trade.s2', envelope('trade_signal', {})).map((f) => (f === '{}' ? '{not json' : f)));
    await redis.xadd(key, '*', 'topic', 't', 'id', 'i', 'src', 's', 'seq', 'minus one', 'ts', '1', 'type', 'x', 'origin_ts', '1', 'data', '{}');
    await redis.xadd(key, '*', 'topic', 't', 'id', 'i', 'src', 's', 'seq', '1', 'ts', '1', 'type', 'x', 'origin_ts', '1', 'data', '42');

    const counters = newSlowReadCounters();
    const entries = await readRecent(redis, key, 10, counters);
    expect(entries.map((e) => e.envelope)).toEqual([good]);
    expect(counters.malformed).toBe(4);

    // The entry parsed, but its data is not a trade signal: the typed check rejects and counts it.
    expect(checkEntry(entries[0]!, ['trade_signal'], counters)).toBeNull();
    expect(counters.invalid).toBe(1);
  });

  it('returns null and counts bad latest keys instead of throwing', async () => {
    const counters = newSlowReadCounters();
    await redis.hset(SlowKey.latestPrice('poly', 'T1'), { topic: 'prices.poly.T1', seq: 'x' });
    expect(await readLatestPrice(redis, 'poly', 'T1', counters)).toBeNull();
    expect(counters.malformed).toBe(1);

    const badPrice = envelope('price', { ...price('T2', 0.5), yes_bid: 1.5 });
    await redis.hset(SlowKey.latestPrice('poly', 'T2'), latestPriceFields('prices.poly.T2', badPrice));
    expect(await readLatestPrice(redis, 'poly', 'T2', counters)).toBeNull();
    const wrongType = envelope('game_state', gameState('9'));
    await redis.hset(SlowKey.latestPrice('poly', 'T3'), latestPriceFields('prices.poly.T3', wrongType));
    expect(await readLatestPrice(redis, 'poly', 'T3', counters)).toBeNull();
    expect(counters.invalid).toBe(2);

    await redis.set(SlowKey.gameLatest('nhl', 'G1'), '{"topic": "games.nhl.G1", "data": ');
    expect(await readLatestGame(redis, 'nhl', 'G1', counters)).toBeNull();
    expect(counters.malformed).toBe(2);
  });
});
