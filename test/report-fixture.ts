/**
 * A small, hand-checked history (three settled positions over two finished games, one open, an
 * arbitrage, a rejection, an undecided signal, prices around the finals, game states with model
 * probabilities, incidents), inserted as the recorder would have written it. The expected figures
 * are worked out in report.test.ts.
 */
import pg from 'pg';
import { migratePool } from '../src/store/migrate.js';
import { createServerDatabase, type TestDatabase } from './helpers/postgres.js';

export const T0 = 1_760_000_000_000_000;
export const S = 1_000_000; // one second in microseconds

export const FIXTURE_PERIOD = { sinceUs: T0 - 3_600 * S, untilUs: T0 + 3 * 3_600 * S, timeZone: 'America/New_York' };

const legs = (l: object[]) => JSON.stringify(l);

export async function insertFixture(db: Pick<pg.ClientBase, 'query'>): Promise<void> {
  const q = (sql: string, args: unknown[]) => db.query(sql, args);
  const game = (id: string, sport: string, home: number, away: number, finalTs: number | null) =>
    q(`INSERT INTO games (game_id, sport, name, home_abbr, away_abbr, start_time, status, markets, home_score, away_score, first_seen_ts, updated_ts, final_ts)
       VALUES ($1, $2, 'A at H', 'H', 'A', '2025-10-09T08:00:00Z', $3, '[]', $4, $5, $6, $6, $7)`,
    [id, sport, finalTs === null ? 'live' : 'final', home, away, T0, finalTs]);
  await game('g1', 'nba', 101, 99, T0 + 3_600 * S);
  await game('g2', 'nhl', 2, 3, T0 + 7_200 * S);
  await game('g3', 'nba', 10, 12, null);

  const signal = (id: string, kind: string, game: string, sport: string, net: number, l: object[], ts: number) =>
    q(`INSERT INTO signals (signal_id, msg_id, kind, game_id, sport, model_prob, net_edge, gross_edge, confidence, reason, legs, created_ts)
       VALUES ($1, $1, $2, $3, $4, 0.6, $5::float8, $5::float8 + 0.02, 0.8, 'fixture', $6, $7)`, [id, kind, game, sport, net, legs(l), ts]);
  await signal('s1', 'model_edge', 'g1', 'nba', 0.05, [{ venue: 'kalshi', market_id: 'KX-G1-H', side: 'yes', action: 'buy', yes_price: 0.55, contracts: 10 }], T0 + 5 * S);
  await signal('s2', 'arbitrage', 'g2', 'nhl', 0.03, [
    { venue: 'kalshi', market_id: 'KX-G2-H', side: 'yes', action: 'buy', yes_price: 0.4, contracts: 10 },
    { venue: 'poly', market_id: 'P-G2-H', side: 'no', action: 'buy', yes_price: 0.55, contracts: 10 },
  ], T0 + 15 * S);
  await signal('s3', 'score_change', 'g1', 'nba', 0.04, [{ venue: 'kalshi', market_id: 'KX-G1-H', side: 'yes', action: 'buy', yes_price: 0.6, contracts: 5 }], T0 + 30 * S);
  await signal('s4', 'model_edge', 'g3', 'nba', 0.06, [{ venue: 'kalshi', market_id: 'KX-G3-H', side: 'yes', action: 'buy', yes_price: 0.3, contracts: 10 }], T0 + 40 * S);

  const trade = (id: string, source: string, game: string, sport: string, status: string, reason: string | null, fees: number, ts: number) =>
    q(`INSERT INTO trades (trade_id, msg_id, stream_id, source, source_id, game_id, sport, mode, status, reason, fees_cc, decided_ts)
       VALUES ($1, $1, '1-0', 'signal', $2, $3, $4, 'paper', $5, $6, $7, $8)`, [id, source, game, sport, status, reason, fees, ts]);
  await trade('t1', 's1', 'g1', 'nba', 'filled', null, 1_700, T0 + 6 * S);
  await trade('t2', 's2', 'g2', 'nhl', 'filled', null, 2_700, T0 + 16 * S);
  await trade('t3', 's3', 'g1', 'nba', 'rejected', 'RISK_LIMIT: max exposure reached', 0, T0 + 31 * S);
  await trade('t4', 's9', 'g3', 'nba', 'filled', null, 1_000, T0 + 100 * S); // s9: a signal outside the fixture (opens p4)

  const fill = (tradeId: string, leg: number, venue: string, market: string, side: string, price: number, fee: number, ts: number) =>
    q(`INSERT INTO fills (trade_id, leg, venue, market_id, side, action, contracts, yes_price, fee_cc, order_id, decided_ts)
       VALUES ($1, $2, $3, $4, $5, 'buy', 10, $6, $7, NULL, $8)`, [tradeId, leg, venue, market, side, price, fee, ts]);
  await fill('t1', 0, 'kalshi', 'KX-G1-H', 'yes', 0.56, 1_700, T0 + 6 * S);
  await fill('t2', 0, 'kalshi', 'KX-G2-H', 'yes', 0.41, 1_700, T0 + 16 * S);
  await fill('t2', 1, 'poly', 'P-G2-H', 'no', 0.55, 1_000, T0 + 16 * S);
  await fill('t4', 0, 'kalshi', 'KX-G3-H', 'yes', 0.3, 1_000, T0 + 100 * S);

  const position = (id: string, game: string, sport: string, venue: string, market: string, side: string, state: string, cost: number, fees: number, realised: number, unrealised: number, opened: number, closed: number | null) =>
    q(`INSERT INTO positions (position_id, game_id, sport, venue, market_id, team, side, state, contracts, avg_yes_price, mark_yes_price, cost_cc, fees_cc,
         realized_pnl_cc, unrealized_pnl_cc, opened_ts, updated_ts, closed_ts)
       VALUES ($1, $2, $3, $4, $5, 'H', $6, $7, $8, 0.5, NULL, $9, $10, $11, $12, $13, $14, $15)`,
    [id, game, sport, venue, market, side, state, state === 'open' ? 10 : 0, cost, fees, realised, unrealised, opened, closed ?? opened, closed]);
  await position('p1', 'g1', 'nba', 'kalshi', 'KX-G1-H', 'yes', 'settled', 0, 1_700, 42_300, 0, T0 + 10 * S, T0 + 3_600 * S);
  await position('p2', 'g2', 'nhl', 'kalshi', 'KX-G2-H', 'yes', 'settled', 0, 1_700, -42_700, 0, T0 + 20 * S, T0 + 7_200 * S);
  await position('p3', 'g2', 'nhl', 'poly', 'P-G2-H', 'no', 'settled', 0, 1_000, 54_000, 0, T0 + 20 * S, T0 + 7_200 * S);
  await position('p4', 'g3', 'nba', 'kalshi', 'KX-G3-H', 'yes', 'open', 30_000, 1_000, 0, -500, T0 + 100 * S, null);
  // The entry cost of the closed ones, from their first (open) events.
  const event = (id: string, pos: string, cost: number, ts: number) =>
    q(`INSERT INTO position_events (msg_id, ts, position_id, state, contracts, mark_yes_price, cost_cc, realized_pnl_cc, unrealized_pnl_cc)
       VALUES ($1, $2, $3, 'open', 10, NULL, $4, 0, 0)`, [id, ts, pos, cost]);
  await event('e1', 'p1', 56_000, T0 + 10 * S);
  await event('e2', 'p2', 41_000, T0 + 20 * S);
  await event('e3', 'p3', 45_000, T0 + 20 * S);

  const price = (id: string, venue: string, market: string, bid: number, ask: number, ts: number) =>
    q(`INSERT INTO prices (msg_id, ts, venue, market_id, game_id, yes_bid, yes_ask, last_price, status) VALUES ($1, $2, $3, $4, NULL, $5, $6, NULL, 'open')`,
      [id, ts, venue, market, bid, ask]);
  await price('x1', 'kalshi', 'KX-G1-H', 0.8, 0.82, T0 + 2_000 * S);
  await price('x2', 'kalshi', 'KX-G1-H', 0.9, 0.92, T0 + 3_000 * S); // the close of g1
  await price('x3', 'kalshi', 'KX-G1-H', 0.99, 1, T0 + 4_000 * S); // after the final: not the close
  await price('x4', 'kalshi', 'KX-G2-H', 0.1, 0.12, T0 + 7_000 * S);
  await price('x5', 'poly', 'P-G2-H', 0.12, 0.14, T0 + 7_100 * S);

  const state = (id: string, game: string, status: string, model: number | null, espn: number | null, ts: number) =>
    q(`INSERT INTO game_states (msg_id, ts, game_id, sport, status, period, clock_s, home_score, away_score, model_home_prob, espn_home_prob)
       VALUES ($1, $2, $3, 'nba', $4, 1, 0, 0, 0, $5, $6)`, [id, ts, game, status, model, espn]);
  await state('gs1', 'g1', 'live', 0.6, 0.5, T0 + 100 * S);
  await state('gs2', 'g1', 'live', 0.7, 0.8, T0 + 200 * S);
  await state('gs3', 'g1', 'final', 0.99, 0.99, T0 + 3_600 * S); // the final itself is no forecast
  await state('gs4', 'g2', 'live', 0.4, null, T0 + 300 * S);
  await state('gs5', 'g3', 'live', 0.9, 0.9, T0 + 300 * S); // not finished

  const incident = (id: string, kind: string, severity: string, ts: number) =>
    q(`INSERT INTO incidents (incident_id, kind, source, severity, message, detail, ts) VALUES ($1, $2, 'recorder', $3, 'fixture incident', '{}', $4)`, [id, kind, severity, ts]);
  await incident('i1', 'stream_gap', 'warning', T0 + 50 * S);
  await incident('i2', 'health_dead', 'critical', T0 + 60 * S);
  await incident('i3', 'health_dead', 'critical', T0 - 7_200 * S); // before the period
  await q(`INSERT INTO dead_letters (stream, entry_id, fields, problem, ts) VALUES ('trades:completed', '1-1', '{}', 'bad', $1)`, [T0 + 70 * S]);
}

/** A fresh database on the server with the schema and the fixture; close() drops it. */
export async function openFixtureDatabase(): Promise<{ db: TestDatabase; pool: pg.Pool; close(): Promise<void> }> {
  const db = await createServerDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', () => {});
  await migratePool(pool);
  await insertFixture(pool);
  return { db, pool, close: async () => { await pool.end(); await db.drop(); } };
}
