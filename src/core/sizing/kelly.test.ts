import { describe, expect, it } from 'vitest';
import { DEFAULT_FEES, type VenueFeeRule } from '../fees.js';
import type { YesBook } from '../execution/order-types.js';
import { resolveRiskLimits } from '../risk/risk-limits.js';
import type { RiskView } from '../risk/risk-types.js';
import { effectivePrice, kellyFraction, kellySize, uncertaintyShrink, type KellyInput } from './kelly.js';
import { maxContractsWithinRisk, sizeArbitrage } from './risk-caps.js';

const FREE: VenueFeeRule = { takerRateBp: 0, makerRateBp: 0, roundingCc: 1 };
const DEEP: YesBook = { yes_bids: [[0.4, 100_000]], yes_asks: [[0.5, 100_000]] };

function input(overrides: Partial<KellyInput> = {}): KellyInput {
  return { side: 'yes', modelYesProb: 0.6, book: DEEP, entryFee: FREE, exitFee: FREE, bankrollCc: 10_000_000, limitYesPrice: null, maxContracts: 100_000, ...overrides };
}

describe('fractional Kelly on the net edge: worked examples', () => {
  it('no fees: q 0.60, YES at 0.50 -> f* 0.20, quarter Kelly 5% of $1000 = $50 = 100 contracts', () => {
    expect(kellyFraction(0.6, 0.5)).toBeCloseTo(0.2, 12);
    const size = kellySize(input());
    expect(size).toMatchObject({ contracts: 100, limitYesPrice: 0.5, reason: 'sized' });
    expect(size.fullKelly).toBeCloseTo(0.2, 12);
    expect(size.netEdge).toBeCloseTo(0.1, 12);
  });

  it('Kalshi fees on entry and on exit at the model price shrink the edge: 66 contracts, not 100', () => {
    // entry fee 0.07 x 0.5 x 0.5 = 0.0175; exit fee at q: 0.07 x 0.6 x 0.4 = 0.0168; p_eff = 0.5343
    // f* = (0.6 - 0.5343) / (1 - 0.5343) = 0.14108; x 0.25 x $1000 = $35.27; / 0.5343 = 66.01 -> 66
    const fees = { entryFee: DEFAULT_FEES.kalshi, exitFee: DEFAULT_FEES.kalshi };
    expect(effectivePrice(0.5, 0.6, fees, true)).toBeCloseTo(0.5343, 12);
    const size = kellySize(input(fees));
    expect(size.fullKelly).toBeCloseTo(0.0657 / 0.4657, 10);
    expect(size.contracts).toBe(66);
    // Holding to settlement (no exit fee): p_eff 0.5175, f* = 0.0825/0.4825 = 0.17098 -> $42.75 / 0.5175 = 82.6 -> 82
    expect(kellySize(input(fees), { chargeExitFee: false }).contracts).toBe(82);
  });

  it('NO mirrors YES: model YES 0.30 (NO 0.70), YES bid 0.40 (NO costs 0.60) -> f* 0.25, $62.50 / 0.60 = 104', () => {
    const size = kellySize(input({ side: 'no', modelYesProb: 0.3 }));
    expect(size.fullKelly).toBeCloseTo(0.25, 12);
    expect(size).toMatchObject({ contracts: 104, limitYesPrice: 0.4 });
  });

  it('fraction scales the stake: half Kelly of the first example is 200 contracts', () => {
    expect(kellySize(input(), { fraction: 0.5 }).contracts).toBe(200);
  });

  it('walks depth: each level buys only up to its own Kelly size', () => {
    // 0.50 x 30 then 0.55: f*(0.55) = 0.05/0.45 = 0.1111 -> $27.78 / 0.55 = 50.5 -> 50 in total, 20 from the second level.
    const book: YesBook = { yes_bids: [], yes_asks: [[0.5, 30], [0.55, 1000], [0.58, 1000]] };
    expect(kellySize(input({ book }))).toMatchObject({ contracts: 50, limitYesPrice: 0.55 });
    // The signal's limit stops the walk at 0.54: only the top level.
    expect(kellySize(input({ book, limitYesPrice: 0.54 }))).toMatchObject({ contracts: 30, limitYesPrice: 0.5 });
    // minNetEdge 0.07 excludes the 0.55 level (edge 0.05).
    expect(kellySize(input({ book }), { minNetEdge: 0.07 })).toMatchObject({ contracts: 30 });
  });

  it('caps at maxContracts and reports why nothing is bought', () => {
    expect(kellySize(input({ maxContracts: 12 })).contracts).toBe(12);
    expect(kellySize(input({ maxContracts: 0 })).reason).toBe('capped_to_zero');
    expect(kellySize(input({ modelYesProb: 0.5 }))).toMatchObject({ contracts: 0, reason: 'no_edge' });
    expect(kellySize(input({ modelYesProb: 0.51, bankrollCc: 10_000 }))).toMatchObject({ contracts: 0, reason: 'below_one_contract' });
    expect(kellySize(input({ book: { yes_bids: [], yes_asks: [] } }))).toMatchObject({ contracts: 0, reason: 'no_depth' });
    expect(kellySize(input({ modelYesProb: Number.NaN }))).toMatchObject({ contracts: 0, reason: 'invalid_input' });
    expect(() => kellySize(input(), { fraction: 0 })).toThrow(/ARB_CONFIG_INVALID/);
  });
});

function view(overrides: Partial<RiskView> = {}): RiskView {
  return {
    killSwitch: false,
    availableBalanceCc: 100_000_000,
    hasSeen: () => false,
    isBlocked: () => false,
    heldContracts: () => 0,
    marketExposureCc: () => 0,
    gameExposureCc: () => 0,
    sportExposureCc: () => 0,
    totalExposureCc: () => 0,
    dailyPnlCc: () => 0,
    ordersInWindow: () => 0,
    ...overrides,
  };
}

describe('sizing within risk limits', () => {
  const legs = [
    { venue: 'kalshi' as const, marketId: 'K', side: 'yes' as const, limitYesPrice: 0.45 },
    { venue: 'poly' as const, marketId: 'P', side: 'no' as const, limitYesPrice: 0.5 },
  ];
  const limits = resolveRiskLimits();

  it('caps arbitrage contracts by per-order notional, exposure headroom and balance', () => {
    const ctx = { gameId: 'g', sport: 'nba' as const, limits, view: view() };
    // Per-order notional $100: 1,000,000 / 5,000 (the NO leg at 0.50) = 200 contracts.
    expect(sizeArbitrage(1000, legs, ctx)).toBe(200);
    expect(sizeArbitrage(50, legs, ctx)).toBe(50);
    // Game headroom $50 with 0.95 per pair: 52 contracts.
    expect(sizeArbitrage(1000, legs, { ...ctx, view: view({ gameExposureCc: () => limits.maxGameExposureCc - 500_000 }) })).toBe(52);
    // Balance $20: 21 pairs cost $19.95 + fees > $20; 20 pairs cost $19 + fee bounds ($0.36 Kalshi, $0.1501 Poly) = $19.5101.
    const poor = { ...ctx, view: view({ availableBalanceCc: 200_000 }) };
    const n = maxContractsWithinRisk(legs, poor);
    expect(n).toBe(20);
    expect(sizeArbitrage(0, legs, ctx)).toBe(0);
  });
});

describe('Kelly shrunk by the model uncertainty', () => {
  it('e^2 / (e^2 + sd^2): q 0.60 at 0.50 with sd 0.10 halves the stake (100 -> 50 contracts)', () => {
    expect(uncertaintyShrink(0.1, 0.1)).toBeCloseTo(0.5, 12);
    const size = kellySize(input({ modelProbSd: 0.1 }));
    expect(size.fullKelly).toBeCloseTo(0.1, 12);
    expect(size.contracts).toBe(50);
  });

  it('no SD, a null SD or SD 0 leaves the size alone; a larger SD never stakes more', () => {
    for (const sd of [undefined, null, 0]) expect(kellySize(input({ modelProbSd: sd })).contracts).toBe(100);
    let last = Infinity;
    for (const sd of [0.01, 0.03, 0.05, 0.1, 0.2]) {
      const n = kellySize(input({ modelProbSd: sd })).contracts;
      expect(n).toBeLessThanOrEqual(last);
      last = n;
    }
    expect(uncertaintyShrink(0.1, Number.NaN)).toBe(1);
  });
});
