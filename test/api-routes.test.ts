/**
 * The api's REST routes against a real Redis and a real HTTP server: every read route with seeded
 * slow-track data, paging, bad input (400 with ARB_API_BAD_REQUEST), unknown routes and resources
 * (404), the OpenAPI document listing every route, and counters for each error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlowKey } from '../src/core/slow-keys.js';
import { ApiHarness, gameInfo, gameState, position, price, signal, trade } from './helpers/api-harness.js';

const h = new ApiHarness();

beforeAll(async () => {
  await h.start();
  await h.seedGame(gameInfo('g1'), gameState('g1'));
  await h.seedGame(gameInfo('g2', { status: 'scheduled', sport: 'nhl' }), null);
  await h.seedPrice(price('kalshi', 'K-g1-HOM', 0.6, 0.63, 'g1'));
  await h.seedPrice(price('poly', 'Pg1', 0.59, 0.62, 'g1'));
  for (let i = 0; i < 7; i++) await h.seedSignal(signal(`s${i}`, i < 5 ? 'model_edge' : 'arbitrage', 'g1'));
  await h.seedTrade(trade('t0', 's0', 'g1', 'filled', null));
  await h.seedTrade(trade('t1', 's1', 'g1', 'rejected', 'RISK_MAX_EXPOSURE: over the game limit'));
  await h.seedTrade(trade('t2', 's2', 'g1', 'rejected', 'RISK_MAX_EXPOSURE: over the game limit'));
  await h.seedTrade(trade('t5', 's5', 'g1', 'rejected', 'EXEC_NO_FILL: nothing at the limit'));
  await h.seedOpenPosition(position('kalshi:K-g1-HOM:yes', 'g1'));
  await h.redis.xadd(SlowKey.positionsClosed, '*', 'position_id', 'old', 'state', 'closed', 'ts', '1', 'data', JSON.stringify(position('old', 'g1', { state: 'closed', realized_pnl_cc: -2_000, contracts: 0 })));
  await h.redis.hset(SlowKey.positionsCheckpoint, { initial_bankroll_cc: '10000000', cash_cc: '9948200', realised_cc: '-2000', day: '2026-12-05', day_realised_cc: '-2000', trade_cursor: '0-0', settlement_cursor: '0-0' });
}, 60_000);

afterAll(() => h.close());

describe('read routes', () => {
  it('health and services: Redis up, every registered instance with heartbeat age', async () => {
    const health = await h.get('/api/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ ok: true, redis: true });
    expect(health.body.services_total).toBeGreaterThanOrEqual(2);
    const services = await h.get('/api/services');
    const mine = services.body.items.find((s: { service: string }) => s.service === 'api');
    expect(mine).toMatchObject({ status: 'healthy' });
    expect(mine.age_ms).toBeGreaterThanOrEqual(0);
    expect(mine.age_ms).toBeLessThan(2_000);
    expect(mine.metrics['http_port']).toBe(h.port);
  });

  it('games: live first, with state, model probability and both venues prices; filters and paging', async () => {
    const all = await h.get('/api/games');
    expect(all.body.total).toBe(2);
    expect(all.body.items[0].info.game_id).toBe('g1');
    expect(all.body.items[0].state.model_home_prob).toBe(0.62);
    expect(all.body.items[0].prices.map((p: { venue: string }) => p.venue).sort()).toEqual(['kalshi', 'poly']);
    expect((await h.get('/api/games?sport=nhl')).body.items.map((g: { info: { game_id: string } }) => g.info.game_id)).toEqual(['g2']);
    expect((await h.get('/api/games?status=live')).body.total).toBe(1);
    const page = await h.get('/api/games?limit=1&offset=1');
    expect(page.body).toMatchObject({ total: 2, next_offset: null });
    expect(page.body.items).toHaveLength(1);
    const one = await h.get('/api/games/g1');
    expect(one.body.info.name).toBe('Away at Home g1');
  });

  it('markets: latest price of a market', async () => {
    const m = await h.get('/api/markets/kalshi/K-g1-HOM');
    expect(m.status).toBe(200);
    expect(m.body.price).toMatchObject({ yes_bid: 0.6, yes_ask: 0.63 });
  });

  it('signals: newest first, paged with before until next_before is null', async () => {
    const seen: string[] = [];
    let before: string | null = null;
    let pages = 0;
    do {
      const r: { body: { items: { signal: { signal_id: string } }[]; next_before: string | null } } = await h.get(`/api/signals?limit=3${before ? `&before=${before}` : ''}`);
      seen.push(...r.body.items.map((s) => s.signal.signal_id));
      before = r.body.next_before;
      pages++;
    } while (before !== null && pages < 10);
    expect(seen).toEqual(['s6', 's5', 's4', 's3', 's2', 's1', 's0']);
    expect(pages).toBe(3);
  });

  it('trades: fills, fees, rejection reason codes, status filter', async () => {
    const r = await h.get('/api/trades?limit=10');
    expect(r.body.items.map((t: { trade: { trade_id: string } }) => t.trade.trade_id)).toEqual(['t5', 't2', 't1', 't0']);
    expect(r.body.items[1].reason_code).toBe('RISK_MAX_EXPOSURE');
    expect(r.body.items[3].trade.fills[0].fee_cc).toBe(1_800);
    const rejected = await h.get('/api/trades?status=rejected&limit=2');
    expect(rejected.body.items.map((t: { trade: { trade_id: string } }) => t.trade.trade_id)).toEqual(['t5', 't2']);
    expect(rejected.body.next_before).not.toBeNull();
  });

  it('positions: open with mark and P&L, closed from the stream', async () => {
    const open = await h.get('/api/positions');
    expect(open.body.items[0].position).toMatchObject({ position_id: 'kalshi:K-g1-HOM:yes', unrealized_pnl_cc: 3_200 });
    const closed = await h.get('/api/positions?state=closed');
    expect(closed.body.items[0].position).toMatchObject({ position_id: 'old', realized_pnl_cc: -2_000 });
  });

  it('account: bankroll, P&L, exposure by sport and game, limit use, controls', async () => {
    const a = (await h.get('/api/account')).body;
    expect(a).toMatchObject({ mode: 'paper', initial_bankroll_cc: 10_000_000, realised_cc: -2_000, unrealised_cc: 3_200, open_exposure_cc: 50_000, open_positions: 1, closed_count: 1, win_rate: 0, max_drawdown_cc: 2_000 });
    expect(a.exposure_by_sport).toEqual({ nba: 50_000 });
    expect(a.exposure_by_game).toEqual({ g1: 50_000 });
    expect(a.limits.find((l: { name: string }) => l.name === 'total_exposure').used_cc).toBe(50_000);
    expect(a.control).toEqual({ kill_switch: false, kill_switch_value: null, entries_paused: false });
  });

  it('funnel: signals -> decided -> filled / rejected by reason, per kind', async () => {
    const rows = (await h.get('/api/funnel')).body.rows as { kind: string; signals: number; decided: number; filled: number; rejected_by_reason: Record<string, number> }[];
    const edge = rows.find((r) => r.kind === 'model_edge')!;
    expect(edge).toMatchObject({ signals: 5, decided: 3, filled: 1, rejected_by_reason: { RISK_MAX_EXPOSURE: 2 } });
    expect(rows.find((r) => r.kind === 'arbitrage')).toMatchObject({ signals: 2, decided: 1, filled: 0, rejected_by_reason: { EXEC_NO_FILL: 1 } });
  });

  it('openapi.json lists every route', async () => {
    const doc = (await h.get('/api/openapi.json')).body;
    const paths = Object.keys(doc.paths);
    for (const p of ['/api/health', '/api/services', '/api/games', '/api/games/{gameId}', '/api/markets/{venue}/{marketId}', '/api/signals', '/api/trades', '/api/positions', '/api/account', '/api/funnel', '/api/control/state', '/api/audit', '/api/openapi.json', '/ws', '/api/control/kill-switch', '/api/control/entries', '/api/control/flatten', '/api/control/flatten-game', '/api/control/close-all']) {
      expect(paths, p).toContain(p);
    }
    expect(doc.paths['/api/trades'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['limit', 'before', 'status']));
    expect(doc.paths['/api/control/kill-switch'].post.security).toEqual([{ bearer: [] }]);
  });
});

describe('bad input', () => {
  const cases: [string, number][] = [
    ['/api/trades?limit=abc', 400],
    ['/api/trades?limit=0', 400],
    ['/api/trades?limit=100000', 400],
    ['/api/trades?before=yesterday', 400],
    ['/api/trades?status=won', 400],
    ['/api/trades?bogus=1', 400],
    ['/api/games?offset=-1', 400],
    ['/api/positions?state=maybe', 400],
    ['/api/funnel?window=1', 400],
    ['/api/markets/nyse/AAPL', 400],
    ['/api/games/a%20b', 400],
    ['/api/games/nope', 404],
    ['/api/markets/kalshi/NOPE', 404],
    ['/api/nothing', 404],
    ['/etc/passwd', 404],
    ['/assets/..%2F..%2Fpackage.json', 404],
  ];
  it.each(cases)('%s -> %i with a stable code, counted', async (url, status) => {
    const code = status === 400 ? 'ARB_API_BAD_REQUEST' : 'ARB_API_NOT_FOUND';
    const before = h.api.ctx.metrics.get(`http_errors.${code}`);
    const r = await h.get(url);
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(code);
    expect(r.body.error.message.length).toBeGreaterThan(5);
    expect(h.api.ctx.metrics.get(`http_errors.${code}`)).toBe(before + 1);
  });

  it('a broken entry in Redis is skipped and counted, the route still answers', async () => {
    await h.redis.hset(SlowKey.activeGames, 'broken', '{not json');
    await h.redis.hset(SlowKey.positionsOpen, 'broken', '{"position": {"position_id": 3}}');
    expect((await h.get('/api/games')).body.total).toBe(2);
    expect((await h.get('/api/positions')).body.items).toHaveLength(1);
    await h.redis.hdel(SlowKey.activeGames, 'broken');
    await h.redis.hdel(SlowKey.positionsOpen, 'broken');
  });
});
