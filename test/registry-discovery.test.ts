/**
 * Discovery through the Redis registry: a subscriber created before any publisher exists connects
 * by itself when one registers, receives, and disconnects when the entry is withdrawn, or when it
 * expired and the publisher's link is down too (a missing entry alone is not a dead publisher).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RawEnvelope } from '../src/core/envelope.js';
import type { Heartbeat } from '../src/core/messages.js';
import { Topic, TopicPrefix } from '../src/core/topics.js';
import { silentLogger } from '../src/bus/bus-options.js';
import { createHotSubscriber, type HotSubscription } from '../src/bus/hot-bus.js';
import type { HotPublisher } from '../src/bus/hot-publisher.js';
import { deregisterInstance, listInstances, registerInstance, registryKey } from '../src/bus/registry.js';
import { ZmqPublisher } from '../src/bus/zmq-publisher.js';
import type { ZmqSubscriber } from '../src/bus/zmq-subscriber.js';
import { baseConfigSpec } from '../src/runtime/base-config.js';
import { loadConfig } from '../src/runtime/config.js';
import { defineService, startService, type RunningService } from '../src/runtime/service.js';
import { expectStoppingOrGone } from './helpers/registry.js';
import { eventually, TEST_REDIS_URL } from './helpers/redis.js';
import { bidOnlyPrice } from './helpers/prices.js';
import { baseServiceEnv } from './helpers/service-env.js';

const uid = () => randomBytes(4).toString('hex');
const price = (bid: number) => bidOnlyPrice('DISC', bid);

let redis: Redis;
let dataDir: string;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

beforeAll(() => {
  redis = new Redis(TEST_REDIS_URL);
  dataDir = mkdtempSync(path.join(tmpdir(), 'arb-reg-'));
});
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});
afterAll(async () => {
  await redis.quit();
  rmSync(dataDir, { recursive: true, force: true });
});

const busConfig = () => loadConfig(baseConfigSpec, { REDIS_URL: TEST_REDIS_URL, ARBEES_REGISTRY_POLL_MS: '50', ARBEES_DATA_DIR: dataDir });

/** A subscriber that follows the registry, for one service name, created before anything publishes. */
async function follow(service: string): Promise<{ sub: HotSubscription; zmq: ZmqSubscriber; got: [string, RawEnvelope][] }> {
  const sub = await createHotSubscriber(busConfig(), { logger: silentLogger, redis, services: [service] });
  cleanups.push(() => sub.close());
  const got: [string, RawEnvelope][] = [];
  sub.subscriber.onMessage((t, e) => void got.push([t, e]));
  sub.subscriber.subscribe(TopicPrefix.venuePrices('kalshi'));
  return { sub, zmq: sub.subscriber as ZmqSubscriber, got };
}

/** Publishes until the subscriber hears one (it connects on its own; PUB/SUB drops before the join). */
async function heard(pub: HotPublisher, got: [string, RawEnvelope][]): Promise<void> {
  await eventually(() => {
    pub.publish(Topic.price('kalshi', 'DISC'), 'price', price(0.5));
    return got.some(([, e]) => e.src === pub.src);
  }, 10_000, `a message from ${pub.src}`);
}

/** Publishes for a while and reports whether anything more arrived. */
async function stillHearing(pub: HotPublisher, got: [string, RawEnvelope][], ms = 400): Promise<boolean> {
  await new Promise((r) => setTimeout(r, 100));
  const before = got.length;
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    pub.publish(Topic.price('kalshi', 'DISC'), 'price', price(0.5));
    await new Promise((r) => setTimeout(r, 20));
  }
  return got.length > before;
}

describe.each(['ipc', 'tcp'] as const)('registry discovery over %s', (zmqTransport) => {
  it('a subscriber started first finds a service publisher, then lets go when it stops', async () => {
    const name = `disc_${uid()}`;
    const { zmq, got } = await follow(name);
    expect(zmq.connectedEndpoints()).toEqual([]);

    const def = defineService({ name, description: 'test publisher', async start(ctx) { await ctx.publisher(); } });
    const running: RunningService = await startService(
      def,
      baseServiceEnv({ ARBEES_INSTANCE: '7', ARBEES_ZMQ_TRANSPORT: zmqTransport, ARBEES_DATA_DIR: dataDir }),
    );
    let stopped = false;
    cleanups.push(() => (stopped ? undefined : running.stop()));
    const pub = await running.ctx.publisher();
    expect(pub.endpoint).toMatch(zmqTransport === 'ipc' ? /^ipc:\/\// : /^tcp:\/\/127\.0\.0\.1:\d+$/);

    await eventually(() => zmq.connectedEndpoints().includes(pub.endpoint!), 5000, 'the watcher to connect');
    await heard(pub, got);
    expect(got.at(-1)![1].src).toBe(`${name}.7`);

    await running.stop();
    stopped = true;
    await expectStoppingOrGone(redis, registryKey(name, '7'));
    await eventually(() => zmq.connectedEndpoints().length === 0, 5000, 'the watcher to disconnect');
  });
});

describe('registry discovery', () => {
  it('an entry that expires (no heartbeat) keeps a publisher whose link is up; once it is gone too, the subscriber lets go', async () => {
    const name = `exp_${uid()}`;
    const { zmq, got } = await follow(name);
    const pub = await ZmqPublisher.create({ src: `${name}.0`, bindAddress: 'tcp://127.0.0.1:*' });
    cleanups.push(() => pub.close());
    const hb: Heartbeat = {
      service: name,
      instance: '0',
      status: 'healthy',
      pid: process.pid,
      host: 'test',
      started_ts: 1,
      endpoints: [pub.endpoint!],
      metrics: {},
      ts: 1,
    };
    await registerInstance(redis, hb, 600);
    await heard(pub, got);
    expect(zmq.connectedEndpoints()).toEqual([pub.endpoint]);

    await eventually(async () => (await redis.exists(registryKey(name, '0'))) === 0, 5000, 'the entry to expire');
    // The registry is not the hot path: a missing entry alone (Redis lost it, or stalled) does
    // not cut a link that is alive.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(zmq.connectedEndpoints()).toEqual([pub.endpoint]);
    await heard(pub, got);

    // Its process goes away: link down, entry missing, so gone.
    await pub.close();
    await eventually(() => zmq.connectedEndpoints().length === 0, 5000, 'the watcher to disconnect');

    // A publisher registers there again: found and heard again.
    const pub2 = await ZmqPublisher.create({ src: `${name}.0`, bindAddress: 'tcp://127.0.0.1:*' });
    cleanups.push(() => pub2.close());
    await registerInstance(redis, { ...hb, endpoints: [pub2.endpoint!] }, 5000);
    cleanups.push(() => deregisterInstance(redis, name, '0'));
    await heard(pub2, got);
  });

  it('follows only the services it was asked for, and skips instances that are stopping', async () => {
    const wanted = `want_${uid()}`;
    const other = `other_${uid()}`;
    const { zmq, got } = await follow(wanted);
    const pubs = await Promise.all(
      ['0', '1', '2'].map((i) => ZmqPublisher.create({ src: `${i === '2' ? other : wanted}.${i}`, bindAddress: 'tcp://127.0.0.1:*' })),
    );
    for (const p of pubs) cleanups.push(() => p.close());
    const entry = (service: string, instance: string, endpoint: string, status: Heartbeat['status']): Heartbeat => ({
      service, instance, status, pid: 1, host: 'h', started_ts: 1, endpoints: [endpoint], metrics: {}, ts: 1,
    });
    await registerInstance(redis, entry(wanted, '0', pubs[0]!.endpoint!, 'healthy'), 10_000);
    await registerInstance(redis, entry(wanted, '1', pubs[1]!.endpoint!, 'stopping'), 10_000);
    await registerInstance(redis, entry(other, '2', pubs[2]!.endpoint!, 'healthy'), 10_000);
    cleanups.push(() => redis.del(registryKey(wanted, '0'), registryKey(wanted, '1'), registryKey(other, '2')));

    await heard(pubs[0]!, got);
    await new Promise((r) => setTimeout(r, 300)); // several polls
    expect(zmq.connectedEndpoints()).toEqual([pubs[0]!.endpoint]);
    expect(await stillHearing(pubs[1]!, got)).toBe(false);
    expect(await stillHearing(pubs[2]!, got)).toBe(false);
  });

  it('an unreadable registry entry is skipped, and discovery carries on', async () => {
    const name = `junk_${uid()}`;
    await redis.set(registryKey(name, 'bad1'), '{not json', 'PX', 10_000);
    await redis.set(registryKey(name, 'bad2'), JSON.stringify({ service: name, endpoints: 'tcp://x' }), 'PX', 10_000);
    cleanups.push(() => redis.del(registryKey(name, 'bad1'), registryKey(name, 'bad2')));
    const warnings: unknown[] = [];
    const logger = { ...silentLogger, warn: (o: object) => void warnings.push(o) };
    expect((await listInstances(redis, logger)).some((h) => h.service === name)).toBe(false);
    expect(warnings.length).toBeGreaterThanOrEqual(2);

    const { got } = await follow(name);
    const pub = await ZmqPublisher.create({ src: `${name}.0`, bindAddress: 'tcp://127.0.0.1:*' });
    cleanups.push(() => pub.close());
    await registerInstance(
      redis,
      { service: name, instance: '0', status: 'healthy', pid: 1, host: 'h', started_ts: 1, endpoints: [pub.endpoint!], metrics: {}, ts: 1 },
      10_000,
    );
    cleanups.push(() => deregisterInstance(redis, name, '0'));
    await heard(pub, got);
  });
});
