/**
 * game_shard end to end on the simulators: SimRunner (ESPN, Kalshi and Polymarket over loopback
 * HTTP/WebSocket, makers that drift out of line with each other), market_discovery, the
 * orchestrator, both monitors and a game_shard, each started through the service runtime with
 * real Redis and real ZMQ. The orchestrator assigns the live games to the shard; the test hears
 * the shard's game_state (with the model's probability) and its signals, which appear because the
 * two venues' makers are pushed out of line often.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZmqSubscriber } from '../src/bus/zmq-subscriber.js';
import type { GameInfo, GameState, TradeSignal } from '../src/core/messages.js';
import { startService, type RunningService } from '../src/runtime/service.js';
import { gameShard } from '../src/services/game-shard/game-shard.js';
import { marketDiscovery } from '../src/services/market-discovery/market-discovery.js';
import { orchestrator } from '../src/services/orchestrator/orchestrator.js';
import { simEnvironment } from '../src/sim/sim-endpoints.js';
import { SimRunner } from '../src/sim/sim-runner.js';
import { eventually, testRedis } from './helpers/redis.js';
import { baseServiceEnv } from './helpers/service-env.js';
import { marketMonitorService } from '../src/services/market-monitor/market-monitor.js';

const kalshiMonitor = marketMonitorService('kalshi');
const polymarketMonitor = marketMonitorService('poly');

const prefix = `t${randomBytes(3).toString('hex')}`;
const { redis } = testRedis();
const dataDir = mkdtempSync(path.join(tmpdir(), 'arb-shard-sim-'));
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keyId = `shard-sim-${prefix}`;
const services: RunningService[] = [];
const states: GameState[] = [];
const signals: { data: TradeSignal; originTs: number; cause: string | undefined; ts: number }[] = [];
let sim: SimRunner;
let sub: ZmqSubscriber;
let shard: RunningService;

beforeAll(async () => {
  sim = new SimRunner({
    seed: 9001,
    speed: 30,
    games: 4,
    leagues: ['nba', 'nhl'],
    liveShare: 1,
    soonShare: 0,
    ports: { espn: 0, kalshi: 0, gamma: 0, clob: 0 },
    quoteIntervalMs: 100,
    makerTimings: { lagMs: 500, noiseIntervalMs: 300, episodeWindowMs: 3_000, episodeDurationMs: 1_500 },
    maker: { episodeProb: 1, episodeSize: 0.12 },
    kalshiKeys: [{ keyId, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() }],
  });
  const endpoints = await sim.start();
  const env = (instance: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv =>
    baseServiceEnv({
      ...simEnvironment(endpoints),
      ARBEES_DATA_DIR: dataDir,
      ARBEES_INSTANCE: `${prefix}-${instance}`,
      ARBEES_HEARTBEAT_MS: '200',
      ARBEES_REGISTRY_TTL_MS: '1500',
      ARBEES_REGISTRY_POLL_MS: '100',
      KALSHI_API_KEY: keyId,
      KALSHI_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      ...extra,
    });
  const gamesKey = `${prefix}:games:active`;
  services.push(await startService(marketDiscovery, env('md', { MARKET_DISCOVERY_QUEUE: `md_${prefix}`, MARKET_DISCOVERY_KEY_PREFIX: `${prefix}:discovery:` })));
  shard = await startService(gameShard, env('shard', { SHARD_ACTIVE_GAMES_KEY: gamesKey, SHARD_KEY_PREFIX: `${prefix}:`, SHARD_POLL_MS: '500', SHARD_ESPN_MIN_INTERVAL_MS: '0' }));
  services.push(shard);
  sub = new ZmqSubscriber({ validate: true });
  sub.subscribe('games.');
  sub.subscribe('signals.trade.');
  sub.onMessage((_topic, envelope) => {
    if (envelope.type === 'game_state') states.push(envelope.data as GameState);
    if (envelope.type === 'trade_signal') {
      signals.push({ data: envelope.data as TradeSignal, originTs: envelope.origin_ts, cause: envelope.cause, ts: envelope.ts });
    }
  });
  sub.connect((await shard.ctx.publisher()).endpoint!);
  const monitorEnv = { MONITOR_ACTIVE_GAMES_KEY: gamesKey, MONITOR_HEAL_INTERVAL_MS: '500' };
  services.push(await startService(kalshiMonitor, env('km', monitorEnv)));
  services.push(await startService(polymarketMonitor, env('pm', monitorEnv)));
  services.push(
    await startService(orchestrator, env('orch', {
      ESPN_MIN_INTERVAL_MS: '0',
      ORCH_KEY_PREFIX: `${prefix}:`,
      ORCH_WATCH_INSTANCE_PREFIX: prefix,
      ORCH_DISCOVERY_QUEUE: `md_${prefix}`,
      ORCH_LEAGUES: 'nba,nhl',
      ORCH_START_DELAY_MS: '300',
      ORCH_POLL_MS: '1000',
      ORCH_FAST_POLL_MS: '500',
      ORCH_ASSIGN_MS: '300',
      ORCH_HEALTH_MS: '1000',
    })),
  );
}, 60_000);

afterAll(async () => {
  for (const s of services.reverse()) await s.stop().catch(() => undefined);
  await sub?.close();
  await sim?.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('game_shard on the simulators', () => {
  it('is assigned the live games and publishes their state with the model probability', async () => {
    const shardId = `game_shard.${prefix}-shard`;
    await eventually(
      async () => {
        const active = Object.values(await redis.hgetall(`${prefix}:games:active`)).map((v) => JSON.parse(v) as GameInfo);
        return active.length > 0 && active.every((g) => g.shard === shardId || g.status !== 'live') && active.some((g) => g.markets.length >= 2);
      },
      30_000,
      'games assigned to the shard with their markets',
    );
    await eventually(() => states.some((s) => s.status === 'live' && s.model_home_prob !== null && s.markets.some((m) => m.yes_bid !== null)), 30_000, 'a live game_state with model and prices');
    const live = states.filter((s) => s.status === 'live' && s.model_home_prob !== null);
    for (const s of live) {
      expect(s.model_home_prob).toBeGreaterThan(0);
      expect(s.model_home_prob).toBeLessThan(1);
    }
    // The model follows the simulated game: compare with the world's true probability, loosely.
    const last = live.at(-1)!;
    const truth = sim.world.game(last.game_id)?.homeWinProb;
    expect(truth).toBeDefined();
    expect(Math.abs(last.model_home_prob! - truth!)).toBeLessThan(0.5);
  }, 70_000);

  it('signals when the two venues are out of line, with the price origin as origin_ts', async () => {
    await eventually(() => signals.some((s) => s.data.kind === 'arbitrage'), 45_000, `an arbitrage signal (shard: ${JSON.stringify(shard.ctx.metrics.snapshot())})`);
    const arb = signals.find((s) => s.data.kind === 'arbitrage')!;
    expect(new Set(arb.data.legs.map((l) => l.venue))).toEqual(new Set(['kalshi', 'poly']));
    expect(arb.data.net_edge).toBeGreaterThan(0);
    expect(arb.cause).toBeDefined();
    expect(arb.originTs).toBeLessThanOrEqual(arb.ts);
    // origin_ts is the monitor's receipt of the venue frame: well before the signal, not after.
    expect(arb.ts - arb.originTs).toBeLessThan(5_000_000);
    const m = shard.ctx.metrics.snapshot();
    expect(m['prices.ok']).toBeGreaterThan(0);
    expect(m['latency.signal_count']).toBeGreaterThan(0);
  }, 60_000);
});
