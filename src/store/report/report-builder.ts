/**
 * Computes a Report from the history tables for one period: the queries (each bounded by the
 * period and served by an index) and the arithmetic on their rows. The one implementation behind
 * analytics_service's scheduled reports, `arbees report` and the api.
 */
import type pg from 'pg';
import {
  adverseSlippage, brierScore, closingLineValue, equityCurve, maxDrawdownCc, mean, percentile, reliabilityTable, type Forecast,
} from '../../core/analytics.js';
import { priceToCc, quantityTimesCc } from '../../core/money.js';
import { nowMicros } from '../../core/time.js';
import type { PnlRow, Report } from './report-types.js';

type Queryable = Pick<pg.ClientBase, 'query'>;

export interface ReportPeriod {
  readonly sinceUs: number;
  readonly untilUs: number;
  readonly timeZone: string;
  readonly kind?: string;
}

const EXPOSURE_POINTS = 60;
/** A position is attributed to the signal whose entry fill is nearest its opening, within this. */
const ATTRIBUTION_WINDOW_US = 60_000_000;
const RECENT_INCIDENTS = 20;
const TOP_REASONS = 12;

const n = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

interface PositionRow {
  position_id: string;
  sport: string;
  venue: string;
  state: string;
  realized_pnl_cc: string;
  unrealized_pnl_cc: string;
  fees_cc: string;
  opened_ts: string;
  closed_ts: string | null;
  entry_cost_cc: string;
  kind: string | null;
}

const POSITIONS_SQL = `
SELECT p.position_id, p.sport, p.venue, p.state, p.realized_pnl_cc, p.unrealized_pnl_cc, p.fees_cc, p.opened_ts, p.closed_ts,
  GREATEST(p.cost_cc, COALESCE((SELECT max(e.cost_cc) FROM position_events e WHERE e.position_id = p.position_id), 0)) AS entry_cost_cc,
  (SELECT s.kind FROM fills f JOIN trades t ON t.trade_id = f.trade_id JOIN signals s ON s.signal_id = t.source_id
    WHERE f.venue = p.venue AND f.market_id = p.market_id AND f.side = p.side AND f.action = 'buy' AND t.source = 'signal'
      AND f.decided_ts BETWEEN p.opened_ts - ${ATTRIBUTION_WINDOW_US} AND p.opened_ts + ${ATTRIBUTION_WINDOW_US}
    ORDER BY abs(f.decided_ts - p.opened_ts) LIMIT 1) AS kind
FROM positions p
WHERE p.opened_ts < $2 AND (p.closed_ts IS NULL OR p.closed_ts >= $1)`;

const FUNNEL_SQL = `
SELECT s.kind, d.status, split_part(COALESCE(d.reason, ''), ':', 1) AS reason, count(*) AS n
FROM signals s
LEFT JOIN LATERAL (
  SELECT t.status, t.reason FROM trades t WHERE t.source = 'signal' AND t.source_id = s.signal_id
  ORDER BY (t.status IN ('filled', 'partial')) DESC, t.decided_ts LIMIT 1
) d ON true
WHERE s.created_ts >= $1 AND s.created_ts < $2
GROUP BY 1, 2, 3`;

const FILLED_LEGS_SQL = `
SELECT t.trade_id, s.net_edge, s.legs, f.venue, f.market_id, f.side, f.action, f.contracts, f.yes_price
FROM trades t JOIN signals s ON s.signal_id = t.source_id JOIN fills f ON f.trade_id = t.trade_id
WHERE t.source = 'signal' AND t.status IN ('filled', 'partial') AND t.decided_ts >= $1 AND t.decided_ts < $2`;

const CLOSING_SQL = `
SELECT f.side, f.yes_price, f.contracts,
  (SELECT CASE WHEN pr.yes_bid IS NOT NULL AND pr.yes_ask IS NOT NULL THEN (pr.yes_bid + pr.yes_ask) / 2
               ELSE COALESCE(pr.last_price, pr.yes_bid, pr.yes_ask) END
     FROM prices pr WHERE pr.venue = f.venue AND pr.market_id = f.market_id AND pr.ts < g.final_ts
     ORDER BY pr.ts DESC LIMIT 1) AS close_yes
FROM fills f JOIN trades t ON t.trade_id = f.trade_id JOIN games g ON g.game_id = t.game_id
WHERE t.source = 'signal' AND f.action = 'buy' AND g.final_ts IS NOT NULL AND t.decided_ts >= $1 AND t.decided_ts < $2`;

const CALIBRATION_SQL = `
SELECT gs.game_id, gs.model_home_prob, gs.espn_home_prob, g.home_score, g.away_score
FROM game_states gs JOIN games g ON g.game_id = gs.game_id
WHERE g.final_ts IS NOT NULL AND g.final_ts < $2 AND gs.ts >= $1 AND gs.ts < $2 AND gs.status <> 'final'
  AND g.home_score IS NOT NULL AND g.home_score <> g.away_score`;

export async function buildReport(db: Queryable, period: ReportPeriod): Promise<Report> {
  const args = [period.sinceUs, period.untilUs];
  // One query after the other: the embedded PGlite serves one query at a time anyway, and a
  // pool's concurrent connections to it gained nothing but a rare mixed-up answer there.
  const q = async <T>(sql: string, expect: string): Promise<T[]> => {
    const result = await db.query(sql, args);
    if (!result.fields.some((f) => f.name === expect)) throw new Error(`report query answered without column ${expect}: ${sql.slice(0, 80)}`);
    return result.rows as T[];
  };
  const positions = await q<PositionRow>(POSITIONS_SQL, 'entry_cost_cc');
  const funnelRows = await q<{ kind: string; status: string | null; reason: string; n: string }>(FUNNEL_SQL, 'reason');
  const legs = await q<{ trade_id: string; net_edge: number; legs: LegJson[]; venue: string; market_id: string; side: 'yes' | 'no'; action: 'buy' | 'sell'; contracts: number; yes_price: number }>(FILLED_LEGS_SQL, 'net_edge');
  const closing = await q<{ side: 'yes' | 'no'; yes_price: number; contracts: number; close_yes: number | null }>(CLOSING_SQL, 'close_yes');
  const calibration = await q<{ game_id: string; model_home_prob: number | null; espn_home_prob: number | null; home_score: number; away_score: number }>(CALIBRATION_SQL, 'model_home_prob');
  const tradeTotals = await q<{ trades: string }>('SELECT count(*) AS trades FROM trades WHERE decided_ts >= $1 AND decided_ts < $2', 'trades');
  const fillTotals = await q<{ fills: string; contracts: string | null; fees: string | null }>(
    'SELECT count(*) AS fills, sum(contracts) AS contracts, sum(fee_cc) AS fees FROM fills WHERE decided_ts >= $1 AND decided_ts < $2',
    'fees',
  );
  const incidentKinds = await q<{ kind: string; severity: string; n: string }>(
    'SELECT kind, severity, count(*) AS n FROM incidents WHERE ts >= $1 AND ts < $2 GROUP BY 1, 2 ORDER BY 3 DESC',
    'severity',
  );
  const recent = await q<{ ts: string; kind: string; severity: string; source: string; message: string }>(
    `SELECT ts, kind, severity, source, message FROM incidents WHERE ts >= $1 AND ts < $2 ORDER BY ts DESC LIMIT ${RECENT_INCIDENTS}`,
    'message',
  );
  const dead = await q<{ dead_letters: string }>('SELECT count(*) AS dead_letters FROM dead_letters WHERE ts >= $1 AND ts < $2', 'dead_letters');

  const closed = positions.filter((p) => p.closed_ts !== null && n(p.closed_ts) < period.untilUs);
  const open = positions.filter((p) => p.closed_ts === null);
  const realisedCc = closed.reduce((s, p) => s + n(p.realized_pnl_cc), 0);
  const wins = closed.filter((p) => n(p.realized_pnl_cc) > 0).length;
  const feesCc = n(fillTotals[0]?.fees);
  const curve = equityCurve(closed.map((p) => ({ ts: n(p.closed_ts), pnlCc: n(p.realized_pnl_cc) })));
  const funnel = funnelOf(funnelRows);
  const edge = edgeOf(legs);
  const holdS = closed.map((p) => (n(p.closed_ts) - n(p.opened_ts)) / 1e6);
  const clv = closing.filter((c) => c.close_yes !== null).map((c) => ({ v: closingLineValue(c.side, c.yes_price, Number(c.close_yes)), w: c.contracts }));
  const totalW = clv.reduce((s, c) => s + c.w, 0);

  const report: Report = {
    version: 1,
    kind: period.kind ?? 'adhoc',
    sinceUs: period.sinceUs,
    untilUs: period.untilUs,
    generatedUs: nowMicros(),
    timeZone: period.timeZone,
    empty: positions.length === 0 && funnel.signals === 0 && n(tradeTotals[0]?.trades) === 0 && calibration.length === 0 && recent.length === 0,
    totals: {
      signals: funnel.signals,
      trades: n(tradeTotals[0]?.trades),
      fills: n(fillTotals[0]?.fills),
      contracts: n(fillTotals[0]?.contracts),
      realisedCc,
      unrealisedCc: open.reduce((s, p) => s + n(p.unrealized_pnl_cc), 0),
      feesCc,
      feeDrag: realisedCc + feesCc > 0 ? feesCc / (realisedCc + feesCc) : null,
      closedPositions: closed.length,
      openPositions: open.length,
      winRate: closed.length === 0 ? null : wins / closed.length,
      maxDrawdownCc: maxDrawdownCc(curve),
    },
    pnlBySport: pnlBy(closed, (p) => p.sport),
    pnlByKind: pnlBy(closed, (p) => p.kind ?? 'unattributed'),
    pnlByVenue: pnlBy(closed, (p) => p.venue),
    funnel,
    edge: edge.edge,
    slippage: edge.slippage,
    holding: { positions: holdS.length, meanS: mean(holdS), p50S: percentile(holdS, 0.5), p90S: percentile(holdS, 0.9) },
    equity: curve,
    exposure: exposureOf(positions, period),
    calibration: calibrationOf(calibration),
    closingLine: {
      entries: clv.length,
      meanPoints: totalW > 0 ? clv.reduce((s, c) => s + c.v * c.w, 0) / totalW : null,
      beatShare: clv.length === 0 ? null : clv.filter((c) => c.v > 0).length / clv.length,
    },
    incidents: {
      total: incidentKinds.reduce((s, r) => s + n(r.n), 0),
      byKind: incidentKinds.map((r) => ({ kind: r.kind, severity: r.severity, count: n(r.n) })),
      deadLetters: n(dead[0]?.dead_letters),
      recent: recent.map((r) => ({ ts: n(r.ts), kind: r.kind, severity: r.severity, source: r.source, message: r.message })),
    },
  };
  return report;
}

function pnlBy(rows: readonly PositionRow[], key: (p: PositionRow) => string): PnlRow[] {
  const groups = new Map<string, { positions: number; realisedCc: number; feesCc: number; wins: number }>();
  for (const p of rows) {
    const g = groups.get(key(p)) ?? { positions: 0, realisedCc: 0, feesCc: 0, wins: 0 };
    g.positions += 1;
    g.realisedCc += n(p.realized_pnl_cc);
    g.feesCc += n(p.fees_cc);
    if (n(p.realized_pnl_cc) > 0) g.wins += 1;
    groups.set(key(p), g);
  }
  return [...groups].map(([k, g]) => ({ key: k, ...g })).sort((a, b) => b.realisedCc - a.realisedCc || a.key.localeCompare(b.key));
}

function funnelOf(rows: readonly { kind: string; status: string | null; reason: string; n: string }[]): Report['funnel'] {
  const byKind = new Map<string, number>();
  const byStatus = new Map<string, number>();
  const reasons = new Map<string, number>();
  let signals = 0;
  for (const r of rows) {
    const count = n(r.n);
    signals += count;
    byKind.set(r.kind, (byKind.get(r.kind) ?? 0) + count);
    const status = r.status ?? 'undecided';
    byStatus.set(status, (byStatus.get(status) ?? 0) + count);
    if (status === 'rejected') reasons.set(r.reason || '(none)', (reasons.get(r.reason || '(none)') ?? 0) + count);
  }
  const s = (k: string) => byStatus.get(k) ?? 0;
  return {
    signals,
    bySignalKind: [...byKind].map(([kind, count]) => ({ kind, count })).sort((a, b) => b.count - a.count),
    decided: signals - s('undecided'),
    filled: s('filled'),
    partial: s('partial'),
    rejected: s('rejected'),
    failed: s('failed'),
    unknown: s('unknown'),
    undecided: s('undecided'),
    rejectedByReason: [...reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count).slice(0, TOP_REASONS),
  };
}

interface LegJson {
  venue: string;
  market_id: string;
  side: 'yes' | 'no';
  action: 'buy' | 'sell';
  yes_price: number;
}

function edgeOf(rows: readonly { trade_id: string; net_edge: number; legs: LegJson[]; venue: string; market_id: string; side: 'yes' | 'no'; action: 'buy' | 'sell'; contracts: number; yes_price: number }[]): {
  edge: Report['edge'];
  slippage: Report['slippage'];
} {
  const perTrade = new Map<string, { netEdge: number; slip: number; contracts: number; legs: number }>();
  const slips: number[] = [];
  let costCc = 0;
  for (const r of rows) {
    const leg = (r.legs ?? []).find((l) => l.venue === r.venue && l.market_id === r.market_id && l.side === r.side && l.action === r.action);
    const t = perTrade.get(r.trade_id) ?? { netEdge: r.net_edge, slip: 0, contracts: 0, legs: 0 };
    if (leg !== undefined) {
      const slip = adverseSlippage(r.side, r.action, leg.yes_price, r.yes_price);
      slips.push(slip);
      costCc += Math.sign(slip) * quantityTimesCc(Number(r.contracts), priceToCc(Math.abs(slip)), 'up');
      t.slip += slip * r.contracts;
      t.contracts += r.contracts;
      t.legs += 1;
    }
    perTrade.set(r.trade_id, t);
  }
  const trades = [...perTrade.values()];
  // The edge is per contract of the whole trade (an arbitrage's pair): every leg's slippage comes off it.
  const atFill = trades.map((t) => t.netEdge - (t.contracts > 0 ? t.slip / (t.contracts / t.legs) : 0));
  return {
    edge: { atSignal: mean(trades.map((t) => t.netEdge)), atFill: mean(atFill), filledSignals: trades.length },
    slippage: { legs: slips.length, meanPoints: mean(slips), p50Points: percentile(slips, 0.5), p90Points: percentile(slips, 0.9), costCc },
  };
}

function exposureOf(rows: readonly PositionRow[], period: ReportPeriod): Report['exposure'] {
  if (rows.length === 0) return [];
  const from = Math.max(period.sinceUs, Math.min(...rows.map((p) => n(p.opened_ts))));
  const to = Math.min(period.untilUs, Math.max(...rows.map((p) => (p.closed_ts === null ? period.untilUs : n(p.closed_ts)))), nowMicros());
  if (!(to > from)) return [];
  const step = (to - from) / (EXPOSURE_POINTS - 1);
  const points: { ts: number; exposureCc: number }[] = [];
  for (let i = 0; i < EXPOSURE_POINTS; i++) {
    const ts = Math.round(from + i * step);
    let exposureCc = 0;
    for (const p of rows) if (n(p.opened_ts) <= ts && (p.closed_ts === null || n(p.closed_ts) > ts)) exposureCc += n(p.entry_cost_cc);
    points.push({ ts, exposureCc });
  }
  return points;
}

function calibrationOf(rows: readonly { game_id: string; model_home_prob: number | null; espn_home_prob: number | null; home_score: number; away_score: number }[]): Report['calibration'] {
  const model: Forecast[] = [];
  const espn: Forecast[] = [];
  for (const r of rows) {
    const outcome = r.home_score > r.away_score ? 1 : 0;
    if (r.model_home_prob !== null) model.push({ p: r.model_home_prob, outcome });
    if (r.espn_home_prob !== null) espn.push({ p: r.espn_home_prob, outcome });
  }
  const base = mean(model.map((f) => f.outcome));
  return {
    games: new Set(rows.map((r) => r.game_id)).size,
    forecasts: model.length,
    brier: brierScore(model),
    espnBrier: brierScore(espn),
    baseRateBrier: base === null ? null : base * (1 - base),
    reliability: reliabilityTable(model),
  };
}
