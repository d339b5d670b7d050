import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SimGameView } from '../world.js';
import { KalshiSimExchange, type SimLevelDelta, type SimOrderRequest } from './sim-exchange.js';
import { SeededIds } from './seeded-ids.js';
import { kalshiDateCode, kalshiGameTickers } from './tickers.js';

const T = 'KXNBAGAME-26NOV24BOSLAL-BOS';

function exchange(seed = 7): KalshiSimExchange {
  const ex = new KalshiSimExchange({ ids: new SeededIds(seed), now: () => 1_800_000_000_000 });
  ex.addMarket({
    ticker: T,
    eventTicker: 'KXNBAGAME-26NOV24BOSLAL',
    seriesTicker: 'KXNBAGAME',
    gameId: 'g1',
    title: 'Boston at Los Angeles Winner?',
    yesSubTitle: 'Boston',
    noSubTitle: 'Boston',
    openTimeMs: 0,
    closeTimeMs: 1,
    expectedExpirationMs: 1,
  });
  return ex;
}

const order = (side: 'bid' | 'ask', count: number, yesPriceCc: number, tif: SimOrderRequest['timeInForce'] = 'immediate_or_cancel'): SimOrderRequest => ({
  ticker: T,
  side,
  count,
  yesPriceCc,
  timeInForce: tif,
  selfTradePrevention: 'taker_at_cross',
  clientOrderId: null,
  postOnly: false,
});

describe('Kalshi simulator tickers', () => {
  it('names events by the US Eastern date and away-home order', () => {
    expect(kalshiDateCode(new Date('2026-11-25T00:30:00Z'))).toBe('26NOV24');
    expect(kalshiDateCode(new Date('2026-07-04T17:00:00Z'))).toBe('26JUL04');
    const game = {
      id: 'x',
      sport: 'mls',
      home: { abbr: 'NY', name: '', espnId: '', location: '', mascot: '' },
      away: { abbr: 'LA', name: '', espnId: '', location: '', mascot: '' },
      startTime: new Date('2026-05-02T23:00:00Z'),
    } as unknown as SimGameView;
    expect(kalshiGameTickers(game)).toEqual({
      series: 'KXMLSGAME',
      event: 'KXMLSGAME-26MAY02LANY',
      markets: [
        { ticker: 'KXMLSGAME-26MAY02LANY-LA', outcome: 'away', suffix: 'LA' },
        { ticker: 'KXMLSGAME-26MAY02LANY-NY', outcome: 'home', suffix: 'NY' },
        { ticker: 'KXMLSGAME-26MAY02LANY-TIE', outcome: 'draw', suffix: 'TIE' },
      ],
    });
  });
});

describe('Kalshi simulator matching', () => {
  it('matches at the maker price with price priority and emits net level deltas', () => {
    const ex = exchange();
    ex.openAccount('a', 1_000_000_000);
    const deltas: SimLevelDelta[] = [];
    ex.on('delta', (d) => deltas.push(d));
    ex.setMakerQuotes(T, { yesBids: [[0.4, 10]], yesAsks: [[0.45, 5], [0.47, 10]] });
    expect(ex.levels(T)).toEqual({ yes: [[4000, 10]], no: [[5300, 10], [5500, 5]] });
    deltas.length = 0;
    const r = ex.placeOrder('a', order('bid', 8, 5000));
    expect(r.fillCount).toBe(8);
    expect(r.fillNotionalCc).toBe(5 * 4500 + 3 * 4700);
    expect(deltas.map((d) => [d.side, d.legPriceCc, d.delta, d.owner])).toEqual([
      ['no', 5300, -3, 'a'],
      ['no', 5500, -5, 'a'],
    ]);
    expect(ex.top(T)).toEqual({ yesBidCc: 4000, yesBidSize: 10, yesAskCc: 4700, yesAskSize: 7 });
  });

  it('fill-or-kill without enough size fills nothing; post-only that would cross is refused', () => {
    const ex = exchange();
    ex.openAccount('a', 1_000_000_000);
    ex.setMakerQuotes(T, { yesBids: [[0.4, 10]], yesAsks: [[0.45, 5]] });
    const fok = ex.placeOrder('a', order('bid', 6, 4500, 'fill_or_kill'));
    expect(fok).toMatchObject({ fillCount: 0 });
    expect(fok.order.status).toBe('canceled');
    expect(() => ex.placeOrder('a', { ...order('ask', 1, 4000, 'good_till_canceled'), postOnly: true })).toThrow(/post-only/);
  });

  it('self-trade prevention cancels the taker by default', () => {
    const ex = exchange();
    ex.openAccount('a', 1_000_000_000);
    const resting = ex.placeOrder('a', order('bid', 5, 4000, 'good_till_canceled'));
    expect(resting.order.status).toBe('resting');
    const taker = ex.placeOrder('a', order('ask', 5, 4000));
    expect(taker.fillCount).toBe(0);
    expect(taker.order.status).toBe('canceled');
    expect(ex.order(resting.order.orderId)?.status).toBe('resting');
  });

  it('rounds the fee of an order filled in pieces like a single fill', () => {
    const ex = exchange();
    ex.openAccount('a', 1_000_000_000);
    // Ten one-contract makers at 0.50: 0.07 x 0.25 = 0.0175 each, 0.175 in all -> 0.18, not 10 x 0.02.
    ex.setMakerQuotes(T, { yesBids: [], yesAsks: Array.from({ length: 10 }, (_, i) => [0.5 + i * 0.0, 1] as [number, number]) });
    const r = ex.placeOrder('a', order('bid', 10, 5000));
    expect(r.fillCount).toBe(10);
    expect(r.feesCc).toBe(1800);
    expect(ex.account('a')!.fills.reduce((s, f) => s + f.feeCc, 0)).toBe(1800);
  });

  it('is deterministic for a seed: same calls, same ids', () => {
    const run = (seed: number) => {
      const ex = exchange(seed);
      ex.openAccount('a', 1_000_000_000);
      ex.setMakerQuotes(T, { yesBids: [[0.4, 10]], yesAsks: [[0.45, 5]] });
      const r = ex.placeOrder('a', order('bid', 3, 4500));
      return [ex.market(T)!.marketId, r.order.orderId, ex.account('a')!.fills[0]!.fillId];
    };
    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
  });

  it('keeps the ledger exact under random trading and settlement (property)', () => {
    const op = fc.record({
      who: fc.constantFrom('a', 'b'),
      side: fc.constantFrom<'bid' | 'ask'>('bid', 'ask'),
      count: fc.integer({ min: 1, max: 40 }),
      cents: fc.integer({ min: 1, max: 99 }),
      tif: fc.constantFrom<SimOrderRequest['timeInForce']>('immediate_or_cancel', 'good_till_canceled', 'fill_or_kill'),
      requote: fc.option(fc.integer({ min: 2, max: 97 }), { nil: null }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.constantFrom<'yes' | 'no'>('yes', 'no'), (ops, result) => {
        const ex = exchange();
        const start = 100_000_000;
        ex.openAccount('a', start);
        ex.openAccount('b', start);
        for (const o of ops) {
          if (o.requote !== null) ex.setMakerQuotes(T, { yesBids: [[o.requote / 100, 20]], yesAsks: [[(o.requote + 2) / 100, 20]] });
          try {
            ex.placeOrder(o.who, order(o.side, o.count, o.cents * 100, o.tif));
          } catch (err) {
            if (!(err instanceof Error) || err.name !== 'SimVenueError') throw err;
          }
          // The book never crosses itself.
          const top = ex.top(T);
          if (top.yesBidCc !== null && top.yesAskCc !== null) expect(top.yesBidCc).toBeLessThan(top.yesAskCc);
        }
        for (const who of ['a', 'b']) {
          const acct = ex.account(who)!;
          const signed = acct.fills.reduce((s, f) => s + (f.bookSide === 'bid' ? f.count : -f.count), 0);
          expect(acct.positions.get(T)?.contracts ?? 0).toBe(signed);
          expect(acct.reservedCc).toBe(ex.ordersOf(who).filter((x) => x.status === 'resting').reduce((s, x) => s + x.reservedCc, 0));
        }
        ex.settle(T, result);
        for (const who of ['a', 'b']) {
          const acct = ex.account(who)!;
          const pos = acct.positions.get(T);
          const pnl = pos?.realizedPnlCc ?? 0;
          const fees = pos?.feesPaidCc ?? 0;
          // Everything is closed: cash moved by exactly the realized P&L less the fees.
          expect(acct.cashCc - start).toBe(pnl - fees);
          expect(acct.reservedCc).toBe(0);
          expect(Number.isInteger(acct.cashCc)).toBe(true);
        }
        expect(ex.levels(T)).toEqual({ yes: [], no: [] });
      }),
      { numRuns: 200 },
    );
  });
});
