/**
 * Gap detection on live ZMQ sockets: exact counts when a peer skips seqs, restarts counted apart
 * from gaps, real drops at tiny high-water marks fully accounted for, and no false gaps when two
 * publishers share many topics and the subscriber hears only some of them.
 */
import { randomBytes } from 'node:crypto';
import * as zmq from 'zeromq';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawEnvelope } from '../src/core/envelope.js';
import type { MessageType } from '../src/core/messages.js';
import { Topic, TopicPrefix, sequenceKey } from '../src/core/topics.js';
import { EnvelopeCodec } from '../src/bus/codec.js';
import type { HotPublisher } from '../src/bus/hot-publisher.js';
import { ZmqPublisher } from '../src/bus/zmq-publisher.js';
import { ZmqSubscriber } from '../src/bus/zmq-subscriber.js';
import { eventually } from './helpers/redis.js';
import { bidOnlyPrice } from './helpers/prices.js';

const codec = new EnvelopeCodec();
const uid = () => randomBytes(4).toString('hex');

const price = (marketId: string, bid = 0.5) => bidOnlyPrice(marketId, bid);

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers.length = 0;
});

function subscriber(options: ConstructorParameters<typeof ZmqSubscriber>[0] = {}): {
  sub: ZmqSubscriber;
  got: [string, RawEnvelope][];
} {
  const sub = new ZmqSubscriber({ validate: false, ...options });
  const got: [string, RawEnvelope][] = [];
  sub.onMessage((topic, env) => void got.push([topic, env]));
  closers.push(() => sub.close());
  return { sub, got };
}

async function publisher(src: string, extra: Partial<Parameters<typeof ZmqPublisher.create>[0]> = {}): Promise<ZmqPublisher> {
  const pub = await ZmqPublisher.create({ src, bindAddress: 'tcp://127.0.0.1:*', ...extra });
  closers.push(() => pub.close());
  return pub;
}

/** Publishes on a topic of its own until the subscriber hears it, then clears what it heard. */
async function warmUp(pub: HotPublisher, got: [string, RawEnvelope][], topic: string): Promise<void> {
  await eventually(() => {
    pub.publish(topic, 'price', price('WARM'));
    return got.some(([t]) => t === topic);
  }, 10_000, `subscription to ${topic}`);
  await pub.flush();
  await new Promise((r) => setTimeout(r, 50));
  got.length = 0;
}

describe('gap detection', () => {
  it('counts exactly the seqs a peer skipped, per publisher and sequence key', async () => {
    const raw = new zmq.Publisher({ linger: 0 });
    await raw.bind('tcp://127.0.0.1:*');
    closers.push(() => raw.close());
    const { sub, got } = subscriber();
    sub.subscribe('');
    sub.connect(raw.lastEndpoint!);

    const send = (topic: string, src: string, seq: number) => {
      const env: RawEnvelope = { v: 1, type: 'price', id: `${src}/${topic}/${seq}`, src, seq, ts: 1, origin_ts: 1, data: price('M') };
      return raw.send([topic, codec.encode(env)]);
    };
    await eventually(async () => {
      await send('health.warm.0', 'warm', 1);
      return got.length > 0;
    }, 10_000, 'subscription');
    await new Promise((r) => setTimeout(r, 50));
    got.length = 0;
    const base = sub.metrics();

    const X = Topic.price('kalshi', 'X');
    const Y = Topic.price('kalshi', 'Y');
    // [topic, src, seq] in send order; streams interleave.
    const plan: [string, string, number][] = [
      [X, 'p1', 1], [X, 'p2', 1], [Y, 'p1', 10], // first heard: never a gap, whatever its seq
      [X, 'p1', 2], [X, 'p2', 2], [Y, 'p1', 11],
      [X, 'p1', 4], [X, 'p2', 3], [Y, 'p1', 13], // p1/X misses 3; p1/Y misses 12
      [Topic.tradeSignal('s-a'), 'p1', 1], [Topic.tradeSignal('s-b'), 'p1', 2], // one family, one stream
      [X, 'p1', 5], [X, 'p2', 4],
      [Topic.tradeSignal('s-c'), 'p1', 4], // misses signals.trade seq 3
      [X, 'p1', 9], [X, 'p2', 5], // p1/X misses 6, 7, 8
    ];
    for (const [topic, src, seq] of plan) await send(topic, src, seq);
    await eventually(() => got.length === plan.length, 10_000, 'every planned message');

    const m = sub.metrics();
    expect(m.gaps - base.gaps).toBe(1 + 1 + 1 + 3);
    expect(m.restarts - base.restarts).toBe(0);
    expect(m.streams - base.streams).toBe(4); // p1|X, p2|X, p1|Y, p1|signals.trade
  });

  it('a publisher restart (seq back to 1) counts as a restart, not a gap', async () => {
    const src = `restarting.${uid()}`;
    const { sub, got } = subscriber();
    sub.subscribe('');
    const topic = Topic.price('kalshi', 'R');

    const first = await publisher(src);
    sub.connect(first.endpoint!);
    await warmUp(first, got, Topic.health('warm', 'first'));
    for (let i = 0; i < 50; i++) first.publish(topic, 'price', price('R'));
    await eventually(() => got.length === 50, 10_000, 'the first run');
    expect(got.at(-1)![1].seq).toBe(50);
    await first.close();

    // The same instance name comes back on a new port (as a restarted process would).
    const second = await publisher(src);
    sub.connect(second.endpoint!);
    await warmUp(second, got, Topic.health('warm', 'second'));
    for (let i = 0; i < 10; i++) second.publish(topic, 'price', price('R'));
    await eventually(() => got.length === 10, 10_000, 'the second run');
    expect(got.map(([, e]) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

    const m = sub.metrics();
    expect(m.restarts).toBe(1);
    expect(m.gaps).toBe(0);
  });

  it('messages dropped at tiny high-water marks are all accounted for as gaps', async () => {
    const pub = await publisher(`dropper.${uid()}`, { sendHighWaterMark: 10, maxQueue: 1_000_000 });
    const { sub, got } = subscriber({ receiveHighWaterMark: 10 });
    const topic = Topic.price('kalshi', 'HWM');
    sub.subscribe(topic);
    sub.subscribe(TopicPrefix.health);
    sub.connect(pub.endpoint!);
    await warmUp(pub, got, Topic.health('warm', 'hwm'));

    // The whole burst is queued before the event loop turns, so the consumer is effectively paused.
    const burst = 50_000;
    const payload = { ...price('HWM'), team: 'x'.repeat(100) };
    for (let i = 0; i < burst; i++) pub.publish(topic, 'price', payload);
    await pub.flush();
    // A last message after the burst has passed, so the tail is measured too.
    await new Promise((r) => setTimeout(r, 300));
    pub.publish(topic, 'price', payload);
    await eventually(() => got.at(-1)?.[1].seq === burst + 1, 15_000, 'the message after the burst');

    const seqs = got.filter(([t]) => t === topic).map(([, e]) => e.seq);
    const span = seqs.at(-1)! - seqs[0]! + 1;
    const m = sub.metrics();
    expect(m.gaps).toBeGreaterThan(0); // the marks really were hit
    expect(m.gaps).toBe(span - seqs.length); // every missing seq counted, none invented
    expect(m.restarts).toBe(0);
    expect(pub.metrics().dropped).toBe(0); // the loss was at the sockets, not in the queue
    // eslint-disable-next-line no-console
    console.log(`hwm 10/10: ${burst + 1} published, ${seqs.length} received, ${m.gaps} gaps`);
  });

  it('two publishers, many topics, partial subscriptions (some batched): zero false gaps', async () => {
    const run = uid();
    const p1 = await publisher(`shard.${run}.1`);
    const p2 = await publisher(`shard.${run}.2`, { batchPrefixes: ['prices.'], batchMaxItems: 16 });
    const { sub, got } = subscriber();
    const prefixes = [
      Topic.price('kalshi', 'M1'),
      Topic.price('kalshi', 'M3'),
      Topic.price('poly', 'M7'),
      TopicPrefix.sportGames('nba'),
      TopicPrefix.tradeSignals,
      Topic.position('P2'),
    ];
    for (const p of prefixes) sub.subscribe(p);
    sub.subscribe(TopicPrefix.health); // last, so it joins after the others
    sub.connect(p1.endpoint!);
    sub.connect(p2.endpoint!);
    await warmUp(p1, got, Topic.health('warm', 'p1'));
    await warmUp(p2, got, Topic.health('warm', 'p2'));
    const base = sub.metrics();

    const topics: [string, MessageType][] = [];
    for (let i = 0; i < 10; i++) {
      topics.push([Topic.price('kalshi', `M${i}`), 'price'], [Topic.price('poly', `M${i}`), 'price']);
    }
    for (let i = 0; i < 4; i++) topics.push([Topic.game('nba', `G${i}`), 'game_state'], [Topic.game('nfl', `G${i}`), 'game_state']);
    for (let i = 0; i < 5; i++) topics.push([Topic.position(`P${i}`), 'position']);
    const oneOff: [(id: string) => string, MessageType][] = [
      [Topic.tradeSignal, 'trade_signal'],
      [Topic.highEdgeSignal, 'high_edge_signal'],
      [Topic.tradeCompleted, 'trade_completed'],
    ];

    const expected = new Map<string, number>(); // src|sequenceKey -> messages the subscriber should hear
    const heard = (t: string) => prefixes.some((p) => t.startsWith(p));
    let n = 0;
    const rounds = 40;
    for (let r = 0; r < rounds; r++) {
      for (const pub of [p1, p2]) {
        // Each publisher walks the topics in its own order, with one-off ids mixed in.
        const order = pub === p1 ? topics : [...topics].reverse();
        for (const [i, [topic, type]] of order.entries()) {
          const [make, oneOffType] = oneOff[(r + i) % oneOff.length]!;
          for (const [t, ty] of [[topic, type], [make(`${run}-${n++}`), oneOffType]] as const) {
            pub.publishRaw(t, ty, { n });
            if (heard(t)) {
              const k = `${pub.src}|${sequenceKey(t)}`;
              expected.set(k, (expected.get(k) ?? 0) + 1);
            }
          }
        }
      }
    }
    await Promise.all([p1.flush(), p2.flush()]);
    const total = [...expected.values()].reduce((a, b) => a + b, 0);
    await eventually(() => got.length >= total, 15_000, `${total} messages`);
    await new Promise((r) => setTimeout(r, 100));

    const counts = new Map<string, number>();
    for (const [t, e] of got) counts.set(`${e.src}|${sequenceKey(t)}`, (counts.get(`${e.src}|${sequenceKey(t)}`) ?? 0) + 1);
    expect(counts).toEqual(expected);
    const m = sub.metrics();
    expect(m.gaps - base.gaps).toBe(0);
    expect(m.restarts - base.restarts).toBe(0);
    expect(m.streams - base.streams).toBe(expected.size);
    expect(m.delivered - base.delivered).toBe(total);
  });
});
