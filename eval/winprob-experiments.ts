/**
 * Scratch experiments for issue 14's open targets (run: node dist/eval/winprob-experiments.js nfl|nhl).
 * Each variant is cross-validated exactly like the shipped specs (grouped folds, never fitted on
 * the held-out group) and printed beside the shipped spec's out-of-fold scores and tail bins.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crossValidate, fitParams, groupFolds, type FitSpec } from './cross-validation.js';
import { loadNflPlays, loadNhlEvents, type RealState } from './real-data.js';
import { scoresOf, tailBins } from './winprob-cv.js';
import { NFL_SPEC, NHL_POISSON_BASELINE, NHL_SPEC, nhlConstantsOf, nhlFitOf } from './winprob-fit-specs.js';
import { hockeyHomeWin } from '../src/core/win-probability/hockey.js';
import type { HockeyConstants } from '../src/core/win-probability/constants.js';

/** Probabilists' Gauss-Hermite nodes and weights for N(0, 1). */
const GH = [
  [-2.856970013872806, 0.011257411327720691],
  [-1.355626179974266, 0.22207592200561264],
  [0, 0.5333333333333333],
  [1.355626179974266, 0.22207592200561264],
  [2.856970013872806, 0.011257411327720691],
] as const;

const here = dirname(fileURLToPath(import.meta.url));
const root = [resolve(here, '..'), resolve(here, '../..')].find((p) => existsSync(resolve(p, 'package.json')))!;
const dataDir = resolve(process.env['EVAL_DATA_DIR'] ?? resolve(root, '../shared/data'));

const logit = (p: number) => {
  const q = Math.min(1 - 1e-9, Math.max(1e-9, p));
  return Math.log(q / (1 - q));
};
const sigm = (z: number) => 1 / (1 + Math.exp(-z));

function nflShareLeft(s: RealState): number {
  const q = Math.max(1, Math.floor(s.input.period));
  if (q > 4) return 0;
  return Math.max(0, ((4 - q) * 900 + Math.min(900, Math.max(0, s.input.clockS))) / 3600);
}

/** Extends a base spec with extra post-transform parameters. */
function extend<T extends RealState>(base: FitSpec<T>, extra: { names: string[]; x0: number[]; steps: number[]; transform: (p: number, s: T, e: number[]) => number; penalty?: (e: number[]) => number }): FitSpec<T> {
  const n = base.names.length;
  return {
    ...base,
    names: [...base.names, ...extra.names],
    x0: [...base.x0, ...extra.x0],
    steps: [...base.steps, ...extra.steps],
    maxEvals: base.maxEvals + Number(process.env['EXTRA_EVALS'] ?? 150) * extra.names.length,
    model(x) {
      const m = base.model(x.slice(0, n));
      const e = x.slice(n);
      return (s) => extra.transform(m(s), s, e);
    },
    penalty: (x) => (base.penalty?.(x.slice(0, n)) ?? 0) + (extra.penalty?.(x.slice(n)) ?? 0),
  };
}

function report<T extends RealState>(name: string, spec: FitSpec<T>, states: T[]): void {
  const t0 = Date.now();
  const cv = crossValidate(spec, states);
  const sc = scoresOf(states, cv.oof);
  const tails = tailBins(states, cv.oof)
    .map((b) => `${b.label}: n ${b.n} off ${((b.observed - b.meanPredicted) * 100).toFixed(1)}`)
    .join('; ');
  const folds = cv.folds.map((f) => `${f.name}:[${f.params.map((v) => v.toFixed(3)).join(',')}]`).join(' ');
  process.stdout.write(`${name}: Brier ${sc.brier.toFixed(4)} logloss ${sc.logLoss.toFixed(4)} | ${tails} | ${((Date.now() - t0) / 1000).toFixed(0)} s\n   ${folds}\n`);
}

const which = process.argv[2] ?? 'nfl';
const only = process.argv[3];
if (which === 'nfl') {
  const { states } = loadNflPlays(resolve(dataDir, 'nfl-postseason-2009-2014.csv'));
  const variants: Record<string, FitSpec<RealState>> = {
    base: NFL_SPEC,
    // Constant intercept on the log-odds (home tilt that does not fade with the clock).
    intercept: extend(NFL_SPEC, { names: ['b'], x0: [0], steps: [0.3], transform: (p, _s, [b]) => sigm(logit(p) + b!) }),
    // Intercept fading with the share of the game left (converges at the end).
    interceptF: extend(NFL_SPEC, { names: ['b'], x0: [0], steps: [0.3], transform: (p, s, [b]) => sigm(logit(p) + b! * nflShareLeft(s)) }),
    // Separate slopes on the log-odds by which side the model favours (continuous at 1/2, monotone).
    sideSlopes: extend(NFL_SPEC, {
      names: ['aHome', 'aAway'],
      x0: [0, 0],
      steps: [0.2, 0.2],
      transform: (p, _s, [ah, aa]) => {
        const z = logit(p);
        return sigm(z * Math.exp(z > 0 ? ah! : aa!));
      },
    }),
    // Beta calibration: logit p' = a ln p - b ln(1 - p) + c.
    beta: extend(NFL_SPEC, {
      names: ['la', 'lb', 'c'],
      x0: [0, 0, 0],
      steps: [0.2, 0.2, 0.3],
      transform: (p, _s, [la, lb, c]) => {
        const q = Math.min(1 - 1e-9, Math.max(1e-9, p));
        return sigm(Math.exp(la!) * Math.log(q) - Math.exp(lb!) * Math.log(1 - q) + c!);
      },
    }),
  };
  variants['homeSlope'] = extend(NFL_SPEC, {
    names: ['aHome'],
    x0: [0],
    steps: [0.2],
    transform: (p, _s, [ah]) => {
      const z = logit(p);
      return z > 0 ? sigm(z * Math.exp(ah!)) : p;
    },
  });
  for (const [name, spec] of Object.entries(variants)) if (!only || only.split(',').includes(name)) report(name, spec, states);
  if (process.env['TAIL_GAMES']) tailGames(states, crossValidate(NFL_SPEC, states).oof);
} else {
  const { states } = loadNhlEvents(resolve(dataDir, 'nhl-2022-23-partial.csv.gz'));
  const variants: Record<string, FitSpec<RealState>> = {
    poisson: NHL_POISSON_BASELINE,
    base: NHL_SPEC,
    mix: nhlMixture(true, false),
    scoreEff: nhlMixture(false, true),
    both: nhlMixture(true, true),
    pace: nhlPace(),
  };
  for (const [name, spec] of Object.entries(variants)) if (!only || only.split(',').includes(name)) report(name, spec, states);
  if (process.env['NO_SHOTS']) {
    // As live today (the feed carries no shots): fitted with the shots, predicted without them.
    const oof = new Float64Array(states.length);
    for (const fold of groupFolds(states)) {
      const model = NHL_SPEC.model(fitParams(NHL_SPEC, fold.train.map((i) => states[i]!)));
      for (const i of fold.test) {
        const s = states[i]!;
        oof[i] = model({ ...s, input: { ...s.input, hockey: { ...s.input.hockey, homeShots: null, awayShots: null } } });
      }
    }
    const sc = scoresOf(states, oof);
    process.stdout.write(`fitted with shots, predicted without: Brier ${sc.brier.toFixed(4)} logloss ${sc.logLoss.toFixed(4)}\n`);
  }
}

/**
 * NHL with an unknown strength s ~ N(homeEdge, sd^2) updated by the goals seen so far (causal:
 * the score and the time played are in the state), and/or a score effect: the trailing side's
 * log rate ratio rises by kappa while it trails.
 */
function nhlMixture(mix: boolean, scoreEffect: boolean): FitSpec<RealState> {
  const n = NHL_SPEC.names.length;
  const names = [...NHL_SPEC.names, ...(mix ? ['strengthSd'] : []), ...(scoreEffect ? ['kappa'] : [])];
  return {
    ...NHL_SPEC,
    names,
    x0: [...NHL_SPEC.x0, ...(mix ? [Math.log(0.3)] : []), ...(scoreEffect ? [0] : [])],
    steps: [...NHL_SPEC.steps, ...(mix ? [0.5] : []), ...(scoreEffect ? [0.1] : [])],
    maxEvals: 550,
    thin: 6,
    penalty: (x) => NHL_SPEC.penalty!(x.slice(0, n)),
    model(x) {
      const base = nhlConstantsOf(nhlFitOf(x.slice(0, n)));
      const sd = mix ? Math.exp(x[n]!) : 0;
      const kappa = scoreEffect ? x[n + (mix ? 1 : 0)]! : 0;
      const rate = base.goalsPer60 / 3600;
      const nodes = mix ? GH : ([[0, 1]] as const);
      const consts = new Map<number, HockeyConstants>();
      const at = (s: number) => {
        const key = Math.round(s * 1e6);
        let c = consts.get(key);
        if (!c) consts.set(key, (c = { ...base, homeEdge: s }));
        return c;
      };
      return (st) => {
        const lead = st.input.homeScore - st.input.awayScore;
        const tilt = kappa * -Math.sign(lead);
        const period = Math.max(1, Math.floor(st.input.period));
        const playedS = period > 3 ? 3600 : (period - 1) * 1200 + (1200 - Math.min(1200, Math.max(0, st.input.clockS)));
        let wsum = 0;
        let psum = 0;
        for (const [z, w] of nodes) {
          const s = base.homeEdge + sd * z;
          const like = mix ? Math.exp((lead * s) / 2 - rate * playedS * 2 * (Math.cosh(s / 2) - Math.cosh(base.homeEdge / 2))) : 1;
          const weight = w * like;
          wsum += weight;
          psum += weight * hockeyHomeWin(st.input, at(Math.round((s + tilt) * 1e4) / 1e4));
        }
        return psum / wsum;
      };
    },
  };
}

/** Which games fill the tail bins, and how they ended (is a bin's miss a handful of games?). */
function tailGames(states: RealState[], p: Float64Array): void {
  for (const b of tailBins(states, p)) {
    const byGame = new Map<string, { n: number; y: number }>();
    states.forEach((s, i) => {
      if (p[i]! >= b.lo && p[i]! < b.hi) {
        const e = byGame.get(s.game) ?? { n: 0, y: s.y };
        e.n += 1;
        byGame.set(s.game, e);
      }
    });
    const list = [...byGame.entries()].sort((a, c) => c[1].n - a[1].n);
    const upset = list.filter(([, e]) => (b.lo < 0.5 ? e.y === 1 : e.y === 0));
    process.stdout.write(`${b.label}: ${list.length} games, ${b.n} plays; upsets: ${upset.map(([g, e]) => `${g} (${e.n})`).join(', ') || 'none'}\n`);
  }
}

/** NHL with the game's pace read from the shots so far: both rates x exp(pi * (shots - 60 * share played) / 10). */
function nhlPace(): FitSpec<RealState> {
  const n = NHL_SPEC.names.length;
  return {
    ...NHL_SPEC,
    names: [...NHL_SPEC.names, 'pace'],
    x0: [...NHL_SPEC.x0, 0],
    steps: [...NHL_SPEC.steps, 0.2],
    maxEvals: 750,
    penalty: (x) => NHL_SPEC.penalty!(x.slice(0, n)),
    model(x) {
      const base = nhlConstantsOf(nhlFitOf(x.slice(0, n)));
      const pace = x[n]!;
      const consts = new Map<number, HockeyConstants>();
      return (st) => {
        const period = Math.max(1, Math.floor(st.input.period));
        const played = period > 3 ? 1 : ((period - 1) * 1200 + (1200 - Math.min(1200, Math.max(0, st.input.clockS)))) / 3600;
        const total = (st.input.hockey?.homeShots ?? 0) + (st.input.hockey?.awayShots ?? 0);
        const m = Math.round(Math.exp((pace * (total - 60 * played)) / 10) * 1e3) / 1e3;
        let c = consts.get(m);
        if (!c) consts.set(m, (c = { ...base, goalsPer60: base.goalsPer60 * m }));
        return hockeyHomeWin(st.input, c);
      };
    },
  };
}
