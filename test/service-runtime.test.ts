/**
 * The service runtime against real Redis and real sockets: startService registers the instance
 * with its endpoints and metrics, heartbeats keep the entry alive past its TTL, stop() withdraws
 * it and closes every socket, and a bad environment or a failing start leaves nothing behind.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/core/errors.js';
import { HeartbeatSchema, type Heartbeat } from '../src/core/messages.js';
import { Topic, TopicPrefix } from '../src/core/topics.js';
import type { HotSubscription } from '../src/bus/hot-bus.js';
import { registryKey } from '../src/bus/registry.js';
import type { ZmqSubscriber } from '../src/bus/zmq-subscriber.js';
import { defineVar, parse } from '../src/runtime/config.js';
import { defineService, startService, type RunningService, type ServiceContext } from '../src/runtime/service.js';
import { expectStoppingOrGone } from './helpers/registry.js';
import { eventually, TEST_REDIS_URL } from './helpers/redis.js';
import { bidOnlyPrice } from './helpers/prices.js';
import { baseServiceEnv } from './helpers/service-env.js';
import { freePort } from '../src/launcher/process-utils.js';
import { marketMonitorService } from '../src/services/market-monitor/market-monitor.js';

const uid = () => randomBytes(4).toString('hex');
const price = (bid: number) => bidOnlyPrice('RT', bid);

let redis: Redis;
let dataDir: string;
const running: RunningService[] = [];

beforeAll(() => {
  redis = new Redis(TEST_REDIS_URL);
  dataDir = mkdtempSync(path.join(tmpdir(), 'arb-svc-'));
});
afterEach(async () => {
  for (const r of running.reverse()) await r.stop();
  running.length = 0;
});
afterAll(async () => {
  await redis.quit();
  rmSync(dataDir, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv =>
  baseServiceEnv({
    ARBEES_INSTANCE: '3', // not 0, so tcp binds a free port rather than the seed port
    ARBEES_DATA_DIR: dataDir,
    ARBEES_REGISTRY_TTL_MS: '400',
    ...extra,
  });

async function start<S extends Parameters<typeof defineService>[0]>(def: S, e = env()): Promise<RunningService> {
  const r = await startService(def, e);
  running.push(r);
  return r;
}

/** Removes a handle from the afterEach list once a test stopped it itself. */
async function stop(r: RunningService): Promise<void> {
  running.splice(running.indexOf(r), 1);
  await r.stop();
}

async function entry(name: string, instance = '3'): Promise<Heartbeat | null> {
  const raw = await redis.get(registryKey(name, instance));
  return raw === null ? null : HeartbeatSchema.parse(JSON.parse(raw));
}

const portOf = (endpoint: string) => Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));

function portRefuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

const publisherService = (name: string) =>
  defineService({
    name,
    description: 'tiny test publisher',
    configSpec: { widgets: defineVar({ env: 'T_WIDGETS', default: 2, parse: parse.int(0, 100) }) },
    async start(ctx) {
      await ctx.publisher();
      ctx.metrics.inc('widgets', ctx.config.widgets);
    },
  });

describe('service runtime', () => {
  it('registers registry:<name>:<instance> with endpoints and metrics, healthy after start', async () => {
    const name = `svc_${uid()}`;
    const r = await start(publisherService(name), env({ T_WIDGETS: '5' }));
    const pub = await r.ctx.publisher();
    expect(r.ctx.config).toMatchObject({ instance: '3', heartbeatMs: 100, widgets: 5 });
    expect(Object.isFrozen(r.ctx.config)).toBe(true);

    const hb = await entry(name);
    expect(hb).not.toBeNull();
    expect(hb!).toMatchObject({ service: name, instance: '3', status: 'healthy', pid: process.pid, endpoints: [pub.endpoint] });
    expect(hb!.metrics.widgets).toBe(5);
    expect(hb!.metrics['process.rss_mb']).toBeGreaterThan(0);

    for (let i = 0; i < 7; i++) pub.publish(Topic.price('kalshi', 'RT'), 'price', price(0.5));
    await eventually(async () => (await entry(name))?.metrics['pub.published'] === 7, 5000, 'the metrics to reach the registry');
  });

  it('over tcp the first instance publishes on the seed port its definition names, the others anywhere', async () => {
    const seedPort = await freePort();
    const def = { ...publisherService(`seed_${uid()}`), seedPort };
    const first = await start(def, env({ ARBEES_INSTANCE: '0' }));
    expect(portOf((await first.ctx.publisher()).endpoint!)).toBe(seedPort);
    const second = await start(def, env({ ARBEES_INSTANCE: '1' }));
    expect(portOf((await second.ctx.publisher()).endpoint!)).not.toBe(seedPort);
    // The venue registry gives each market monitor the seed's port of its venue.
    expect(marketMonitorService('kalshi').seedPort).toBe(5555);
    expect(marketMonitorService('poly').seedPort).toBe(5556);
  });

  it('heartbeats refresh the TTL, so the entry outlives it', async () => {
    const name = `hb_${uid()}`;
    await start(publisherService(name));
    const first = await entry(name);
    const pttl = await redis.pttl(registryKey(name, '3'));
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(400);
    await new Promise((r) => setTimeout(r, 1200)); // three TTLs
    const later = await entry(name);
    expect(later).not.toBeNull();
    expect(later!.ts).toBeGreaterThan(first!.ts);
    expect(later!.started_ts).toBe(first!.started_ts);
  });

  it('stop() runs the stop hooks in reverse, withdraws the entry and closes the sockets', async () => {
    const name = `stop_${uid()}`;
    const order: string[] = [];
    const def = defineService({
      name,
      description: 'stop order',
      async start(ctx) {
        await ctx.publisher();
        ctx.onStop(() => void order.push('first'));
        ctx.onStop(async () => {
          await new Promise((r) => setTimeout(r, 20));
          order.push('second');
        });
      },
    });
    const r = await start(def);
    const pub = await r.ctx.publisher();
    const port = portOf(pub.endpoint!);
    expect(await portRefuses(port)).toBe(false);
    expect(await entry(name)).not.toBeNull();

    await stop(r);
    expect(order).toEqual(['second', 'first']);
    await expectStoppingOrGone(redis, registryKey(name, '3'));
    await eventually(() => portRefuses(port), 5000, 'the publisher port to close');
    expect(r.ctx.redis.status).toBe('end');
    // Stopping twice is harmless, and nothing comes back after it.
    await r.stop();
    await new Promise((r2) => setTimeout(r2, 300));
    await expectStoppingOrGone(redis, registryKey(name, '3'));
  });

  it('a subscribing service finds a publishing one, and never connects to its own publisher', async () => {
    const pubName = `src_${uid()}`;
    const subName = `dst_${uid()}`;
    const publisher = await start(publisherService(pubName));
    const pub = await publisher.ctx.publisher();

    const got: string[] = [];
    let subscription: HotSubscription | undefined;
    const consumer = await start(
      defineService({
        name: subName,
        description: 'tiny test subscriber',
        async start(ctx) {
          await ctx.publisher();
          subscription = await ctx.subscribe([TopicPrefix.prices], (_t, e) => void got.push(e.src), { services: [pubName, subName] });
        },
      }),
      env({ ARBEES_INSTANCE: '4' }),
    );
    const ownPub = await consumer.ctx.publisher();
    await eventually(() => {
      pub.publish(Topic.price('kalshi', 'RT'), 'price', price(0.4));
      ownPub.publish(Topic.price('kalshi', 'OWN'), 'price', price(0.4));
      return got.includes(`${pubName}.3`);
    }, 10_000, 'the consumer to hear the publisher');
    // Its own publisher is in the registry under a name it follows, yet it is never dialled.
    for (let i = 0; i < 15; i++) {
      ownPub.publish(Topic.price('kalshi', 'OWN'), 'price', price(0.4));
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(got).not.toContain(`${subName}.4`);
    expect((subscription!.subscriber as ZmqSubscriber).connectedEndpoints()).toEqual([pub.endpoint]);
    await eventually(async () => ((await entry(subName, '4'))?.metrics['sub.delivered'] ?? 0) > 0, 5000, 'sub metrics');
  });

  it('a bad environment throws a ConfigError naming the variable, before anything is registered', async () => {
    const name = `bad_${uid()}`;
    const def = publisherService(name);
    for (const [variable, value] of [
      ['ARBEES_HEARTBEAT_MS', 'fast'],
      ['ARBEES_HOT_TRANSPORT', 'carrier-pigeon'],
      ['REDIS_URL', 'http://127.0.0.1:6379'],
      ['T_WIDGETS', '1000'],
    ] as const) {
      const err = await startService(def, env({ [variable]: value })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).variable).toBe(variable);
    }
    const required = defineService({
      name,
      description: 'needs a key',
      configSpec: { key: defineVar({ env: 'T_REQUIRED_KEY', parse: parse.string, secret: true }) },
      async start() {},
    });
    const err = await startService(required, env()).catch((e: unknown) => e);
    expect((err as ConfigError).variable).toBe('T_REQUIRED_KEY');
    await expectStoppingOrGone(redis, registryKey(name, '3'));
  });

  it('a start() that throws leaves no registry entry, socket or connection behind', async () => {
    const name = `fail_${uid()}`;
    let ctx: ServiceContext<unknown> | undefined;
    let endpoint: string | null = null;
    const def = defineService({
      name,
      description: 'fails while starting',
      async start(c) {
        ctx = c as ServiceContext<unknown>;
        endpoint = (await c.publisher()).endpoint;
        throw new Error('venue login refused');
      },
    });
    await expect(startService(def, env())).rejects.toThrow('venue login refused');
    await expectStoppingOrGone(redis, registryKey(name, '3'));
    await eventually(() => portRefuses(portOf(endpoint!)), 5000, 'the publisher port to close');
    await eventually(() => ctx!.redis.status === 'end', 5000, 'the Redis connection to close');
  });
});
