/**
 * Cross-venue arbitrage: a worked example by hand, the profit invariant over random books and
 * random fee schedules (checked with core money/fee functions, not the detector's own sums), an
 * independent brute-force oracle for the chosen size, and the edge cases (empty, crossed, one
 * side, stale, garbage, soccer, tie-risk NFL, prices at 0.01 and 0.99).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { feeCc, type FeeSchedule } from '../fees.js';
import { TradeSignalSchema, type SignalLeg } from '../messages.js';
import { sidePriceCc } from '../money.js';
import { VENUES, type Sport } from '../topics.js';
import { detectArbitrage, exactCovers } from './arbitrage.js';
import { buyLadder } from './book-depth.js';
import { resolveSignalOptions, type SignalOptions } from './signal-options.js';
import type { BookLevel } from '../book-level.js';
import { checkBooks, type MarketBook, type Outcome } from './signal-input.js';
import { coveredOutcomes } from './signal-result.js';
import { arbitraryLevels, book, depthAtOrBetter, depthBetter, fixedContext } from '../../../test/helpers/signal-books.js';

const NBA = { game_id: 'g-nba-1', sport: 'nba' as const };

describe('arbitrage: worked example', () => {
  it('buys YES home on Kalshi and NO home on Polymarket, sized where total profit after both fees peaks', () => {
    // Kalshi home: asks 0.45 x100, 0.47 x200. Polymarket home: bids 0.52 x50, 0.50 x300 (NO at 0.48, 0.50).
    // Per contract before fees: 1 - 0.45 - 0.48 = 0.07 for the first 50, 1 - 0.45 - 0.50 = 0.05 up to 100,
    // 1 - 0.47 - 0.50 = 0.03 beyond. Everything is priced at each leg's worst level (its limit).
    //  n=50:  50*700 = 35000; Kalshi ceil_cent(0.07*50*0.45*0.55 = $0.86625) = $0.87 = 8700 cc;
    //         Polymarket 0.03*50*0.52*0.48 = $0.3744 = 3744 cc; profit 35000 - 12444 = 22556 cc.
    //  n=100: 100*500 = 50000; Kalshi ceil_cent($1.7325) = 17400; Polymarket 0.03*100*0.25 = $0.75 = 7500;
    //         profit 50000 - 24900 = 25100 cc.   (n=99: 49500 - 17200 - 7425 = 24875, less.)
    //  n=150: 150*300 = 45000; Kalshi ceil_cent(0.07*150*0.47*0.53 = $2.61555) = 26200; Poly 11250; 7550.
    // The peak is n=100: profit $2.51, 0.0251 per contract net, 0.05 gross.
    // The other pairing (YES home on Polymarket at 0.54 + NO home on Kalshi at 1 - 0.43) costs 1.11: none.
    const ctx = fixedContext();
    const result = detectArbitrage(
      {
        game: NBA,
        books: [
          book('kalshi', 'home', { asks: [[0.45, 100], [0.47, 200]], bids: [[0.43, 100]] }),
          book('poly', 'home', { bids: [[0.52, 50], [0.5, 300]], asks: [[0.54, 100]] }),
        ],
      },
      ctx,
    );
    expect(result.issues).toEqual([]);
    expect(result.reason).toBe('emitted');
    const s = result.signal!;
    expect(TradeSignalSchema.parse(s.signal)).toEqual(s.signal);
    expect(s.signal.legs).toEqual([
      { venue: 'kalshi', market_id: 'K-home', team: 'BOS', side: 'yes', action: 'buy', yes_price: 0.45, contracts: 100, fee_cc: 17400 },
      { venue: 'poly', market_id: 'P-home', team: 'BOS', side: 'no', action: 'buy', yes_price: 0.5, contracts: 100, fee_cc: 7500 },
    ]);
    expect(s.expectedProfitCc).toBe(25100);
    expect(s.signal.net_edge).toBe(0.0251);
    expect(s.signal.gross_edge).toBe(0.05);
    expect(s.signal.kind).toBe('arbitrage');
    expect(s.signal.model_prob).toBeNull();
    expect(s.signal.confidence).toBe(1);
    expect(s.signal.signal_id).toBe('sig-1');
    expect(s.signal.created_ts).toBe(ctx.nowUs);
    expect(s.signal.expires_ts).toBe(ctx.nowUs + 2_000_000);
    expect(s.highEdge).toBe(false);
    expect(s.debounceKey).toBe('g-nba-1:arb');
  });

  it('stops at the max-contracts option', () => {
    // Same books capped at 40: n=40 is all in the first segment: 40*700 = 28000;
    // Kalshi ceil_cent(0.07*40*0.2475 = $0.693) = 7000; Poly 0.03*40*0.52*0.48 = $0.29952 = 2996 (2995.2 up).
    const options = resolveSignalOptions({ arbitrage: { maxContracts: 40 } });
    const result = detectArbitrage(
      {
        game: NBA,
        books: [book('kalshi', 'home', { asks: [[0.45, 100]] }), book('poly', 'home', { bids: [[0.52, 50]] })],
      },
      fixedContext(),
      options,
    );
    const legs = result.signal!.signal.legs;
    expect(legs.map((l) => [l.contracts, l.fee_cc])).toEqual([[40, 7000], [40, 2996]]);
    expect(result.signal!.expectedProfitCc).toBe(28000 - 7000 - 2996);
  });

  it('charges the Polymarket fee (the reference ignored it): a 0.6-cent gap is no arbitrage after fees', () => {
    // YES 0.497 on Kalshi is not on the cent grid, so use Polymarket YES at 0.4970 + Kalshi NO at 1 - 0.503:
    // cost 0.994, gross 60 cc/contract. Poly fee 0.03*0.497*0.503 = 75 cc/contract, Kalshi ~175: loss.
    const result = detectArbitrage(
      {
        game: NBA,
        books: [book('poly', 'home', { asks: [[0.497, 1000]] }), book('kalshi', 'home', { bids: [[0.503, 1000]], asks: [[0.51, 5]] })],
      },
      fixedContext(),
      resolveSignalOptions({ arbitrage: { minEdgeCcPerContract: 0, minProfitCc: 1 } }),
    );
    expect(result.signal).toBeNull();
    expect(result.reason).toBe('below_threshold');
  });
});

describe('arbitrage: edge cases', () => {
  const ctx = fixedContext();

  it('reports no books, empty books and a missing side without inventing prices', () => {
    expect(detectArbitrage({ game: NBA, books: [] }, ctx).reason).toBe('no_books');
    expect(detectArbitrage({ game: NBA, books: [book('kalshi', 'home'), book('poly', 'home')] }, ctx).reason).toBe('no_combination');
    // Polymarket has only asks: YES+YES on the same outcome pays twice on a home win, never a cover.
    const oneSided = detectArbitrage(
      { game: NBA, books: [book('kalshi', 'home', { asks: [[0.3, 10]] }), book('poly', 'home', { asks: [[0.3, 10]] })] },
      ctx,
    );
    expect(oneSided.reason).toBe('no_combination');
  });

  it('skips a crossed book with an ARB_SIGNAL_INPUT issue and still trades the healthy books', () => {
    const result = detectArbitrage(
      {
        game: NBA,
        books: [
          book('kalshi', 'home', { asks: [[0.45, 100]] }),
          book('poly', 'home', { bids: [[0.52, 50]] }),
          book('poly', 'away', { bids: [[0.6, 10]], asks: [[0.55, 10]] }),
        ],
      },
      ctx,
    );
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]!.code).toBe('ARB_SIGNAL_INPUT');
    expect(result.issues[0]!.message).toMatch(/crossed/);
    expect(result.signal!.signal.legs.map((l) => l.market_id)).toEqual(['K-home', 'P-home']);
  });

  it('leaves out books the caller flagged stale', () => {
    const books = [book('kalshi', 'home', { asks: [[0.45, 100]] }), book('poly', 'home', { bids: [[0.52, 50]], stale: true })];
    expect(detectArbitrage({ game: NBA, books }, ctx).reason).toBe('no_combination');
    const allStale = books.map((b) => ({ ...b, stale: true }));
    expect(detectArbitrage({ game: NBA, books: allStale }, ctx).reason).toBe('all_books_stale');
  });

  it('rejects NaN, infinite, negative, out-of-range, over-precise, unsorted and non-numeric levels, one issue each', () => {
    const garbage: unknown[] = [
      { ...book('kalshi', 'home'), yes_asks: [[Number.NaN, 10]] },
      { ...book('kalshi', 'away'), yes_asks: [[0.4, Number.POSITIVE_INFINITY]] },
      { ...book('poly', 'home'), market_id: 'p1', yes_asks: [[0.4, -1]] },
      { ...book('poly', 'home'), market_id: 'p2', yes_asks: [[1.2, 1]] },
      { ...book('poly', 'home'), market_id: 'p3', yes_asks: [[0.12345, 1]] },
      { ...book('poly', 'home'), market_id: 'p4', yes_asks: [[0.5, 1], [0.4, 1]] },
      { ...book('poly', 'home'), market_id: 'p5', yes_bids: [['0.4', 1]] },
      { ...book('poly', 'home'), market_id: 'p6', yes_bids: 'nope' },
      { ...book('poly', 'draw'), market_id: 'p7' },
      { ...book('poly', 'home'), market_id: 'p8', venue: 'betfair' },
      null,
      42,
    ];
    const result = detectArbitrage({ game: NBA, books: garbage as MarketBook[] }, ctx);
    expect(result.signal).toBeNull();
    expect(result.reason).toBe('invalid_input');
    expect(result.issues).toHaveLength(garbage.length);
    expect(result.issues.every((i) => i.code === 'ARB_SIGNAL_INPUT')).toBe(true);
  });

  it('never throws on garbage anywhere in the input', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (game, books) => {
        const result = detectArbitrage({ game, books } as never, ctx);
        expect(result.signal === null || result.reason === 'emitted').toBe(true);
      }),
      { numRuns: 300 },
    );
    expect(detectArbitrage(undefined as never, ctx).reason).toBe('invalid_input');
    expect(detectArbitrage({ game: { game_id: 'x', sport: 'curling' }, books: [] } as never, ctx).reason).toBe('invalid_input');
    expect(detectArbitrage({ game: NBA, books: [] }, { nowUs: Number.NaN, newId: () => 'a' }).reason).toBe('invalid_input');
  });

  it('emits nothing when the id factory throws or returns an unusable id', () => {
    const books = [book('kalshi', 'home', { asks: [[0.45, 100]] }), book('poly', 'home', { bids: [[0.52, 50]] })];
    const throwing = detectArbitrage({ game: NBA, books }, { nowUs: 1, newId: () => { throw new Error('boom'); } });
    expect(throwing.reason).toBe('invalid_input');
    expect(throwing.issues[0]!.message).toMatch(/boom/);
    expect(detectArbitrage({ game: NBA, books }, { nowUs: 1, newId: () => 'a.b' }).reason).toBe('invalid_input');
  });

  it('prices at the 0.01 edge: YES 0.01 + NO 0.01 locks almost the whole dollar (and is high-edge)', () => {
    // 10 contracts: cost 10*100 + 10*100 = 2000 cc. Kalshi fee ceil_cent(0.07*10*0.01*0.99 = $0.00693) = 100 cc;
    // Polymarket 0.03*10*0.99*0.01 = $0.00297 = 29.7 -> 30 cc. Profit 100000 - 2000 - 130 = 97870 cc.
    const result = detectArbitrage(
      { game: NBA, books: [book('kalshi', 'home', { asks: [[0.01, 10]] }), book('poly', 'home', { bids: [[0.99, 10]] })] },
      ctx,
    );
    expect(result.signal!.expectedProfitCc).toBe(97870);
    expect(result.signal!.signal.net_edge).toBe(0.9787);
    expect(result.signal!.highEdge).toBe(true);
  });

  it('prices at the 0.99 edge: half a cent of gross edge, kept only when the per-contract minimum allows it', () => {
    // YES home 0.99 on Kalshi + NO home on Polymarket at 1 - 0.995 = 0.005: gross 50 cc/contract.
    // n=100: Kalshi ceil_cent(0.07*100*0.99*0.01 = $0.0693) = 700; Poly 0.03*100*0.995*0.005 = 149.25 -> 150.
    // Profit 5000 - 850 = 4150 cc: 41.5 cc/contract, under the default 50 cc/contract minimum.
    const books = [book('kalshi', 'home', { asks: [[0.99, 100]] }), book('poly', 'home', { bids: [[0.995, 100]] })];
    expect(detectArbitrage({ game: NBA, books }, ctx).reason).toBe('below_threshold');
    const lenient = resolveSignalOptions({ arbitrage: { minEdgeCcPerContract: 0 } });
    expect(detectArbitrage({ game: NBA, books }, ctx, lenient).signal!.expectedProfitCc).toBe(4150);
  });

  it('skips tie-risk sports (NFL) unless configured otherwise', () => {
    const books = [book('kalshi', 'home', { asks: [[0.45, 100]] }), book('poly', 'home', { bids: [[0.52, 50]] })];
    const nfl = { game_id: 'g-nfl', sport: 'nfl' as const };
    expect(detectArbitrage({ game: nfl, books }, ctx).reason).toBe('tie_risk_sport');
    expect(detectArbitrage({ game: nfl, books }, ctx, resolveSignalOptions({ tieRiskSports: [] })).reason).toBe('emitted');
  });

  it('pairs YES home with YES away across venues in a two-outcome sport', () => {
    // YES home Kalshi 0.40 + YES away Polymarket 0.50: gross 1000 cc/contract, 20 contracts.
    // Kalshi ceil_cent(0.07*20*0.24 = $0.336) = 3400; Poly 0.03*20*0.25 = $0.15 = 1500. Profit 20000 - 4900 = 15100.
    const result = detectArbitrage(
      { game: NBA, books: [book('kalshi', 'home', { asks: [[0.4, 20]] }), book('poly', 'away', { asks: [[0.5, 20]] })] },
      ctx,
    );
    expect(result.signal!.signal.legs.map((l) => [l.market_id, l.side])).toEqual([['K-home', 'yes'], ['P-away', 'yes']]);
    expect(result.signal!.expectedProfitCc).toBe(15100);
  });

  it('does not pair two markets of one venue unless allowed', () => {
    const books = [book('kalshi', 'home', { asks: [[0.4, 20]] }), book('kalshi', 'away', { asks: [[0.5, 20]] })];
    expect(detectArbitrage({ game: NBA, books }, ctx).reason).toBe('no_combination');
    const allowed = resolveSignalOptions({ arbitrage: { allowSameVenue: true } });
    // Both legs Kalshi: 20000 - 3400 - ceil_cent(0.07*20*0.25 = $0.35) 3500 = 13100.
    expect(detectArbitrage({ game: NBA, books }, ctx, allowed).signal!.expectedProfitCc).toBe(13100);
  });
});

describe('arbitrage: soccer', () => {
  const EPL = { game_id: 'g-epl', sport: 'epl' as const };
  const ctx = fixedContext();

  it('covers home, draw and away with three YES legs across venues', () => {
    // YES home K 0.30 + YES draw P 0.25 + YES away K 0.35 = 0.90: gross 1000 cc/contract, 10 contracts.
    // Kalshi home ceil_cent(0.07*10*0.21 = $0.147) = 1500; Poly draw 0.03*10*0.1875 = $0.05625 = 563 (562.5 up);
    // Kalshi away ceil_cent(0.07*10*0.2275 = $0.15925) = 1600. Profit 10000 - 3663 = 6337 cc.
    const result = detectArbitrage(
      {
        game: EPL,
        books: [
          book('kalshi', 'home', { asks: [[0.3, 10]] }),
          book('poly', 'draw', { asks: [[0.25, 10]] }),
          book('kalshi', 'away', { asks: [[0.35, 10]] }),
        ],
      },
      ctx,
    );
    expect(result.signal!.signal.legs.map((l) => [l.market_id, l.side, l.fee_cc])).toEqual([
      ['K-home', 'yes', 1500],
      ['P-draw', 'yes', 563],
      ['K-away', 'yes', 1600],
    ]);
    expect(result.signal!.expectedProfitCc).toBe(6337);
  });

  it('never builds NO home + NO away (it pays $2 on a draw), only exact covers', () => {
    const outcomes: Outcome[] = ['home', 'draw', 'away'];
    const { books } = checkBooks(
      [
        book('kalshi', 'home', { bids: [[0.3, 10]], asks: [[0.31, 10]] }),
        book('poly', 'home', { bids: [[0.3, 10]], asks: [[0.31, 10]] }),
        book('kalshi', 'draw', { bids: [[0.2, 10]], asks: [[0.21, 10]] }),
        book('poly', 'draw', { bids: [[0.2, 10]], asks: [[0.21, 10]] }),
        book('kalshi', 'away', { bids: [[0.4, 10]], asks: [[0.41, 10]] }),
        book('poly', 'away', { bids: [[0.4, 10]], asks: [[0.41, 10]] }),
      ],
      outcomes,
      [],
    );
    const ladders = books.flatMap((b) => [buyLadder(b, 'yes'), buyLadder(b, 'no')]);
    const covers = exactCovers(ladders, outcomes, false);
    // Per outcome x: YES x on one venue + NO x on the other (2 each way) = 3*2 = 6 pairs;
    // YES home/draw/away from 2 venues each = 8 triples minus the 2 single-venue ones = 6. Total 12.
    expect(covers).toHaveLength(12);
    for (const cover of covers) {
      for (const o of outcomes) {
        const payers = cover.filter((l) => coveredOutcomes(l.book.outcome, l.side, outcomes).includes(o));
        expect(payers).toHaveLength(1);
      }
    }
  });

  it('a two-leg soccer arbitrage: YES draw on Polymarket + NO draw on Kalshi', () => {
    // YES draw P 0.22 + NO draw K at 1 - 0.30 = 0.70: gross 800 cc/contract, 10 contracts.
    // Poly 0.03*10*0.22*0.78 = $0.05148 = 515 (514.8 up); Kalshi ceil_cent(0.07*10*0.30*0.70 = $0.147) = 1500.
    // Profit 8000 - 2015 = 5985 cc.
    const result = detectArbitrage(
      { game: EPL, books: [book('poly', 'draw', { asks: [[0.22, 10]] }), book('kalshi', 'draw', { bids: [[0.3, 10]] })] },
      ctx,
    );
    expect(result.signal!.signal.legs.map((l) => [l.venue, l.side, l.yes_price])).toEqual([
      ['poly', 'yes', 0.22],
      ['kalshi', 'no', 0.3],
    ]);
    expect(result.signal!.expectedProfitCc).toBe(5985);
  });
});

// ---- invariants over random books and fees -------------------------------------------------

interface Scenario {
  sport: Sport;
  books: MarketBook[];
  options: Readonly<SignalOptions>;
}

const feeRule = fc.record({
  takerRateBp: fc.integer({ min: 0, max: 2000 }),
  makerRateBp: fc.constant(0),
  roundingCc: fc.constantFrom(1, 100),
});

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    sport: fc.constantFrom<Sport>('nba', 'nhl', 'mlb', 'ncaab', 'epl', 'mls'),
    fine: fc.boolean(),
    kalshi: feeRule,
    poly: feeRule,
    minProfitCc: fc.integer({ min: 1, max: 3000 }),
    minEdgeCcPerContract: fc.integer({ min: 0, max: 300 }),
    maxContracts: fc.integer({ min: 1, max: 1500 }),
    allowSameVenue: fc.boolean(),
    sides: fc.array(fc.tuple(fc.boolean(), fc.boolean()), { minLength: 6, maxLength: 6 }),
  })
  .chain((s) =>
    fc.array(arbitraryLevels(s.fine), { minLength: 6, maxLength: 6 }).map((levels) => {
      const outcomes: Outcome[] = ['epl', 'mls'].includes(s.sport) ? ['home', 'draw', 'away'] : ['home', 'away'];
      const books: MarketBook[] = [];
      let i = 0;
      for (const venue of VENUES) {
        for (const outcome of outcomes) {
          const l = levels[i]!;
          const [keepBids, keepAsks] = s.sides[i]!;
          books.push(book(venue, outcome, { bids: keepBids ? l.bids : [], asks: keepAsks ? l.asks : [] }));
          i += 1;
        }
      }
      const fees: FeeSchedule = { kalshi: s.kalshi, poly: s.poly };
      const options = resolveSignalOptions({
        fees,
        arbitrage: {
          minProfitCc: s.minProfitCc,
          minEdgeCcPerContract: s.minEdgeCcPerContract,
          maxContracts: s.maxContracts,
          allowSameVenue: s.allowSameVenue,
        },
      });
      return { sport: s.sport, books, options };
    }),
  );

function levelsOf(books: MarketBook[], leg: SignalLeg): { market: MarketBook; levels: readonly BookLevel[]; side: 'bids' | 'asks' } {
  const market = books.find((b) => b.venue === leg.venue && b.market_id === leg.market_id)!;
  return leg.side === 'yes' ? { market, levels: market.yes_asks, side: 'asks' } : { market, levels: market.yes_bids, side: 'bids' };
}

/** Independent oracle: every leg choice, every exact cover, every size, no shortcuts. */
function bruteForceBestProfit(sc: Scenario): number | null {
  const outcomes: Outcome[] = ['epl', 'mls'].includes(sc.sport) ? ['home', 'draw', 'away'] : ['home', 'away'];
  type Choice = { b: MarketBook; side: 'yes' | 'no'; levels: readonly BookLevel[] };
  const choices: Choice[] = sc.books.flatMap((b) => [
    { b, side: 'yes' as const, levels: b.yes_asks },
    { b, side: 'no' as const, levels: b.yes_bids },
  ]);
  const pays = (c: Choice, o: Outcome) => (c.side === 'yes' ? c.b.outcome === o : c.b.outcome !== o);
  const subsets: Choice[][] = [];
  for (let i = 0; i < choices.length; i++)
    for (let j = i + 1; j < choices.length; j++) {
      subsets.push([choices[i]!, choices[j]!]);
      for (let k = j + 1; k < choices.length; k++) subsets.push([choices[i]!, choices[j]!, choices[k]!]);
    }
  const a = sc.options.arbitrage;
  let best: number | null = null;
  for (const set of subsets) {
    if (new Set(set.map((c) => c.b.market_id + c.b.venue)).size !== set.length) continue;
    if (!outcomes.every((o) => set.filter((c) => pays(c, o)).length === 1)) continue;
    if (!a.allowSameVenue && new Set(set.map((c) => c.b.venue)).size < 2) continue;
    const depth = Math.min(...set.map((c) => Math.floor(c.levels.reduce((t, [, s]) => t + s, 0))));
    for (let n = 1; n <= Math.min(depth, a.maxContracts); n++) {
      let profit = n * 10_000;
      for (const c of set) {
        let cum = 0;
        let price = 0;
        for (const [p, s] of c.levels) {
          cum += s;
          price = p;
          if (Math.floor(cum) >= n) break;
        }
        profit -= n * sidePriceCc(c.side, price) + feeCc(sc.options.fees[c.b.venue], n, price);
      }
      if (profit >= a.minProfitCc && profit >= a.minEdgeCcPerContract * n && (best === null || profit > best)) best = profit;
    }
  }
  return best;
}

describe('arbitrage: invariants (fast-check)', () => {
  it('every emitted arbitrage pays $1 in every outcome and is profitable after both venues fees at its size and limits', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        const result = detectArbitrage({ game: { game_id: 'g1', sport: sc.sport }, books: sc.books }, fixedContext(), sc.options);
        expect(result.issues).toEqual([]);
        if (result.signal === null) return;
        const { signal } = result.signal;
        TradeSignalSchema.parse(signal);
        const n = signal.legs[0]!.contracts;
        expect(Number.isInteger(n) && n >= 1 && n <= sc.options.arbitrage.maxContracts).toBe(true);
        expect(signal.legs.every((l) => l.contracts === n && l.action === 'buy')).toBe(true);
        if (!sc.options.arbitrage.allowSameVenue) expect(new Set(signal.legs.map((l) => l.venue)).size).toBe(2);

        const outcomes: Outcome[] = ['epl', 'mls'].includes(sc.sport) ? ['home', 'draw', 'away'] : ['home', 'away'];
        for (const o of outcomes) {
          const payers = signal.legs.filter((l) => {
            const { market } = levelsOf(sc.books, l);
            return l.side === 'yes' ? market.outcome === o : market.outcome !== o;
          });
          expect(payers).toHaveLength(1);
        }

        let cost = 0;
        let fees = 0;
        for (const leg of signal.legs) {
          const { levels, side } = levelsOf(sc.books, leg);
          const limitCc = Math.round(leg.yes_price * 10_000);
          // The limit is a price on the book, the leg fits in the depth at or better than it,
          // and it is the worst level needed (the depth strictly better does not cover the size).
          expect(levels.some(([p]) => Math.round(p * 10_000) === limitCc)).toBe(true);
          expect(depthAtOrBetter(levels, limitCc, side)).toBeGreaterThanOrEqual(n);
          expect(depthBetter(levels, limitCc, side)).toBeLessThan(n);
          expect(leg.fee_cc).toBe(feeCc(sc.options.fees[leg.venue], n, leg.yes_price));
          cost += n * sidePriceCc(leg.side, leg.yes_price);
          fees += leg.fee_cc;
        }
        const profit = n * 10_000 - cost - fees;
        expect(profit).toBe(result.signal.expectedProfitCc);
        expect(profit).toBeGreaterThan(0);
        expect(profit).toBeGreaterThanOrEqual(sc.options.arbitrage.minProfitCc);
        expect(profit).toBeGreaterThanOrEqual(sc.options.arbitrage.minEdgeCcPerContract * n);
        expect(signal.net_edge).toBe(profit / n / 10_000);
        expect(signal.expires_ts).toBe(signal.created_ts + sc.options.arbitrage.ttlUs);
      }),
      { numRuns: 400 },
    );
  });

  it('finds the most profitable combination and size (brute-force oracle), and misses none', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        const result = detectArbitrage({ game: { game_id: 'g1', sport: sc.sport }, books: sc.books }, fixedContext(), sc.options);
        expect(result.signal?.expectedProfitCc ?? null).toBe(bruteForceBestProfit(sc));
      }),
      { numRuns: 150 },
    );
  });

  it('finds arbitrage often enough in the random scenarios for the invariants to mean something', () => {
    const samples = fc.sample(scenario, { numRuns: 400, seed: 7 });
    const found = samples.filter(
      (sc) => detectArbitrage({ game: { game_id: 'g1', sport: sc.sport }, books: sc.books }, fixedContext(), sc.options).signal !== null,
    ).length;
    expect(found).toBeGreaterThan(20);
  });
});
