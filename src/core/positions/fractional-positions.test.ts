/**
 * Fractional quantities (Polymarket shares to the micro-share): cost, P&L and cash of any
 * sequence of fractional fills are exact integers, a position sold in any pieces ends at exactly
 * zero with every centi-cent of cost released, a sell never exceeds what is held, and old
 * whole-contract records (no notional_cc) book exactly as before.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FillSchema, type Fill } from '../messages.js';
import { addContracts, contractsToMicros, microsToContracts, quantityTimesCc, sidePriceCc } from '../money.js';
import { SELL_STEP_MICROS, sellableContracts } from '../execution/sell-size.js';
import { PositionError } from './position-error.js';
import { fillNotionalCc, PositionBook, type PositionMeta } from './position-book.js';
import { proRataQuantityCc } from './pro-rata.js';

const META: PositionMeta = { gameId: 'g1', sport: 'nba', team: 'BOS' };

function polyFill(action: 'buy' | 'sell', micros: number, yesCc: number, feeCc: number, notionalCc?: number): Fill {
  return {
    venue: 'poly',
    market_id: 'tok-1',
    side: 'yes',
    action,
    contracts: microsToContracts(micros),
    yes_price: yesCc / 10_000,
    fee_cc: feeCc,
    order_id: null,
    ...(notionalCc === undefined ? {} : { notional_cc: notionalCc }),
  };
}

const microsArb = fc.integer({ min: 1, max: 50_000_000 }); // up to 50 shares, to the micro-share
const priceArb = fc.integer({ min: 1, max: 9_999 });
const feeArb = fc.integer({ min: 0, max: 500 });

describe('quantities in integer micro-contracts', () => {
  it('contracts x price is exact for whole contracts and brackets the exact product otherwise', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 11 }), fc.integer({ min: 0, max: 10_000 }), (micros, cc) => {
        const contracts = microsToContracts(micros);
        expect(contractsToMicros(contracts)).toBe(micros); // the decimal round-trips
        const exact = BigInt(micros) * BigInt(cc); // cc x 1e-6
        const up = quantityTimesCc(contracts, cc, 'up');
        const down = quantityTimesCc(contracts, cc, 'down');
        expect(BigInt(down) * 1_000_000n <= exact && exact <= BigInt(up) * 1_000_000n).toBe(true);
        expect(up - down).toBe(exact % 1_000_000n === 0n ? 0 : 1);
      }),
    );
  });

  it('sums of 6-decimal quantities are exact (0.1 + 0.2 is 0.3, not 0.30000000000000004)', () => {
    expect(addContracts(0.1, 0.2)).toBe(0.3);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 ** 9 }), { maxLength: 30 }), (parts) => {
        const total = parts.reduce((s, m) => addContracts(s, microsToContracts(m)), 0);
        expect(contractsToMicros(total)).toBe(parts.reduce((s, m) => s + m, 0));
      }),
    );
  });

  it('pro-rata by micro-contracts releases the whole cost over any split', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 9 }), microsArb, fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 8 }), (cost, heldMicros, cuts) => {
        let held = microsToContracts(heldMicros);
        let left = cost;
        let released = 0;
        for (const cut of cuts) {
          const partMicros = Math.max(1, Math.floor((contractsToMicros(held) * cut) / 1000));
          if (partMicros >= contractsToMicros(held)) break;
          const part = microsToContracts(partMicros);
          const r = proRataQuantityCc(left, part, held);
          released += r;
          left -= r;
          held = microsToContracts(contractsToMicros(held) - partMicros);
        }
        released += proRataQuantityCc(left, held, held);
        expect(released).toBe(cost);
      }),
    );
  });

  it('a sell is never more than held, on the venue step, and leaves less than a step of dust', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 11 }), fc.constantFrom('kalshi' as const, 'poly' as const), (heldMicros, venue) => {
        const sellable = sellableContracts(venue, microsToContracts(heldMicros));
        const sold = contractsToMicros(sellable);
        expect(sold).toBeLessThanOrEqual(heldMicros);
        expect(sold % SELL_STEP_MICROS[venue]).toBe(0);
        expect(heldMicros - sold).toBeLessThan(SELL_STEP_MICROS[venue]);
      }),
    );
  });
});

describe('PositionBook with fractional fills', () => {
  it('buys then sells in any fractional pieces: flat at exactly zero, P&L and cash exact to the centi-cent', () => {
    const buyArb = fc.record({ micros: microsArb, yesCc: priceArb, fee: feeArb, withNotional: fc.boolean(), skewCc: fc.integer({ min: 0, max: 30 }) });
    const sellArb = fc.record({ share: fc.integer({ min: 1, max: 999 }), yesCc: priceArb, fee: feeArb, withNotional: fc.boolean() });
    fc.assert(
      fc.property(fc.array(buyArb, { minLength: 1, maxLength: 5 }), fc.array(sellArb, { maxLength: 5 }), sellArb, (buys, sells, last) => {
        const book = new PositionBook();
        let cash = 0;
        let paid = 0;
        let received = 0;
        let fees = 0;
        let t = 1;
        for (const b of buys) {
          // A venue's reported cash (a fee in shares makes it more than price x net shares).
          const notional = b.withNotional ? quantityTimesCc(microsToContracts(b.micros), b.yesCc, 'up') + b.skewCc : undefined;
          const f = polyFill('buy', b.micros, b.yesCc, b.fee, notional);
          const change = book.applyFill(f, META, t++);
          cash += change.cashDeltaCc;
          paid += fillNotionalCc(f);
          fees += b.fee;
        }
        for (const s of [...sells, { ...last, share: 1000 }]) {
          const held = book.get('poly', 'tok-1', 'yes');
          if (!held) break;
          const heldMicros = contractsToMicros(held.contracts);
          const micros = s.share === 1000 ? heldMicros : Math.max(1, Math.floor((heldMicros * s.share) / 1000));
          const notional = s.withNotional ? quantityTimesCc(microsToContracts(micros), s.yesCc, 'down') : undefined;
          const f = polyFill('sell', micros, s.yesCc, s.fee, notional);
          const change = book.applyFill(f, META, t++);
          cash += change.cashDeltaCc;
          received += fillNotionalCc(f);
          fees += s.fee;
        }
        expect(book.get('poly', 'tok-1', 'yes')).toBeUndefined();
        const closed = book.closed().at(-1)!;
        expect(closed.contracts).toBe(0);
        expect(closed.costCc).toBe(0);
        expect(closed.openFeesCc).toBe(0);
        expect(closed.realisedCc).toBe(received - paid - fees);
        expect(cash).toBe(closed.realisedCc);
        for (const v of [closed.realisedCc, cash]) expect(Number.isSafeInteger(v)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a sell of more than is held, by even one micro-share', () => {
    fc.assert(
      fc.property(microsArb, fc.integer({ min: 1, max: 1_000_000 }), (micros, over) => {
        const book = new PositionBook();
        book.applyFill(polyFill('buy', micros, 5_000, 0), META, 1);
        expect(() => book.applyFill(polyFill('sell', micros + over, 5_000, 0), META, 2)).toThrow(PositionError);
        expect(book.get('poly', 'tok-1', 'yes')!.contracts).toBe(microsToContracts(micros));
      }),
    );
  });

  it('a fee-in-shares buy books the net shares at the cash the venue moved; the dust settles at its payout', () => {
    const book = new PositionBook();
    // $6.81 bought 6.9989 shares at 0.973, the venue kept 0.0058 as its fee: 6.9931 held.
    book.applyFill(polyFill('buy', 6_993_100, 9_738, 54, 68_046), META, 1);
    const held = book.get('poly', 'tok-1', 'yes')!;
    expect(held).toMatchObject({ contracts: 6.9931, costCc: 68_046, openFeesCc: 54 });
    const sell = sellableContracts('poly', held.contracts);
    expect(sell).toBe(6.99);
    book.applyFill(polyFill('sell', contractsToMicros(sell), 9_700, 62, 67_803), META, 2);
    expect(book.get('poly', 'tok-1', 'yes')!.contracts).toBe(0.0031);
    const [settled] = book.settleMarket('poly', 'tok-1', 1, 3);
    expect(settled!.cashDeltaCc).toBe(31); // 0.0031 share x $1
    expect(settled!.position).toMatchObject({ state: 'settled', contracts: 0, costCc: 0, openFeesCc: 0 });
    expect(settled!.position.realisedCc).toBe(-68_100 + 67_803 - 62 + 31);
  });

  it('an old whole-contract record (no notional_cc) books exactly as contracts x price, as before', () => {
    const old = FillSchema.parse({ venue: 'kalshi', market_id: 'K-1', side: 'no', action: 'buy', contracts: 10, yes_price: 0.6, fee_cc: 168, order_id: 'o1' });
    expect(old.notional_cc).toBeUndefined();
    const book = new PositionBook();
    const change = book.applyFill(old, META, 1);
    expect(change.position.costCc).toBe(10 * sidePriceCc('no', 0.6));
    expect(change.cashDeltaCc).toBe(-(40_000 + 168));
  });

  it('the catalogue takes 6 decimals of quantity and refuses a 7th', () => {
    const base = { venue: 'poly', market_id: 'tok', side: 'yes', action: 'buy', yes_price: 0.5, fee_cc: 0, order_id: null };
    expect(FillSchema.safeParse({ ...base, contracts: 9.853401 }).success).toBe(true);
    expect(FillSchema.safeParse({ ...base, contracts: 9.8534011 }).success).toBe(false);
    expect(FillSchema.safeParse({ ...base, contracts: 1, notional_cc: -1 }).success).toBe(false);
  });
});
