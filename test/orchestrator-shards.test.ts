/**
 * Shard assignment with real shard processes (test/fixtures/test-shard.ts registering as
 * game_shard with a capacity): every live or imminent game is owned by exactly one shard,
 * balanced; kill -9 of a shard moves its games to the others within 15 s, none twice, none
 * dropped; a shard restarted under the same name is used again, and one restarted before its
 * registry entry expired keeps its games; an orchestrator restart changes no assignment and
 * announces nothing new. The shards prove the hot path and games:active carry their games.
 */
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GameInfoSchema } from '../src/core/messages.js';
import { isOver } from '../src/services/orchestrator/game-lifecycle.js';
import type { RunningService } from '../src/runtime/service.js';
import type { SimulatedWorld } from '../src/sim/sim-world.js';
import type { EspnSimServer } from '../src/sim/espn/espn-sim-server.js';
import { eventually, testRedis } from './helpers/redis.js';
import {
  activeGames,
  deleteKeys,
  FixtureBuild,
  orchEnv,
  Recorder,
  ShardFleet,
  simEspn,
  startOrchestrator,
  type OrchEnv,
  type ShardProcess,
} from './orchestrator-harness.js';

const build = new FixtureBuild();
let script: string;
let redis: Redis;
let world: SimulatedWorld;
let server: EspnSimServer;
let e: OrchEnv;
let fleet: ShardFleet;
let orch: RunningService | null;
let recorders: Recorder[];

beforeAll(() => {
  script = build.compile();
}, 180_000);
afterAll(() => build.remove());

beforeEach(async () => {
  redis = testRedis().redis;
  const sim = await simEspn({ seed: 21, games: 12, leagues: ['nba', 'nhl', 'mlb'], liveShare: 0.5, soonShare: 0.5 });
  world = sim.world;
  server = sim.server;
  e = orchEnv(sim.baseUrl, { ORCH_LEAGUES: 'nba,nhl,mlb', ORCH_START_DELAY_MS: '300' });
  fleet = new ShardFleet(script, e);
  orch = null;
  recorders = [];
});

afterEach(async () => {
  for (const r of recorders) await r.close();
  await orch?.stop();
  await fleet.stopAll();
  await server.close();
  world.close();
  await deleteKeys(redis, e.prefix);
  for (const key of await redis.keys(`registry:*:${e.prefix}*`)) await redis.del(key);
  redis.disconnect();
});

interface Snapshot {
  owners: Map<string, string>;
  byShard: Map<string, string[]>;
}

/**
 * Reads assign:games, the per-shard sets and games:active, and checks they agree: each needed
 * game has one owner, each set holds exactly its hash entries, games:active names the same shard.
 */
async function consistent(shardIds: readonly string[]): Promise<Snapshot> {
  // One MULTI: the orchestrator changes these keys together in one script, so a snapshot read
  // in one transaction must agree with itself.
  const tx = redis.multi().hgetall(e.keys.assignGames).hgetall(e.keys.activeGames);
  for (const id of shardIds) tx.smembers(e.keys.assignShard(id));
  const results = (await tx.exec())!.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
  const owners = new Map(Object.entries(results[0] as Record<string, string>));
  const active = new Map(
    Object.entries(results[1] as Record<string, string>).map(([id, json]) => [id, GameInfoSchema.parse(JSON.parse(json))]),
  );
  const byShard = new Map<string, string[]>();
  const seenInSets = new Set<string>();
  shardIds.forEach((id, i) => {
    const members = (results[2 + i] as string[]).sort();
    byShard.set(id, members);
    for (const g of members) {
      expect(seenInSets.has(g), `game ${g} in two shard sets`).toBe(false);
      seenInSets.add(g);
      expect(owners.get(g)).toBe(id);
    }
  });
  for (const [g, owner] of owners) {
    expect(seenInSets.has(g), `owner ${owner} of ${g} has no set entry (or a dead shard owns it)`).toBe(true);
    expect(active.get(g)?.shard).toBe(owner);
  }
  for (const [g, info] of active) if (!isOver(info.status)) expect(owners.has(g), `active game ${g} unassigned`).toBe(true);
  return { owners, byShard };
}

const counts = (s: Snapshot, ids: readonly string[]) => ids.map((id) => s.byShard.get(id)?.length ?? 0);
const balanced = (s: Snapshot, ids: readonly string[]) => Math.max(...counts(s, ids)) - Math.min(...counts(s, ids)) <= 1;

async function reportedGames(shard: ShardProcess): Promise<number | null> {
  const raw = await redis.get(`registry:game_shard:${shard.instance}`);
  return raw === null ? null : ((JSON.parse(raw) as { metrics: Record<string, number> }).metrics['shard.games'] ?? null);
}

async function everyoneAssigned(ids: readonly string[]): Promise<Snapshot> {
  let snap: Snapshot | null = null;
  await eventually(async () => {
    snap = await consistent(ids);
    return snap.owners.size === 12;
  }, 15_000, 'all 12 games assigned');
  return snap!;
}

describe('orchestrator shard assignment', () => {
  it('assigns each game once, balanced; kill -9 moves a dead shard\'s games within 15 s; a restarted shard is used again', async () => {
    const shards = [await fleet.spawn(`${e.prefix}-s1`), await fleet.spawn(`${e.prefix}-s2`), await fleet.spawn(`${e.prefix}-s3`)];
    const ids = shards.map((s) => s.id);
    orch = await startOrchestrator(e);
    const gameIds = world.games().map((g) => g.id).sort();

    let snap = await everyoneAssigned(ids);
    expect([...snap.owners.keys()].sort()).toEqual(gameIds);
    await eventually(async () => balanced((snap = await consistent(ids)), ids), 10_000, 'balanced 4/4/4');
    expect(counts(snap, ids)).toEqual([4, 4, 4]);
    // Each shard process learned exactly its games (games.* messages, games:active recovery).
    await eventually(async () => (await Promise.all(shards.map(reportedGames))).every((n) => n === 4), 10_000, 'shards report 4 games each');

    const victim = shards[1]!;
    const victimGames = snap.byShard.get(victim.id)!;
    const keptElsewhere = new Map([...snap.owners].filter(([, s]) => s !== victim.id));
    const killedAt = Date.now();
    await fleet.kill9(victim);
    const survivors = [ids[0]!, ids[2]!];
    await eventually(async () => {
      const s = await consistent(ids);
      return victimGames.every((g) => survivors.includes(s.owners.get(g) ?? ''));
    }, 15_000, 'the dead shard\'s games on the survivors');
    const movedInMs = Date.now() - killedAt;
    expect(movedInMs).toBeLessThan(15_000);
    snap = await consistent(ids);
    expect(snap.owners.size).toBe(12); // none dropped
    expect(snap.byShard.get(victim.id)).toEqual([]);
    for (const [g, s] of keptElsewhere) expect(snap.owners.get(g)).toBe(s); // the others stayed put
    expect(counts(snap, survivors)).toEqual([6, 6]);

    // Back under the same name: it takes games again (rebalanced), still one owner per game.
    const back = await fleet.spawn(victim.instance);
    await eventually(async () => balanced((snap = await consistent(ids)), ids), 15_000, 'balanced again with the restarted shard');
    expect(snap.byShard.get(back.id)!.length).toBe(4);
    expect(snap.owners.size).toBe(12);
    await eventually(async () => (await reportedGames(back)) === 4, 10_000, 'the restarted shard learned its games');
    console.log(`[orchestrator-shards] kill -9 to reassignment: ${movedInMs} ms (registry TTL 1000 ms, assign tick 200 ms)`);
  });

  it('a shard restarted before its registry entry expires keeps its games (recovered from games:active)', async () => {
    // A long TTL for the shards: the restart completes while the old entry still lives.
    const slowTtl = { ARBEES_REGISTRY_TTL_MS: '5000' };
    Object.assign(e.env, slowTtl);
    const shards = [await fleet.spawn(`${e.prefix}-a`), await fleet.spawn(`${e.prefix}-b`)];
    const ids = shards.map((s) => s.id);
    orch = await startOrchestrator(e, { ARBEES_REGISTRY_TTL_MS: '1000' });
    const before = await everyoneAssigned(ids);
    await eventually(async () => balanced(await consistent(ids), ids), 10_000, 'balanced');
    const settled = await consistent(ids);
    const victim = shards[0]!;
    await fleet.kill9(victim);
    const again = await fleet.spawn(victim.instance);
    await eventually(async () => (await reportedGames(again)) === settled.byShard.get(victim.id)!.length, 10_000, 'recovered its games');
    await new Promise((r) => setTimeout(r, 1_000)); // several assign ticks
    const after = await consistent(ids);
    expect(after.owners).toEqual(settled.owners);
    expect(before.owners.size).toBe(12);
  });

  it('a shard degraded past its grace loses its games to healthy shards, gets none new, and is used again once healthy', async () => {
    const shards = [await fleet.spawn(`${e.prefix}-d1`), await fleet.spawn(`${e.prefix}-d2`)];
    const ids = shards.map((s) => s.id);
    orch = await startOrchestrator(e, { ORCH_DEGRADED_GRACE_MS: '1000' });
    await everyoneAssigned(ids);
    await eventually(async () => balanced(await consistent(ids), ids), 10_000, 'balanced 6/6');
    shards[0]!.send('degrade');
    await eventually(async () => counts(await consistent(ids), ids).join() === '0,12', 10_000, 'all games on the healthy shard');
    await new Promise((r) => setTimeout(r, 600));
    expect(counts(await consistent(ids), ids)).toEqual([0, 12]); // nothing new for the degraded one
    shards[0]!.send('heal');
    await eventually(async () => counts(await consistent(ids), ids).join() === '6,6', 10_000, 'rebalanced after healing');
  });

  it('an orchestrator restart keeps every assignment and announces no game as discovered again', async () => {
    const shards = [await fleet.spawn(`${e.prefix}-x`), await fleet.spawn(`${e.prefix}-y`)];
    const ids = shards.map((s) => s.id);
    orch = await startOrchestrator(e);
    await everyoneAssigned(ids);
    await eventually(async () => balanced(await consistent(ids), ids), 10_000, 'balanced');
    const before = await consistent(ids);
    const activeBefore = await activeGames(redis, e.keys);

    await orch.stop();
    orch = await startOrchestrator(e);
    const rec = new Recorder((await orch.ctx.publisher()).endpoint!, ['games.']);
    recorders.push(rec);
    await new Promise((r) => setTimeout(r, 3_000)); // re-announce, polls and assign ticks
    const after = await consistent(ids);
    expect(after.owners).toEqual(before.owners);
    const activeAfter = await activeGames(redis, e.keys);
    expect([...activeAfter.entries()].map(([id, g]) => [id, g.shard, g.status])).toEqual(
      [...activeBefore.entries()].map(([id, g]) => [id, g.shard, g.status]),
    );
    const infos = rec.gameInfos();
    expect(infos.filter((g) => g.event === 'discovered')).toEqual([]);
    const perGame = new Map<string, number>();
    for (const g of infos) perGame.set(g.game_id, (perGame.get(g.game_id) ?? 0) + 1);
    for (const n of perGame.values()) expect(n).toBeLessThanOrEqual(1);
    expect(orch.ctx.metrics.snapshot()['published.discovered'] ?? 0).toBe(0);
  });
});
