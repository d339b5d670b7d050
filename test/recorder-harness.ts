/**
 * Shared parts of the recorder tests: unique stream prefixes (RECORDER_KEY_PREFIX) on the test
 * Redis, entries in the exact layouts their writers use (the slow-track layout of the bridge and
 * execution_service, the tracker's closed positions and settlements), and the recorder itself,
 * in process or as a real `arbees run recorder` child.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { ENVELOPE_VERSION, type RawEnvelope } from '../src/core/envelope.js';
import type { GameInfo, GameState, MessageType, Position, PriceUpdate, TradeCompleted, TradeSignal } from '../src/core/messages.js';
import { SlowKey } from '../src/core/slow-keys.js';
import { Topic } from '../src/core/topics.js';
import { streamEntryFields } from '../src/bus/slow-track.js';
import { startService, type RunningService } from '../src/runtime/service.js';
import { recorder } from '../src/services/recorder/recorder.js';
import { createServerDatabase } from './helpers/postgres.js';
import { testRedis } from './helpers/redis.js';
import { baseServiceEnv } from './helpers/service-env.js';

export const uid = (): string => randomBytes(4).toString('hex');
export const T0 = 1_760_000_000_000_000;

export function envelope(type: MessageType, data: unknown, id = `m-${uid()}`, ts = T0): RawEnvelope {
  return { v: ENVELOPE_VERSION, type, id, src: 'test.0', seq: 1, ts, origin_ts: ts, data };
}

export function recorderEnv(prefix: string, databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return baseServiceEnv({
    DATABASE_URL: databaseUrl,
    RECORDER_KEY_PREFIX: prefix,
    RECORDER_BLOCK_MS: '50',
    ARBEES_INSTANCE: `t${uid()}`,
    ...extra,
  });
}

export function startRecorder(env: Record<string, string>): Promise<RunningService> {
  return startService(recorder, env);
}

/** `arbees run recorder` as a child process (needs `npm run build`). */
export function spawnRecorder(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [path.resolve('dist/src/cli.js'), 'run', 'recorder'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

export function trade(id: string, extra: Partial<TradeCompleted> = {}): TradeCompleted {
  return {
    trade_id: id,
    source: 'signal',
    source_id: `sig-${id}`,
    game_id: 'g1',
    sport: 'nba',
    mode: 'paper',
    status: 'filled',
    reason: null,
    fills: [{ venue: 'kalshi', market_id: 'KX-G1-HOM', side: 'yes', action: 'buy', contracts: 10, yes_price: 0.55, fee_cc: 1_800, order_id: null }],
    decided_ts: T0,
    ...extra,
  };
}

export function price(marketId: string, bid: number, ask: number): PriceUpdate {
  return { venue: 'kalshi', market_id: marketId, game_id: 'g1', team: 'HOM', yes_bid: bid, yes_ask: ask, yes_bid_size: 10, yes_ask_size: 10, status: 'open' };
}

export function signal(id: string, extra: Partial<TradeSignal> = {}): TradeSignal {
  return {
    signal_id: id, kind: 'model_edge', game_id: 'g1', sport: 'nba',
    legs: [{ venue: 'kalshi', market_id: 'KX-G1-HOM', team: 'HOM', side: 'yes', action: 'buy', yes_price: 0.55, contracts: 10, fee_cc: 1_800 }],
    model_prob: 0.62, net_edge: 0.05, gross_edge: 0.07, confidence: 0.8, reason: 'model above market', created_ts: T0, expires_ts: T0 + 5_000_000,
    ...extra,
  };
}

export function gameInfo(gameId: string, status: GameInfo['status'] = 'live'): GameInfo {
  return {
    event: status === 'final' ? 'final' : 'discovered', game_id: gameId, sport: 'nba', name: 'Away at Home',
    home: { name: 'Home', abbr: 'HOM' }, away: { name: 'Away', abbr: 'AWY' }, start_time: '2026-01-01T00:00:00Z', status,
    markets: [{ venue: 'kalshi', market_id: `KX-${gameId}-HOM`, team: 'HOM', outcome: 'home' }], shard: null,
  };
}

export function gameState(gameId: string, ts: number, extra: Partial<GameState> = {}): GameState {
  return {
    game_id: gameId, sport: 'nba', status: 'live', period: 1, clock_s: 600, home_score: 0, away_score: 0, possession: null, situation: null,
    model_home_prob: 0.6, espn_home_prob: 0.58, markets: [], updated_ts: ts, ...extra,
  };
}

export function position(id: string, extra: Partial<Position> = {}): Position {
  return {
    position_id: id, game_id: 'g1', sport: 'nba', venue: 'kalshi', market_id: 'KX-G1-HOM', team: 'HOM', side: 'yes', state: 'open',
    contracts: 10, avg_yes_price: 0.55, mark_yes_price: 0.56, cost_cc: 55_000, fees_cc: 1_800, realized_pnl_cc: 0, unrealized_pnl_cc: 0,
    opened_ts: T0, updated_ts: T0, ...extra,
  };
}

/** Appends in the slow-track layout; returns the stream id. */
export async function appendSlow(redis: Redis, stream: string, topic: string, env: RawEnvelope): Promise<string> {
  return (await redis.xadd(stream, '*', ...streamEntryFields(topic, env))) ?? '';
}

export const appendTrade = (redis: Redis, prefix: string, t: TradeCompleted, msgId = `m-${t.trade_id}`): Promise<string> =>
  appendSlow(redis, prefix + SlowKey.tradesCompleted, Topic.tradeCompleted(t.trade_id), envelope('trade_completed', t, msgId, t.decided_ts));

/** Pipelined: many trades quickly (the kill -9 test). */
export async function appendTrades(redis: Redis, prefix: string, ids: readonly string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 1_000) {
    const pipeline = redis.pipeline();
    for (const id of ids.slice(i, i + 1_000)) {
      const t = trade(id);
      pipeline.xadd(prefix + SlowKey.tradesCompleted, '*', ...streamEntryFields(Topic.tradeCompleted(id), envelope('trade_completed', t, `m-${id}`)));
    }
    await pipeline.exec();
  }
}

export async function pendingCount(redis: Redis, stream: string, group = 'recorder'): Promise<number> {
  const summary = (await redis.xpending(stream, group)) as [number, ...unknown[]];
  return Number(summary[0]);
}

export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
}

/** The recorder's group has read and acknowledged everything in `stream`. */
export async function caughtUp(redis: Redis, stream: string, group = 'recorder'): Promise<boolean> {
  const groups = (await redis.xinfo('GROUPS', stream).catch(() => [])) as unknown[][];
  for (const flat of groups) {
    const g: Record<string, unknown> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) g[String(flat[i])] = flat[i + 1];
    if (g.name === group) return Number(g.pending) === 0 && Number(g.lag) === 0;
  }
  return false;
}

/** A unique key prefix on the test Redis and a fresh database on the server, both removed by the cleanups. */
export async function recorderSetup(cleanups: (() => Promise<void> | void)[]): Promise<{ redis: Redis; prefix: string; url: string }> {
  const { redis, prefix } = testRedis();
  cleanups.push(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });
  const db = await createServerDatabase();
  cleanups.push(() => db.drop());
  return { redis, prefix, url: db.url };
}
