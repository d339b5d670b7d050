import { privateKeyToAccount } from 'viem/accounts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALL_TICK_SIZES, MARKET_ORDER_DECIMALS, ROUNDING, type PolySide, type TickSize } from './common.js';
import { SELL_STEP_MICROS } from '../../core/execution/sell-size.js';
import { PolymarketOrderInvalidError } from './errors.js';
import { marketOrderAmounts, marketOrderPrecisionProblem, priceBaseUnits } from './market-order-amounts.js';
import { buildOrder, orderAmounts, orderToJson, signedOrderFromJson, signOrder } from './order-signing.js';

const account = privateKeyToAccount('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a');
const TOKEN = '71321045679252212594626385532706912750332728571942532289631379312455583992563';

/** A price on the tick's grid strictly inside (0, 1), as the executor would send it. */
function priceOnGrid(tick: TickSize): fc.Arbitrary<number> {
  const t = Math.round(Number(tick) * 10_000);
  const steps = 10_000 / t;
  return fc.integer({ min: 1, max: steps - 1 }).map((k) => Number(((k * t) / 10_000).toFixed(ROUNDING[tick].price)));
}

/** Decimal places of a base-unit amount read as a decimal number. */
function decimalsOf(units: bigint): number {
  const frac = (units % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return frac.length;
}

describe('FAK/FOK amounts within the market-order precision', () => {
  it('the venue examples: 7 shares at 0.973 (tick 0.001) spends $6.81 for 6.9989 shares, 10 at 0.82 is exact', () => {
    expect(marketOrderAmounts('BUY', 0.973, 7, '0.001')).toEqual({ makerAmount: 6_810_000n, takerAmount: 6_998_900n });
    expect(marketOrderAmounts('BUY', 0.82, 10, '0.01')).toEqual({ makerAmount: 8_200_000n, takerAmount: 10_000_000n });
    expect(marketOrderAmounts('SELL', 0.9625, 3, '0.0025')).toEqual({ makerAmount: 3_000_000n, takerAmount: 2_887_500n });
    // the limit-order sizing the executor used before: refused by the venue
    const limit = orderAmounts('BUY', 0.973, 7, '0.001');
    expect(marketOrderPrecisionProblem('BUY', limit.makerAmount, limit.takerAmount)).toMatch(/max accuracy of 2 decimals/);
  });

  it('refuses what cannot be sent: fractional shares, less than a cent, prices off the grid', () => {
    expect(() => marketOrderAmounts('BUY', 0.5, 1.5, '0.01')).toThrow(PolymarketOrderInvalidError);
    expect(() => marketOrderAmounts('BUY', 0.001, 1, '0.001')).toThrow(/less than one cent/);
    expect(() => marketOrderAmounts('BUY', 0.9975, 10, '0.005')).toThrow(PolymarketOrderInvalidError);
    expect(() => priceBaseUnits(0.0035, '0.0025')).toThrow(/multiple of the tick/);
    expect(priceBaseUnits(0.0025, '0.0025')).toBe(2_500n);
    expect(() => marketOrderAmounts('BUY', 0.9999, 1, '0.0001')).toThrow(/would pass the next tick/);
  });

  for (const tick of ALL_TICK_SIZES) {
    it(`tick ${tick}: every BUY and SELL satisfies the precision, never crosses a level above the limit nor asks for more shares`, () => {
      fc.assert(
        fc.property(fc.constantFrom<PolySide>('BUY', 'SELL'), priceOnGrid(tick), fc.integer({ min: 1, max: 100_000 }), (side, price, n) => {
          const p = priceBaseUnits(price, tick);
          if (side === 'BUY' && (BigInt(n) * p) / 10_000n === 0n) {
            expect(() => marketOrderAmounts(side, price, n, tick)).toThrow(PolymarketOrderInvalidError);
            return;
          }
          let a;
          try {
            a = marketOrderAmounts(side, price, n, tick);
          } catch (err) {
            // refused only for a BUY worth less than a dollar (a share or so near a price of 1)
            expect(side === 'BUY' && BigInt(n) * p < 1_000_000n, String(err)).toBe(true);
            return;
          }
          expect(marketOrderPrecisionProblem(side, a.makerAmount, a.takerAmount)).toBeNull();
          const [collateral, shares] = side === 'BUY' ? [a.makerAmount, a.takerAmount] : [a.takerAmount, a.makerAmount];
          expect(decimalsOf(side === 'BUY' ? collateral : shares)).toBeLessThanOrEqual(2);
          expect(decimalsOf(side === 'BUY' ? shares : collateral)).toBeLessThanOrEqual(4);
          expect(shares).toBeLessThanOrEqual(BigInt(n) * 1_000_000n);
          // BUY: price <= collateral / shares < price + tick; SELL: exactly the price
          const tickUnits = BigInt(Math.round(Number(tick) * 1e6));
          if (side === 'BUY') {
            expect(collateral * 1_000_000n).toBeGreaterThanOrEqual(p * shares);
            expect(collateral * 1_000_000n).toBeLessThan((p + tickUnits) * shares);
          }
          else expect(collateral * 1_000_000n).toBe(p * shares);
          // a BUY spends less than a cent below N shares at the limit; a SELL is exactly N shares
          if (side === 'BUY') expect(BigInt(n) * p - collateral).toBeLessThan(10_000n);
          else expect(shares).toBe(BigInt(n) * 1_000_000n);
        }),
        { numRuns: 1000 },
      );
    });
  }

  it('amounts round-trip through the signed order and its wire JSON (the official encoding)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ALL_TICK_SIZES).chain((tick) => fc.tuple(fc.constant(tick), priceOnGrid(tick))),
        fc.constantFrom<PolySide>('BUY', 'SELL'),
        fc.integer({ min: 100, max: 5_000 }),
        async ([tick, price], side, n) => {
          const amounts = marketOrderAmounts(side, price, n, tick);
          const built = buildOrder({ tokenId: TOKEN, side, price, size: n, tickSize: tick, signer: account.address, amounts, salt: 7n, timestampMs: 1 });
          const wire = JSON.parse(JSON.stringify(orderToJson(await signOrder(account, built))));
          expect(typeof wire.makerAmount).toBe('string');
          expect(wire.makerAmount).toMatch(/^\d+$/);
          const back = signedOrderFromJson(wire);
          expect(back.order.makerAmount).toBe(amounts.makerAmount);
          expect(back.order.takerAmount).toBe(amounts.takerAmount);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('selling a fractional position (shares to 2 decimals)', () => {
  it('core sell-size step matches the venue\'s market-order precision for a SELL', () => {
    expect(SELL_STEP_MICROS.poly).toBe(10 ** (6 - MARKET_ORDER_DECIMALS.maker));
  });

  it('every sellable size at every tick goes out within the precision and never above the held shares, or is refused', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL_TICK_SIZES).chain((tick) => fc.tuple(fc.constant(tick), priceOnGrid(tick))),
        fc.integer({ min: 1, max: 100_000 }),
        ([tick, price], hundredths) => {
          const shares = hundredths / 100;
          let amounts;
          try {
            amounts = marketOrderAmounts('SELL', price, shares, tick);
          } catch (err) {
            expect(err).toBeInstanceOf(PolymarketOrderInvalidError);
            return;
          }
          expect(marketOrderPrecisionProblem('SELL', amounts.makerAmount, amounts.takerAmount)).toBeNull();
          expect(amounts.makerAmount).toBe(BigInt(hundredths) * 10_000n);
          // the signed price is the limit or less than one tick under it
          const p = priceBaseUnits(price, tick);
          const tickUnits = BigInt(Math.round(Number(tick) * 1e6));
          expect(amounts.takerAmount * 1_000_000n <= p * amounts.makerAmount).toBe(true);
          expect(amounts.takerAmount * 1_000_000n > (p - tickUnits) * amounts.makerAmount).toBe(true);
        },
      ),
    );
  });

  it('9.85 shares at 0.48 is exact; 9.855 shares (finer than the step) is refused', () => {
    expect(marketOrderAmounts('SELL', 0.48, 9.85, '0.01')).toEqual({ makerAmount: 9_850_000n, takerAmount: 4_728_000n });
    expect(() => marketOrderAmounts('SELL', 0.48, 9.855, '0.01')).toThrow(/2 decimals/);
  });
});
