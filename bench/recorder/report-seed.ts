/**
 * One day of history for the report benchmark, generated inside Postgres (generate_series): price
 * rows over 400 markets, signals and trades (a quarter rejected) with fills, settled positions,
 * 100 finished games and 10k game states with model probabilities.
 */
import type pg from 'pg';

export async function seedReportData(pool: pg.Pool, T0: number, prices: number, trades: number): Promise<void> {
  const day = 86_400_000_000;
  await pool.query(`INSERT INTO prices (msg_id, ts, venue, market_id, game_id, yes_bid, yes_ask, last_price, status)
    SELECT 'rp' || i, $1::bigint + (i::bigint * $2::bigint) / $3::bigint, 'kalshi', 'RM-' || (i % 400), 'rg' || (i % 100), 0.4 + (i % 20) / 100.0, 0.42 + (i % 20) / 100.0, NULL, 'open'
    FROM generate_series(1, $3::bigint) AS i`, [T0, day, prices]);
  await pool.query(`INSERT INTO signals (signal_id, msg_id, kind, game_id, sport, model_prob, net_edge, gross_edge, confidence, reason, legs, created_ts)
    SELECT 'rs' || i, 'rs' || i, (ARRAY['model_edge','arbitrage','score_change'])[1 + i % 3], 'rg' || (i % 100), 'nba', 0.6, 0.04, 0.06, 0.8, 'bench',
      jsonb_build_array(jsonb_build_object('venue', 'kalshi', 'market_id', 'RM-' || (i % 400), 'side', 'yes', 'action', 'buy', 'yes_price', 0.5, 'contracts', 10)),
      $1::bigint + (i::bigint * $2::bigint) / $3::bigint FROM generate_series(1, $3::bigint) AS i`, [T0, day, trades]);
  await pool.query(`INSERT INTO trades (trade_id, msg_id, stream_id, source, source_id, game_id, sport, mode, status, reason, fees_cc, decided_ts)
    SELECT 'rt' || i, 'rt' || i, '1-' || i, 'signal', 'rs' || i, 'rg' || (i % 100), 'nba', 'paper', CASE WHEN i % 4 = 0 THEN 'rejected' ELSE 'filled' END,
      CASE WHEN i % 4 = 0 THEN 'RISK_LIMIT: bench' END, 1700, $1::bigint + (i::bigint * $2::bigint) / $3::bigint + 1000 FROM generate_series(1, $3::bigint) AS i`, [T0, day, trades]);
  await pool.query(`INSERT INTO fills (trade_id, leg, venue, market_id, side, action, contracts, yes_price, fee_cc, order_id, decided_ts)
    SELECT 'rt' || i, 0, 'kalshi', 'RM-' || (i % 400), 'yes', 'buy', 10, 0.51, 1700, NULL, $1::bigint + (i::bigint * $2::bigint) / $3::bigint + 1000
    FROM generate_series(1, $3::bigint) AS i WHERE i % 4 <> 0`, [T0, day, trades]);
  await pool.query(`INSERT INTO positions (position_id, game_id, sport, venue, market_id, team, side, state, contracts, avg_yes_price, mark_yes_price, cost_cc, fees_cc,
      realized_pnl_cc, unrealized_pnl_cc, opened_ts, updated_ts, closed_ts)
    SELECT 'rpos' || i, 'rg' || (i % 100), 'nba', 'kalshi', 'RM-' || (i % 400), 'H', 'yes', 'settled', 0, 0.51, NULL, 0, 1700, (i % 7 - 3) * 10000, 0,
      $1::bigint + (i::bigint * $2::bigint) / $3::bigint + 2000, $1::bigint + (i::bigint * $2::bigint) / $3::bigint + 3600000000, $1::bigint + (i::bigint * $2::bigint) / $3::bigint + 3600000000
    FROM generate_series(1, $3::bigint) AS i WHERE i % 4 <> 0`, [T0, day, trades]);
  await pool.query(`INSERT INTO games (game_id, sport, name, home_abbr, away_abbr, start_time, status, markets, home_score, away_score, first_seen_ts, updated_ts, final_ts)
    SELECT 'rg' || i, 'nba', 'A at H', 'H', 'A', '', 'final', '[]', 100 + i % 7, 100, $1::bigint, $1::bigint, $1::bigint + $2::bigint - 1 FROM generate_series(0, 99) AS i`, [T0, day]);
  await pool.query(`INSERT INTO game_states (msg_id, ts, game_id, sport, status, period, clock_s, home_score, away_score, model_home_prob, espn_home_prob)
    SELECT 'rgs' || i, $1::bigint + i::bigint * 8640000, 'rg' || (i % 100), 'nba', 'live', 1, 0, 0, 0, (i % 100) / 100.0, NULL FROM generate_series(1, 10000) AS i`, [T0]);
  await pool.query('ANALYZE');
}

