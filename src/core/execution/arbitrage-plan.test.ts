import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FEES } from '../fees.js';
import type { Fill } from '../messages.js';
import { PositionBook } from '../positions/position-book.js';
import { arbitrageOutcome, paperExecuteArbitrage, planArbitrage, unwindNeeded, type ArbLeg, type ArbPair } from './arbitrage-plan.js';
import type { YesBook } from './order-types.js';
import { paperFillMessages } from './paper-fill.js';

// Kalshi YES at 0.45 + Polymarket NO at 0.50 (YES bid 0.50) = 0.95 a pair.
const legs: ArbPair<ArbLeg> = [
  { venue: 'kalshi', marketId: 'KX-BOS', side: 'yes', limitYesPrice: 0.45 },
  { venue: 'poly', marketId: 'PM-BOS', side: 'no', limitYesPrice: 0.5 },
];
const kalshi: YesBook = { yes_asks: [[0.45, 100]], yes_bids: [[0.43, 15], [0.42, 100]] };
const poly: YesBook = { yes_asks: [[0.52, 100]], yes_bids: [[0.5, 100]] };

describe('arbitrage plan', () => {
  it('plans both legs at one size with the exact expected profit', () => {
    const plan = planArbitrage(legs, [kalshi, poly], 50, DEFAULT_FEES);
    // Kalshi: 50 x 0.45 = $22.50, fee 0.07 x 50 x 0.45 x 0.55 = $0.86625 -> $0.87.
    // Poly: 50 x 0.50 = $25.00, fee 0.03 x 50 x 0.25 = $0.375.
    expect(plan).toMatchObject({ contracts: 50, expectedCostCc: 475_000, expectedFeeCc: 8_700 + 3_750, expectedProfitCc: 12_550, status: 'planned' });
  });

  it('sizes to the thinner book and refuses when there is no depth or no profit', () => {
    expect(planArbitrage(legs, [kalshi, { ...poly, yes_bids: [[0.5, 30]] }], 50, DEFAULT_FEES).contracts).toBe(30);
    expect(planArbitrage(legs, [kalshi, { ...poly, yes_bids: [] }], 50, DEFAULT_FEES).status).toBe('no_depth');
    const pricey: ArbPair<ArbLeg> = [legs[0], { ...legs[1], limitYesPrice: 0.46 }];
    // NO at 0.54 + YES at 0.45 = 0.99: fees eat the cent.
    const plan = planArbitrage(pricey, [kalshi, { ...poly, yes_bids: [[0.46, 100]] }], 50, DEFAULT_FEES);
    expect(plan.status).toBe('unprofitable');
    expect(plan.expectedProfitCc).toBeLessThanOrEqual(0);
  });
});

describe('arbitrage execution and unwind', () => {
  const plan = planArbitrage(legs, [kalshi, poly], 50, DEFAULT_FEES);

  it('both legs filled: no unwind, the profit is locked until settlement', () => {
    const run = paperExecuteArbitrage(plan, [kalshi, poly], DEFAULT_FEES);
    expect(run.unwind).toBeNull();
    expect(run.outcome).toMatchObject({ state: 'both_filled', matched: 50, excess: 0, lockedProfitCc: 12_550, unwindRealisedCc: 0, cashOutCc: 487_450 });
  });

  it('one leg short: the excess of the other is sold back at the best bids, with fees, and the cost is stated', () => {
    // The Polymarket book thinned to 30 before execution: 20 Kalshi YES are naked.
    const run = paperExecuteArbitrage(plan, [kalshi, { ...poly, yes_bids: [[0.5, 30]] }], DEFAULT_FEES);
    expect(run.legs.map((l) => l.filled)).toEqual([50, 30]);
    // Unwind: 15 @ 0.43 + 5 @ 0.42 = $8.55; fees 0.257355 + 0.08526 -> 2574 + 853 = 3427 cc -> $0.35.
    expect(run.unwind).toMatchObject({ filled: 20, notionalCc: 85_500, feeCc: 3_500 });
    // Matched pairs: 30 x $1 - (30/50 of $22.50 + $15.00) - (30/50 of $0.87 + $0.225) = $0.753.
    // Unwind: $8.55 - $0.35 - $9.00 - $0.348 = -$1.148.
    expect(run.outcome).toMatchObject({
      state: 'one_short_unwound',
      matched: 30,
      longLeg: 0,
      excess: 20,
      unwound: 20,
      residual: 0,
      lockedProfitCc: 7_530,
      unwindRealisedCc: -11_480,
      residualBasisCc: 0,
    });
  });

  it('the position book realises the same unwind loss from the fill messages', () => {
    const run = paperExecuteArbitrage(plan, [kalshi, { ...poly, yes_bids: [[0.5, 30]] }], DEFAULT_FEES);
    const book = new PositionBook();
    const meta = { gameId: 'g', sport: 'nba' as const, team: 'BOS' };
    const apply = (fills: Fill[]) => fills.reduce((s, f) => s + book.applyFill(f, meta, 1).realisedDeltaCc, 0);
    apply(paperFillMessages(run.legs[0], { venue: 'kalshi', marketId: 'KX-BOS', side: 'yes', action: 'buy', orderId: null }));
    apply(paperFillMessages(run.legs[1], { venue: 'poly', marketId: 'PM-BOS', side: 'no', action: 'buy', orderId: null }));
    const realised = apply(paperFillMessages(run.unwind!, { venue: 'kalshi', marketId: 'KX-BOS', side: 'yes', action: 'sell', orderId: null }));
    expect(realised).toBe(run.outcome.unwindRealisedCc);
    expect(book.get('kalshi', 'KX-BOS', 'yes')!.contracts).toBe(30);
    // Both sides settle: one pays 1 per pair, so the locked profit is what settlement realises.
    const settled = [...book.settleMarket('kalshi', 'KX-BOS', 1, 2), ...book.settleMarket('poly', 'PM-BOS', 1, 2)];
    expect(settled.reduce((s, c) => s + c.realisedDeltaCc, 0)).toBe(run.outcome.lockedProfitCc);
  });

  it('an unwind the book cannot absorb leaves an explicit residual', () => {
    const thinBids: YesBook = { ...kalshi, yes_bids: [[0.43, 15]] };
    const run = paperExecuteArbitrage(plan, [thinBids, { ...poly, yes_bids: [[0.5, 30]] }], DEFAULT_FEES);
    expect(run.outcome).toMatchObject({ state: 'one_short_unwind_incomplete', unwound: 15, residual: 5 });
    // 15 @ 0.43 = $6.45, fee 2574 cc -> $0.26; sold basis 15/20 of $9.00 and of $0.348.
    expect(run.outcome.unwindRealisedCc).toBe(64_500 - 2_600 - 67_500 - 2_610);
    expect(run.outcome.residualBasisCc).toBe(22_500 + 870);
  });

  it('nothing filled is a failure with no money moved; a leg that fails entirely is unwound whole', () => {
    const empty: YesBook = { yes_asks: [], yes_bids: [] };
    expect(paperExecuteArbitrage(plan, [empty, empty], DEFAULT_FEES).outcome).toMatchObject({ state: 'failed', matched: 0, cashOutCc: 0, lockedProfitCc: 0 });
    const oneLeg = paperExecuteArbitrage(plan, [kalshi, { ...poly, yes_bids: [] }], DEFAULT_FEES);
    // All 50 Kalshi YES sold back: 15 @ 0.43 + 35 @ 0.42 = $21.15; fees 2574 + 5969 cc -> $0.86.
    expect(oneLeg.outcome).toMatchObject({ state: 'one_short_unwound', matched: 0, longLeg: 0, excess: 50, unwound: 50, residual: 0, lockedProfitCc: 0 });
    expect(oneLeg.outcome.unwindRealisedCc).toBe(211_500 - 8_600 - 225_000 - 8_700);
    expect(unwindNeeded([{ filled: 3, notionalCc: 0, feeCc: 0 }, { filled: 3, notionalCc: 0, feeCc: 0 }])).toBeNull();
  });
});

describe('arbitrage accounting identity', () => {
  it('locked profit + unwind result - residual basis = pairs payout - all cash spent, for any fills', () => {
    const leg = fc.record({ filled: fc.integer({ min: 0, max: 500 }), per: fc.integer({ min: 1, max: 9999 }), fee: fc.integer({ min: 0, max: 50_000 }) });
    fc.assert(
      fc.property(leg, leg, fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 5000 }), (a, b, uFilled, uPer, uFee) => {
        const results = [
          { filled: a.filled, notionalCc: a.filled * a.per, feeCc: a.filled > 0 ? a.fee : 0 },
          { filled: b.filled, notionalCc: b.filled * b.per, feeCc: b.filled > 0 ? b.fee : 0 },
        ] as const;
        const excess = Math.abs(a.filled - b.filled);
        const sold = Math.min(uFilled, excess);
        const unwind = excess > 0 ? { filled: sold, notionalCc: sold * uPer, feeCc: sold > 0 ? uFee : 0 } : null;
        const o = arbitrageOutcome(results, unwind);
        expect(o.lockedProfitCc + o.unwindRealisedCc - o.residualBasisCc).toBe(o.matched * 10_000 - o.cashOutCc);
        expect(o.unwound + o.residual).toBe(o.excess);
        expect(o.residualBasisCc).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});
