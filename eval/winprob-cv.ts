/**
 * The cross-validated fits on real games, shared by `npm run fit:winprob` (which writes the
 * full-data fit into src/core/win-probability/fitted-constants.ts) and `npm run eval:winprob`
 * (which prints the out-of-fold scores beside the published and reference probabilities).
 *
 * NFL: leave one season out (2009-2014, six folds). NHL: five blocks of consecutive games.
 * Every state of a held-out fold is predicted by parameters fitted without that fold.
 */
import { bootstrapGames, crossValidate, fitParams, logLossOf, type CvResult, type FitSpec, type Interval } from './cross-validation.js';
import { loadNflPlays, loadNhlEvents, type NflPlay, type RealState } from './real-data.js';
import { NFL_SPEC, NHL_POISSON_BASELINE, NHL_SPEC } from './winprob-fit-specs.js';

export interface ModelColumn {
  name: string;
  /** Probability of each state (same order as the states). */
  p: Float64Array;
  /** How the column was made, for the table's reader. */
  kind: 'out-of-fold' | 'in-sample' | 'published' | 'fixed';
}

export interface SportCv<T extends RealState> {
  name: string;
  states: T[];
  games: number;
  notes: string[];
  spec: FitSpec<T>;
  cv: CvResult;
  /** Parameters fitted on every state (what fitted-constants.ts ships). */
  fullParams: number[];
  columns: ModelColumn[];
}

const column = <T>(name: string, kind: ModelColumn['kind'], states: readonly T[], f: (s: T, i: number) => number): ModelColumn => ({
  name,
  kind,
  p: Float64Array.from(states, f),
});

export const ARBEES_OOF = 'arbees, fitted (out of fold)';

export function runNflCv(path: string, handSet: (s: NflPlay) => number): SportCv<NflPlay> {
  const data = loadNflPlays(path);
  const cv = crossValidate(NFL_SPEC, data.states);
  const fullParams = fitParams(NFL_SPEC, data.states);
  const full = NFL_SPEC.model(fullParams);
  const columns = [
    column(ARBEES_OOF, 'out-of-fold', data.states, (_, i) => cv.oof[i]!),
    column('arbees, fitted on all seasons (in sample)', 'in-sample', data.states, full),
    column('arbees, hand-set constants (before the fit)', 'fixed', data.states, handSet),
    column('nflscrapR home_wp (published)', 'published', data.states, (s) => s.homeWp),
    column('reference (as deployed, no prior)', 'fixed', data.states, (s) => s.reference),
    column('reference + its blend (prior = nflscrapR kickoff)', 'fixed', data.states, (s) => s.referenceBlend),
  ];
  return { name: 'NFL postseason 2009-2014', ...data, spec: NFL_SPEC, cv, fullParams, columns };
}

export function runNhlCv(path: string, handSet: (s: RealState) => number): SportCv<RealState> {
  const data = loadNhlEvents(path);
  const cv = crossValidate(NHL_SPEC, data.states);
  const fullParams = fitParams(NHL_SPEC, data.states);
  const full = NHL_SPEC.model(fullParams);
  const poisson = crossValidate(NHL_POISSON_BASELINE, data.states);
  const columns = [
    column(ARBEES_OOF, 'out-of-fold', data.states, (_, i) => cv.oof[i]!),
    column('arbees, fitted on all games (in sample)', 'in-sample', data.states, full),
    column('arbees, hand-set constants (before the fit)', 'fixed', data.states, handSet),
    column('reference (as deployed, no prior)', 'fixed', data.states, (s) => s.reference),
    column('baseline: plain Poisson score/time (rate fitted out of fold)', 'out-of-fold', data.states, (_, i) => poisson.oof[i]!),
    column('baseline: 0.5', 'fixed', data.states, () => 0.5),
    column('baseline: leader wins (0.5 +- 0.25 per goal, clamped)', 'fixed', data.states, (s) =>
      Math.min(0.95, Math.max(0.05, 0.5 + 0.25 * (s.input.homeScore - s.input.awayScore))),
    ),
  ];
  return { name: 'NHL 2022-23 (partial)', ...data, spec: NHL_SPEC, cv, fullParams, columns };
}

export interface PairScores {
  brier: number;
  logLoss: number;
}

/** Brier and log loss of a column over a subset of state indices (all when omitted). */
export function scoresOf(states: readonly RealState[], p: Float64Array, subset?: readonly number[]): PairScores {
  let brier = 0;
  let ll = 0;
  const idx = subset ?? states.map((_, i) => i);
  for (const i of idx) {
    brier += (p[i]! - states[i]!.y) ** 2;
    ll += logLossOf(p[i]!, states[i]!.y);
  }
  return { brier: brier / Math.max(1, idx.length), logLoss: ll / Math.max(1, idx.length) };
}

/** 95 % bootstrap intervals over games of (a - b) for Brier and log loss. */
export function bootstrapDiff(states: readonly RealState[], a: Float64Array, b: Float64Array): { brier: Interval; logLoss: Interval } {
  const games = states.map((s) => s.game);
  const db = Float64Array.from(states, (s, i) => (a[i]! - s.y) ** 2 - (b[i]! - s.y) ** 2);
  const dl = Float64Array.from(states, (s, i) => logLossOf(a[i]!, s.y) - logLossOf(b[i]!, s.y));
  return { brier: bootstrapGames(games, db), logLoss: bootstrapGames(games, dl) };
}

export interface TailBin {
  label: string;
  lo: number;
  hi: number;
  n: number;
  meanPredicted: number;
  observed: number;
}

/** The tails the issue asks for: < 5 %, 5-10 %, 90-95 %, > 95 %. */
export const TAIL_EDGES: readonly [string, number, number][] = [
  ['< 5 %', 0, 0.05],
  ['5-10 %', 0.05, 0.1],
  ['90-95 %', 0.9, 0.95],
  ['> 95 %', 0.95, 1.0000001],
];

export function tailBins(states: readonly RealState[], p: Float64Array): TailBin[] {
  return TAIL_EDGES.map(([label, lo, hi]) => {
    let n = 0;
    let sp = 0;
    let sy = 0;
    states.forEach((s, i) => {
      const q = p[i]!;
      if (q >= lo && q < hi) {
        n += 1;
        sp += q;
        sy += s.y;
      }
    });
    return { label, lo, hi, n, meanPredicted: n > 0 ? sp / n : NaN, observed: n > 0 ? sy / n : NaN };
  });
}

/** Tail bins with at least `minN` states whose observed rate is off by more than `maxOffPp` points. */
export function tailMisses(bins: readonly TailBin[], minN = 200, maxOffPp = 3): TailBin[] {
  return bins.filter((b) => b.n >= minN && Math.abs(b.observed - b.meanPredicted) * 100 > maxOffPp);
}

export interface TailEvidence {
  label: string;
  /** Games with at least one state in the bin, and those of them the favoured side lost. */
  games: number;
  upsetGames: number;
  /** 95 % interval of the bin's "off" (observed minus mean predicted), resampling whole games. */
  off: Interval;
}

/**
 * How much a tail bin's miss can tell: its plays come from a few games that share one outcome
 * each, so the bin's "off" is resampled by game (2,000 resamples, seeded).
 */
export function tailEvidence(states: readonly RealState[], p: Float64Array, resamples = 2000, seed = 14): TailEvidence[] {
  return TAIL_EDGES.map(([label, lo, hi]) => {
    const games: string[] = [];
    const resid: number[] = [];
    const outcome = new Map<string, 0 | 1>();
    states.forEach((s, i) => {
      const q = p[i]!;
      if (!(q >= lo && q < hi)) return;
      games.push(s.game);
      resid.push(s.y - q);
      outcome.set(s.game, s.y);
    });
    const favouredLost = (y: 0 | 1) => (hi <= 0.5 ? y === 1 : y === 0);
    const off = games.length > 0 ? bootstrapGames(games, Float64Array.from(resid), resamples, seed) : { lo: NaN, hi: NaN };
    return { label, games: outcome.size, upsetGames: [...outcome.values()].filter(favouredLost).length, off };
  });
}
