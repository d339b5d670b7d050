/**
 * The orchestrator against a simulated ESPN over real HTTP (SimWorld on a manual clock behind
 * EspnSimServer), real Redis and a real ZMQ subscriber on its endpoint: games are discovered,
 * go live and end, each step published once on `games.<sport>.<id>` and mirrored in games:active;
 * the 7-day schedule is read with dates= pages; an ESPN outage opens the circuit breaker (state
 * kept, one alert) and recovery closes it (one alert).
 */
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningService } from '../src/runtime/service.js';
import { easternDay } from '../src/venues/espn/common.js';
import { GameTable } from '../src/services/orchestrator/game-table.js';
import type { ObservedGame } from '../src/services/orchestrator/tracked-game.js';
import { eventually, testRedis } from './helpers/redis.js';
import {
  activeGames,
  alertsInStream,
  deleteKeys,
  orchEnv,
  Recorder,
  simEspn,
  startOrchestrator,
  type OrchEnv,
} from './orchestrator-harness.js';
import type { SimulatedWorld } from '../src/sim/sim-world.js';
import type { EspnSimServer } from '../src/sim/espn/espn-sim-server.js';

let redis: Redis;
let world: SimulatedWorld;
let server: EspnSimServer;
let e: OrchEnv;
let running: RunningService | null;
let recorder: Recorder | null;

beforeEach(() => {
  redis = testRedis().redis;
  running = null;
  recorder = null;
});

afterEach(async () => {
  await recorder?.close();
  await running?.stop();
  await server?.close();
  world?.close();
  if (e) await deleteKeys(redis, e.prefix);
  redis.disconnect();
});

async function boot(options: Parameters<typeof simEspn>[0], extra: Record<string, string> = {}): Promise<void> {
  const sim = await simEspn(options);
  world = sim.world;
  server = sim.server;
  e = orchEnv(sim.baseUrl, { ORCH_LEAGUES: options.leagues!.join(','), ...extra });
  running = await startOrchestrator(e);
  const pub = await running.ctx.publisher();
  recorder = new Recorder(pub.endpoint!);
}

describe('orchestrator game lifecycle', () => {
  it('discovers, follows live and final, publishes each step once and keeps games:active in sync', async () => {
    await boot({ seed: 11, games: 6, leagues: ['nba', 'nhl'], liveShare: 0, soonShare: 1 }, { ORCH_FINAL_RETENTION_MS: '1500' });
    const ids = world.games().map((g) => g.id);
    const rec = recorder!;
    await eventually(() => rec.gameInfos().filter((g) => g.event === 'discovered').length === 6, 15_000, 'six discovered');
    for (const g of rec.gameInfos().filter((m) => m.event === 'discovered')) {
      expect(g.status).toBe('scheduled');
      expect(ids).toContain(g.game_id);
      const truth = world.game(g.game_id)!;
      expect(g.home.abbr).toBe(truth.home.abbr);
      expect(g.away.abbr).toBe(truth.away.abbr);
      expect(Date.parse(g.start_time)).toBe(truth.startTime.getTime());
    }
    // All six start within 30 minutes: imminent, so listed (no shard exists in this test).
    await eventually(async () => (await activeGames(redis, e.keys)).size === 6, 5_000, 'six active games');
    const listed = await activeGames(redis, e.keys);
    for (const g of listed.values()) expect(g).toMatchObject({ status: 'scheduled', shard: null, markets: [] });

    // Live or imminent games and no shard anywhere: one critical alert, not one per tick.
    const noShard = async () => (await alertsInStream(redis, e.keys)).filter((a) => a.message.includes('ARB_ORCH_NO_SHARD'));
    await eventually(async () => (await noShard()).length > 0, 5_000, 'no-shard alert');

    world.step(31 * 60);
    await eventually(async () => [...(await activeGames(redis, e.keys)).values()].every((g) => g.status === 'live' || g.status === 'halftime'), 10_000, 'all live in games:active');
    for (const id of ids) expect(rec.gameInfos(id).some((g) => g.event === 'updated' && g.status === 'live')).toBe(true);

    world.step(8 * 3600);
    await eventually(() => ids.every((id) => rec.gameInfos(id).some((g) => g.event === 'final')), 10_000, 'six finals');
    // Final games stay listed for their retention, then leave games:active.
    await eventually(async () => (await activeGames(redis, e.keys)).size === 0, 10_000, 'games:active emptied after retention');

    for (const id of ids) {
      const seq = rec.gameInfos(id);
      expect(seq.filter((g) => g.event === 'discovered')).toHaveLength(1);
      expect(seq.filter((g) => g.event === 'final')).toHaveLength(1);
      expect(seq[0]!.event).toBe('discovered');
      expect(seq.at(-1)!.event).toBe('final');
      expect(seq.at(-1)!.status).toBe('final');
      const firstLive = seq.findIndex((g) => g.status === 'live');
      expect(firstLive).toBeGreaterThan(0);
      // Never back to scheduled once live.
      expect(seq.slice(firstLive).some((g) => g.status === 'scheduled')).toBe(false);
    }
    expect(await noShard()).toHaveLength(1);
    expect((await noShard())[0]).toMatchObject({ severity: 'critical', kind: 'other', service: 'orchestrator' });
    const metrics = running!.ctx.metrics.snapshot();
    expect(metrics['published.discovered']).toBe(6);
    expect(metrics['published.final']).toBe(6);
  });

  it('reads the 7-day schedule with dates= pages and lists only imminent games', async () => {
    await boot({ seed: 5, games: 16, leagues: ['nba', 'mlb'], liveShare: 0, soonShare: 0.25 }, { ORCH_SCHEDULE_DAYS: '7' });
    const now = Date.now();
    const later = world.games().filter((g) => easternDay(g.startTime) !== easternDay(new Date(now)));
    expect(later.length).toBeGreaterThan(0); // the world spreads games over several days
    await eventually(() => recorder!.gameInfos().filter((g) => g.event === 'discovered').length === 16, 15_000, 'all 16 discovered');
    const imminent = world.games().filter((g) => g.startTime.getTime() - Date.now() <= 60 * 60_000).map((g) => g.id).sort();
    await eventually(async () => [...(await activeGames(redis, e.keys)).keys()].sort().join() === imminent.join(), 5_000, 'only imminent games listed');
    // The whole sync (2 leagues x 7 days) is read, a slice per poll beside the live pages.
    await eventually(() => (server.stats().requests ?? 0) >= 2 * 7 + 2 * 2, 5_000, 'the full schedule read');
  });

  it('an ESPN outage (503s, then garbage) opens the breaker, keeps the last good state, raises one alert; recovery closes it', async () => {
    await boot({ seed: 3, games: 4, leagues: ['nba', 'nhl'], liveShare: 0, soonShare: 1 });
    const rec = recorder!;
    await eventually(async () => (await activeGames(redis, e.keys)).size === 4, 15_000, 'four active games');
    const before = await activeGames(redis, e.keys);

    server.injectFault('error', 3);
    server.injectFault('garbage', 4);
    world.step(31 * 60); // the games go live, but the orchestrator cannot see it yet
    await eventually(async () => (await alertsInStream(redis, e.keys)).some((a) => a.kind === 'feed_down'), 10_000, 'feed_down alert');
    // Its own heartbeat says so while the breaker is open.
    await eventually(async () => JSON.parse((await redis.get(`registry:orchestrator:${e.env.ARBEES_INSTANCE}`))!).status === 'degraded', 2_000, 'orchestrator degraded');
    // Last good state kept: nothing in games:active moved.
    const during = await activeGames(redis, e.keys);
    expect([...during.entries()].map(([id, g]) => [id, g.status])).toEqual([...before.entries()].map(([id, g]) => [id, g.status]));

    await eventually(async () => (await alertsInStream(redis, e.keys)).some((a) => a.kind === 'feed_up'), 15_000, 'feed_up alert');
    await eventually(async () => [...(await activeGames(redis, e.keys)).values()].every((g) => g.status === 'live' || g.status === 'halftime'), 10_000, 'live after recovery');
    const alerts = await alertsInStream(redis, e.keys);
    expect(alerts.filter((a) => a.kind === 'feed_down')).toHaveLength(1);
    expect(alerts.filter((a) => a.kind === 'feed_up')).toHaveLength(1);
    expect(alerts.find((a) => a.kind === 'feed_down')!.message).toContain('ARB_ORCH_FEED_DOWN');
    // The same alerts went out on the hot path.
    await eventually(() => rec.alerts().some((a) => a.kind === 'feed_up'), 5_000, 'feed_up on the hot path');
    expect(rec.alerts().filter((a) => a.kind === 'feed_down')).toHaveLength(1);
    expect(running!.ctx.metrics.snapshot()['breaker.opened']).toBe(1);
    await eventually(async () => JSON.parse((await redis.get(`registry:orchestrator:${e.env.ARBEES_INSTANCE}`))!).status === 'healthy', 5_000, 'healthy again');
  });
});

describe('game table', () => {
  it('applies forward transitions, ignores and reports a status going backwards, and survives a reload', async () => {
    const key = `t${Date.now().toString(36)}:orch:games`;
    const table = new GameTable(redis, key);
    const seen: ObservedGame = {
      game_id: '401', sport: 'nba', name: 'A at B', home: { name: 'B', abbr: 'B' }, away: { name: 'A', abbr: 'A' },
      start_time: new Date(0).toISOString(), status: 'scheduled',
    };
    expect(table.observe(seen, 1).kind).toBe('new');
    await table.save(table.get('401')!);
    expect(table.observe(seen, 2).kind).toBe('unchanged');
    expect(table.observe({ ...seen, status: 'live' }, 3)).toMatchObject({ kind: 'changed', from: 'scheduled' });
    expect(table.observe({ ...seen, status: 'scheduled' }, 4)).toMatchObject({ kind: 'backward', ignored: 'scheduled', factsChanged: false });
    expect(table.get('401')!.status).toBe('live');
    expect(table.observe({ ...seen, status: 'final' }, 5)).toMatchObject({ kind: 'changed', from: 'live' });
    expect(table.get('401')!.over_ms).toBe(5);
    expect(table.observe({ ...seen, status: 'live' }, 6).kind).toBe('backward');
    await table.save(table.get('401')!);
    await redis.hset(key, 'garbage', '{not json');
    const reloaded = new GameTable(redis, key);
    expect(await reloaded.load()).toEqual({ loaded: 1, unreadable: ['garbage'] });
    expect(reloaded.get('401')).toMatchObject({ status: 'final', over_ms: 5 });
    await redis.del(key);
  });
});
