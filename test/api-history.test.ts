/**
 * The api's history routes with a database (DATABASE_URL), on the embedded PGlite and on the
 * machine's PostgreSQL server (a fresh database, dropped after): trades, closed positions and
 * reports come from Postgres when it has them (paged, `source` and the header say so), a first
 * page Postgres has nothing for comes from Redis, the account's totals and the funnel are counted
 * by Postgres, and with Postgres gone the trade and position lists, the account and the funnel fall
 * back to the Redis streams (counted) while reports answer 503 ARB_API_NO_HISTORY.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_SOURCE_HEADER } from '../src/core/api-protocol.js';
import { SlowKey } from '../src/core/slow-keys.js';
import { migratePool } from '../src/store/migrate.js';
import { openPool } from '../src/store/pg-pool.js';
import { ApiHarness, position, trade } from './helpers/api-harness.js';
import { createServerDatabase, startEmbedded } from './helpers/postgres.js';

interface Backend {
  url: string;
  /** Makes the database unreachable for the api. */
  down(): Promise<void>;
  cleanup(): Promise<void>;
}

async function pglite(): Promise<Backend> {
  const db = await startEmbedded();
  let stopped = false;
  const stop = async () => {
    if (!stopped) await db.stop();
    stopped = true;
  };
  return { url: db.url, down: stop, cleanup: stop };
}

async function server(): Promise<Backend> {
  const db = await createServerDatabase();
  return { url: db.url, down: () => db.drop(), cleanup: () => db.drop() };
}

const US = 1_000;
const CLI = path.resolve('dist/src/cli.js');
const BASE_MS = 1_765_000_000_000;

/** Trades p0..p4 only in Postgres, stream ids in order; p3 rejected with a reason; p1 with two fills. */
async function seedPostgres(pool: pg.Pool): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const id = `p${i}`;
    await pool.query(
      `INSERT INTO trades (trade_id, msg_id, stream_id, source, source_id, game_id, sport, mode, status, reason, fees_cc, decided_ts)
       VALUES ($1, $2, $3, 'signal', $4, 'g1', 'nba', 'paper', $5, $6, $7, $8)`,
      [id, `m-${id}`, `${BASE_MS + i}-0`, `s${i}`, i === 3 ? 'rejected' : 'filled', i === 3 ? 'RISK_MAX_EXPOSURE: over the game limit' : null, i === 3 ? 0 : 1_800, (BASE_MS + i) * US],
    );
    if (i === 3) continue;
    for (let leg = 0; leg < (i === 1 ? 2 : 1); leg++) {
      await pool.query(
        `INSERT INTO fills (trade_id, leg, venue, market_id, side, action, contracts, yes_price, fee_cc, order_id, decided_ts)
         VALUES ($1, $2, $3, 'M1', 'yes', 'buy', 10, 0.5, 900, 'o1', $4)`,
        [id, leg, leg === 0 ? 'kalshi' : 'poly', (BASE_MS + i) * US],
      );
    }
  }
  for (let i = 0; i < 3; i++) {
    const ts = (BASE_MS + 100 + i) * US;
    await pool.query(
      `INSERT INTO positions (position_id, game_id, sport, venue, market_id, team, side, state, contracts, avg_yes_price, mark_yes_price,
         cost_cc, fees_cc, realized_pnl_cc, unrealized_pnl_cc, opened_ts, updated_ts, closed_ts)
       VALUES ($1, 'g1', 'nba', 'kalshi', 'M1', 'HOM', 'yes', $2, 0, 0.5, NULL, 50000, 1800, $3, 0, $4, $4, $4)`,
      [`pos${i}`, i === 2 ? 'settled' : 'closed', 1_000 * (i + 1), ts],
    );
  }
  await pool.query(`INSERT INTO positions (position_id, game_id, sport, venue, market_id, team, side, state, contracts, avg_yes_price, mark_yes_price,
      cost_cc, fees_cc, realized_pnl_cc, unrealized_pnl_cc, opened_ts, updated_ts) VALUES ('open1', 'g1', 'nba', 'kalshi', 'M1', 'HOM', 'yes', 'open', 10, 0.5, 0.55, 50000, 1800, 0, 500, 1, 1)`);
  for (let i = 0; i < 3; i++) {
    await pool.query(
      `INSERT INTO reports (report_id, kind, since_ts, until_ts, created_ts, time_zone, summary, body, markdown) VALUES ($1, 'daily', $2, $3, $4, 'UTC', $5, $6, $7)`,
      [`daily:${i}`, i * 86_400_000_000, (i + 1) * 86_400_000_000, (BASE_MS + i) * US, JSON.stringify({ trades: i }), JSON.stringify({ kind: 'daily', n: i }), `# day ${i}`],
    );
  }
}

describe.each([
  ['embedded PGlite', pglite],
  ['PostgreSQL server', server],
])('api history from %s', (_name, makeBackend) => {
  const h = new ApiHarness();
  let backend: Backend;

  beforeAll(async () => {
    backend = await makeBackend();
    const pool = openPool(backend.url, { max: 1 });
    try {
      await migratePool(pool);
      await seedPostgres(pool);
    } finally {
      await pool.end();
    }
    await h.start({ DATABASE_URL: backend.url, ARBEES_API_HISTORY_RETRY_MS: '60000' });
    // Redis holds other trades (r*) and a closed position: what a fallback serves.
    await h.seedTrade(trade('r0', 's0', 'g1', 'filled', null));
    await h.seedTrade(trade('r1', 's1', 'g1', 'failed', 'EXEC_TIMEOUT: venue did not answer'));
    await h.redis.xadd(SlowKey.positionsClosed, '*', 'position_id', 'rpos', 'state', 'closed', 'ts', '1', 'data', JSON.stringify(position('rpos', 'g1', { state: 'closed', contracts: 0 })));
  }, 60_000);

  afterAll(async () => {
    await h.close();
    await backend.cleanup();
  });

  const metric = (name: string) => h.api.ctx.metrics.snapshot()[name];

  it('trades come from Postgres, newest first by stream id, with fills and reason codes, paged by before', async () => {
    const res = await fetch(`${h.base}/api/trades?limit=3`);
    expect(res.headers.get(HISTORY_SOURCE_HEADER)).toBe('postgres');
    const first = (await res.json()) as any;
    expect(first.source).toBe('postgres');
    expect(first.items.map((t: any) => t.trade.trade_id)).toEqual(['p4', 'p3', 'p2']);
    expect(first.next_before).toBe(`${BASE_MS + 2}-0`);
    expect(first.items[1]).toMatchObject({ reason_code: 'RISK_MAX_EXPOSURE', trade: { status: 'rejected', fills: [] } });
    const second = (await h.get(`/api/trades?limit=3&before=${first.next_before}`)).body;
    expect(second.items.map((t: any) => t.trade.trade_id)).toEqual(['p1', 'p0']);
    expect(second.next_before).toBeNull();
    expect(second.items[0].trade.fills.map((f: any) => [f.venue, f.fee_cc])).toEqual([['kalshi', 900], ['poly', 900]]);
    expect(second.items[0].stream_id).toBe(`${BASE_MS + 1}-0`);
    expect((await h.get('/api/trades?status=rejected')).body.items.map((t: any) => t.trade.trade_id)).toEqual(['p3']);
  });

  it('a first page Postgres has nothing for comes from Redis (the recorder not caught up)', async () => {
    const before = metric('history.postgres_empty') ?? 0;
    const res = await h.get('/api/trades?status=failed');
    expect(res.body.source).toBe('redis');
    expect(res.body.items.map((t: any) => t.trade.trade_id)).toEqual(['r1']);
    expect(metric('history.postgres_empty')).toBe(before + 1);
  });

  it('closed positions from Postgres, latest closed first, paged by a keyset cursor; open ones stay live', async () => {
    const first = (await h.get('/api/positions?state=closed&limit=2')).body;
    expect(first.source).toBe('postgres');
    expect(first.items.map((p: any) => [p.position.position_id, p.position.state, p.position.realized_pnl_cc])).toEqual([['pos2', 'settled', 3_000], ['pos1', 'closed', 2_000]]);
    expect(first.next_before).toBe(`${(BASE_MS + 101) * US}~pos1`);
    const second = (await h.get(`/api/positions?state=closed&limit=2&before=${first.next_before}`)).body;
    expect(second.items.map((p: any) => p.position.position_id)).toEqual(['pos0']);
    expect(second.next_before).toBeNull();
    expect((await h.get('/api/positions?state=closed&before=bad~')).status).toBe(400);
  });

  it('reports: list paged newest first, one by id with body and markdown, 404 for an unknown id', async () => {
    const list = await fetch(`${h.base}/api/reports?limit=2`);
    expect(list.headers.get(HISTORY_SOURCE_HEADER)).toBe('postgres');
    const page = (await list.json()) as any;
    expect(page.items.map((r: any) => r.report_id)).toEqual(['daily:2', 'daily:1']);
    expect(page.items[0]).toMatchObject({ kind: 'daily', time_zone: 'UTC', summary: { trades: 2 } });
    const rest = (await h.get(`/api/reports?limit=2&before=${encodeURIComponent(page.next_before)}`)).body;
    expect(rest.items.map((r: any) => r.report_id)).toEqual(['daily:0']);
    expect(rest.next_before).toBeNull();
    const one = await h.get('/api/reports/daily:1');
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ report_id: 'daily:1', body: { n: 1 }, markdown: '# day 1' });
    expect((await h.get('/api/reports/nope')).status).toBe(404);
    expect((await h.get('/api/reports?limit=0')).status).toBe(400);
  });

  it('account totals and the signal funnel are counted by Postgres (every closed position, kinds from the recorded signals)', async () => {
    const pool = openPool(backend.url, { max: 1 });
    try {
      // A loss after three wins: cumulative 1000, 3000, 6000, 3500.
      await pool.query(`INSERT INTO positions (position_id, game_id, sport, venue, market_id, team, side, state, contracts, avg_yes_price, mark_yes_price,
          cost_cc, fees_cc, realized_pnl_cc, unrealized_pnl_cc, opened_ts, updated_ts, closed_ts)
        VALUES ('loss1', 'g1', 'nba', 'kalshi', 'M1', 'HOM', 'yes', 'closed', 0, 0.5, NULL, 50000, 1800, -2500, 0, $1, $1, $1)`, [(BASE_MS + 200) * US]);
      // p0-p2 came from model_edge signals, p3 from an arbitrage one, p4's signal is not recorded; s5 was never traded.
      for (const [id, kind] of [['s0', 'model_edge'], ['s1', 'model_edge'], ['s2', 'model_edge'], ['s3', 'arbitrage'], ['s5', 'model_edge']] as const) {
        await pool.query(
          `INSERT INTO signals (signal_id, msg_id, kind, game_id, sport, model_prob, net_edge, gross_edge, confidence, reason, high_edge, legs, created_ts)
           VALUES ($1, $2, $3, 'g1', 'nba', 0.6, 0.05, 0.06, 0.8, 'test', false, '[]', $4)`,
          [id, `m-${id}`, kind, BASE_MS * US],
        );
      }
    } finally {
      await pool.end();
    }
    const account = (await h.get('/api/account')).body;
    expect(account).toMatchObject({ mode: 'paper', closed_count: 4, win_rate: 0.75, max_drawdown_cc: 2_500 });
    const funnel = (await h.get('/api/funnel?window=100')).body.rows;
    expect(funnel).toEqual([
      { kind: 'model_edge', signals: 4, decided: 3, filled: 3, rejected: 0, rejected_by_reason: {} },
      { kind: 'arbitrage', signals: 1, decided: 1, filled: 0, rejected: 1, rejected_by_reason: { RISK_MAX_EXPOSURE: 1 } },
      { kind: 'unknown', signals: 0, decided: 1, filled: 1, rejected: 0, rejected_by_reason: {} },
    ]);
  });

  it.skipIf(!existsSync(CLI))('arbees status reads the win rate from Postgres too', async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [CLI, 'status'], { env: { ...process.env, REDIS_URL: h.server.url, ARBEES_DATA_DIR: h.dataDir, DATABASE_URL: backend.url } }, (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout))),
    );
    // Postgres holds four closed positions (three won); the Redis stream one.
    expect(out).toMatch(/win rate 75% of 4/);
  }, 30_000);

  it('the OpenAPI document lists the report routes', async () => {
    const doc = (await h.get('/api/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/reports', '/api/reports/{reportId}']));
  });

  it('with Postgres gone, trades and closed positions fall back to Redis (counted); reports answer 503', async () => {
    await backend.down();
    const fallbacks = metric('history.fallbacks') ?? 0;
    const trades = await fetch(`${h.base}/api/trades`);
    expect(trades.status).toBe(200);
    expect(trades.headers.get(HISTORY_SOURCE_HEADER)).toBe('redis');
    expect(((await trades.json()) as any).items.map((t: any) => t.trade.trade_id)).toEqual(['r1', 'r0']);
    const closed = (await h.get('/api/positions?state=closed')).body;
    expect(closed).toMatchObject({ source: 'redis' });
    expect(closed.items.map((p: any) => p.position.position_id)).toEqual(['rpos']);
    expect(metric('history.fallbacks')).toBe(fallbacks + 2);
    expect(metric('history.postgres_errors')).toBeGreaterThanOrEqual(1);
    // The account's totals and the funnel too: from the streams (one closed position, two trades, no signals).
    expect((await h.get('/api/account')).body).toMatchObject({ closed_count: 1, win_rate: 0 });
    expect((await h.get('/api/funnel')).body.rows).toEqual([{ kind: 'unknown', signals: 0, decided: 2, filled: 1, rejected: 1, rejected_by_reason: { EXEC_TIMEOUT: 1 } }]);
    const reports = await h.get('/api/reports');
    expect(reports.status).toBe(503);
    expect(reports.body.error.code).toBe('ARB_API_NO_HISTORY');
    expect((await h.get('/api/health')).body.ok).toBe(true);
  }, 30_000);
});

describe('api history without a database', () => {
  const h = new ApiHarness();
  beforeAll(async () => {
    await h.start();
    await h.seedTrade(trade('r0', 's0', 'g1', 'filled', null));
  }, 60_000);
  afterAll(() => h.close());

  it('reads trades from Redis (not a fallback) and answers reports with 503 ARB_API_NO_HISTORY', async () => {
    const trades = await h.get('/api/trades');
    expect(trades.body).toMatchObject({ source: 'redis' });
    expect(trades.body.items.map((t: any) => t.trade.trade_id)).toEqual(['r0']);
    expect(h.api.ctx.metrics.snapshot()['history.fallbacks']).toBe(0);
    const reports = await h.get('/api/reports');
    expect(reports.status).toBe(503);
    expect(reports.body.error.code).toBe('ARB_API_NO_HISTORY');
  });
});
