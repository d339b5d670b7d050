/**
 * Book walking: ladders from YES-side books, and bestSize against an exhaustive search on
 * near-threshold books (margins of a few cents, fees rounded to the cent) where the segment
 * pruning and the early stop are most likely to be wrong.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { feeCc, type VenueFeeRule } from '../fees.js';
import { bestSize, buyLadder, exactFeePerContractCc, type Ladder, type LadderStep } from './book-depth.js';
import type { BookLevel } from '../book-level.js';
import { checkBooks } from './signal-input.js';
import { book } from '../../../test/helpers/signal-books.js';

function ladderOf(side: 'yes' | 'no', levels: BookLevel[]): Ladder {
  const b = side === 'yes' ? book('kalshi', 'home', { asks: levels }) : book('poly', 'home', { bids: levels });
  const { books } = checkBooks([b], ['home', 'away'], []);
  return buyLadder(books[0]!, side);
}

describe('buyLadder', () => {
  it('prices YES from the asks and NO from the bids, counting whole contracts only', () => {
    const yes = ladderOf('yes', [[0.45, 10.5], [0.47, 0.4], [0.5, 3]]);
    expect(yes.steps).toEqual([
      { yesCc: 4500, costCc: 4500, cumContracts: 10 },
      { yesCc: 4700, costCc: 4700, cumContracts: 10 },
      { yesCc: 5000, costCc: 5000, cumContracts: 13 },
    ]);
    expect(yes.depth).toBe(13);
    const no = ladderOf('no', [[0.52, 5], [0.5, 0]]);
    expect(no.steps).toEqual([{ yesCc: 5200, costCc: 4800, cumContracts: 5 }]);
  });
});

interface Case {
  legs: { side: 'yes' | 'no'; levels: BookLevel[]; rule: VenueFeeRule }[];
  minContracts: number;
  maxContracts: number;
  minPer: number;
  minTotal: number;
}

// Low rates matter most: there the per-contract fee is small, so margins near the threshold survive.
const feeRule = fc.record({
  takerRateBp: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 900 })),
  makerRateBp: fc.constant(0),
  roundingCc: fc.constantFrom(1, 100),
});

const nearThreshold: fc.Arbitrary<Case> = fc.record({
  legs: fc.tuple(
    fc.record({
      side: fc.constant<'yes'>('yes'),
      levels: fc.array(fc.tuple(fc.integer({ min: 4400, max: 5200 }), fc.integer({ min: 1, max: 40 })), { minLength: 1, maxLength: 5 }),
      rule: feeRule,
    }),
    fc.record({
      side: fc.constant<'no'>('no'),
      levels: fc.array(fc.tuple(fc.integer({ min: 4800, max: 5400 }), fc.integer({ min: 1, max: 40 })), { minLength: 1, maxLength: 5 }),
      rule: feeRule,
    }),
  ).map(([a, b]) => [
    { ...a, levels: [...a.levels].sort((x, y) => x[0] - y[0]).map(([p, s]) => [p / 10_000, s] as BookLevel) },
    { ...b, levels: [...b.levels].sort((x, y) => y[0] - x[0]).map(([p, s]) => [p / 10_000, s] as BookLevel) },
  ]),
  minContracts: fc.integer({ min: 1, max: 20 }),
  maxContracts: fc.integer({ min: 1, max: 250 }),
  minPer: fc.integer({ min: 0, max: 300 }),
  minTotal: fc.integer({ min: 1, max: 800 }),
});

describe('bestSize', () => {
  it('prefers the smallest size among equal values (less capital for the same profit)', () => {
    const ladders = [ladderOf('yes', [[0.4, 10]])];
    const flat = bestSize({
      ladders,
      minContracts: 1,
      maxContracts: 100,
      minValuePerContractCc: 0,
      minTotalValueCc: 1,
      grossPerContractCc: () => 1000,
      slopePerContractCc: () => 1000,
      totalValueCc: () => 1000,
    });
    expect(flat?.contracts).toBe(1);
  });

  it('stops at depth and at maxContracts, and finds nothing on an empty ladder', () => {
    const search = {
      minContracts: 1,
      minValuePerContractCc: 0,
      minTotalValueCc: 1,
      grossPerContractCc: () => 100,
      slopePerContractCc: () => 100,
      totalValueCc: (n: number) => 100 * n,
    };
    expect(bestSize({ ...search, ladders: [ladderOf('yes', [[0.4, 7]])], maxContracts: 100 })?.contracts).toBe(7);
    expect(bestSize({ ...search, ladders: [ladderOf('yes', [[0.4, 7]])], maxContracts: 3 })?.contracts).toBe(3);
    expect(bestSize({ ...search, ladders: [ladderOf('yes', [])], maxContracts: 3 })).toBeNull();
    expect(bestSize({ ...search, ladders: [], maxContracts: 3 })).toBeNull();
  });

  it('equals an exhaustive search (largest value, smallest size on ties) on near-threshold books', () => {
    let found = 0;
    fc.assert(
      fc.property(nearThreshold, (c) => {
        const ladders = c.legs.map((l) => ladderOf(l.side, l.levels));
        const rules = c.legs.map((l) => l.rule);
        const total = (n: number, worst: readonly LadderStep[]) =>
          worst.reduce((v, s, i) => v - n * s.costCc - feeCc(rules[i]!, n, s.yesCc / 10_000), n * 10_000);
        const result = bestSize({
          ladders,
          minContracts: c.minContracts,
          maxContracts: c.maxContracts,
          minValuePerContractCc: c.minPer,
          minTotalValueCc: c.minTotal,
          grossPerContractCc: (worst) => worst.reduce((v, s) => v - s.costCc, 10_000),
          slopePerContractCc: (worst) => worst.reduce((v, s, i) => v - s.costCc - exactFeePerContractCc(rules[i]!.takerRateBp, s.yesCc), 10_000),
          totalValueCc: total,
        });
        // Exhaustive: every size, worst steps found by a plain walk.
        let expected: { n: number; v: number } | null = null;
        const depth = Math.min(...ladders.map((l) => l.depth));
        for (let n = c.minContracts; n <= Math.min(depth, c.maxContracts); n++) {
          const worst = ladders.map((l) => l.steps.find((s) => s.cumContracts >= n)!);
          const v = total(n, worst);
          if (v >= c.minTotal && v >= c.minPer * n && (expected === null || v > expected.v)) expected = { n, v };
        }
        if (expected !== null) found += 1;
        expect(result === null ? null : { n: result.contracts, v: result.valueCc }).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
    expect(found).toBeGreaterThan(200);
  });
});
