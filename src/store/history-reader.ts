/**
 * Read access to the history for the api and the tools: trades with their fills, positions,
 * stored reports. Plain objects with numbers (bigint columns converted), newest first, always
 * bounded by a limit; keyset pagination by `beforeTs`.
 */
import type pg from 'pg';
import type { Report } from './report/report-types.js';

type Queryable = Pick<pg.Pool, 'query'>;

export interface FillRecord {
  leg: number;
  venue: string;
  marketId: string;
  side: string;
  action: string;
  contracts: number;
  yesPrice: number;
  feeCc: number;
  orderId: string | null;
  /** Cash the venue moved when it is not contracts x price (fractional shares); null otherwise. */
  notionalCc: number | null;
}

export interface TradeRecord {
  tradeId: string;
  /** The trades:completed entry it was recorded from (the api pages by it, as over the stream). */
  streamId: string;
  source: string;
  sourceId: string;
  gameId: string;
  sport: string;
  mode: string;
  status: string;
  reason: string | null;
  feesCc: number;
  decidedTs: number;
  signalKind: string | null;
  fills: FillRecord[];
}

export interface PositionRecord {
  positionId: string;
  gameId: string;
  sport: string;
  venue: string;
  marketId: string;
  team: string | null;
  side: string;
  state: string;
  contracts: number;
  avgYesPrice: number;
  markYesPrice: number | null;
  costCc: number;
  feesCc: number;
  realizedPnlCc: number;
  unrealizedPnlCc: number;
  openedTs: number;
  updatedTs: number;
  closedTs: number | null;
}

export interface ReportSummary {
  reportId: string;
  kind: string;
  sinceTs: number;
  untilTs: number;
  createdTs: number;
  timeZone: string;
  summary: Report['totals'];
}

export interface StoredReport extends ReportSummary {
  body: Report;
  markdown: string;
}

export interface ClosedStats {
  count: number;
  wins: number;
  maxDrawdownCc: number;
}

export interface TradeOutcome {
  kind: string;
  status: string;
  reasonHead: string | null;
  count: number;
}

export interface TradeQuery {
  sinceTs?: number;
  untilTs?: number;
  beforeTs?: number;
  gameId?: string;
  status?: string;
  /** Entries strictly older than this trades:completed id; ordered by stream id instead of decided_ts. */
  beforeStreamId?: string;
  /** Order by the stream id (the order execution_service wrote them), newest first. */
  byStream?: boolean;
  limit?: number;
}

/** Keyset of closed positions: (closed_ts, position_id) strictly before. */
export interface ClosedPositionQuery {
  before?: { closedTs: number; positionId: string };
  limit?: number;
}

export interface PositionQuery {
  state?: 'open' | 'closed' | 'settled';
  gameId?: string;
  beforeTs?: number;
  limit?: number;
}

const MAX_LIMIT = 1_000;
const limitOf = (limit: number | undefined) => Math.min(MAX_LIMIT, Math.max(1, Math.floor(limit ?? 100)));
/** Aggregates read more rows than a page returns. */
const MAX_WINDOW = 100_000;
const windowOf = (window: number) => Math.min(MAX_WINDOW, Math.max(1, Math.floor(window)));
const num = (v: unknown): number => Number(v);
const STREAM_MS = `split_part(t.stream_id, '-', 1)::bigint`;
const STREAM_SEQ = `split_part(t.stream_id, '-', 2)::bigint`;
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export class HistoryReader {
  constructor(private readonly db: Queryable) {}

  async trades(q: TradeQuery = {}): Promise<TradeRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      args.push(value);
      where.push(sql.replace('?', `$${args.length}`));
    };
    if (q.sinceTs !== undefined) add('t.decided_ts >= ?', q.sinceTs);
    if (q.untilTs !== undefined) add('t.decided_ts < ?', q.untilTs);
    if (q.beforeTs !== undefined) add('t.decided_ts < ?', q.beforeTs);
    if (q.gameId !== undefined) add('t.game_id = ?', q.gameId);
    if (q.status !== undefined) add('t.status = ?', q.status);
    const byStream = q.byStream === true || q.beforeStreamId !== undefined;
    if (q.beforeStreamId !== undefined) {
      const [ms, seq] = q.beforeStreamId.split('-');
      args.push(ms, seq ?? '0');
      where.push(`(${STREAM_MS}, ${STREAM_SEQ}) < ($${args.length - 1}::bigint, $${args.length}::bigint)`);
    }
    args.push(limitOf(q.limit));
    const sql = `SELECT t.*, s.kind AS signal_kind,
        COALESCE((SELECT json_agg(json_build_object('leg', f.leg, 'venue', f.venue, 'marketId', f.market_id, 'side', f.side,
          'action', f.action, 'contracts', f.contracts, 'yesPrice', f.yes_price, 'feeCc', f.fee_cc, 'orderId', f.order_id, 'notionalCc', f.notional_cc) ORDER BY f.leg)
          FROM fills f WHERE f.trade_id = t.trade_id), '[]') AS fills
      FROM trades t LEFT JOIN signals s ON t.source = 'signal' AND s.signal_id = t.source_id
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${byStream ? `${STREAM_MS} DESC, ${STREAM_SEQ} DESC` : 't.decided_ts DESC, t.trade_id'} LIMIT $${args.length}`;
    const rows = (await this.db.query(sql, args)).rows as Record<string, unknown>[];
    return rows.map((r) => ({
      tradeId: String(r.trade_id), streamId: String(r.stream_id), source: String(r.source), sourceId: String(r.source_id), gameId: String(r.game_id),
      sport: String(r.sport), mode: String(r.mode), status: String(r.status), reason: (r.reason as string | null) ?? null,
      feesCc: num(r.fees_cc), decidedTs: num(r.decided_ts), signalKind: (r.signal_kind as string | null) ?? null,
      fills: (r.fills as FillRecord[]).map((f) => ({ ...f, feeCc: num(f.feeCc), notionalCc: f.notionalCc === null || f.notionalCc === undefined ? null : num(f.notionalCc) })),
    }));
  }

  async positions(q: PositionQuery = {}): Promise<PositionRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.state !== undefined) where.push(`state = $${args.push(q.state)}`);
    if (q.gameId !== undefined) where.push(`game_id = $${args.push(q.gameId)}`);
    if (q.beforeTs !== undefined) where.push(`updated_ts < $${args.push(q.beforeTs)}`);
    args.push(limitOf(q.limit));
    const rows = (await this.db.query(
      `SELECT * FROM positions ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY updated_ts DESC, position_id LIMIT $${args.length}`,
      args,
    )).rows as Record<string, unknown>[];
    return rows.map(positionOf);
  }

  /** Closed and settled positions, latest closed first. */
  async closedPositions(q: ClosedPositionQuery = {}): Promise<PositionRecord[]> {
    const args: unknown[] = [];
    let where = `state <> 'open' AND closed_ts IS NOT NULL`;
    if (q.before !== undefined) {
      args.push(q.before.closedTs, q.before.positionId);
      where += ' AND (closed_ts, position_id) < ($1::bigint, $2::text)';
    }
    args.push(limitOf(q.limit));
    const rows = (await this.db.query(`SELECT * FROM positions WHERE ${where} ORDER BY closed_ts DESC, position_id DESC LIMIT $${args.length}`, args)).rows as Record<string, unknown>[];
    return rows.map(positionOf);
  }

  /**
   * Every closed or settled position at once: how many, how many won (realised P&L > 0), and the
   * largest peak-to-trough fall of cumulative realised P&L in closing order (from a peak of 0).
   */
  async closedStats(): Promise<ClosedStats> {
    const { rows } = await this.db.query(`SELECT count(*) AS count, count(*) FILTER (WHERE realized_pnl_cc > 0) AS wins,
        COALESCE(max(peak - cum), 0) AS max_drawdown
      FROM (SELECT cum, GREATEST(0, max(cum) OVER (ORDER BY closed_ts, position_id)) AS peak, realized_pnl_cc
        FROM (SELECT realized_pnl_cc, closed_ts, position_id, sum(realized_pnl_cc) OVER (ORDER BY closed_ts, position_id) AS cum
          FROM positions WHERE state <> 'open' AND closed_ts IS NOT NULL) c) p`);
    const r = rows[0] as Record<string, unknown>;
    return { count: num(r.count), wins: num(r.wins), maxDrawdownCc: num(r.max_drawdown) };
  }

  /** Signals per kind among the newest `window` (a signal also flagged high-edge counts once). */
  async signalKinds(window: number): Promise<Map<string, number>> {
    const { rows } = await this.db.query(
      `SELECT kind, count(*) AS n FROM (SELECT kind FROM signals ORDER BY created_ts DESC LIMIT $1) s GROUP BY kind`,
      [windowOf(window)],
    );
    return new Map((rows as Record<string, unknown>[]).map((r) => [String(r.kind), num(r.n)]));
  }

  /**
   * The newest `window` trades counted by the kind of their signal (`exit` for exits, `unknown`
   * when the signal is not recorded), status and the head of their reason (the text before its
   * first colon, '' without one, null without a reason): the funnel, aggregated in the database.
   */
  async tradeOutcomes(window: number): Promise<TradeOutcome[]> {
    const { rows } = await this.db.query(
      `SELECT CASE WHEN t.source = 'exit' THEN 'exit' ELSE COALESCE(s.kind, 'unknown') END AS kind, t.status,
          CASE WHEN t.reason IS NULL THEN NULL WHEN position(':' in t.reason) > 0 THEN split_part(t.reason, ':', 1) ELSE '' END AS head,
          count(*) AS n
        FROM (SELECT source, source_id, status, reason FROM trades ORDER BY decided_ts DESC LIMIT $1) t
        LEFT JOIN signals s ON t.source = 'signal' AND s.signal_id = t.source_id
        GROUP BY 1, 2, 3`,
      [windowOf(window)],
    );
    return (rows as Record<string, unknown>[]).map((r) => ({ kind: String(r.kind), status: String(r.status), reasonHead: (r.head as string | null) ?? null, count: num(r.n) }));
  }

  /** Newest first; `before` pages by (created_ts, report_id). */
  async reports(q: { kind?: string; limit?: number; before?: { createdTs: number; reportId: string } } = {}): Promise<ReportSummary[]> {
    const args: unknown[] = [];
    const where: string[] = [];
    if (q.kind !== undefined) where.push(`kind = $${args.push(q.kind)}`);
    if (q.before !== undefined) {
      args.push(q.before.createdTs, q.before.reportId);
      where.push(`(created_ts, report_id) < ($${args.length - 1}::bigint, $${args.length}::text)`);
    }
    args.push(limitOf(q.limit));
    const rows = (await this.db.query(
      `SELECT report_id, kind, since_ts, until_ts, created_ts, time_zone, summary FROM reports ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_ts DESC, report_id DESC LIMIT $${args.length}`,
      args,
    )).rows as Record<string, unknown>[];
    return rows.map(summaryOf);
  }

  async report(reportId: string): Promise<StoredReport | null> {
    const rows = (await this.db.query('SELECT * FROM reports WHERE report_id = $1', [reportId])).rows as Record<string, unknown>[];
    const r = rows[0];
    return r === undefined ? null : { ...summaryOf(r), body: r.body as Report, markdown: String(r.markdown) };
  }
}

function positionOf(r: Record<string, unknown>): PositionRecord {
  return {
    positionId: String(r.position_id), gameId: String(r.game_id), sport: String(r.sport), venue: String(r.venue), marketId: String(r.market_id),
    team: (r.team as string | null) ?? null, side: String(r.side), state: String(r.state), contracts: num(r.contracts),
    avgYesPrice: num(r.avg_yes_price), markYesPrice: numOrNull(r.mark_yes_price), costCc: num(r.cost_cc), feesCc: num(r.fees_cc),
    realizedPnlCc: num(r.realized_pnl_cc), unrealizedPnlCc: num(r.unrealized_pnl_cc), openedTs: num(r.opened_ts), updatedTs: num(r.updated_ts),
    closedTs: numOrNull(r.closed_ts),
  };
}

function summaryOf(r: Record<string, unknown>): ReportSummary {
  return {
    reportId: String(r.report_id), kind: String(r.kind), sinceTs: num(r.since_ts), untilTs: num(r.until_ts), createdTs: num(r.created_ts),
    timeZone: String(r.time_zone), summary: r.summary as Report['totals'],
  };
}

/** The id of a report of `kind` over a period: the same period stored twice is one row (the newer). */
export function reportId(report: Pick<Report, 'kind' | 'sinceUs' | 'untilUs'>): string {
  return `${report.kind}:${report.sinceUs}:${report.untilUs}`;
}

export async function saveReport(db: Queryable, report: Report, markdown: string): Promise<string> {
  const id = reportId(report);
  await db.query(
    `INSERT INTO reports (report_id, kind, since_ts, until_ts, created_ts, time_zone, summary, body, markdown)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (report_id) DO UPDATE SET created_ts = EXCLUDED.created_ts, summary = EXCLUDED.summary, body = EXCLUDED.body, markdown = EXCLUDED.markdown`,
    [id, report.kind, report.sinceUs, report.untilUs, report.generatedUs, report.timeZone, JSON.stringify(report.totals), JSON.stringify(report), markdown],
  );
  return id;
}
