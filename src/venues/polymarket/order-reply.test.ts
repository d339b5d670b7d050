import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALL_TICK_SIZES } from './common.js';
import { marketOrderAmounts } from './market-order-amounts.js';
import { movedAmounts, type SignedAmounts } from './order-reply.js';

const buy100at082: SignedAmounts = { side: 'BUY', makerAmount: 82_000_000n, takerAmount: 100_000_000n };
const sell50at05: SignedAmounts = { side: 'SELL', makerAmount: 50_000_000n, takerAmount: 25_000_000n };

describe('order reply amounts read against the signed order', () => {
  it('reads base units (the documentation example) and decimals (what the venue also sends)', () => {
    expect(movedAmounts(buy100at082, '82000000', '100000000')).toEqual({ collateral: 82_000_000n, shares: 100_000_000n });
    expect(movedAmounts(buy100at082, '82', '100')).toEqual({ collateral: 82_000_000n, shares: 100_000_000n });
    expect(movedAmounts(buy100at082, '2.499999', '3.0487')).toEqual({ collateral: 2_499_999n, shares: 3_048_700n });
    expect(movedAmounts(sell50at05, '50', '26.5')).toEqual({ shares: 50_000_000n, collateral: 26_500_000n });
    expect(movedAmounts(buy100at082, '', '')).toEqual({ collateral: 0n, shares: 0n });
  });

  it('keeps fractional shares (net of a fee taken in shares) instead of flooring them', () => {
    // 10 shares at 0.5 less a 0.075-share fee: price 5 / 9.925 is above the limit by the fee only
    const buy: SignedAmounts = { side: 'BUY', makerAmount: 5_000_000n, takerAmount: 10_000_000n };
    expect(movedAmounts(buy, '5', '9.925')).toEqual({ collateral: 5_000_000n, shares: 9_925_000n });
    // ...to the base unit, in either encoding
    expect(movedAmounts(buy, '5', '9.925001')).toEqual({ collateral: 5_000_000n, shares: 9_925_001n });
    expect(movedAmounts(buy, '5000000', '9925001')).toEqual({ collateral: 5_000_000n, shares: 9_925_001n });
  });

  it('refuses to guess: amounts that fit no reading of the signed order, or more than one', () => {
    expect(movedAmounts(buy100at082, '90', '100')).toMatchObject({ problem: expect.stringMatching(/do not fit/) }); // more than signed
    expect(movedAmounts(buy100at082, '82', '50')).toMatchObject({ problem: expect.stringMatching(/do not fit/) }); // price 1.64
    expect(movedAmounts(sell50at05, '50', '10')).toMatchObject({ problem: expect.stringMatching(/do not fit/) }); // sold at 0.2 < 0.5
    const big: SignedAmounts = { side: 'BUY', makerAmount: 50_000_000_000n, takerAmount: 100_000_000_000n };
    expect(movedAmounts(big, '5000', '10000')).toMatchObject({ problem: expect.stringMatching(/two ways/) });
  });

  it('every full fill of an order arbees sends reads back to exactly what was signed, in either encoding', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ALL_TICK_SIZES), fc.integer({ min: 1, max: 9_999 }), fc.integer({ min: 5, max: 2_000 }), fc.constantFrom('BUY' as const, 'SELL' as const), (tick, k, n, side) => {
        const t = Math.round(Number(tick) * 10_000);
        const price = ((k % (10_000 / t - 1)) + 1) * t / 10_000;
        let a;
        try {
          a = marketOrderAmounts(side, price, n, tick);
        } catch {
          return; // under a cent: never sent
        }
        const decimal = (u: bigint) => `${u / 1_000_000n}.${(u % 1_000_000n).toString().padStart(6, '0')}`.replace(/\.?0+$/, '');
        const signed = { side, ...a };
        const expected = side === 'BUY' ? { collateral: a.makerAmount, shares: a.takerAmount } : { shares: a.makerAmount, collateral: a.takerAmount };
        expect(movedAmounts(signed, a.makerAmount.toString(), a.takerAmount.toString())).toEqual(expected);
        const dec = movedAmounts(signed, decimal(a.makerAmount), decimal(a.takerAmount));
        if (!('problem' in dec)) expect(dec).toEqual(expected);
        else expect(dec.problem).toMatch(/two ways/); // only a huge order can read both ways; then it is looked up
      }),
      { numRuns: 500 },
    );
  });
});
