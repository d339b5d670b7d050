import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FEES, feeCc } from '../fees.js';
import { fillableContracts, fillPaperOrder, paperFillMessages } from './paper-fill.js';
import type { YesBook } from './order-types.js';

const book: YesBook = {
  yes_bids: [
    [0.4, 8],
    [0.38, 20],
  ],
  yes_asks: [
    [0.42, 10],
    [0.44, 5],
    [0.47, 100],
  ],
};

describe('paper fills walk the book', () => {
  it('buys YES up the asks to the limit, partial when the next level is beyond it (Kalshi fees, one cent rounding per order)', () => {
    const fill = fillPaperOrder({ side: 'yes', action: 'buy', contracts: 20, limitYesPrice: 0.45 }, book, DEFAULT_FEES.kalshi);
    // 10 @ 0.42 + 5 @ 0.44; 0.47 is beyond the limit.
    expect(fill.status).toBe('partial');
    expect(fill.filled).toBe(15);
    expect(fill.notionalCc).toBe(10 * 4200 + 5 * 4400);
    // Exact fees: 0.07*10*0.42*0.58 = $0.17052 -> 1706 cc; 0.07*5*0.44*0.56 = $0.08624 -> 863 cc.
    // Sum 2569 cc rounds up once to 2600 cc ($0.26), the remainder booked on the last level.
    expect(fill.feeCc).toBe(2600);
    expect(fill.levels.map((l) => l.feeCc)).toEqual([1706, 894]);
    expect(fill.avgYesPrice).toBeCloseTo(64000 / 15 / 10_000, 12);
  });

  it('buys NO by hitting the YES bids as NO asks at 1 - bid (Polymarket fees)', () => {
    // Limit yes 0.39 means NO at most 0.61: the 0.40 bid (NO 0.60) fills, the 0.38 bid (NO 0.62) does not.
    const fill = fillPaperOrder({ side: 'no', action: 'buy', contracts: 10, limitYesPrice: 0.39 }, book, DEFAULT_FEES.poly);
    expect(fill.filled).toBe(8);
    expect(fill.status).toBe('partial');
    expect(fill.notionalCc).toBe(8 * 6000);
    expect(fill.levels).toEqual([{ yesCc: 4000, sideCc: 6000, contracts: 8, feeCc: 576 }]); // 0.03*8*0.4*0.6 = $0.0576
    expect(fill.feeCc).toBe(576);
  });

  it('sells YES down the bids with no limit (an unwind) and charges each level', () => {
    const fill = fillPaperOrder({ side: 'yes', action: 'sell', contracts: 10, limitYesPrice: null }, book, DEFAULT_FEES.poly);
    expect(fill.status).toBe('filled');
    expect(fill.notionalCc).toBe(8 * 4000 + 2 * 3800);
    // 576 cc + 0.03*2*0.38*0.62 = 141.36 -> 142 cc
    expect(fill.feeCc).toBe(576 + 142);
  });

  it('sells NO into the YES asks at 1 - ask', () => {
    // Selling NO at no less than 0.57 = YES ask at most 0.43.
    const fill = fillPaperOrder({ side: 'no', action: 'sell', contracts: 5, limitYesPrice: 0.43 }, book, DEFAULT_FEES.kalshi);
    expect(fill.filled).toBe(5);
    expect(fill.notionalCc).toBe(5 * 5800);
    expect(fill.feeCc).toBe(900); // 852.6 cc rounds up to the cent
  });

  it('fills nothing when the best level is beyond the limit, and nothing on an empty book', () => {
    const none = fillPaperOrder({ side: 'yes', action: 'buy', contracts: 5, limitYesPrice: 0.41 }, book, DEFAULT_FEES.kalshi);
    expect(none).toMatchObject({ status: 'none', filled: 0, notionalCc: 0, feeCc: 0, avgYesPrice: null });
    const empty = fillPaperOrder({ side: 'yes', action: 'buy', contracts: 5, limitYesPrice: 0.9 }, { yes_bids: [], yes_asks: [] }, DEFAULT_FEES.kalshi);
    expect(empty.status).toBe('none');
  });

  it('does not trust the feed: re-sorts levels, drops garbage levels and fractional remainders', () => {
    const messy: YesBook = {
      yes_bids: [],
      yes_asks: [
        [0.47, 100],
        [Number.NaN, 5],
        [1.2, 3],
        [0.3, 0.4],
        [0.44, 5.9],
        [0.42, 10],
      ],
    };
    const fill = fillPaperOrder({ side: 'yes', action: 'buy', contracts: 20, limitYesPrice: 0.45 }, messy, DEFAULT_FEES.kalshi);
    expect(fill.levels.map((l) => [l.yesCc, l.contracts])).toEqual([
      [4200, 10],
      [4400, 5],
    ]);
    expect(fillableContracts('yes', 'buy', 0.45, messy)).toBe(15);
    expect(fillableContracts('yes', 'buy', null, messy)).toBe(115);
  });

  it('rejects fractional or negative sizes', () => {
    expect(() => fillPaperOrder({ side: 'yes', action: 'buy', contracts: 1.5, limitYesPrice: 0.5 }, book, DEFAULT_FEES.kalshi)).toThrow(RangeError);
    expect(() => fillPaperOrder({ side: 'yes', action: 'buy', contracts: -1, limitYesPrice: 0.5 }, book, DEFAULT_FEES.kalshi)).toThrow(RangeError);
  });

  it('emits one Fill message per level whose prices and fees reproduce the order exactly', () => {
    const fill = fillPaperOrder({ side: 'no', action: 'buy', contracts: 25, limitYesPrice: 0.3 }, book, DEFAULT_FEES.kalshi);
    const msgs = paperFillMessages(fill, { venue: 'kalshi', marketId: 'KX-1', side: 'no', action: 'buy', orderId: 'paper-1' });
    expect(msgs.map((m) => [m.yes_price, m.contracts])).toEqual([
      [0.4, 8],
      [0.38, 17],
    ]);
    expect(msgs.reduce((s, m) => s + m.fee_cc, 0)).toBe(fill.feeCc);
  });
});

const levelArb = fc.tuple(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 0, max: 300 }));

describe('paper fill properties', () => {
  it('never fills beyond the limit or the size, level fees sum to the rounded total, and one level costs exactly feeCc', () => {
    fc.assert(
      fc.property(
        fc.array(levelArb, { maxLength: 8 }),
        fc.array(levelArb, { maxLength: 8 }),
        fc.constantFrom('yes' as const, 'no' as const),
        fc.constantFrom('buy' as const, 'sell' as const),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 1, max: 9999 }),
        fc.constantFrom('kalshi' as const, 'poly' as const),
        (bids, asks, side, action, contracts, limitCc, venue) => {
          const b: YesBook = {
            yes_bids: bids.map(([p, c]) => [p / 10_000, c] as const),
            yes_asks: asks.map(([p, c]) => [p / 10_000, c] as const),
          };
          const rule = DEFAULT_FEES[venue];
          const fill = fillPaperOrder({ side, action, contracts, limitYesPrice: limitCc / 10_000 }, b, rule);
          expect(fill.filled).toBeLessThanOrEqual(contracts);
          const asksSide = (side === 'yes') === (action === 'buy');
          for (const l of fill.levels) {
            expect(asksSide ? l.yesCc <= limitCc : l.yesCc >= limitCc).toBe(true);
            expect(l.sideCc).toBe(side === 'yes' ? l.yesCc : 10_000 - l.yesCc);
          }
          expect(fill.levels.reduce((s, l) => s + l.feeCc, 0)).toBe(fill.feeCc);
          expect(fill.feeCc % rule.roundingCc).toBe(0);
          expect(fill.filled).toBe(Math.min(contracts, fillableContracts(side, action, limitCc / 10_000, b)));
          const only = fill.levels[0];
          if (fill.levels.length === 1 && only) {
            expect(fill.feeCc).toBe(feeCc(rule, only.contracts, only.yesCc / 10_000));
          }
        },
      ),
    );
  });
});
