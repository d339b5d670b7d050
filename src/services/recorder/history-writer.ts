/**
 * Writes one RowBatch in one transaction: one INSERT per table, the rows passed as a single JSON
 * parameter expanded by `jsonb_to_recordset` (one round trip per table whatever the batch size,
 * the same SQL on PGlite and a real server). Every insert is idempotent: the entry's message id
 * or the entity's own id is the key, so an entry delivered twice (after a crash, before its ack)
 * never makes a second row; entities (games, positions) only move forward in time.
 */
import type pg from 'pg';
import { inTransaction } from '../../store/pg-pool.js';
import type { RowBatch } from './row-batch.js';

interface TableWrite {
  readonly table: string;
  readonly columns: string;
  /** `name type, ...` for jsonb_to_recordset. */
  readonly types: string;
  readonly conflict: string;
}

const w = (table: string, types: string, conflict = 'ON CONFLICT DO NOTHING'): TableWrite => ({
  table,
  types,
  columns: types.split(',').map((c) => c.trim().split(/\s+/)[0]).join(', '),
  conflict,
});

const PRICES = w('prices', 'msg_id text, ts bigint, venue text, market_id text, game_id text, yes_bid float8, yes_ask float8, last_price float8, status text');
const GAMES = w(
  'games',
  'game_id text, sport text, name text, home_abbr text, away_abbr text, start_time text, status text, markets jsonb, first_seen_ts bigint, updated_ts bigint',
  `ON CONFLICT (game_id) DO UPDATE SET sport = EXCLUDED.sport, name = EXCLUDED.name, home_abbr = EXCLUDED.home_abbr,
     away_abbr = EXCLUDED.away_abbr, start_time = EXCLUDED.start_time, markets = EXCLUDED.markets, updated_ts = EXCLUDED.updated_ts,
     status = CASE WHEN games.final_ts IS NOT NULL THEN 'final' ELSE EXCLUDED.status END,
     first_seen_ts = LEAST(games.first_seen_ts, EXCLUDED.first_seen_ts)
   WHERE games.updated_ts <= EXCLUDED.updated_ts`,
);
const GAME_STATES = w(
  'game_states',
  'msg_id text, ts bigint, game_id text, sport text, status text, period int, clock_s float8, home_score int, away_score int, model_home_prob float8, espn_home_prob float8',
);
const SIGNALS = w(
  'signals',
  'signal_id text, msg_id text, kind text, game_id text, sport text, model_prob float8, net_edge float8, gross_edge float8, confidence float8, reason text, high_edge boolean, legs jsonb, created_ts bigint',
  'ON CONFLICT (signal_id) DO UPDATE SET high_edge = signals.high_edge OR EXCLUDED.high_edge',
);
const EXIT_SIGNALS = w(
  'exit_signals',
  'exit_id text, msg_id text, position_id text, game_id text, venue text, market_id text, side text, contracts float8, yes_price float8, reason text, created_ts bigint',
);
const TRADES = w(
  'trades',
  'trade_id text, msg_id text, stream_id text, source text, source_id text, game_id text, sport text, mode text, status text, reason text, fees_cc bigint, decided_ts bigint',
);
const FILLS = w(
  'fills',
  'trade_id text, leg int, venue text, market_id text, side text, action text, contracts float8, yes_price float8, fee_cc bigint, order_id text, decided_ts bigint, notional_cc bigint',
);
const POSITIONS = w(
  'positions',
  'position_id text, game_id text, sport text, venue text, market_id text, team text, side text, state text, contracts float8, avg_yes_price float8, mark_yes_price float8, cost_cc bigint, fees_cc bigint, realized_pnl_cc bigint, unrealized_pnl_cc bigint, opened_ts bigint, updated_ts bigint',
  `ON CONFLICT (position_id) DO UPDATE SET state = EXCLUDED.state, contracts = EXCLUDED.contracts, avg_yes_price = EXCLUDED.avg_yes_price,
     mark_yes_price = EXCLUDED.mark_yes_price, cost_cc = EXCLUDED.cost_cc, fees_cc = EXCLUDED.fees_cc, realized_pnl_cc = EXCLUDED.realized_pnl_cc,
     unrealized_pnl_cc = EXCLUDED.unrealized_pnl_cc, updated_ts = EXCLUDED.updated_ts,
     closed_ts = CASE WHEN EXCLUDED.state = 'open' THEN NULL ELSE COALESCE(positions.closed_ts, EXCLUDED.updated_ts) END
   WHERE positions.updated_ts <= EXCLUDED.updated_ts`,
);
const POSITION_EVENTS = w(
  'position_events',
  'msg_id text, ts bigint, position_id text, state text, contracts float8, mark_yes_price float8, cost_cc bigint, realized_pnl_cc bigint, unrealized_pnl_cc bigint',
);
const SETTLEMENTS = w('settlements', 'settlement_id text, game_id text, sport text, home_score int, away_score int, markets jsonb, ts bigint');
const INCIDENTS = w('incidents', 'incident_id text, kind text, source text, severity text, message text, detail jsonb, ts bigint');
/** One row per (channel, notification): its latest delivery status; a replayed entry changes nothing. */
const NOTIFICATIONS = w(
  'notifications',
  'notification_id text, channel text, kind text, title text, body text, status text, ts bigint',
  `ON CONFLICT (notification_id) DO UPDATE SET status = EXCLUDED.status, title = EXCLUDED.title, body = EXCLUDED.body, ts = EXCLUDED.ts
   WHERE notifications.ts <= EXCLUDED.ts AND (notifications.status, notifications.body) IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.body)`,
);
const DEAD_LETTERS = w('dead_letters', 'stream text, entry_id text, fields jsonb, problem text, ts bigint');

const FINALS_SQL = `UPDATE games g SET home_score = x.home_score, away_score = x.away_score, status = 'final',
    final_ts = COALESCE(g.final_ts, x.final_ts)
  FROM jsonb_to_recordset($1::jsonb) AS x(game_id text, home_score int, away_score int, final_ts bigint)
  WHERE g.game_id = x.game_id`;

/** closed_ts of positions first seen already closed (the upsert's insert branch has no CASE). */
const CLOSED_SQL = `UPDATE positions SET closed_ts = updated_ts WHERE closed_ts IS NULL AND state <> 'open' AND position_id = ANY($1::text[])`;

function insertSql(t: TableWrite): string {
  return `INSERT INTO ${t.table} (${t.columns}) SELECT ${t.columns} FROM jsonb_to_recordset($1::jsonb) AS x(${t.types}) ${t.conflict}`;
}

const STATEMENTS = new Map<TableWrite, string>(
  [PRICES, GAMES, GAME_STATES, SIGNALS, EXIT_SIGNALS, TRADES, FILLS, POSITIONS, POSITION_EVENTS, SETTLEMENTS, INCIDENTS, NOTIFICATIONS, DEAD_LETTERS].map((t) => [t, insertSql(t)]),
);

export interface WriteCounts {
  /** Rows inserted or updated per table (a replayed entry adds 0). */
  readonly [table: string]: number;
}

export class HistoryWriter {
  constructor(private readonly pool: pg.Pool) {}

  async write(batch: RowBatch): Promise<WriteCounts> {
    const parts: [TableWrite, readonly unknown[]][] = [
      [GAMES, [...batch.games.values()]],
      [PRICES, batch.prices],
      [GAME_STATES, batch.gameStates],
      [SIGNALS, [...batch.signals.values()]],
      [EXIT_SIGNALS, batch.exitSignals],
      [TRADES, batch.trades],
      [FILLS, batch.fills],
      [POSITIONS, [...batch.positions.values()]],
      [POSITION_EVENTS, batch.positionEvents],
      [SETTLEMENTS, batch.settlements],
      [INCIDENTS, batch.incidents],
      [NOTIFICATIONS, [...batch.notifications.values()]],
      [DEAD_LETTERS, batch.deadLetters],
    ];
    return inTransaction(this.pool, async (client) => {
      const counts: Record<string, number> = {};
      for (const [table, rows] of parts) {
        if (rows.length === 0) continue;
        const result = await client.query(STATEMENTS.get(table)!, [toJson(rows)]);
        counts[table.table] = result.rowCount ?? 0;
      }
      if (batch.positions.size > 0) await client.query(CLOSED_SQL, [[...batch.positions.keys()]]);
      if (batch.finals.size > 0) await client.query(FINALS_SQL, [toJson([...batch.finals.values()])]);
      return counts;
    });
  }
}

/** JSON for jsonb, which refuses the NUL character: strings holding one lose it (rare, so checked first). */
function toJson(rows: readonly unknown[]): string {
  const text = JSON.stringify(rows);
  if (!text.includes('\\u0000')) return text;
  return JSON.stringify(rows, (_key, value: unknown) => (typeof value === 'string' ? value.replaceAll('\u0000', '') : value));
}

/** A data error (SQLSTATE class 22 or 23): retrying the same rows can never succeed. */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}
