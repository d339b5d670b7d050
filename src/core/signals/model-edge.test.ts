/**
 * Model edge: worked examples by hand (the cheaper venue winning at a worse price, a NO buy, the
 * stronger side only, soccer with and without a draw probability), the caps and the liquidity
 * floor, stale and garbage input, and a fast-check invariant with a brute-force oracle: the
 * emitted trade clears the threshold after the entry fee and the expected exit fee, recomputed
 * with the core fee function, and no other venue, side or size has a better net edge.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { feeCc, type FeeSchedule } from '../fees.js';
import { TradeSignalSchema } from '../messages.js';
import { sidePriceCc } from '../money.js';
import { modelProbSd } from '../win-probability/index.js';
import { detectModelEdge } from './model-edge.js';
import { resolveSignalOptions, type SignalOptions } from './signal-options.js';
import type { MarketBook } from './signal-input.js';
import { arbitraryLevels, book, depthAtOrBetter, depthBetter, fixedContext } from '../../../test/helpers/signal-books.js';

const NBA = { game_id: 'g-nba-2', sport: 'nba' as const };
const EPL = { game_id: 'g-epl-2', sport: 'epl' as const };

describe('model edge: worked examples', () => {
  it('picks Polymarket YES at 0.53 over Kalshi YES at 0.52: lower fees beat the better price', () => {
    // Model home 0.60. Entry and exit (at the model price, 0.60) fees are both charged.
    // Kalshi YES at 0.52 (30 deep, then 0.55): gross 800 cc/contract.
    //   n=30: entry ceil_cent(0.07*30*0.52*0.48 = $0.52416) = 5300; exit ceil_cent(0.07*30*0.6*0.4 = $0.504) = 5100;
    //   value 24000 - 10400 = 13600 cc = 453.3 cc/contract. Deeper at 0.55 nets ~157 cc/contract < 400: not taken.
    // Polymarket YES at 0.53 (500 deep): gross 700 cc/contract; capped at 500 contracts (default max).
    //   entry 0.03*500*0.53*0.47 = $3.7365 = 37365 cc; exit 0.03*500*0.24 = $3.60 = 36000 cc;
    //   value 350000 - 73365 = 276635 cc = 553.27 cc/contract: the better net edge.
    // NO buys: NO at 1 - 0.50 (Kalshi) or 1 - 0.51 (Poly) against a model NO of 0.40: negative.
    const ctx = fixedContext();
    const result = detectModelEdge(
      {
        game: NBA,
        model: { home: 0.6 },
        books: [
          book('kalshi', 'home', { asks: [[0.52, 30], [0.55, 100]], bids: [[0.5, 40]] }),
          book('poly', 'home', { asks: [[0.53, 500]], bids: [[0.51, 200]] }),
        ],
      },
      ctx,
    );
    expect(result.reason).toBe('emitted');
    const s = result.signal!;
    expect(TradeSignalSchema.parse(s.signal)).toEqual(s.signal);
    expect(s.signal.legs).toEqual([
      { venue: 'poly', market_id: 'P-home', team: 'BOS', side: 'yes', action: 'buy', yes_price: 0.53, contracts: 500, fee_cc: 37365 },
    ]);
    expect(s.expectedProfitCc).toBe(276635);
    expect(s.signal.net_edge).toBe(276635 / 500 / 10_000);
    expect(s.signal.gross_edge).toBe(0.07);
    expect(s.signal.model_prob).toBe(0.6);
    // The model's own doubt rides along for the sizing (NBA: no real-data fit, the largest measured).
    expect(s.signal.model_prob_sd).toBeCloseTo(modelProbSd('nba', 0.6), 12);
    expect(s.signal.model_prob_sd).toBeGreaterThan(0);
    expect(s.signal.kind).toBe('model_edge');
    expect(s.signal.confidence).toBeCloseTo(0.55327, 10);
    expect(s.signal.expires_ts).toBe(ctx.nowUs + 10_000_000);
    expect(s.highEdge).toBe(false);
    expect(s.debounceKey).toBe('g-nba-2:model:home');
  });

  it('buys NO at 1 - yes_bid when the model is below the market, and flags a high edge', () => {
    // Model home 0.30, Kalshi home bid 0.45 x100: NO costs 0.55, the model says NO is worth 0.70: gross 1500.
    // n=100: entry ceil_cent(0.07*100*0.45*0.55 = $1.7325) = 17400; exit at yes 0.30: ceil_cent($1.47) = 14700.
    // value 150000 - 32100 = 117900 cc = 0.1179 per contract >= 0.10: high edge.
    const result = detectModelEdge(
      { game: NBA, model: { home: 0.3 }, books: [book('kalshi', 'home', { bids: [[0.45, 100]], asks: [[0.47, 50]] })] },
      fixedContext(),
    );
    const s = result.signal!;
    expect(s.signal.legs).toEqual([
      { venue: 'kalshi', market_id: 'K-home', team: 'BOS', side: 'no', action: 'buy', yes_price: 0.45, contracts: 100, fee_cc: 17400 },
    ]);
    expect(s.expectedProfitCc).toBe(117900);
    expect(s.signal.net_edge).toBe(0.1179);
    expect(s.signal.model_prob).toBe(0.3);
    expect(s.highEdge).toBe(true);
    expect(s.signal.confidence).toBe(1);
    // NO home pays when away wins: the same side as YES away for debouncing.
    expect(s.debounceKey).toBe('g-nba-2:model:away');
  });

  it('backs only the stronger side of a game even when both sides look cheap', () => {
    // Model home 0.60. Kalshi YES home at 0.40 x50: entry ceil_cent(0.07*50*0.24 = $0.84) = 8400, exit the same:
    //   100000 - 16800 = 83200 (1664 cc/contract). Polymarket YES away at 0.30 x50 (model away 0.40):
    //   50000 - 3150 (0.03*50*0.21) - 3600 (0.03*50*0.24 at yes 0.40) = 43250 (865 cc/contract).
    const result = detectModelEdge(
      {
        game: NBA,
        model: { home: 0.6 },
        books: [book('kalshi', 'home', { asks: [[0.4, 50]] }), book('poly', 'away', { asks: [[0.3, 50]] })],
      },
      fixedContext(),
    );
    expect(result.signal!.signal.legs).toHaveLength(1);
    expect(result.signal!.signal.legs[0]!.market_id).toBe('K-home');
    expect(result.signal!.expectedProfitCc).toBe(83200);
  });

  it('soccer: the away market is priced only when the model gives a draw probability', () => {
    // Model home 0.50. Polymarket home ask 0.42 x100: gross 800; entry 0.03*100*0.42*0.58 = $0.7308 = 7308,
    //   exit 0.03*100*0.25 = 7500: 80000 - 14808 = 65192 (651.92 cc/contract).
    // Polymarket away ask 0.10 x100: unpriced without a draw probability. With draw 0.25, away = 0.25:
    //   gross 1500; entry 0.03*100*0.09 = 2700; exit 0.03*100*0.1875 = 5625: 150000 - 8325 = 141675.
    const books = [book('poly', 'home', { asks: [[0.42, 100]] }), book('poly', 'away', { asks: [[0.1, 100]] })];
    const noDraw = detectModelEdge({ game: EPL, model: { home: 0.5 }, books }, fixedContext());
    expect(noDraw.signal!.signal.legs[0]!.market_id).toBe('P-home');
    expect(noDraw.signal!.expectedProfitCc).toBe(65192);
    const withDraw = detectModelEdge({ game: EPL, model: { home: 0.5, draw: 0.25 }, books }, fixedContext());
    expect(withDraw.signal!.signal.legs[0]!.market_id).toBe('P-away');
    expect(withDraw.signal!.expectedProfitCc).toBe(141675);
    expect(withDraw.signal!.signal.model_prob).toBe(0.25);
  });
});

describe('model edge: caps, liquidity, staleness, garbage', () => {
  const ctx = fixedContext();

  it('does not trade an outcome whose model probability is beyond the caps, on either side', () => {
    const books = [book('kalshi', 'home', { asks: [[0.5, 100]], bids: [[0.49, 100]] }), book('poly', 'away', { asks: [[0.01, 100]] })];
    expect(detectModelEdge({ game: NBA, model: { home: 0.98 }, books }, ctx).reason).toBe('below_threshold');
    expect(detectModelEdge({ game: NBA, model: { home: 0.02 }, books }, ctx).reason).toBe('below_threshold');
    const wide = resolveSignalOptions({ model: { minModelProb: 0.01, maxModelProb: 0.99 } });
    expect(detectModelEdge({ game: NBA, model: { home: 0.98 }, books }, ctx, wide).signal!.signal.legs[0]!.market_id).toBe('K-home');
  });

  it('needs the minimum liquidity at prices that still clear the threshold', () => {
    const thin = [book('poly', 'home', { asks: [[0.4, 5], [0.7, 500]] })];
    expect(detectModelEdge({ game: NBA, model: { home: 0.6 }, books: thin }, ctx).reason).toBe('below_threshold');
    const deep = [book('poly', 'home', { asks: [[0.4, 5], [0.45, 20]] })];
    expect(detectModelEdge({ game: NBA, model: { home: 0.6 }, books: deep }, ctx).signal!.signal.legs[0]!.contracts).toBe(25);
  });

  it('ignores stale books, respects the enable flag', () => {
    const books = [book('poly', 'home', { asks: [[0.4, 50]], stale: true })];
    expect(detectModelEdge({ game: NBA, model: { home: 0.6 }, books }, ctx).reason).toBe('all_books_stale');
    const off = resolveSignalOptions({ model: { enabled: false } });
    expect(detectModelEdge({ game: NBA, model: { home: 0.6 }, books: [] }, ctx, off).reason).toBe('disabled');
  });

  it('rejects garbage model probabilities with an ARB_SIGNAL_INPUT issue', () => {
    for (const model of [{ home: Number.NaN }, { home: 1.5 }, { home: 0.6, draw: 0.5 }, { home: '0.6' }, null]) {
      const result = detectModelEdge({ game: EPL, model: model as never, books: [] }, ctx);
      expect(result.reason).toBe('invalid_input');
      expect(result.issues[0]!.code).toBe('ARB_SIGNAL_INPUT');
    }
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), (game, model, books) => {
        const result = detectModelEdge({ game, model, books } as never, ctx);
        expect(['emitted', 'invalid_input', 'no_books', 'below_threshold', 'all_books_stale']).toContain(result.reason);
      }),
      { numRuns: 300 },
    );
  });
});

// ---- invariant with an oracle ----------------------------------------------------------------

interface Scenario {
  home: number;
  books: MarketBook[];
  options: Readonly<SignalOptions>;
}

const feeRule = fc.record({
  takerRateBp: fc.integer({ min: 0, max: 1500 }),
  makerRateBp: fc.constant(0),
  roundingCc: fc.constantFrom(1, 100),
});

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    home: fc.integer({ min: 0, max: 10_000 }).map((x) => x / 10_000),
    kalshi: feeRule,
    poly: feeRule,
    minNetEdgeCc: fc.integer({ min: 1, max: 1500 }),
    minLiquidityContracts: fc.integer({ min: 1, max: 30 }),
    extra: fc.integer({ min: 0, max: 600 }),
    levels: fc.array(arbitraryLevels(false), { minLength: 4, maxLength: 4 }),
  })
  .map((s) => {
    const books = [
      book('kalshi', 'home', s.levels[0]),
      book('kalshi', 'away', s.levels[1]),
      book('poly', 'home', s.levels[2]),
      book('poly', 'away', s.levels[3]),
    ];
    const fees: FeeSchedule = { kalshi: s.kalshi, poly: s.poly };
    const options = resolveSignalOptions({
      fees,
      model: { minNetEdgeCc: s.minNetEdgeCc, minLiquidityContracts: s.minLiquidityContracts, maxContracts: s.minLiquidityContracts + s.extra },
    });
    return { home: s.home, books, options };
  });

/**
 * Oracle: each (book, side) is sized at its largest total value that clears the rules (smallest
 * size on ties); the signal is the candidate with the best value per contract. [valueCc, contracts].
 */
function oracle(sc: Scenario): [number, number] | null {
  const m = sc.options.model;
  let best: [number, number] | null = null;
  for (const b of sc.books) {
    const p = b.outcome === 'home' ? sc.home : 1 - sc.home;
    if (p < m.minModelProb || p > m.maxModelProb) continue;
    const pCc = Math.round(p * 10_000);
    for (const side of ['yes', 'no'] as const) {
      const levels = side === 'yes' ? b.yes_asks : b.yes_bids;
      const sideCc = side === 'yes' ? pCc : 10_000 - pCc;
      const depth = Math.floor(levels.reduce((t, [, s]) => t + s, 0));
      let sized: [number, number] | null = null;
      for (let n = m.minLiquidityContracts; n <= Math.min(depth, m.maxContracts); n++) {
        let cum = 0;
        let price = 0;
        for (const [lp, s] of levels) {
          cum += s;
          price = lp;
          if (Math.floor(cum) >= n) break;
        }
        const rule = sc.options.fees[b.venue];
        const value = n * (sideCc - sidePriceCc(side, price)) - feeCc(rule, n, price) - feeCc(rule, n, pCc / 10_000);
        if (value < m.minNetEdgeCc * n || value < 1) continue;
        if (sized === null || value > sized[0]) sized = [value, n];
      }
      if (sized !== null && (best === null || sized[0] * best[1] > best[0] * sized[1])) best = sized;
    }
  }
  return best;
}

describe('model edge: invariants (fast-check)', () => {
  it('clears the threshold after entry and expected exit fees at its size, fits the book, and is the best net edge', () => {
    let emitted = 0;
    fc.assert(
      fc.property(scenario, (sc) => {
        const result = detectModelEdge({ game: NBA, model: { home: sc.home }, books: sc.books }, fixedContext(), sc.options);
        const best = oracle(sc);
        if (result.signal === null) {
          expect(best).toBeNull();
          return;
        }
        emitted += 1;
        const { signal } = result.signal;
        TradeSignalSchema.parse(signal);
        expect(signal.legs).toHaveLength(1);
        const leg = signal.legs[0]!;
        const b = sc.books.find((x) => x.market_id === leg.market_id && x.venue === leg.venue)!;
        const p = b.outcome === 'home' ? sc.home : 1 - sc.home;
        expect(signal.model_prob).toBe(p);
        const n = leg.contracts;
        const m = sc.options.model;
        expect(n).toBeGreaterThanOrEqual(m.minLiquidityContracts);
        expect(n).toBeLessThanOrEqual(m.maxContracts);
        const levels = leg.side === 'yes' ? b.yes_asks : b.yes_bids;
        const limitCc = Math.round(leg.yes_price * 10_000);
        expect(levels.some(([lp]) => Math.round(lp * 10_000) === limitCc)).toBe(true);
        expect(depthAtOrBetter(levels, limitCc, leg.side === 'yes' ? 'asks' : 'bids')).toBeGreaterThanOrEqual(n);
        expect(depthBetter(levels, limitCc, leg.side === 'yes' ? 'asks' : 'bids')).toBeLessThan(n);
        const rule = sc.options.fees[leg.venue];
        expect(leg.fee_cc).toBe(feeCc(rule, n, leg.yes_price));
        const pCc = Math.round(p * 10_000);
        const sideCc = leg.side === 'yes' ? pCc : 10_000 - pCc;
        const value = n * (sideCc - sidePriceCc(leg.side, leg.yes_price)) - leg.fee_cc - feeCc(rule, n, pCc / 10_000);
        expect(value).toBe(result.signal.expectedProfitCc);
        expect(value).toBeGreaterThanOrEqual(m.minNetEdgeCc * n);
        expect(best).not.toBeNull();
        expect(value * best![1]).toBe(best![0] * n);
      }),
      { numRuns: 300 },
    );
    expect(emitted).toBeGreaterThan(10);
  });
});
