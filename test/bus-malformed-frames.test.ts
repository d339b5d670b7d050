/**
 * Malformed frames on a live subscriber, from a peer that is not this project's publisher: a raw
 * zeromq PUB socket and a raw Redis PUBLISH. Every bad frame is counted under the right counter,
 * logged at a bounded rate, and the good messages sent after it still arrive, in order.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Packr } from 'msgpackr';
import * as zmq from 'zeromq';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawEnvelope } from '../src/core/envelope.js';
import type { PriceUpdate } from '../src/core/messages.js';
import { EnvelopeCodec } from '../src/bus/codec.js';
import type { BusLogger } from '../src/bus/bus-options.js';
import type { HotSubscriber, SubscriberMetrics } from '../src/bus/hot-subscriber.js';
import { RedisSubscriber } from '../src/bus/redis-subscriber.js';
import { ZmqSubscriber } from '../src/bus/zmq-subscriber.js';
import { eventually, TEST_REDIS_URL } from './helpers/redis.js';

const codec = new EnvelopeCodec('msgpack');
const jsonCodec = new EnvelopeCodec('json');
const plainPackr = new Packr({ useRecords: false });

const price = (marketId: string, bid: number): PriceUpdate => ({
  venue: 'kalshi',
  market_id: marketId,
  game_id: 'g1',
  team: 'BOS',
  yes_bid: bid,
  yes_ask: Math.min(1, bid + 0.02),
  yes_bid_size: 10,
  yes_ask_size: 10,
  status: 'open',
});

/** Hand-built envelopes, numbered per topic, as a foreign publisher would send them. */
class RawSource {
  private readonly seqs = new Map<string, number>();
  constructor(readonly src: string) {}

  envelope(topic: string, type: string, data: unknown): RawEnvelope {
    const seq = (this.seqs.get(topic) ?? 0) + 1;
    this.seqs.set(topic, seq);
    const ts = Date.now() * 1000;
    return { v: 1, type, id: `${this.src}-${topic}-${seq}`, src: this.src, seq, ts, origin_ts: ts, data };
  }
}

interface CapturedLog extends BusLogger {
  warnings: { obj: Record<string, unknown>; msg: string | undefined }[];
}

function captureLogger(): CapturedLog {
  const warnings: CapturedLog['warnings'] = [];
  return { warnings, debug() {}, info() {}, error() {}, warn: (obj, msg) => void warnings.push({ obj: obj as Record<string, unknown>, msg }) };
}

type Frames = (string | Uint8Array)[];
interface Junk {
  name: string;
  frames: (src: RawSource) => Frames;
  counter: 'decode_errors' | 'schema_errors';
}

// Redis channels are shared by every test file, so each wire gets its own topic family.
const family = () => `t${randomBytes(4).toString('hex')}`;
let GOOD_TOPIC = '';
let BAD_TOPIC = '';
let BATCH_TOPIC = '';
let FAMILY = '';
function useFamily(fam: string): void {
  FAMILY = fam;
  GOOD_TOPIC = `${fam}.kalshi.GOOD`;
  BAD_TOPIC = `${fam}.kalshi.BAD`;
  BATCH_TOPIC = `${fam}.~batch`;
}

/** Bad frames any transport can carry: two parts, topic + payload. */
const twoPartJunk: Junk[] = [
  { name: 'random bytes', counter: 'decode_errors', frames: () => [BAD_TOPIC, Buffer.from([0xc1, 0x13, 0x37, 0xff, 0x00])] },
  { name: 'empty payload', counter: 'decode_errors', frames: () => [BAD_TOPIC, Buffer.alloc(0)] },
  {
    name: 'truncated msgpack envelope',
    counter: 'decode_errors',
    frames: (s) => {
      const full = codec.encode(s.envelope(`${FAMILY}.kalshi.TRUNC`, 'price', price('TRUNC', 0.5)));
      return [BAD_TOPIC, full.subarray(0, full.length - 7)];
    },
  },
  { name: 'truncated JSON', counter: 'decode_errors', frames: () => [BAD_TOPIC, Buffer.from('{"v":1,"type":"pri')] },
  { name: 'msgpack array', counter: 'decode_errors', frames: () => [BAD_TOPIC, plainPackr.pack([1, 2, 3])] },
  { name: 'msgpack string', counter: 'decode_errors', frames: () => [BAD_TOPIC, plainPackr.pack('hello')] },
  { name: 'msgpack number', counter: 'decode_errors', frames: () => [BAD_TOPIC, plainPackr.pack(2 ** 64)] },
  {
    name: 'envelope with a string seq',
    counter: 'decode_errors',
    frames: (s) => [BAD_TOPIC, plainPackr.pack({ ...s.envelope(`${FAMILY}.kalshi.X1`, 'price', price('X1', 0.5)), seq: '7' })],
  },
  {
    name: 'envelope with a huge seq',
    counter: 'decode_errors',
    frames: (s) => [BAD_TOPIC, plainPackr.pack({ ...s.envelope(`${FAMILY}.kalshi.X2`, 'price', price('X2', 0.5)), seq: 2 ** 60 })],
  },
  {
    name: 'envelope with null data',
    counter: 'decode_errors',
    frames: (s) => [BAD_TOPIC, plainPackr.pack({ ...s.envelope(`${FAMILY}.kalshi.X3`, 'price', null), data: null })],
  },
  { name: 'JSON null', counter: 'decode_errors', frames: () => [BAD_TOPIC, Buffer.from('[null]')] },
  { name: 'bad batch: random bytes', counter: 'decode_errors', frames: () => [BATCH_TOPIC, Buffer.from([0x92, 0xc1])] },
  { name: 'bad batch: not an array', counter: 'decode_errors', frames: () => [BATCH_TOPIC, plainPackr.pack({ a: 1 })] },
  {
    name: 'bad batch: one malformed item',
    counter: 'decode_errors',
    frames: (s) => [
      BATCH_TOPIC,
      plainPackr.pack([
        [`${FAMILY}.kalshi.B1`, s.envelope(`${FAMILY}.kalshi.B1`, 'price', price('B1', 0.5))],
        [`${FAMILY}.kalshi.B2`, { v: 1 }],
      ]),
    ],
  },
  {
    name: 'price with yes_bid 1.7',
    counter: 'schema_errors',
    frames: (s) => [BAD_TOPIC, codec.encode(s.envelope(BAD_TOPIC, 'price', price('BAD', 1.7)))],
  },
  {
    name: 'price without market_id',
    counter: 'schema_errors',
    frames: (s) => {
      const { market_id: _omit, ...rest } = price('BAD', 0.5);
      return [BAD_TOPIC, codec.encode(s.envelope(BAD_TOPIC, 'price', rest))];
    },
  },
  {
    name: 'unknown message type',
    counter: 'schema_errors',
    frames: (s) => [BAD_TOPIC, codec.encode(s.envelope(BAD_TOPIC, 'pricez', price('BAD', 0.5)))],
  },
  {
    name: 'batched price with a string size',
    counter: 'schema_errors',
    frames: (s) => [
      BATCH_TOPIC,
      codec.encodeBatch([[BAD_TOPIC, s.envelope(BAD_TOPIC, 'price', { ...price('BAD', 0.5), yes_bid_size: 'ten' })]]),
    ],
  },
];

/** Bad frames only ZMQ can carry: the wrong number of parts. */
const partCountJunk: Junk[] = [
  { name: 'one frame (topic only)', counter: 'decode_errors', frames: () => [BAD_TOPIC] },
  {
    name: 'three frames',
    counter: 'decode_errors',
    frames: (s) => [BAD_TOPIC, codec.encode(s.envelope(BAD_TOPIC, 'price', price('BAD', 0.5))), Buffer.from('extra')],
  },
];

/** One way to put raw frames in front of a subscriber. */
interface Wire {
  subscriber: HotSubscriber;
  log: CapturedLog;
  send(frames: Frames): Promise<void>;
  close(): Promise<void>;
}

async function zmqWire(validate = true, maxErrorLogsPerSecond = 10): Promise<Wire> {
  useFamily(family());
  const pub = new zmq.Publisher({ linger: 0 });
  await pub.bind('tcp://127.0.0.1:*');
  const log = captureLogger();
  const subscriber = new ZmqSubscriber({ logger: log, validate, maxErrorLogsPerSecond });
  subscriber.connect(pub.lastEndpoint!);
  return {
    subscriber,
    log,
    send: (frames) => pub.send(frames.length === 1 ? frames[0]! : frames),
    close: async () => {
      await subscriber.close();
      pub.close();
    },
  };
}

async function redisWire(validate = true, maxErrorLogsPerSecond = 10): Promise<Wire> {
  useFamily(family());
  const raw = new Redis(TEST_REDIS_URL);
  const log = captureLogger();
  const subscriber = new RedisSubscriber({ redisUrl: TEST_REDIS_URL, logger: log, validate, maxErrorLogsPerSecond });
  // Channels are global in Redis: a unique venue-like middle level keeps parallel files apart.
  return {
    subscriber,
    log,
    send: async (frames) => {
      if (frames.length !== 2) throw new Error('Redis carries exactly a channel and a payload');
      await raw.publish(frames[0] as string, Buffer.from(frames[1]!));
    },
    close: async () => {
      await subscriber.close();
      await raw.quit();
    },
  };
}

let wires: Wire[] = [];
afterEach(async () => {
  for (const w of wires) await w.close();
  wires = [];
});

/** Subscribes to `prefix`, then sends good messages until one arrives (PUB/SUB slow joiner). */
async function joined(wire: Wire, source: RawSource, prefix: string, received: [string, RawEnvelope][]): Promise<void> {
  wire.subscriber.onMessage((topic, env) => void received.push([topic, env]));
  wire.subscriber.subscribe(prefix);
  if (wire.subscriber instanceof RedisSubscriber) await wire.subscriber.ready();
  const warm = `${prefix}WARM`;
  await eventually(async () => {
    await wire.send([warm, codec.encode(source.envelope(warm, 'price', price('WARM', 0.5)))]);
    return received.length > 0;
  }, 10_000, 'subscriber to join');
  // Let the rest of the warm-up burst land before counting.
  const before = () => wire.subscriber.metrics().received;
  let last = -1;
  await eventually(() => {
    const now = before();
    const settled = now === last;
    last = now;
    return settled;
  }, 5000, 'warm-up to settle');
  received.length = 0;
}

const counters = (m: SubscriberMetrics) => ({ decode: m.decode_errors, schema: m.schema_errors, delivered: m.delivered });

const transports: [string, (validate?: boolean, logs?: number) => Promise<Wire>, Junk[]][] = [
  ['zmq (raw PUB socket)', zmqWire, [...twoPartJunk, ...partCountJunk]],
  ['redis (raw PUBLISH)', redisWire, twoPartJunk],
];

describe.each(transports)('malformed frames over %s', (_name, makeWire, junk) => {
  it('are counted by kind, and every good message sent after them still arrives in order', async () => {
    const wire = await makeWire(true, 1000);
    wires.push(wire);
    const source = new RawSource(`raw.${process.pid}`);
    const received: [string, RawEnvelope][] = [];
    await joined(wire, source, `${FAMILY}.`, received);
    const start = counters(wire.subscriber.metrics());

    const goodIds: string[] = [];
    const sendGood = async (bid: number) => {
      const env = source.envelope(GOOD_TOPIC, 'price', price('GOOD', bid));
      goodIds.push(env.id);
      await wire.send([GOOD_TOPIC, codec.encode(env)]);
    };
    // Good frames from a JSON-speaking peer are fine too.
    const jsonGood = source.envelope(GOOD_TOPIC, 'price', price('GOOD', 0.33));
    goodIds.push(jsonGood.id);
    await wire.send([GOOD_TOPIC, jsonCodec.encode(jsonGood)]);
    for (const [i, j] of junk.entries()) {
      await wire.send(j.frames(source));
      await sendGood(0.01 * (i + 1));
    }
    await eventually(() => received.length >= goodIds.length, 10_000, 'all good messages');
    await new Promise((r) => setTimeout(r, 100));

    expect(received.map(([, e]) => e.id)).toEqual(goodIds);
    expect(received.every(([t]) => t === GOOD_TOPIC)).toBe(true);
    const end = counters(wire.subscriber.metrics());
    const expectDecode = junk.filter((j) => j.counter === 'decode_errors').length;
    const expectSchema = junk.filter((j) => j.counter === 'schema_errors').length;
    expect(end.decode - start.decode).toBe(expectDecode);
    expect(end.schema - start.schema).toBe(expectSchema);
    expect(end.delivered - start.delivered).toBe(goodIds.length);
    expect(wire.subscriber.metrics().gaps).toBe(0);

    // Each bad frame was logged with its stable code (the rate limit is set out of the way here).
    const codes = wire.log.warnings.map((w) => w.obj.code);
    expect(codes.filter((c) => c === 'ARB_FRAME_DECODE')).toHaveLength(expectDecode);
    expect(codes.filter((c) => c === 'ARB_FRAME_SCHEMA')).toHaveLength(expectSchema);
  });

  it('logs bad frames at a bounded rate while counting every one', async () => {
    const limit = 3;
    const wire = await makeWire(true, limit);
    wires.push(wire);
    const source = new RawSource(`raw.${process.pid}`);
    const received: [string, RawEnvelope][] = [];
    await joined(wire, source, `${FAMILY}.`, received);
    const before = wire.subscriber.metrics().decode_errors;
    const burst = 200;
    for (let i = 0; i < burst; i++) await wire.send([BAD_TOPIC, Buffer.from([0xc1, i & 0xff])]);
    await wire.send([GOOD_TOPIC, codec.encode(source.envelope(GOOD_TOPIC, 'price', price('GOOD', 0.5)))]);
    await eventually(() => received.length === 1, 10_000, 'the good message after the burst');
    expect(wire.subscriber.metrics().decode_errors - before).toBe(burst);
    // The window is one second; a burst that straddles a boundary may log two windows' worth.
    const logged = wire.log.warnings.filter((w) => w.obj.code === 'ARB_FRAME_DECODE').length;
    expect(logged).toBeGreaterThanOrEqual(1);
    expect(logged).toBeLessThanOrEqual(2 * limit);
  });

  it('validate:false delivers schema-invalid data raw; validate:true drops it', async () => {
    for (const validate of [true, false]) {
      const wire = await makeWire(validate);
      wires.push(wire);
      const source = new RawSource(`raw.${process.pid}.${validate}`);
      const received: [string, RawEnvelope][] = [];
      await joined(wire, source, `${FAMILY}.`, received);
      const { market_id: _omit, ...noMarket } = price('BAD', 0.5);
      await wire.send([BAD_TOPIC, codec.encode(source.envelope(BAD_TOPIC, 'price', price('BAD', 1.7)))]);
      await wire.send([BAD_TOPIC, codec.encode(source.envelope(BAD_TOPIC, 'price', noMarket))]);
      await wire.send([GOOD_TOPIC, codec.encode(source.envelope(GOOD_TOPIC, 'price', price('GOOD', 0.5)))]);
      await eventually(() => received.some(([t]) => t === GOOD_TOPIC), 10_000, 'the good message');
      const bad = received.filter(([t]) => t === BAD_TOPIC).map(([, e]) => e.data as Record<string, unknown>);
      if (validate) {
        expect(bad).toEqual([]);
        expect(wire.subscriber.metrics().schema_errors).toBe(2);
      } else {
        expect(bad).toHaveLength(2);
        expect(bad[0]!.yes_bid).toBe(1.7);
        expect('market_id' in bad[1]!).toBe(false);
        expect(wire.subscriber.metrics().schema_errors).toBe(0);
      }
    }
  });

  it('a throwing or rejecting handler is counted and the next message is still handled', async () => {
    const wire = await makeWire();
    wires.push(wire);
    const source = new RawSource(`raw.${process.pid}`);
    const received: [string, RawEnvelope][] = [];
    await joined(wire, source, `${FAMILY}.`, received);
    const handled: number[] = [];
    wire.subscriber.onMessage(async (_t, env) => {
      const bid = (env.data as PriceUpdate).yes_bid!;
      if (bid === 0.1) throw new Error('sync-looking failure');
      if (bid === 0.2) await Promise.reject(new Error('async failure'));
      handled.push(bid);
    });
    for (const bid of [0.1, 0.2, 0.3]) {
      await wire.send([GOOD_TOPIC, codec.encode(source.envelope(GOOD_TOPIC, 'price', price('GOOD', bid)))]);
    }
    await eventually(() => handled.length === 1 && wire.subscriber.metrics().handler_errors === 2, 10_000, 'handler errors');
    expect(handled).toEqual([0.3]);
    expect(wire.log.warnings.filter((w) => w.obj.code === 'ARB_HANDLER_FAILED')).toHaveLength(2);
  });
});
