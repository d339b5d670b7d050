/**
 * The publisher's own queue bound: a burst beyond maxQueue is dropped and counted (never blocks,
 * never grows without bound), the caller learns which messages were dropped, and the ids of the
 * ones that went out are unique, also across a restart of the same instance.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawEnvelope } from '../src/core/envelope.js';
import { Topic, TopicPrefix } from '../src/core/topics.js';
import type { BusLogger } from '../src/bus/bus-options.js';
import { ZmqPublisher } from '../src/bus/zmq-publisher.js';
import { ZmqSubscriber } from '../src/bus/zmq-subscriber.js';
import { eventually } from './helpers/redis.js';
import { bidOnlyPrice } from './helpers/prices.js';

const price = (bid: number) => bidOnlyPrice('TOKEN1', bid, 'poly');

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers.length = 0;
});

function warnings(): BusLogger & { lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return { lines, debug() {}, info() {}, error() {}, warn: (obj, msg) => void lines.push({ ...obj, msg }) };
}

async function pair(src: string, maxQueue: number, logger?: BusLogger) {
  const pub = await ZmqPublisher.create({ src, bindAddress: 'tcp://127.0.0.1:*', maxQueue, ...(logger ? { logger } : {}) });
  const sub = new ZmqSubscriber({ validate: false });
  closers.push(() => pub.close(), () => sub.close());
  const got: RawEnvelope[] = [];
  sub.onMessage((_t, env) => void got.push(env));
  sub.subscribe(TopicPrefix.venuePrices('poly'));
  sub.subscribe(TopicPrefix.health);
  sub.connect(pub.endpoint!);
  const warm = Topic.health('warm', randomBytes(3).toString('hex'));
  await eventually(() => {
    pub.publish(warm, 'price', price(0.5));
    return got.length > 0;
  }, 10_000, 'subscription');
  await pub.flush();
  await new Promise((r) => setTimeout(r, 50));
  got.length = 0;
  return { pub, sub, got };
}

describe('publisher queue bound', () => {
  it('drops and counts what does not fit, tells the caller, and logs once per second', async () => {
    const log = warnings();
    const { pub, got } = await pair(`drops.${randomBytes(3).toString('hex')}`, 100, log);
    const before = pub.metrics();
    const topic = Topic.price('poly', 'TOKEN1');
    const burst = 1000;
    const ids = Array.from({ length: burst }, (_, i) => pub.publish(topic, 'price', price(i / burst)));
    const after = pub.metrics();

    const dropped = after.dropped - before.dropped;
    expect(dropped).toBeGreaterThan(0);
    expect(after.queued).toBeLessThanOrEqual(100);
    expect(after.published - before.published).toBe(burst);
    const accepted = ids.filter((id): id is string => id !== null);
    expect(accepted).toHaveLength(burst - dropped);

    await pub.flush();
    await eventually(() => got.length >= accepted.length, 10_000, 'every accepted message');
    await new Promise((r) => setTimeout(r, 100));
    expect(got.map((e) => e.id)).toEqual(accepted);
    expect(pub.metrics().sent_frames - before.sent_frames).toBe(accepted.length);
    expect(log.lines.filter((l) => String(l.msg).startsWith('ARB_PUBLISH_DROPPED'))).toHaveLength(1);
  });

  it('after the queue drains, publishing works again', async () => {
    const { pub, got } = await pair(`drops.${randomBytes(3).toString('hex')}`, 10);
    const topic = Topic.price('poly', 'TOKEN1');
    for (let i = 0; i < 100; i++) pub.publish(topic, 'price', price(0.1));
    await pub.flush();
    const id = pub.publish(topic, 'price', price(0.9));
    expect(id).not.toBeNull();
    await eventually(() => got.some((e) => e.id === id), 10_000, 'the message after the drain');
  });

  it('message ids are unique within a publisher and across a restart of the same instance', async () => {
    const src = `ids.${randomBytes(3).toString('hex')}`;
    const seen = new Set<string>();
    for (let run = 0; run < 2; run++) {
      const pub = await ZmqPublisher.create({ src, bindAddress: 'tcp://127.0.0.1:*', maxQueue: 1_000_000 });
      let accepted = 0;
      for (let i = 0; i < 20_000; i++) {
        const id = pub.publishRaw(Topic.price('poly', `T${i % 7}`), 'price', null);
        if (id !== null) accepted++;
        seen.add(id!);
      }
      expect(accepted).toBe(20_000);
      await pub.close();
    }
    expect(seen.size).toBe(40_000);
  });

  it('a closed publisher accepts nothing', async () => {
    const pub = await ZmqPublisher.create({ src: 'closed.0', bindAddress: 'tcp://127.0.0.1:*' });
    await pub.close();
    expect(pub.publish(Topic.price('poly', 'X'), 'price', price(0.5))).toBeNull();
    expect(pub.metrics().published).toBe(0);
  });
});
