/**
 * The report, as data: what analytics_service stores (reports.body) and publishes, what
 * `arbees report --format json` prints, and what the Markdown and HTML renderers read. Money in
 * integer centi-cents (`*Cc`), prices and edges in YES-side points, times in microseconds.
 */
import type { ReliabilityBin } from '../../core/analytics.js';

export interface PnlRow {
  readonly key: string;
  readonly positions: number;
  readonly realisedCc: number;
  readonly feesCc: number;
  readonly wins: number;
}

export interface FunnelReason {
  readonly reason: string;
  readonly count: number;
}

export interface Incident {
  readonly ts: number;
  readonly kind: string;
  readonly severity: string;
  readonly source: string;
  readonly message: string;
}

export interface Report {
  readonly version: 1;
  readonly kind: string;
  readonly sinceUs: number;
  readonly untilUs: number;
  readonly generatedUs: number;
  readonly timeZone: string;
  /** Nothing recorded in the period: every section below is empty. */
  readonly empty: boolean;
  readonly totals: {
    readonly signals: number;
    readonly trades: number;
    readonly fills: number;
    readonly contracts: number;
    readonly realisedCc: number;
    readonly unrealisedCc: number;
    readonly feesCc: number;
    /** Fees as a share of P&L before fees (null when that is not positive). */
    readonly feeDrag: number | null;
    readonly closedPositions: number;
    readonly openPositions: number;
    readonly winRate: number | null;
    readonly maxDrawdownCc: number;
  };
  readonly pnlBySport: readonly PnlRow[];
  readonly pnlByKind: readonly PnlRow[];
  readonly pnlByVenue: readonly PnlRow[];
  readonly funnel: {
    readonly signals: number;
    readonly bySignalKind: readonly { kind: string; count: number }[];
    readonly decided: number;
    readonly filled: number;
    readonly partial: number;
    readonly rejected: number;
    readonly failed: number;
    readonly unknown: number;
    readonly undecided: number;
    readonly rejectedByReason: readonly FunnelReason[];
  };
  readonly edge: {
    /** Mean net edge the signals that filled claimed. */
    readonly atSignal: number | null;
    /** The same after the slippage of their fills. */
    readonly atFill: number | null;
    readonly filledSignals: number;
  };
  readonly slippage: { readonly legs: number; readonly meanPoints: number | null; readonly p50Points: number | null; readonly p90Points: number | null; readonly costCc: number };
  readonly holding: { readonly positions: number; readonly meanS: number | null; readonly p50S: number | null; readonly p90S: number | null };
  readonly equity: readonly { ts: number; equityCc: number }[];
  readonly exposure: readonly { ts: number; exposureCc: number }[];
  readonly calibration: {
    readonly games: number;
    readonly forecasts: number;
    readonly brier: number | null;
    readonly espnBrier: number | null;
    /** Always guessing the base rate: a skill-free reference. */
    readonly baseRateBrier: number | null;
    readonly reliability: readonly ReliabilityBin[];
  };
  readonly closingLine: { readonly entries: number; readonly meanPoints: number | null; readonly beatShare: number | null };
  readonly incidents: { readonly total: number; readonly byKind: readonly { kind: string; severity: string; count: number }[]; readonly deadLetters: number; readonly recent: readonly Incident[] };
}
