/**
 * The statistics of the reports, pure: calibration (Brier score, reliability table), equity
 * curve and drawdown, percentiles, slippage and closing-line value in price points. Money stays
 * integer centi-cents; points are YES-side probability differences, positive = in our favour
 * (or adverse, for slippage, as named).
 */

export interface Forecast {
  /** Predicted probability of the event (the home team winning). */
  readonly p: number;
  /** 1 when it happened, 0 when not. */
  readonly outcome: 0 | 1;
}

export interface ReliabilityBin {
  readonly from: number;
  readonly to: number;
  readonly n: number;
  readonly meanPredicted: number | null;
  readonly observedRate: number | null;
}

/** Mean squared error of the forecasts; null without any. */
export function brierScore(forecasts: readonly Forecast[]): number | null {
  if (forecasts.length === 0) return null;
  let sum = 0;
  for (const f of forecasts) sum += (f.p - f.outcome) ** 2;
  return sum / forecasts.length;
}

/** Forecasts grouped in `bins` equal probability bins ([0, 0.1), ..., [0.9, 1]). */
export function reliabilityTable(forecasts: readonly Forecast[], bins = 10): ReliabilityBin[] {
  const n = new Array<number>(bins).fill(0);
  const sumP = new Array<number>(bins).fill(0);
  const hits = new Array<number>(bins).fill(0);
  for (const f of forecasts) {
    const i = Math.min(bins - 1, Math.max(0, Math.floor(f.p * bins)));
    n[i]! += 1;
    sumP[i]! += f.p;
    hits[i]! += f.outcome;
  }
  return n.map((count, i) => ({
    from: i / bins,
    to: (i + 1) / bins,
    n: count,
    meanPredicted: count === 0 ? null : sumP[i]! / count,
    observedRate: count === 0 ? null : hits[i]! / count,
  }));
}

export interface EquityPoint {
  readonly ts: number;
  readonly equityCc: number;
}

/** Running sum of P&L changes in time order, from `startCc`. */
export function equityCurve(changes: readonly { ts: number; pnlCc: number }[], startCc = 0): EquityPoint[] {
  const sorted = [...changes].sort((a, b) => a.ts - b.ts);
  let equity = startCc;
  return sorted.map((c) => ({ ts: c.ts, equityCc: (equity += c.pnlCc) }));
}

/** Largest fall from a running peak (the start counts as a peak), in cc, as a positive number. */
export function maxDrawdownCc(curve: readonly EquityPoint[], startCc = 0): number {
  let peak = startCc;
  let worst = 0;
  for (const p of curve) {
    peak = Math.max(peak, p.equityCc);
    worst = Math.max(worst, peak - p.equityCc);
  }
  return worst;
}

/** Nearest-rank percentile (q in [0, 1]); null for no values. */
export function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * Price points a fill was worse than its signal's limit (negative: better). Prices are YES-side:
 * buying YES or selling NO is worse at a higher YES price; buying NO or selling YES at a lower.
 */
export function adverseSlippage(side: 'yes' | 'no', action: 'buy' | 'sell', limitYes: number, fillYes: number): number {
  const paysMoreWhenHigher = (side === 'yes') === (action === 'buy');
  return paysMoreWhenHigher ? fillYes - limitYes : limitYes - fillYes;
}

/**
 * Closing-line value of an entry, in points: how much better the last market price before the
 * final was than our entry, for the side we hold (positive: we beat the closing line).
 */
export function closingLineValue(side: 'yes' | 'no', entryYes: number, closeYes: number): number {
  return side === 'yes' ? closeYes - entryYes : entryYes - closeYes;
}
