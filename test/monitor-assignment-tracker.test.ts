/**
 * AssignmentTracker with real Redis: the games:active hash read at start and on heal, the final
 * grace enforced by its own timer, garbage on the hot path (fuzzed) and in the hash counted and
 * skipped, and an unreachable Redis survived.
 */
import fc from 'fast-check';
import pino from 'pino';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RawEnvelope } from '../src/core/envelope.js';
import type { GameInfo } from '../src/core/messages.js';
import { Metrics } from '../src/runtime/metrics.js';
import type { AssignmentDiff } from '../src/services/market-monitor/assignment-table.js';
import { AssignmentTracker } from '../src/services/market-monitor/assignment-tracker.js';
import { eventually, testRedis } from './helpers/redis.js';

const log = pino({ level: 'silent' });

function info(gameId: string, event: GameInfo['event'] = 'discovered'): GameInfo {
  return {
    event,
    game_id: gameId,
    sport: 'nhl',
    name: gameId,
    home: { name: 'Boston Bruins', abbr: 'BOS' },
    away: { name: 'Nashville Predators', abbr: 'NSH' },
    start_time: '2026-11-25T00:00:00Z',
    status: event === 'final' ? 'final' : 'live',
    markets: [
      { venue: 'kalshi', market_id: `KX-${gameId}-BOS`, team: 'BOS', outcome: 'home' },
      { venue: 'kalshi', market_id: `KX-${gameId}-NSH`, team: 'NSH', outcome: 'away' },
      { venue: 'poly', market_id: `9${gameId.length}`, team: 'BOS', outcome: 'home' },
    ],
    shard: null,
  };
}

const envelope = (type: string, data: unknown): RawEnvelope => ({ v: 1, type, id: 'x', src: 'orchestrator.0', seq: 1, ts: 1, origin_ts: 1, data });

let redis: Redis;
let key: string;
let diffs: AssignmentDiff[];
let metrics: Metrics;
let tracker: AssignmentTracker | null;

function newTracker(r: Redis = redis, graceMs = 100, logger = log): AssignmentTracker {
  tracker = new AssignmentTracker({
    venue: 'kalshi',
    redis: r,
    activeGamesKey: key,
    healIntervalMs: 100,
    finalGraceMs: graceMs,
    log: logger,
    metrics,
    onChange: (d) => diffs.push(d),
  });
  return tracker;
}

beforeEach(() => {
  const t = testRedis();
  redis = t.redis;
  key = `${t.prefix}games:active`;
  diffs = [];
  metrics = new Metrics();
  tracker = null;
});

afterEach(async () => {
  tracker?.stop();
  await redis.del(key);
  await redis.quit();
});

describe('AssignmentTracker', () => {
  it('reads games:active at start (this venue only), then removes a final game after the grace period', async () => {
    await redis.hset(key, 'g1', JSON.stringify(info('g1')));
    const t = newTracker();
    await t.start();
    expect([...t.table.markets().keys()].sort()).toEqual(['KX-g1-BOS', 'KX-g1-NSH']);
    expect(metrics.get('markets')).toBe(2);

    t.onGameMessage('games.nhl.g1', envelope('game_info', info('g1', 'final')));
    expect(t.table.markets().size).toBe(2);
    await eventually(() => t.table.markets().size === 0, 2_000, 'removal after the grace');
    expect(diffs.at(-1)!.removed.map((m) => m.marketId).sort()).toEqual(['KX-g1-BOS', 'KX-g1-NSH']);
  });

  it('logs why markets are released: "game ended" only for a game that ended', async () => {
    const lines: { msg: string; gameId: string; reason: string }[] = [];
    const capture = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const scheduled = { ...info('g6'), status: 'scheduled' as const };
    await redis.hset(key, 'g1', JSON.stringify(info('g1')), 'g6', JSON.stringify(scheduled), 'g7', JSON.stringify(info('g7')));
    const t = newTracker(redis, 100, capture);
    await t.start();
    expect(t.table.markets().size).toBe(6);
    t.onGameMessage('games.nhl.g1', envelope('game_info', info('g1', 'final')));
    await redis.hdel(key, 'g6', 'g7'); // dropped by the orchestrator: one not live yet, one live
    await eventually(() => t.table.markets().size === 0, 3_000, 'every game released');
    const released = Object.fromEntries(lines.filter((l) => l.msg.includes('markets released')).map((l) => [l.gameId, l]));
    expect(released.g1).toMatchObject({ reason: 'ended', msg: 'game ended (final); markets released' });
    expect(released.g6).toMatchObject({ reason: 'not_live_yet', msg: 'game not live yet (scheduled) and no longer in games:active; markets released' });
    expect(released.g7).toMatchObject({ reason: 'unassigned' });
    expect(released.g7!.msg).not.toContain('ended');
  });

  it('heals: a game that appears in the hash later is picked up without any message', async () => {
    const t = newTracker();
    await t.start();
    expect(t.table.markets().size).toBe(0);
    await redis.hset(key, 'g2', JSON.stringify(info('g2')));
    await eventually(() => t.table.markets().size === 2, 3_000, 'healed');
    expect(metrics.get('heals')).toBeGreaterThanOrEqual(2);
  });

  it('ignores game_state and counts unreadable game_info, whatever its data (fuzzed)', () => {
    const t = newTracker();
    t.onGameMessage('games.nhl.g1', envelope('game_state', info('g1')));
    expect(t.table.markets().size).toBe(0);
    fc.assert(
      fc.property(fc.anything(), (data) => {
        const before = metrics.get('assignment_errors');
        expect(() => t.onGameMessage('games.nhl.x', envelope('game_info', data))).not.toThrow();
        expect(metrics.get('assignment_errors')).toBe(before + 1);
      }),
      { numRuns: 200 },
    );
    expect(t.table.markets().size).toBe(0);
  });

  it('skips unreadable hash entries and entries filed under another game id', async () => {
    await redis.hset(key, 'bad', '{nope', 'other', JSON.stringify(info('g3')), 'g4', JSON.stringify(info('g4')));
    const t = newTracker();
    await t.start();
    expect([...t.table.markets().keys()].sort()).toEqual(['KX-g4-BOS', 'KX-g4-NSH']);
    expect(metrics.get('assignment_errors')).toBe(2);
  });

  it('survives an unreachable Redis: start returns, failures are counted', async () => {
    const dead = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    dead.on('error', () => undefined);
    const t = newTracker(dead);
    await t.start();
    expect(metrics.get('heal_failures')).toBeGreaterThanOrEqual(1);
    t.onGameMessage('games.nhl.g5', envelope('game_info', info('g5')));
    expect(t.table.markets().size).toBe(2);
    t.stop();
    dead.disconnect();
  });
});
