import { describe, expect, it } from 'vitest';
import { adverseSlippage, brierScore, closingLineValue, equityCurve, maxDrawdownCc, percentile, reliabilityTable } from './analytics.js';

describe('analytics', () => {
  it('Brier score and reliability bins by hand', () => {
    const f = [{ p: 0.8, outcome: 1 as const }, { p: 0.8, outcome: 0 as const }, { p: 0.25, outcome: 0 as const }];
    // (0.2^2 + 0.8^2 + 0.25^2) / 3 = (0.04 + 0.64 + 0.0625) / 3
    expect(brierScore(f)).toBeCloseTo(0.2475, 10);
    expect(brierScore([])).toBeNull();
    const bins = reliabilityTable(f);
    expect(bins[8]).toEqual({ from: 0.8, to: 0.9, n: 2, meanPredicted: 0.8, observedRate: 0.5 });
    expect(bins[2]).toMatchObject({ n: 1, observedRate: 0 });
    expect(reliabilityTable([{ p: 1, outcome: 1 }])[9]!.n).toBe(1);
  });

  it('equity curve and drawdown', () => {
    const curve = equityCurve([{ ts: 3, pnlCc: -500 }, { ts: 1, pnlCc: 1_000 }, { ts: 2, pnlCc: -1_500 }, { ts: 4, pnlCc: 2_000 }]);
    expect(curve.map((p) => p.equityCc)).toEqual([1_000, -500, -1_000, 1_000]);
    expect(maxDrawdownCc(curve)).toBe(2_000);
    expect(maxDrawdownCc([])).toBe(0);
  });

  it('percentiles, slippage and closing-line value by side', () => {
    expect(percentile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 0.9)).toBe(5);
    expect(adverseSlippage('yes', 'buy', 0.55, 0.56)).toBeCloseTo(0.01);
    expect(adverseSlippage('no', 'buy', 0.45, 0.44)).toBeCloseTo(0.01);
    expect(adverseSlippage('yes', 'sell', 0.6, 0.61)).toBeCloseTo(-0.01);
    expect(closingLineValue('yes', 0.55, 0.6)).toBeCloseTo(0.05);
    expect(closingLineValue('no', 0.55, 0.6)).toBeCloseTo(-0.05);
  });
});
