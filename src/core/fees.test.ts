import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FEES, feeCc } from './fees.js';
import { formatCc, priceToCc, sidePriceCc } from './money.js';

describe('venue fees', () => {
  it('matches the Kalshi worked example: 10 contracts at 0.50 as taker is $0.18', () => {
    expect(feeCc(DEFAULT_FEES.kalshi, 10, 0.5)).toBe(1800);
  });

  it('matches the Polymarket sports example: 100 shares at 0.82 is $0.4428', () => {
    expect(feeCc(DEFAULT_FEES.poly, 100, 0.82)).toBe(4428);
  });

  it('is symmetric in side, zero at the bounds, and never below the exact fee', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 5000 }), (pCc, c) => {
        const p = pCc / 10_000;
        for (const rule of [DEFAULT_FEES.kalshi, DEFAULT_FEES.poly]) {
          const fee = feeCc(rule, c, p);
          expect(fee).toBe(feeCc(rule, c, 1 - p));
          const exactCc = (rule.takerRateBp / 10_000) * c * p * (1 - p) * 10_000;
          expect(fee).toBeGreaterThanOrEqual(Math.floor(exactCc));
          expect(fee - exactCc).toBeLessThan(rule.roundingCc + 1e-6);
          expect(fee % rule.roundingCc).toBe(0);
        }
        expect(feeCc(DEFAULT_FEES.kalshi, c, 0)).toBe(0);
      }),
    );
  });

  it('charges fractional shares exactly and rejects finer-than-micro or oversized counts instead of losing precision', () => {
    // 0.03 x 9.85 x 0.48 x 0.52 = $0.0737568: up to the centi-cent on Polymarket.
    expect(feeCc(DEFAULT_FEES.poly, 9.85, 0.48)).toBe(738);
    expect(feeCc(DEFAULT_FEES.poly, 10, 0.48)).toBe(749); // whole shares: the integer path, unchanged
    expect(() => feeCc(DEFAULT_FEES.kalshi, 1.0000005, 0.5)).toThrow(RangeError);
    expect(() => feeCc(DEFAULT_FEES.kalshi, 1_000_000, 0.5)).toThrow(RangeError);
  });
});

describe('money', () => {
  it('prices NO from the YES side explicitly', () => {
    expect(sidePriceCc('yes', 0.6)).toBe(6000);
    expect(sidePriceCc('no', 0.6)).toBe(4000);
    expect(priceToCc(0.1234)).toBe(1234);
  });

  it('formats centi-cents as dollars', () => {
    expect(formatCc(1800)).toBe('$0.1800');
    expect(formatCc(-123456)).toBe('-$12.3456');
  });
});
