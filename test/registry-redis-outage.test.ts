/**
 * Redis goes away under a running publisher and subscriber (a private redis-server this file
 * starts and kills): the hot path keeps flowing over ZMQ, the heartbeat reports the outage once
 * instead of every beat, and when Redis returns the registry entry is rewritten by itself.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Topic, TopicPrefix } from '../src/core/topics.js';
import { createHotSubscriber } from '../src/bus/hot-bus.js';
import { registryKey } from '../src/bus/registry.js';
import { ZmqPublisher } from '../src/bus/zmq-publisher.js';
import type { ZmqSubscriber } from '../src/bus/zmq-subscriber.js';
import { baseConfigSpec } from '../src/runtime/base-config.js';
import { loadConfig } from '../src/runtime/config.js';
import { HeartbeatLoop } from '../src/runtime/heartbeat.js';
import { createLogger } from '../src/runtime/logger.js';
import { Metrics } from '../src/runtime/metrics.js';
import { PrivateRedis } from './helpers/private-redis.js';
import { bidOnlyPrice } from './helpers/prices.js';
import { eventually } from './helpers/redis.js';

const price = bidOnlyPrice('OUT', 0.5);

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});

describe('Redis outage under the registry', () => {
  it('the hot path keeps flowing, the heartbeat warns once, and the entry comes back with Redis', async () => {
    const server = await PrivateRedis.start();
    cleanups.push(() => server.stop());
    const url = server.url;
    const clients = [0, 1].map(() => {
      const r = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
      r.on('error', () => {});
      return r;
    });
    cleanups.push(() => clients.forEach((c) => c.disconnect()));
    const [hbRedis, watchRedis] = clients as [Redis, Redis];

    const lines: Record<string, unknown>[] = [];
    const log: Logger = createLogger({ name: 'outage', level: 'debug', destination: { write: (s: string) => void lines.push(JSON.parse(s)) } });
    const service = `outage_${randomBytes(4).toString('hex')}`;
    const pub = await ZmqPublisher.create({ src: `${service}.0`, bindAddress: 'tcp://127.0.0.1:*' });
    cleanups.push(() => pub.close());
    const heartbeat = new HeartbeatLoop(hbRedis, new Metrics(), log, { service, instance: '0', intervalMs: 100, ttlMs: 5000 });
    heartbeat.addEndpoint(pub.endpoint!);
    heartbeat.setStatus('healthy');
    await heartbeat.start();
    cleanups.push(() => heartbeat.stop());

    const config = loadConfig(baseConfigSpec, { REDIS_URL: url, ARBEES_REGISTRY_POLL_MS: '50' });
    const subscription = await createHotSubscriber(config, { logger: log, redis: watchRedis, services: [service] });
    cleanups.push(() => subscription.close());
    const sub = subscription.subscriber as ZmqSubscriber;
    let heard = 0;
    sub.onMessage(() => void heard++);
    sub.subscribe(TopicPrefix.prices);
    const hearsMore = async () => {
      const before = heard;
      await eventually(() => {
        pub.publish(Topic.price('kalshi', 'OUT'), 'price', price);
        return heard > before + 5;
      }, 10_000, 'messages to flow');
    };
    await hearsMore();

    await server.kill();
    await new Promise((r) => setTimeout(r, 800)); // many beats and polls fail meanwhile
    expect(sub.connectedEndpoints()).toEqual([pub.endpoint]);
    await hearsMore(); // ZMQ needs no Redis
    const failures = lines.filter((l) => String(l.msg).includes('heartbeat failed'));
    expect(failures).toHaveLength(1);
    expect(failures[0]!.msg).toContain('ARB_REDIS_UNAVAILABLE');

    await server.restart(); // empty: the old entry is gone with the old server
    await eventually(async () => (await hbRedis.exists(registryKey(service, '0')).catch(() => 0)) === 1, 10_000, 'the entry to return');
    await eventually(() => lines.some((l) => l.msg === 'heartbeat restored'), 5000, 'the restored log line');
    await eventually(() => sub.connectedEndpoints().includes(pub.endpoint!), 5000, 'the watcher to follow again');
    await hearsMore();
  });
});
