/**
 * Health alerts from registry heartbeats, with real service processes: a service killed with -9
 * is reported dead once, a fast restart (new pid under a live registry entry) restarted once and
 * never again on its later heartbeats (the reference system flagged every later heartbeat), a
 * degraded service degraded once and recovered once, a dead one coming back recovered once, and
 * a clean stop reported as info. Alerts reach both the hot path and the capped stream, and an
 * orchestrator restart re-alerts nothing.
 */
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HealthAlert } from '../src/core/messages.js';
import type { RunningService } from '../src/runtime/service.js';
import type { SimulatedWorld } from '../src/sim/sim-world.js';
import type { EspnSimServer } from '../src/sim/espn/espn-sim-server.js';
import { eventually, testRedis } from './helpers/redis.js';
import { alertsInStream, deleteKeys, FixtureBuild, orchEnv, Recorder, ShardFleet, simEspn, startOrchestrator, type OrchEnv } from './orchestrator-harness.js';

const build = new FixtureBuild();
let script: string;
let redis: Redis;
let world: SimulatedWorld;
let server: EspnSimServer;
let e: OrchEnv;
let fleet: ShardFleet;
let orch: RunningService | null;
let recorder: Recorder | null;

beforeAll(() => {
  script = build.compile();
}, 180_000);
afterAll(() => build.remove());

beforeEach(async () => {
  redis = testRedis().redis;
  const sim = await simEspn({ seed: 2, games: 0, leagues: ['nba'] });
  world = sim.world;
  server = sim.server;
  e = orchEnv(sim.baseUrl, { ORCH_LEAGUES: 'nba' });
  fleet = new ShardFleet(script, e);
  orch = null;
  recorder = null;
});

afterEach(async () => {
  await recorder?.close();
  await orch?.stop();
  await fleet.stopAll();
  await server.close();
  world.close();
  await deleteKeys(redis, e.prefix);
  redis.disconnect();
});

const SERVICE = 'hsvc';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function kinds(alerts: readonly HealthAlert[], instance: string): string[] {
  return alerts.filter((a) => a.service === SERVICE && a.instance === instance).map((a) => a.kind);
}

describe('orchestrator health monitor', () => {
  it('raises exactly one alert per death, restart, degradation and recovery, on the hot path and in alerts:health', async () => {
    const h1 = await fleet.spawn(`${e.prefix}-h1`, { service: SERVICE });
    // h2 restarts fast: a long TTL keeps its entry alive across the restart.
    const h2 = await fleet.spawn(`${e.prefix}-h2`, { service: SERVICE, env: { ARBEES_REGISTRY_TTL_MS: '6000' } });
    const h3 = await fleet.spawn(`${e.prefix}-h3`, { service: SERVICE });
    orch = await startOrchestrator(e);
    recorder = new Recorder((await orch.ctx.publisher()).endpoint!, ['health.']);
    await eventually(() => orch!.ctx.metrics.snapshot()['health.instances_up'] === 3, 5_000, 'three instances seen');
    await sleep(500);
    expect(await alertsInStream(redis, e.keys)).toEqual([]); // first sight is not news

    await fleet.kill9(h1);
    await eventually(async () => kinds(await alertsInStream(redis, e.keys), h1.instance).includes('dead'), 5_000, 'h1 dead');

    await fleet.kill9(h2);
    const h2b = await fleet.spawn(h2.instance, { service: SERVICE, env: { ARBEES_REGISTRY_TTL_MS: '6000' } });
    await eventually(async () => kinds(await alertsInStream(redis, e.keys), h2.instance).includes('restarted'), 5_000, 'h2 restarted');

    h3.send('degrade');
    await eventually(async () => kinds(await alertsInStream(redis, e.keys), h3.instance).includes('degraded'), 5_000, 'h3 degraded');
    await sleep(1_500); // several checks while degraded, and several heartbeats of the restarted h2
    h3.send('heal');
    await eventually(async () => kinds(await alertsInStream(redis, e.keys), h3.instance).includes('recovered'), 5_000, 'h3 recovered');

    const h1b = await fleet.spawn(h1.instance, { service: SERVICE });
    await eventually(async () => kinds(await alertsInStream(redis, e.keys), h1.instance).includes('recovered'), 5_000, 'h1 back');
    await sleep(1_500);

    const stream = await alertsInStream(redis, e.keys);
    expect(kinds(stream, h1.instance)).toEqual(['dead', 'recovered']);
    expect(kinds(stream, h2.instance)).toEqual(['restarted']);
    expect(kinds(stream, h3.instance)).toEqual(['degraded', 'recovered']);
    const dead = stream.find((a) => a.kind === 'dead')!;
    expect(dead.severity).toBe('critical');
    expect(stream.find((a) => a.kind === 'restarted')!.message).toContain(`-> ${h2b.proc.pid}`);
    expect(stream.find((a) => a.kind === 'degraded')!.message).toContain('told to degrade');
    expect(h1b.proc.pid).toBeGreaterThan(0);

    // The same alerts on health.<service>.<instance>.
    await eventually(() => recorder!.alerts().length === stream.length, 5_000, 'hot-path alerts');
    for (const inst of [h1.instance, h2.instance, h3.instance]) expect(kinds(recorder!.alerts(), inst)).toEqual(kinds(stream, inst));
    expect(recorder!.messages.every((m) => m.topic.startsWith(`health.${SERVICE}.`))).toBe(true);

    // A clean stop is reported, as info.
    h3.proc.kill('SIGTERM');
    await h3.exited;
    await eventually(async () => kinds(await alertsInStream(redis, e.keys), h3.instance).length === 3, 5_000, 'h3 stopped');
    const stopped = (await alertsInStream(redis, e.keys)).at(-1)!;
    expect(stopped).toMatchObject({ kind: 'dead', severity: 'info', instance: h3.instance });

    // An orchestrator restart remembers what it knew: nothing is alerted again.
    const count = (await alertsInStream(redis, e.keys)).length;
    await orch.stop();
    orch = await startOrchestrator(e);
    await sleep(1_500);
    expect((await alertsInStream(redis, e.keys)).length).toBe(count);
  });
});
