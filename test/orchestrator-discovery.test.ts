/**
 * Market lookup through the market_discovery RPC queue: with no server the requests time out,
 * the games stay tracked and listed without markets, and the lookups are retried with backoff;
 * once a server answers, each game gets its markets (published as 'updated' and written to
 * games:active) and a game with markets on both venues is not asked again. A reply that breaks
 * the contract is a failure like a timeout: retried, never applied.
 */
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MarketRef } from '../src/core/messages.js';
import { RpcServer } from '../src/bus/rpc-server.js';
import type { RunningService } from '../src/runtime/service.js';
import type { DiscoveryReply, DiscoveryRequest } from '../src/core/market-discovery.js';
import type { SimulatedWorld } from '../src/sim/sim-world.js';
import type { EspnSimServer } from '../src/sim/espn/espn-sim-server.js';
import { eventually, testRedis } from './helpers/redis.js';
import { activeGames, deleteKeys, orchEnv, Recorder, simEspn, startOrchestrator, type OrchEnv } from './orchestrator-harness.js';

let redis: Redis;
let world: SimulatedWorld;
let server: EspnSimServer;
let e: OrchEnv;
let orch: RunningService | null;
let recorder: Recorder | null;
let rpcServer: RpcServer<DiscoveryRequest, DiscoveryReply | Record<string, unknown>> | null;

beforeEach(async () => {
  redis = testRedis().redis;
  const sim = await simEspn({ seed: 8, games: 3, leagues: ['nba'], liveShare: 0.5, soonShare: 0.5 });
  world = sim.world;
  server = sim.server;
  e = orchEnv(sim.baseUrl, { ORCH_LEAGUES: 'nba', ORCH_START_DELAY_MS: '500' });
  orch = null;
  recorder = null;
  rpcServer = null;
});

afterEach(async () => {
  await recorder?.close();
  await orch?.stop();
  await rpcServer?.stop();
  await server.close();
  world.close();
  await deleteKeys(redis, e.prefix);
  for (const key of await redis.keys(`rpc:${e.env.ORCH_DISCOVERY_QUEUE}:*`)) await redis.del(key);
  redis.disconnect();
});

function marketsFor(req: DiscoveryRequest): MarketRef[] {
  return [
    { venue: 'kalshi', market_id: `KXNBAGAME-${req.game_id}-${req.home.abbr}`, team: req.home.abbr, outcome: 'home' },
    { venue: 'kalshi', market_id: `KXNBAGAME-${req.game_id}-${req.away.abbr}`, team: req.away.abbr, outcome: 'away' },
    { venue: 'poly', market_id: `7${req.game_id}1`, team: req.home.abbr, outcome: 'home' },
    { venue: 'poly', market_id: `7${req.game_id}2`, team: req.away.abbr, outcome: 'away' },
  ];
}

describe('orchestrator market lookup', () => {
  it('keeps games without markets while market_discovery is silent, then fills them in once it answers', async () => {
    orch = await startOrchestrator(e);
    recorder = new Recorder((await orch.ctx.publisher()).endpoint!, ['games.']);
    const ids = world.games().map((g) => g.id).sort();
    await eventually(async () => (await activeGames(redis, e.keys)).size === 3, 10_000, 'three games listed');
    // No server: every lookup times out (300 ms x 2 attempts) and is retried with backoff.
    await eventually(() => (orch!.ctx.metrics.snapshot()['discovery.failures'] ?? 0) >= 6, 10_000, 'two failed rounds per game');
    expect(orch.ctx.metrics.snapshot()['rpc.timeouts']).toBeGreaterThanOrEqual(6);
    const listed = await activeGames(redis, e.keys);
    expect([...listed.keys()].sort()).toEqual(ids);
    for (const g of listed.values()) expect(g.markets).toEqual([]);

    // A server that breaks the contract for one game: that game is retried, never applied.
    const served = new Map<string, number>();
    const badGame = ids[0]!;
    let badAnswers = 2;
    rpcServer = new RpcServer(redis, { queue: e.env.ORCH_DISCOVERY_QUEUE!, livenessTtlMs: 1_000, reaperIntervalMs: 500 }, async (req) => {
      served.set(req.game_id, (served.get(req.game_id) ?? 0) + 1);
      if (req.game_id === badGame && badAnswers-- > 0) return { game_id: req.game_id, markets: 'not a list' };
      return { game_id: req.game_id, sport: req.sport, markets: marketsFor(req), venues: {} };
    });
    await rpcServer.start();

    await eventually(async () => [...(await activeGames(redis, e.keys)).values()].every((g) => g.markets.length === 4), 15_000, 'markets in games:active');
    for (const id of ids) {
      const info = (await activeGames(redis, e.keys)).get(id)!;
      expect(info.markets.map((m) => m.market_id).sort()).toEqual(marketsFor({ game_id: id, sport: 'nba', home: info.home, away: info.away, start_time: info.start_time }).map((m) => m.market_id).sort());
      await eventually(() => recorder!.gameInfos(id).some((g) => g.event === 'updated' && g.markets.length === 4), 5_000, `updated with markets for ${id}`);
    }
    expect(served.get(badGame)).toBeGreaterThanOrEqual(3);
    expect(orch.ctx.metrics.snapshot()['rpc.remote_errors'] ?? 0).toBe(0);

    // Complete (both venues): not asked again.
    const settled = new Map(served);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(served).toEqual(settled);
    // The tracked table persisted them too (a restart keeps the markets).
    const stored = await redis.hgetall(e.keys.trackedGames);
    for (const id of ids) expect((JSON.parse(stored[id]!) as { markets: unknown[] }).markets).toHaveLength(4);
  });
});
