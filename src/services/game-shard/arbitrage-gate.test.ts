import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SIGNAL_OPTIONS, detectArbitrage, resolveSignalOptions, type MarketBook, type Outcome } from '../../core/signals/index.js';
import { VENUES, type Sport, type Venue } from '../../core/topics.js';
import { ArbitrageGate } from './arbitrage-gate.js';

const book = (venue: Venue, id: string, outcome: Outcome, bid: number | null, ask: number | null, size = 100): MarketBook => ({
  venue,
  market_id: id,
  outcome,
  team: null,
  yes_bids: bid === null ? [] : [[bid, size]],
  yes_asks: ask === null ? [] : [[ask, size]],
});

describe('arbitrage gate', () => {
  const gate = new ArbitrageGate();

  it('says no for an efficient two-way market', () => {
    const books = [book('kalshi', 'kh', 'home', 0.58, 0.6), book('kalshi', 'ka', 'away', 0.4, 0.42), book('poly', 'ph', 'home', 0.57, 0.59), book('poly', 'pa', 'away', 0.41, 0.43)];
    expect(gate.possible(books, false)).toBe(false);
  });

  it.each([
    ['YES home + YES away under $1', [book('kalshi', 'kh', 'home', 0.38, 0.4), book('poly', 'pa', 'away', 0.48, 0.5)]],
    ['YES home + NO home across venues', [book('kalshi', 'kh', 'home', 0.5, 0.52), book('poly', 'ph', 'home', 0.55, 0.57)]],
    ['NO home + NO away (bids above $1)', [book('kalshi', 'kh', 'home', 0.6, 0.62), book('poly', 'pa', 'away', 0.45, 0.47)]],
  ])('says yes for %s', (_what, books) => {
    expect(gate.possible(books, false)).toBe(true);
  });

  it('does not pair a market with itself', () => {
    // One book whose own bid is above its ask would be crossed; here bid < ask on the same book.
    expect(gate.possible([book('kalshi', 'kh', 'home', 0.5, 0.52)], false)).toBe(false);
  });

  it('ignores stale books', () => {
    const b = book('poly', 'pa', 'away', 0.48, 0.5);
    b.stale = true;
    expect(gate.possible([book('kalshi', 'kh', 'home', 0.38, 0.4), b], false)).toBe(false);
  });

  it('soccer: needs all three YES under $1, not home + away', () => {
    const books = [book('kalshi', 'kh', 'home', 0.38, 0.4), book('poly', 'pa', 'away', 0.3, 0.32), book('kalshi', 'kd', 'draw', 0.3, 0.32)];
    expect(gate.possible(books, true)).toBe(false);
    books[2] = book('poly', 'pd', 'draw', 0.2, 0.22);
    expect(gate.possible(books, true)).toBe(true);
  });

  it('never says no when the detector finds an arbitrage (oracle, fast-check)', () => {
    const options = resolveSignalOptions({ arbitrage: { minProfitCc: 1, minEdgeCcPerContract: 0 } });
    const cents = fc.integer({ min: 1, max: 99 }).map((c) => c / 100);
    const side = fc.option(cents, { nil: null });
    const market = (outcomes: Outcome[]) =>
      fc.record({ venue: fc.constantFrom(...VENUES), outcome: fc.constantFrom(...outcomes), bid: side, ask: side, size: fc.integer({ min: 1, max: 500 }), stale: fc.boolean() });
    const scenario = fc.oneof(
      fc.record({ sport: fc.constant<Sport>('nba'), markets: fc.array(market(['home', 'away']), { minLength: 1, maxLength: 6 }) }),
      fc.record({ sport: fc.constant<Sport>('epl'), markets: fc.array(market(['home', 'away', 'draw']), { minLength: 1, maxLength: 7 }) }),
    );
    let arbs = 0;
    fc.assert(
      fc.property(scenario, ({ sport, markets }) => {
        const books = markets
          .filter((m) => m.bid === null || m.ask === null || m.bid < m.ask)
          .map((m, i) => ({ ...book(m.venue, `m${i}`, m.outcome, m.bid, m.ask, m.size), stale: m.stale && i % 3 === 0 }));
        const d = detectArbitrage({ game: { game_id: 'g', sport }, books }, { nowUs: 1, newId: () => 'x1' }, options);
        if (d.signal !== null) {
          arbs++;
          expect(gate.possible(books, DEFAULT_SIGNAL_OPTIONS.threeOutcomeSports.includes(sport))).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
    // The property is only worth something if arbitrages were generated.
    expect(arbs).toBeGreaterThan(50);
  });
});
