/**
 * A Redis stall longer than the registry TTL (SIGSTOP of a private redis-server, then SIGCONT)
 * under a running system: an orchestrator in this process, two game_shard stand-ins as real
 * child processes with real heartbeats, and a hot-path publisher and subscriber that follow the
 * registry. The hot path must not notice: every message published during the stall arrives,
 * no subscriber lets go of its publisher; and the orchestrator, which cannot refresh its view
 * meanwhile, declares no one dead, reassigns no game and raises no "no shard" alert, during
 * the stall and after it, while the entries come back.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from 'pino';
import { Topic, TopicPrefix } from '../src/core/topics.js';
import { createHotSubscriber } from '../src/bus/hot-bus.js';
import { createRedisClient } from '../src/bus/redis-connection.js';
import { ZmqPublisher } from '../src/bus/zmq-publisher.js';
import type { ZmqSubscriber } from '../src/bus/zmq-subscriber.js';
import { baseConfigSpec } from '../src/runtime/base-config.js';
import { loadConfig } from '../src/runtime/config.js';
import { HeartbeatLoop } from '../src/runtime/heartbeat.js';
import { createLogger } from '../src/runtime/logger.js';
import { Metrics } from '../src/runtime/metrics.js';
import type { RunningService } from '../src/runtime/service.js';
import { PrivateRedis } from './helpers/private-redis.js';
import { bidOnlyPrice } from './helpers/prices.js';
import { eventually } from './helpers/redis.js';
import { alertsInStream, FixtureBuild, orchEnv, Recorder, ShardFleet, simEspn } from './orchestrator-harness.js';
import { startOrchestrator } from './orchestrator-harness.js';

const build = new FixtureBuild();
let script: string;
beforeAll(() => {
  script = build.compile();
}, 180_000);
afterAll(() => build.remove());

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const TTL_MS = 1_500;
const HEARTBEAT_MS = 300;
const STALL_MS = 5_000; // over three TTLs, and ten command timeouts
const TIMING = {
  ARBEES_REGISTRY_TTL_MS: String(TTL_MS),
  ARBEES_HEARTBEAT_MS: String(HEARTBEAT_MS),
  ARBEES_REGISTRY_POLL_MS: '100',
  ARBEES_REDIS_COMMAND_TIMEOUT_MS: '500',
};

describe('a Redis stall longer than the registry TTL', () => {
  it('costs the hot path nothing, and the orchestrator declares no one dead and moves no game', async () => {
    const server = await PrivateRedis.start();
    cleanups.push(() => {
      if (server.pid !== null) process.kill(server.pid, 'SIGCONT');
      return server.stop();
    });
    const admin: Redis = server.client();
    cleanups.push(() => admin.disconnect());

    // --- the orchestrator and two shards, with live games assigned
    const sim = await simEspn({ seed: 21, games: 6, leagues: ['nba', 'nhl'], liveShare: 0.5, soonShare: 0.5 });
    cleanups.push(() => sim.world.close(), () => sim.server.close());
    const e = orchEnv(sim.baseUrl, { REDIS_URL: server.url, ORCH_LEAGUES: 'nba,nhl', ORCH_START_DELAY_MS: '300', ...TIMING });
    const fleet = new ShardFleet(script, e);
    cleanups.push(() => fleet.stopAll());
    const shards = [await fleet.spawn(`${e.prefix}-s1`), await fleet.spawn(`${e.prefix}-s2`)];
    const orch: RunningService = await startOrchestrator(e);
    cleanups.push(() => orch.stop());
    const alertsHeard = new Recorder((await orch.ctx.publisher()).endpoint!, ['health.']);
    cleanups.push(() => alertsHeard.close());
    await eventually(async () => (await admin.hlen(e.keys.assignGames)) === 6, 15_000, 'all 6 games assigned');
    await eventually(async () => {
      const owners = Object.values(await admin.hgetall(e.keys.assignGames));
      return shards.every((s) => owners.includes(s.id));
    }, 10_000, 'both shards owning games');
    const ownersBefore = await admin.hgetall(e.keys.assignGames);

    // --- a hot-path publisher (registered by its heartbeat) and a subscriber following the registry
    const lines: Record<string, unknown>[] = [];
    const log: Logger = createLogger({ name: 'stall', level: 'debug', destination: { write: (s: string) => void lines.push(JSON.parse(s)) } });
    const config = loadConfig(baseConfigSpec, { REDIS_URL: server.url, ...TIMING });
    const service = `stall_${randomBytes(3).toString('hex')}`;
    const redis = createRedisClient(server.url, { logger: log, commandTimeoutMs: config.redisCommandTimeoutMs, ioredis: { maxRetriesPerRequest: 2 } });
    cleanups.push(() => redis.disconnect());
    const pub = await ZmqPublisher.create({ src: `${service}.0`, bindAddress: 'tcp://127.0.0.1:*' });
    cleanups.push(() => pub.close());
    const heartbeat = new HeartbeatLoop(redis, new Metrics(), log, { service, instance: '0', intervalMs: HEARTBEAT_MS, ttlMs: TTL_MS });
    heartbeat.addEndpoint(pub.endpoint!);
    heartbeat.setStatus('healthy');
    await heartbeat.start();
    cleanups.push(() => heartbeat.stop());
    const subscription = await createHotSubscriber(config, { logger: log, redis, services: [service] });
    cleanups.push(() => subscription.close());
    const sub = subscription.subscriber as ZmqSubscriber;
    const heard = new Set<number>();
    sub.onMessage((_t, env) => void heard.add(env.seq));
    sub.subscribe(TopicPrefix.prices);
    const topic = Topic.price('kalshi', 'STALL');
    let published = 0; // the topic's seq runs 1..published
    await eventually(() => {
      pub.publish(topic, 'price', bidOnlyPrice('STALL', 0.5));
      published++;
      return heard.size > 0;
    }, 5_000, 'the hot path to flow');
    await sleep(100);
    const beforeJoin = published - heard.size; // ZMQ drops what is sent before a subscriber joins

    // --- the stall: publish steadily through it
    const feed = setInterval(() => {
      pub.publish(topic, 'price', bidOnlyPrice('STALL', 0.5));
      published++;
    }, 20);
    cleanups.push(() => clearInterval(feed));
    process.kill(server.pid!, 'SIGSTOP');
    const firstInStall = published + 1;
    await sleep(STALL_MS);
    const lastInStall = published;
    const sentInStall = lastInStall - firstInStall + 1;
    const heardInStall = [...heard].filter((s) => s >= firstInStall && s <= lastInStall).length;
    process.kill(server.pid!, 'SIGCONT');
    const resumedAt = Date.now();

    // The hot path during the stall: everything arrived, nobody let go.
    expect(sentInStall).toBeGreaterThan(150);
    expect(heardInStall).toBeGreaterThanOrEqual(sentInStall - 2); // at most the last one or two in flight at the count
    expect(sub.metrics().gaps).toBe(0);

    // After it: let the entries come back and the orchestrator's view settle (TTL + heartbeat),
    // with margin, then look at everything that happened.
    await sleep(TTL_MS + HEARTBEAT_MS + 3_000);
    clearInterval(feed);
    await sleep(200);
    expect(heard.size + beforeJoin).toBe(published); // nothing lost since the join, during the stall or after it
    expect(sub.metrics().gaps).toBe(0);
    expect(sub.connectedEndpoints()).toEqual([pub.endpoint]);
    expect(subscription.watcher!.counters.removed).toBe(0);
    const linkLines = lines.filter((l) => /disconnected from publisher|connected to publisher/.test(String(l.msg)));
    expect(linkLines.map((l) => l.msg)).toEqual(['connected to publisher']); // the first connect, nothing since
    // The stall was seen, and logged as one outage (start and end), not line per failure.
    const outage = lines.filter((l) => l.code === 'ARB_REDIS_UNAVAILABLE' && /unreachable|reachable again/.test(String(l.msg)));
    expect(outage).toHaveLength(2);

    // The orchestrator: no dead verdict, no reassignment, no "no shard" alert.
    const alerts = [...(await alertsInStream(admin, e.keys)), ...alertsHeard.alerts()];
    expect(alerts.filter((a) => a.kind === 'dead')).toEqual([]);
    expect(alerts.filter((a) => a.message.includes('ARB_ORCH_NO_SHARD'))).toEqual([]);
    expect(await admin.hgetall(e.keys.assignGames)).toEqual(ownersBefore);
    const m = orch.ctx.metrics.snapshot();
    expect(m['assign.shard_gone'] ?? 0).toBe(0);
    expect(m['assign.no_shard'] ?? 0).toBe(0);
    expect(m['health.instances_up']).toBeGreaterThanOrEqual(2);
    expect(Date.now() - resumedAt).toBeGreaterThan(TTL_MS + HEARTBEAT_MS);
  });
  it('Redis restarted empty under live shards: their entries are unknown until they beat again, never dead, no game moved', async () => {
    const server = await PrivateRedis.start();
    cleanups.push(() => server.stop());
    const admin: Redis = server.client();
    cleanups.push(() => admin.disconnect());
    const sim = await simEspn({ seed: 22, games: 4, leagues: ['nba'], liveShare: 0.5, soonShare: 0.5 });
    cleanups.push(() => sim.world.close(), () => sim.server.close());
    // Shards beat slowly (every 1.5 s, TTL 4 s): after the restart the orchestrator reads an
    // empty registry well before they write their entries again.
    const e = orchEnv(sim.baseUrl, { REDIS_URL: server.url, ORCH_LEAGUES: 'nba', ORCH_START_DELAY_MS: '300', ...TIMING, ARBEES_REGISTRY_TTL_MS: '4000' });
    const fleet = new ShardFleet(script, e);
    cleanups.push(() => fleet.stopAll());
    const slow = { env: { ARBEES_HEARTBEAT_MS: '1500' } };
    const shards = [await fleet.spawn(`${e.prefix}-s1`, slow), await fleet.spawn(`${e.prefix}-s2`, slow)];
    const orch: RunningService = await startOrchestrator(e);
    cleanups.push(() => orch.stop());
    const alertsHeard = new Recorder((await orch.ctx.publisher()).endpoint!, ['health.']);
    cleanups.push(() => alertsHeard.close());
    await eventually(async () => (await admin.hlen(e.keys.assignGames)) === 4, 15_000, 'all 4 games assigned');
    await eventually(async () => {
      const owners = Object.values(await admin.hgetall(e.keys.assignGames));
      return shards.every((s) => owners.includes(s.id));
    }, 10_000, 'both shards owning games');
    await eventually(() => orch.ctx.metrics.snapshot()['health.instances_up'] === 2, 5_000, 'both shards seen');

    await server.kill();
    await sleep(2_000);
    await server.restart(); // empty: the registry, the assignments, everything is gone
    // The orchestrator reconnects and reads an empty registry while both shards are alive. It
    // must wait: no verdict until entries have had a TTL + a heartbeat of reachable Redis.
    await eventually(async () => (await admin.exists(`registry:game_shard:${shards[0]!.instance}`).catch(() => 0)) === 1, 10_000, 'the shard entries back');
    await sleep(4_000 + 300 + 1_000);
    const alerts = alertsHeard.alerts();
    expect(alerts.filter((a) => a.kind === 'dead')).toEqual([]);
    expect(alerts.filter((a) => a.message.includes('ARB_ORCH_NO_SHARD'))).toEqual([]);
    const m = orch.ctx.metrics.snapshot();
    expect(m['assign.shard_gone'] ?? 0).toBe(0);
    expect(m['assign.no_shard'] ?? 0).toBe(0);
    expect(m['health.instances_dead'] ?? 0).toBe(0);
  });
});
