/**
 * The win-probability fit (issue 14): the fitted constants keep the models' shape (monotone in
 * the lead, symmetric, bounded, converging at the end), the calibration layer is monotone and
 * symmetric and round-trips a prior, and the cross-validation never lets a season (or game
 * block) into its own fit.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calibrate, rawTarget, tailCap } from '../src/core/win-probability/calibration.js';
import { NFL_POSTSEASON, NHL, PROB_FLOOR } from '../src/core/win-probability/constants.js';
import { FIT_LOGIT_SD, NFL_FIT, NHL_FIT } from '../src/core/win-probability/fitted-constants.js';
import { homeWinProbability, modelProbSd, type WinProbInput } from '../src/core/win-probability/index.js';
import { bootstrapGames, crossValidate, groupFolds, type FitSpec, type Grouped } from '../eval/cross-validation.js';
import { nelderMead } from '../eval/nelder-mead.js';
import { loadNflPlays, type RealState } from '../eval/real-data.js';
import { tailBins, tailEvidence } from '../eval/winprob-cv.js';

const nflState = (over: Partial<WinProbInput> = {}): WinProbInput => ({
  sport: 'nfl',
  status: 'live',
  period: 3,
  clockS: 400,
  homeScore: 14,
  awayScore: 14,
  possession: 'home',
  postseason: true,
  football: { down: 1, distance: 10, yardsToGoal: 60 },
  ...over,
});
const nhlState = (over: Partial<WinProbInput> = {}): WinProbInput => ({
  sport: 'nhl',
  status: 'live',
  period: 2,
  clockS: 600,
  homeScore: 2,
  awayScore: 2,
  hockey: { homeSkaters: 5, awaySkaters: 5 },
  ...over,
});

describe('fitted constants: plausible values', () => {
  it('NFL: margin SD, home edge, expected-points scale and calibration inside sane ranges', () => {
    expect(NFL_FIT.sigma).toBeGreaterThan(10);
    expect(NFL_FIT.sigma).toBeLessThan(40);
    expect(NFL_FIT.homeEdge).toBeGreaterThanOrEqual(0);
    expect(NFL_FIT.homeEdge).toBeLessThan(10);
    expect(NFL_FIT.epScale).toBeGreaterThan(0.3);
    expect(NFL_FIT.epScale).toBeLessThan(1.5);
    for (const cal of [NFL_FIT.calibration, NHL_FIT.calibration]) {
      expect(cal.slopeStart).toBeGreaterThan(0);
      expect(cal.slopeEnd).toBeGreaterThan(0);
      expect(cal.tailCap).toBeGreaterThanOrEqual(0);
      expect(cal.tailCap).toBeLessThan(0.1);
    }
  });

  it('NHL: positive goal rate and manpower factors pointing the right way', () => {
    expect(NHL_FIT.goalsPer60).toBeGreaterThan(2);
    expect(NHL_FIT.goalsPer60).toBeLessThan(8);
    expect(NHL_FIT.powerPlayFactor).toBeGreaterThan(1);
    expect(NHL_FIT.shortHandedFactor).toBeLessThan(1);
    expect(NHL_FIT.extraAttackerFactor).toBeGreaterThan(1);
    expect(NHL_FIT.emptyNetFactor).toBeGreaterThan(1);
    expect(Math.abs(NHL_FIT.homeEdge)).toBeLessThan(0.5);
  });

  it('the models read the fitted values (one place)', () => {
    expect(NFL_POSTSEASON.sigma).toBe(NFL_FIT.sigma);
    expect(NFL_POSTSEASON.homeEdge).toBe(NFL_FIT.homeEdge);
    expect(NHL.goalsPer60).toBe(NHL_FIT.goalsPer60);
    expect(NHL.calibration).toBe(NHL_FIT.calibration);
  });
});

describe('fitted models: shape', () => {
  const leads = fc.integer({ min: -35, max: 35 });
  const clock = fc.integer({ min: 1, max: 900 });
  const period = fc.integer({ min: 1, max: 4 });

  it('NFL: never falls as the home lead grows, whatever the clock and field position', () => {
    fc.assert(
      fc.property(period, clock, leads, fc.integer({ min: 1, max: 99 }), fc.constantFrom<'home' | 'away'>('home', 'away'), (q, c, lead, y, pos) => {
        const at = (l: number) => homeWinProbability(nflState({ period: q, clockS: c, homeScore: 30 + l, awayScore: 30, possession: pos, football: { down: 1, distance: 10, yardsToGoal: y } }));
        expect(at(lead + 1)).toBeGreaterThanOrEqual(at(lead) - 1e-12);
      }),
      { numRuns: 400 },
    );
  });

  it('NHL: never falls as the home lead grows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 1200 }), fc.integer({ min: -6, max: 6 }), (q, c, lead) => {
        const at = (l: number) => homeWinProbability(nhlState({ period: q, clockS: c, homeScore: 8 + l, awayScore: 8 }));
        expect(at(lead + 1)).toBeGreaterThanOrEqual(at(lead) - 1e-12);
      }),
      { numRuns: 300 },
    );
  });

  it('NHL shots so far: more home shots never lower P(home), the edge stops at maxShotDiff, symmetric, ignored with a market prior', () => {
    const withShots = (h: number, a: number, over: Partial<WinProbInput> = {}) =>
      homeWinProbability(nhlState({ ...over, hockey: { homeSkaters: 5, awaySkaters: 5, homeShots: h, awayShots: a } }));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: -3, max: 3 }), (h, a, lead) => {
        const over = { homeScore: 3 + lead, awayScore: 3 };
        expect(withShots(h + 1, a, over)).toBeGreaterThanOrEqual(withShots(h, a, over) - 1e-12);
        // Monotone in the lead with the shots held.
        expect(homeWinProbability(nhlState({ homeScore: 4 + lead, awayScore: 3, hockey: { homeShots: h, awayShots: a } }))).toBeGreaterThanOrEqual(
          withShots(h, a, over) - 1e-12,
        );
        // Neutral site: swapping the sides' scores and shots gives 1 - p.
        const n = { neutralSite: true, homeScore: 3 + Math.sign(lead), awayScore: 3 };
        const m = { neutralSite: true, homeScore: 3, awayScore: 3 + Math.sign(lead) };
        expect(withShots(h, a, n)).toBeCloseTo(1 - withShots(a, h, m), 9);
      }),
      { numRuns: 200 },
    );
    expect(NHL_FIT.shotEdge).toBeGreaterThan(0);
    expect(withShots(30, 10)).toBeGreaterThan(withShots(10, 10));
    expect(withShots(10 + NHL.maxShotDiff + 10, 10)).toBe(withShots(10 + NHL.maxShotDiff, 10));
    // No shots from the feed (or nonsense) reads as no shot difference.
    expect(withShots(Number.NaN, 5)).toBe(homeWinProbability(nhlState()));
    expect(withShots(-3, 5)).toBe(homeWinProbability(nhlState()));
    // A market prior already carries the strength: the shots do not move it (fitted without a prior).
    expect(withShots(40, 10, { pregameHomeProb: 0.55 })).toBe(withShots(10, 10, { pregameHomeProb: 0.55 }));
    // The end still converges to the leader whatever the shots.
    expect(withShots(5, 45, { period: 3, clockS: 1, homeScore: 3, awayScore: 2 })).toBeGreaterThan(0.99);
  });

  it('symmetric at a neutral site: swapping the sides (score and ball) gives 1 - p', () => {
    fc.assert(
      fc.property(period, clock, leads, fc.integer({ min: 1, max: 99 }), (q, c, lead, y) => {
        const home = homeWinProbability(nflState({ neutralSite: true, period: q, clockS: c, homeScore: 30 + lead, awayScore: 30, possession: 'home', football: { down: 2, distance: 7, yardsToGoal: y } }));
        const away = homeWinProbability(nflState({ neutralSite: true, period: q, clockS: c, homeScore: 30, awayScore: 30 + lead, possession: 'away', football: { down: 2, distance: 7, yardsToGoal: y } }));
        expect(home).toBeCloseTo(1 - away, 9);
        const h = homeWinProbability(nhlState({ neutralSite: true, period: Math.min(q, 3), clockS: c, homeScore: 5 + Math.sign(lead), awayScore: 5 }));
        const a = homeWinProbability(nhlState({ neutralSite: true, period: Math.min(q, 3), clockS: c, homeScore: 5, awayScore: 5 + Math.sign(lead) }));
        expect(h).toBeCloseTo(1 - a, 9);
      }),
      { numRuns: 300 },
    );
  });

  it('bounded while live, and converging to the leader as the clock runs out', () => {
    for (const lead of [1, 3, 8, 21]) {
      let last = 0;
      for (const c of [600, 120, 30, 5, 1]) {
        const p = homeWinProbability(nflState({ period: 4, clockS: c, homeScore: 20 + lead, awayScore: 20, possession: 'away', football: { down: 1, distance: 10, yardsToGoal: 80 } }));
        expect(p).toBeGreaterThanOrEqual(PROB_FLOOR);
        expect(p).toBeLessThanOrEqual(1 - PROB_FLOOR);
        expect(p).toBeGreaterThanOrEqual(last - 1e-12);
        last = p;
      }
      // A one-point lead sits next to the half-point tie band of the margin model, so it
      // converges more slowly (0.95 with one second left and the opponent at its own 20).
      expect(last).toBeGreaterThan(lead === 1 ? 0.9 : 0.99);
    }
    const nhlEnd = homeWinProbability(nhlState({ period: 3, clockS: 1, homeScore: 3, awayScore: 2 }));
    expect(nhlEnd).toBeGreaterThan(0.99);
  });
});

describe('calibration layer', () => {
  const cal = { link: 'probit-logistic' as const, slopeStart: 1, slopeEnd: 1.3, tailCap: 0.04 };
  it('monotone in p, symmetric, capped by tailCap * sqrt(f), and uncapped at the end', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-9, max: 1 - 1e-9, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (p, f) => {
        const q = calibrate(p, f, cal);
        expect(q).toBeCloseTo(1 - calibrate(1 - p, f, cal), 9);
        expect(calibrate(Math.min(1 - 1e-9, p + 0.01), f, cal)).toBeGreaterThanOrEqual(q - 1e-12);
        expect(q).toBeGreaterThanOrEqual(tailCap(f, cal) - 1e-15);
      }),
      { numRuns: 500 },
    );
    expect(tailCap(0, cal)).toBe(0);
    expect(calibrate(1e-6, 0, cal)).toBeLessThan(1e-3);
  });

  it('rawTarget inverts the link at the start (a prior round-trips)', () => {
    for (const p of [0.1, 0.35, 0.5, 0.62, 0.9]) expect(calibrate(rawTarget(p, 1, cal), 1, cal)).toBeCloseTo(p, 7);
  });
});

describe('model uncertainty for the sizing', () => {
  it('is the fitted log-odds SD times p(1 - p), largest in the middle, 0 when decided', () => {
    expect(modelProbSd('nfl', 0.5)).toBeCloseTo(FIT_LOGIT_SD['nfl']! * 0.25, 12);
    expect(modelProbSd('nfl', 0.9)).toBeLessThan(modelProbSd('nfl', 0.5));
    expect(modelProbSd('nfl', 1)).toBe(0);
    // No real data for the NBA: the largest measured doubt.
    expect(modelProbSd('nba', 0.5)).toBeCloseTo(Math.max(...Object.values(FIT_LOGIT_SD)) * 0.25, 12);
  });
});

interface Toy extends Grouped {
  x: number;
}

describe('cross-validation never lets a group into its own fit', () => {
  it('groupFolds: one fold per group, the test fold is exactly that group, train holds none of it', () => {
    const states: Toy[] = [];
    for (const g of ['2009', '2010', '2011', '2012']) for (let k = 0; k < 5; k++) states.push({ game: `${g}-${k % 2}`, group: g, y: 1, x: k });
    const folds = groupFolds(states);
    expect(folds.map((f) => f.name)).toEqual(['2009', '2010', '2011', '2012']);
    for (const f of folds) {
      expect(f.test.every((i) => states[i]!.group === f.name)).toBe(true);
      expect(f.train.some((i) => states[i]!.group === f.name)).toBe(false);
      expect(f.train.length + f.test.length).toBe(states.length);
    }
    expect(folds.flatMap((f) => f.test).sort((a, b) => a - b)).toEqual(states.map((_, i) => i));
  });

  it('a held-out group is predicted from the other groups only (a leak would pull it toward its own outcomes)', () => {
    // Each group has its own win rate; a constant-probability model fitted on the training
    // folds predicts their pooled rate, so the out-of-fold value shows what the fit saw.
    const rates: Record<string, number> = { a: 0.9, b: 0.5, c: 0.2 };
    const states: Toy[] = [];
    for (const [g, r] of Object.entries(rates)) for (let k = 0; k < 100; k++) states.push({ game: `${g}${k}`, group: g, y: k < r * 100 ? 1 : 0, x: 0 });
    const spec: FitSpec<Toy> = {
      names: ['p'],
      x0: [0],
      steps: [0.5],
      maxEvals: 300,
      thin: 1,
      model: (x) => () => 1 / (1 + Math.exp(-x[0]!)),
    };
    const cv = crossValidate(spec, states);
    const oofOf = (g: string) => cv.oof[states.findIndex((s) => s.group === g)]!;
    expect(oofOf('a')).toBeCloseTo((0.5 + 0.2) / 2, 3);
    expect(oofOf('b')).toBeCloseTo((0.9 + 0.2) / 2, 3);
    expect(oofOf('c')).toBeCloseTo((0.9 + 0.5) / 2, 3);
    expect(cv.folds.map((f) => f.testStates)).toEqual([100, 100, 100]);
  });

  const nflPath = resolve(process.env['EVAL_DATA_DIR'] ?? resolve(import.meta.dirname, '../../shared/data'), 'nfl-postseason-2009-2014.csv');
  it.skipIf(!existsSync(nflPath))('on the real NFL plays: six season folds, no game of the held-out season in its training set', () => {
    const data = loadNflPlays(nflPath);
    const folds = groupFolds(data.states);
    expect(folds.map((f) => f.name)).toEqual(['2009', '2010', '2011', '2012', '2013', '2014']);
    for (const f of folds) {
      const testGames = new Set(f.test.map((i) => data.states[i]!.game));
      expect(f.train.some((i) => testGames.has(data.states[i]!.game) || data.states[i]!.group === f.name)).toBe(false);
      expect(testGames.size).toBe(11);
    }
  });
});

describe('fit tools', () => {
  it('Nelder-Mead finds the minimum of a shifted quadratic', () => {
    const r = nelderMead((x) => (x[0]! - 3) ** 2 + 2 * (x[1]! + 1) ** 2, [0, 0], [1, 1], 500, 1e-12);
    expect(r.x[0]).toBeCloseTo(3, 3);
    expect(r.x[1]).toBeCloseTo(-1, 3);
  });

  it('bootstrap over games is reproducible and brackets the mean difference', () => {
    const games = Array.from({ length: 400 }, (_, i) => `g${i % 40}`);
    const diff = Float64Array.from(games, (_, i) => ((i * 7919) % 13) / 13 - 0.3);
    const a = bootstrapGames(games, diff, 500, 3);
    const b = bootstrapGames(games, diff, 500, 3);
    expect(a).toEqual(b);
    const mean = diff.reduce((s, v) => s + v, 0) / diff.length;
    expect(a.lo).toBeLessThanOrEqual(mean);
    expect(a.hi).toBeGreaterThanOrEqual(mean);
  });
});

describe('tail evidence resampled by game', () => {
  const state = (game: string, y: 0 | 1): RealState => ({ game, group: 'g', y, reference: 0.5, input: nhlState() });
  it('counts the games in a bin and the upsets among them, and its interval holds the observed miss', () => {
    // Ten games with 20 states at 3 %: one of them (game u) won by the side under 5 %.
    const states: RealState[] = [];
    const p: number[] = [];
    for (let g = 0; g < 10; g++) for (let k = 0; k < 20; k++) (states.push(state(g === 0 ? 'u' : `g${g}`, g === 0 ? 1 : 0)), p.push(0.03));
    // One game at 92 % that the favourite won.
    for (let k = 0; k < 5; k++) (states.push(state('f', 1)), p.push(0.92));
    const probs = Float64Array.from(p);
    const ev = tailEvidence(states, probs);
    const low = ev.find((e) => e.label === '< 5 %')!;
    expect(low.games).toBe(10);
    expect(low.upsetGames).toBe(1);
    const bin = tailBins(states, probs).find((b) => b.label === '< 5 %')!;
    const off = bin.observed - bin.meanPredicted;
    expect(off).toBeCloseTo(0.07, 9);
    expect(low.off.lo).toBeLessThanOrEqual(off);
    expect(low.off.hi).toBeGreaterThanOrEqual(off);
    // Resampling games, a bin whose upsets are one game of ten can land with none of it.
    expect(low.off.lo).toBeLessThan(0);
    const high = ev.find((e) => e.label === '90-95 %')!;
    expect(high.games).toBe(1);
    expect(high.upsetGames).toBe(0);
    expect(high.off.lo).toBeCloseTo(0.08, 9);
    expect(ev.find((e) => e.label === '5-10 %')!.games).toBe(0);
  });
});
