/**
 * ActiveGamesReader against a real Redis: the hash parsed and its garbage counted, a message
 * that races a read reported as newer, periodic re-reads after start, single-game reads, and an
 * unreachable Redis survived.
 */
import pino from 'pino';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RawEnvelope } from '../src/core/envelope.js';
import type { GameInfo } from '../src/core/messages.js';
import { ActiveGamesReader, type ActiveGamesRead, type ActiveGamesReaderOptions } from '../src/runtime/active-games-reader.js';
import { Metrics } from '../src/runtime/metrics.js';
import { eventually, testRedis } from './helpers/redis.js';

const log = pino({ level: 'silent' });

function info(gameId: string, status: GameInfo['status'] = 'live'): GameInfo {
  return {
    event: 'discovered',
    game_id: gameId,
    sport: 'nba',
    name: gameId,
    home: { name: 'Boston Celtics', abbr: 'BOS' },
    away: { name: 'New York Knicks', abbr: 'NYK' },
    start_time: '2026-11-25T00:00:00Z',
    status,
    markets: [{ venue: 'kalshi', market_id: `KX-${gameId}-BOS`, team: 'BOS', outcome: 'home' }],
    shard: null,
  };
}

const envelope = (type: string, data: unknown): RawEnvelope => ({ v: 1, type, id: 'x', src: 'orchestrator.0', seq: 1, ts: 1, origin_ts: 1, data });

let redis: Redis;
let key: string;
let metrics: Metrics;
let reader: ActiveGamesReader | null;

function newReader(overrides: Partial<ActiveGamesReaderOptions> = {}): ActiveGamesReader {
  reader = new ActiveGamesReader({ redis, key, log, metrics, healMs: 50, firstReadRetryMs: 20, ...overrides });
  return reader;
}

beforeEach(() => {
  const t = testRedis();
  redis = t.redis;
  key = `${t.prefix}games:active`;
  metrics = new Metrics();
  reader = null;
});

afterEach(async () => {
  reader?.stop();
  await redis.del(key);
  await redis.quit();
});

describe('ActiveGamesReader', () => {
  it('reads every readable game and counts the rest', async () => {
    await redis.hset(key, 'g1', JSON.stringify(info('g1')), 'g2', JSON.stringify(info('g2', 'final')), 'bad', '{not json', 'g3', JSON.stringify(info('other')));
    const reads: ActiveGamesRead[] = [];
    const read = await newReader({ onRead: (r) => reads.push(r) }).read();
    expect(read).not.toBeNull();
    expect([...read!.games.keys()].sort()).toEqual(['g1', 'g2']);
    expect(read!.games.get('g2')!.status).toBe('final');
    expect(read!.unreadable).toBe(2);
    expect(reads).toEqual([read]);
    expect(metrics.get('active_games.unreadable')).toBe(2);
    expect(metrics.get('active_games.reads')).toBe(1);
  });

  it('uses the metric names it is given', async () => {
    await redis.hset(key, 'bad', '[]');
    const names = { unreadable: 'u', messages: 'm', reads: 'r', readFailures: 'f' };
    const r = newReader({ metricNames: names });
    await r.read();
    r.onGameMessage('games.nba.g1', envelope('game_info', info('g1')));
    expect([metrics.get('u'), metrics.get('m'), metrics.get('r')]).toEqual([1, 1, 1]);
  });

  it('hands over readable game_info messages and ignores game_state and garbage', () => {
    const heard: string[] = [];
    const r = newReader({ onMessage: (i) => heard.push(i.game_id) });
    r.onGameMessage('games.nba.g1', envelope('game_info', info('g1')));
    r.onGameMessage('games.nba.g1', envelope('game_state', { game_id: 'g1' }));
    r.onGameMessage('games.nba.g2', envelope('game_info', { game_id: 'g2' }));
    r.onGameMessage('games.nba.g3', envelope('game_info', 'nonsense'));
    expect(heard).toEqual(['g1']);
    expect(metrics.get('active_games.messages')).toBe(1);
    expect(metrics.get('active_games.unreadable')).toBe(2);
  });

  it('reports a message that arrived while the hash was being read as newer', async () => {
    await redis.hset(key, 'g1', JSON.stringify(info('g1')), 'g2', JSON.stringify(info('g2')));
    let clock = 1_000;
    const r = newReader({ now: () => clock });
    r.onGameMessage('games.nba.g2', envelope('game_info', info('g2')));
    clock = 2_000;
    const pending = r.read();
    clock = 3_000;
    r.onGameMessage('games.nba.g1', envelope('game_info', info('g1', 'final')));
    const read = await pending;
    expect(read!.isNewer('g1')).toBe(true);
    expect(read!.isNewer('g2')).toBe(false);
    expect(read!.isNewer('g9')).toBe(false);
  });

  it('shares one read between concurrent callers', async () => {
    await redis.hset(key, 'g1', JSON.stringify(info('g1')));
    const r = newReader();
    const [a, b] = await Promise.all([r.read(), r.read()]);
    expect(a).toBe(b);
    expect(metrics.get('active_games.reads')).toBe(1);
  });

  it('re-reads the hash periodically after start, until stopped', async () => {
    const seen: string[][] = [];
    const r = newReader({ onRead: (read) => seen.push([...read.games.keys()]) });
    await r.start();
    expect(seen).toEqual([[]]);
    await redis.hset(key, 'g1', JSON.stringify(info('g1')));
    await eventually(() => seen.some((s) => s.includes('g1')), 2000, 'a heal that sees g1');
    r.stop();
    const count = seen.length;
    await new Promise((res) => setTimeout(res, 150));
    expect(seen.length).toBe(count);
  });

  it('reads one game', async () => {
    await redis.hset(key, 'g1', JSON.stringify(info('g1')), 'g2', 'garbage');
    const r = newReader();
    expect((await r.readGame('g1'))?.game_id).toBe('g1');
    expect(await r.readGame('g2')).toBeNull();
    expect(await r.readGame('g3')).toBeNull();
  });

  it('survives an unreachable Redis and keeps retrying', async () => {
    const dead = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    try {
      dead.on('error', () => {}); // the refusals are the point of the test
      const r = newReader({ redis: dead });
      await r.start();
      expect(await r.readGame('g1')).toBeNull();
      await eventually(() => metrics.get('active_games.read_failures') >= 2, 2000, 'retried reads');
      expect(metrics.get('active_games.reads')).toBe(0);
    } finally {
      dead.disconnect();
    }
  });
});
