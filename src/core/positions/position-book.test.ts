import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FEES, feeCc } from '../fees.js';
import type { Fill } from '../messages.js';
import { sidePriceCc } from '../money.js';
import type { Side } from '../execution/order-types.js';
import { Bankroll } from './bankroll.js';
import { PositionError } from './position-error.js';
import { PositionBook, type PositionMeta } from './position-book.js';
import { avgEntryYesPrice, positionMessage, totalUnrealisedCc, unrealisedCc } from './position-marks.js';
import { PositionSchema } from '../messages.js';

const META: PositionMeta = { gameId: 'g1', sport: 'nba', team: 'BOS' };

function fill(side: Side, action: 'buy' | 'sell', contracts: number, yesCc: number, fee = feeCc(DEFAULT_FEES.kalshi, contracts, yesCc / 10_000)): Fill {
  return { venue: 'kalshi', market_id: 'KX-BOS', side, action, contracts, yes_price: yesCc / 10_000, fee_cc: fee, order_id: null };
}

const priceCc = fc.integer({ min: 1, max: 9999 });
const sideArb = fc.constantFrom<Side>('yes', 'no');

describe('position P&L is exact integer money', () => {
  it('a round trip realises (exit - entry) in the held side times contracts, minus every fee', () => {
    fc.assert(
      fc.property(sideArb, fc.integer({ min: 1, max: 5000 }), priceCc, priceCc, (side, contracts, entryCc, exitCc) => {
        const book = new PositionBook();
        const buy = fill(side, 'buy', contracts, entryCc);
        const sell = fill(side, 'sell', contracts, exitCc);
        book.applyFill(buy, META, 1);
        const change = book.applyFill(sell, META, 2);
        const expected = contracts * (sidePriceCc(side, exitCc / 10_000) - sidePriceCc(side, entryCc / 10_000)) - buy.fee_cc - sell.fee_cc;
        expect(change.realisedDeltaCc).toBe(expected);
        expect(change.position.state).toBe('closed');
        expect(book.open()).toHaveLength(0);
        expect(book.totalRealisedCc()).toBe(expected);
      }),
    );
  });

  it('any sequence of adds and partial closes realises proceeds - cost - fees once flat', () => {
    const step = fc.record({ contracts: fc.integer({ min: 1, max: 300 }), priceCc, feeCc: fc.integer({ min: 0, max: 5000 }) });
    fc.assert(
      fc.property(sideArb, fc.array(step, { minLength: 1, maxLength: 6 }), fc.array(fc.tuple(priceCc, fc.integer({ min: 0, max: 5000 })), { minLength: 1, maxLength: 6 }), (side, buys, exits) => {
        const book = new PositionBook();
        let cashFlow = 0;
        for (const b of buys) cashFlow += book.applyFill(fill(side, 'buy', b.contracts, b.priceCc, b.feeCc), META, 1).cashDeltaCc;
        let held = buys.reduce((s, b) => s + b.contracts, 0);
        exits.forEach(([exitCc, fee], i) => {
          const last = i === exits.length - 1;
          const k = last ? held : Math.max(1, Math.floor(held / 3));
          if (k === 0 || held === 0) return;
          cashFlow += book.applyFill(fill(side, 'sell', k, exitCc, fee), META, 2).cashDeltaCc;
          held -= k;
        });
        expect(book.open()).toHaveLength(0);
        // Flat: every cash movement is P&L.
        expect(book.totalRealisedCc()).toBe(cashFlow);
      }),
    );
  });

  it('partial closes realise proportionally: k of n contracts release k/n of cost and entry fees', () => {
    fc.assert(
      fc.property(sideArb, fc.integer({ min: 2, max: 1000 }), priceCc, priceCc, fc.integer({ min: 0, max: 100_000 }), (side, n, entryCc, exitCc, entryFee) => {
        const book = new PositionBook();
        book.applyFill(fill(side, 'buy', n, entryCc, entryFee), META, 1);
        const k = Math.floor(n / 2);
        const change = book.applyFill(fill(side, 'sell', k, exitCc, 0), META, 2);
        const perContract = sidePriceCc(side, exitCc / 10_000) - sidePriceCc(side, entryCc / 10_000);
        // Exact cost share (single entry price), entry fee share rounded down.
        expect(change.realisedDeltaCc).toBe(k * perContract - Math.floor((entryFee * k) / n));
        expect(change.position.contracts).toBe(n - k);
        expect(change.position.openFeesCc).toBe(entryFee - Math.floor((entryFee * k) / n));
      }),
    );
  });

  it('averages the entry price over adds', () => {
    const book = new PositionBook();
    book.applyFill(fill('yes', 'buy', 10, 4000), META, 1);
    book.applyFill(fill('yes', 'buy', 30, 5000), META, 2);
    const p = book.get('kalshi', 'KX-BOS', 'yes')!;
    expect(p.contracts).toBe(40);
    expect(p.costCc).toBe(10 * 4000 + 30 * 5000);
    expect(avgEntryYesPrice(p)).toBe(0.475);
    // NO bought at yes 0.70 and yes 0.60 costs 0.30 and 0.40: average NO 0.35, shown as yes 0.65.
    book.applyFill(fill('no', 'buy', 5, 7000), META, 3);
    book.applyFill(fill('no', 'buy', 5, 6000), META, 4);
    expect(avgEntryYesPrice(book.get('kalshi', 'KX-BOS', 'no')!)).toBe(0.65);
  });
});

describe('settlement pays 1 per contract on the winning side', () => {
  it('YES wins: YES gets 1, NO gets 0; YES loses: NO gets 1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 2000 }), priceCc, priceCc, fc.boolean(), (cy, cn, yCc, nCc, yesWins) => {
        const book = new PositionBook();
        const yb = fill('yes', 'buy', cy, yCc);
        const nb = fill('no', 'buy', cn, nCc);
        book.applyFill(yb, META, 1);
        book.applyFill(nb, META, 1);
        const changes = book.settleMarket('kalshi', 'KX-BOS', yesWins ? 1 : 0, 5);
        const bySide = Object.fromEntries(changes.map((c) => [c.position.side, c]));
        const yesPayout = yesWins ? cy * 10_000 : 0;
        const noPayout = yesWins ? 0 : cn * 10_000;
        expect(bySide.yes!.cashDeltaCc).toBe(yesPayout);
        expect(bySide.no!.cashDeltaCc).toBe(noPayout);
        expect(bySide.yes!.realisedDeltaCc).toBe(yesPayout - cy * yCc - yb.fee_cc);
        expect(bySide.no!.realisedDeltaCc).toBe(noPayout - cn * (10_000 - nCc) - nb.fee_cc);
        expect(changes.every((c) => c.position.state === 'settled')).toBe(true);
        expect(book.open()).toHaveLength(0);
      }),
    );
  });

  it('settles only the named market', () => {
    const book = new PositionBook();
    book.applyFill(fill('yes', 'buy', 3, 5000), META, 1);
    expect(book.settleMarket('kalshi', 'OTHER', 1, 2)).toEqual([]);
    expect(book.settleMarket('poly', 'KX-BOS', 1, 2)).toEqual([]);
    expect(book.open()).toHaveLength(1);
  });
});

describe('YES and NO on one market are never netted', () => {
  it('keeps two positions with their own ids, and a sell of a side not held is refused', () => {
    const book = new PositionBook();
    book.applyFill(fill('yes', 'buy', 10, 6000), META, 1);
    book.applyFill(fill('no', 'buy', 4, 6000), META, 1);
    const ids = book.open().map((p) => [p.side, p.contracts, p.positionId]);
    expect(ids).toEqual([
      ['yes', 10, 'kalshi:KX-BOS:yes:1'],
      ['no', 4, 'kalshi:KX-BOS:no:1'],
    ]);
    expect(() => book.applyFill(fill('no', 'sell', 5, 6000), META, 2)).toThrow(PositionError);
    expect(() => new PositionBook().applyFill(fill('yes', 'sell', 1, 6000), META, 2)).toThrow(/exceeds the 0 held/);
    expect(book.get('kalshi', 'KX-BOS', 'yes')!.contracts).toBe(10);
  });

  it('refuses malformed fills instead of corrupting money', () => {
    const book = new PositionBook();
    expect(() => book.applyFill(fill('yes', 'buy', 1.0000005, 5000, 0), META, 1)).toThrow(PositionError);
    expect(() => book.applyFill({ ...fill('yes', 'buy', 1, 5000), notional_cc: 1.5 }, META, 1)).toThrow(PositionError);
    expect(() => book.applyFill({ ...fill('yes', 'buy', 1, 5000), yes_price: 0.12345 }, META, 1)).toThrow(PositionError);
    expect(() => book.applyFill({ ...fill('yes', 'buy', 1, 5000), fee_cc: -1 }, META, 1)).toThrow(PositionError);
    expect(book.open()).toHaveLength(0);
  });

  it('a reopened market gets a new position id; restore continues the numbering', () => {
    const book = new PositionBook();
    book.applyFill(fill('yes', 'buy', 1, 5000), META, 1);
    book.applyFill(fill('yes', 'sell', 1, 5000), META, 2);
    expect(book.applyFill(fill('yes', 'buy', 1, 5000), META, 3).position.positionId).toBe('kalshi:KX-BOS:yes:2');
    const restored = new PositionBook();
    restored.restore(book.get('kalshi', 'KX-BOS', 'yes')!);
    restored.applyFill(fill('yes', 'sell', 1, 5000), META, 4);
    expect(restored.applyFill(fill('yes', 'buy', 1, 5000), META, 5).position.positionId).toBe('kalshi:KX-BOS:yes:3');
  });
});

describe('marks', () => {
  it('marks YES at the YES bid and NO at 1 - YES ask, after the exit fee', () => {
    const book = new PositionBook();
    book.applyFill(fill('yes', 'buy', 10, 5000, 0), META, 1);
    book.applyFill(fill('no', 'buy', 10, 5000, 0), META, 1);
    const top = { yesBid: 0.55, yesAsk: 0.57 };
    // YES: 10 * 0.55 = 5.50 - fee(0.07*10*0.55*0.45 = 0.17325 -> 0.18) - cost 5.00 = 0.32
    expect(unrealisedCc(book.get('kalshi', 'KX-BOS', 'yes')!, top, DEFAULT_FEES.kalshi)).toBe(55_000 - 1800 - 50_000);
    // NO: 10 * 0.43 = 4.30 - fee(0.07*10*0.43*0.57 = 0.17157 -> 0.18) - cost 5.00 = -0.88
    expect(unrealisedCc(book.get('kalshi', 'KX-BOS', 'no')!, top, DEFAULT_FEES.kalshi)).toBe(43_000 - 1800 - 50_000);
    expect(unrealisedCc(book.get('kalshi', 'KX-BOS', 'no')!, { yesBid: 0.55, yesAsk: null }, DEFAULT_FEES.kalshi)).toBeNull();
    const msg = positionMessage(book.get('kalshi', 'KX-BOS', 'no')!, top, DEFAULT_FEES.kalshi);
    expect(PositionSchema.parse(msg)).toMatchObject({ side: 'no', mark_yes_price: 0.57, unrealized_pnl_cc: -8800, avg_yes_price: 0.5 });
  });
});

describe('total unrealised for the daily loss limit', () => {
  it('sums marked positions and counts an unmarkable one as a total loss of its basis', () => {
    const book = new PositionBook();
    book.applyFill(fill('yes', 'buy', 10, 5000, 0), META, 1);
    book.applyFill({ ...fill('no', 'buy', 4, 5000, 200), market_id: 'KX-NYK' }, META, 1);
    const tops = (p: { marketId: string }) => (p.marketId === 'KX-BOS' ? { yesBid: 0.55, yesAsk: 0.57 } : null);
    // BOS YES: +3,200 (see marks above); NYK NO has no book: -(4 x 0.50 + 0.02) = -20,200.
    expect(totalUnrealisedCc(book.open(), tops, DEFAULT_FEES)).toBe(3_200 - 20_200);
  });
});

describe('bankroll stays consistent with positions', () => {
  type Op =
    | { kind: 'buy'; side: Side; market: number; contracts: number; priceCc: number; reserveExtra: number }
    | { kind: 'sell'; side: Side; market: number; fraction: number; priceCc: number }
    | { kind: 'settle'; market: number; yesWins: boolean };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('buy' as const), side: sideArb, market: fc.integer({ min: 0, max: 2 }), contracts: fc.integer({ min: 1, max: 200 }), priceCc, reserveExtra: fc.integer({ min: 0, max: 5000 }) }),
    fc.record({ kind: fc.constant('sell' as const), side: sideArb, market: fc.integer({ min: 0, max: 2 }), fraction: fc.double({ min: 0, max: 1, noNaN: true }), priceCc }),
    fc.record({ kind: fc.constant('settle' as const), market: fc.integer({ min: 0, max: 2 }), yesWins: fc.boolean() }),
  );

  it('cash + tied-up basis = start + realised, reserved <= cash, after any sequence of fills and settlements', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const start = 1_000_000_000; // $100k
        const bank = new Bankroll(start);
        const book = new PositionBook();
        let n = 0;
        for (const o of ops) {
          const marketId = `M${o.market}`;
          const venue = o.market === 2 ? ('poly' as const) : ('kalshi' as const);
          const rule = DEFAULT_FEES[venue];
          if (o.kind === 'buy') {
            const yes = o.priceCc / 10_000;
            const f: Fill = { venue, market_id: marketId, side: o.side, action: 'buy', contracts: o.contracts, yes_price: yes, fee_cc: feeCc(rule, o.contracts, yes), order_id: null };
            const id = `r${n++}`;
            const worst = o.contracts * sidePriceCc(o.side, yes) + f.fee_cc + o.reserveExtra;
            if (worst > bank.availableCc) continue;
            bank.reserve(id, worst);
            bank.applyCashDelta(book.applyFill(f, META, n).cashDeltaCc, id);
          } else if (o.kind === 'sell') {
            const held = book.get(venue, marketId, o.side);
            if (!held) continue;
            const k = Math.max(1, Math.round(held.contracts * o.fraction));
            const yes = o.priceCc / 10_000;
            const f: Fill = { venue, market_id: marketId, side: o.side, action: 'sell', contracts: k, yes_price: yes, fee_cc: feeCc(rule, k, yes), order_id: null };
            bank.applyCashDelta(book.applyFill(f, META, n).cashDeltaCc);
          } else {
            for (const c of book.settleMarket(venue, marketId, o.yesWins ? 1 : 0, n)) bank.applyCashDelta(c.cashDeltaCc);
          }
          expect(bank.cashCc + book.openBasisCc()).toBe(start + book.totalRealisedCc());
          expect(bank.reservedCc).toBe(0);
          expect(bank.cashCc).toBeGreaterThanOrEqual(0);
          for (const p of book.open()) {
            expect(p.contracts).toBeGreaterThan(0);
            expect(p.costCc).toBeGreaterThanOrEqual(0);
            expect(p.openFeesCc).toBeGreaterThanOrEqual(0);
          }
        }
      }),
    );
  });
});
