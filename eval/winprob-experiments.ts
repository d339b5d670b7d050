/**
 * Scratch experiments for issue 14's open targets (run: node dist/eval/winprob-experiments.js nfl|nhl).
 * Each variant is cross-validated exactly like the shipped specs (grouped folds, never fitted on
 * the held-out group) and printed beside the shipped spec's out-of-fold scores and tail bins.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crossValidate, fitParams, groupFolds, type FitSpec } from './cross-validation.js';
import { loadNflPlays, loadNhlEvents, type NflPlay, type RealState } from './real-data.js';
import { scoresOf, TAIL_EDGES, tailBins } from './winprob-cv.js';
import { NFL_SPEC, NHL_POISSON_BASELINE, NHL_SPEC, nflConstantsOf, nflFitOf, nhlConstantsOf, nhlFitOf } from './winprob-fit-specs.js';
import { footballHomeWin } from '../src/core/win-probability/football.js';
import { hockeyHomeWin } from '../src/core/win-probability/hockey.js';
import type { HockeyConstants, MarginSportConstants } from '../src/core/win-probability/constants.js';

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
  const foldScores = groupFolds(states).map((f) => {
    const fs = scoresOf(states, cv.oof, f.test);
    return `${f.name} ${fs.brier.toFixed(4)}/${fs.logLoss.toFixed(4)}`;
  });
  const folds = cv.folds.map((f) => `${f.name}:[${f.params.map((v) => v.toFixed(3)).join(',')}]`).join(' ') + `\n   out of fold Brier/log loss: ${foldScores.join('; ')}`;
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
  // Symmetric Platt slope on the calibrated log-odds, free at the start and at the end (linear in f).
  variants['platt2'] = extend(NFL_SPEC, {
    names: ['aStart', 'aEnd'],
    x0: [0, 0],
    steps: [0.2, 0.2],
    transform: (p, s, [a0, a1]) => {
      const f = nflShareLeft(s);
      return sigm(logit(p) * Math.exp(a1! + (a0! - a1!) * f));
    },
  });
  // Margin volatility by game phase: sd = sigma * f^(1/2 + beta) (beta < 0: the late game swings more than a Brownian margin says).
  variants['sigmaPhase'] = nflSigmaPhase();
  // A data-fitted floor: shrink toward 1/2 in probability, p' = (1 - e) p + e / 2, e = eps * (share left)^k.
  variants['mix'] = extend(NFL_SPEC, {
    names: ['eps', 'k'],
    x0: [-4, 0],
    steps: [1, 0.5],
    transform: (p, s, [le, k]) => {
      const f = nflShareLeft(s);
      const e = f > 0 ? Math.exp(le!) * Math.pow(f, Math.exp(k!)) : 0;
      return (1 - e) * p + e / 2;
    },
  });
  // Confidence shrunk where the lead is small against the time left: slope on the log-odds
  // 1 / (1 + c * exp(-|lead| / (7 sqrt(f) + 1))), symmetric in home/away.
  variants['smallLead'] = extend(NFL_SPEC, {
    names: ['c'],
    x0: [-2],
    steps: [1],
    transform: (p, s, [lc]) => {
      const f = nflShareLeft(s);
      const lead = Math.abs(s.input.homeScore - s.input.awayScore);
      return sigm(logit(p) / (1 + Math.exp(lc!) * Math.exp(-lead / (7 * Math.sqrt(f) + 1))));
    },
  });
  // Timeouts (in the data, not in the live input): the effective lead moves by t points per
  // timeout of difference, fading in as the half's last minutes come (a timeout saves clock).
  variants['timeouts'] = extend(NFL_SPEC as FitSpec<NflPlay>, {
    names: ['t'],
    x0: [0],
    steps: [0.5],
    transform: (p, s, [t]) => {
      const q = Math.floor(s.input.period);
      const halfLeft = q === 2 || q === 4 ? Math.min(900, Math.max(0, s.input.clockS)) : 900;
      const w = Math.exp(-halfLeft / 180);
      return sigm(logit(p) + (t! * w * (s.homeTimeouts - s.awayTimeouts)) / 7);
    },
  }) as FitSpec<RealState>;
  for (const [name, spec] of Object.entries(variants)) if (!only || only.split(',').includes(name)) report(name, spec, states);
  if (process.env['TAIL_GAMES']) tailGames(states, crossValidate(NFL_SPEC, states).oof);
  if (process.env['TAIL_PHASE']) tailByPhase(states, crossValidate(NFL_SPEC, states).oof);
} else {
  const { states } = loadNhlEvents(resolve(dataDir, 'nhl-2022-23-partial.csv.gz'));
  const variants: Record<string, FitSpec<RealState>> = {
    poisson: NHL_POISSON_BASELINE,
    base: NHL_SPEC,
    mix: nhlMixture(true, false),
    scoreEff: nhlMixture(false, true),
    both: nhlMixture(true, true),
    pace: nhlPace(),
    ratePhase: nhlRatePhase(),
    // Score effects in the shots: the trailing side outshoots, so the shot difference is read
    // as if the leader had lam * lead * 10 * (share played) more shots.
    shotScoreAdj: nhlShotScoreAdjusted(),
    // The shipped spec fitted on every state (the shipped fit thins to every 4th) with more evaluations.
    dense: { ...NHL_SPEC, thin: 1, maxEvals: 1200 },
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

/** A base spec plus one parameter (starting at 0) that the model builder reads beside the base's own. */
function withExtraParam<T extends RealState>(base: FitSpec<T>, name: string, step: number, maxEvals: number, model: (x: readonly number[], k: number) => (s: T) => number): FitSpec<T> {
  const n = base.names.length;
  return {
    ...base,
    names: [...base.names, name],
    x0: [...base.x0, 0],
    steps: [...base.steps, step],
    maxEvals,
    penalty: (x) => base.penalty?.(x.slice(0, n)) ?? 0,
    model: (x) => model(x.slice(0, n), x[n]!),
  };
}

/** NFL with the margin SD depending on the phase: sigma_eff(f) = sigma * f^beta, so var = sigma^2 f^(1 + 2 beta). */
function nflSigmaPhase(): FitSpec<RealState> {
  return withExtraParam(NFL_SPEC, 'beta', 0.1, NFL_SPEC.maxEvals + 150, (x, beta) => {
    const c = nflConstantsOf(nflFitOf(x));
    const consts = new Map<number, MarginSportConstants>();
    return (s) => {
      const f = nflShareLeft(s);
      const m = f > 0 ? Math.round(Math.pow(Math.max(f, 1 / 3600), beta) * 1e3) / 1e3 : 1;
      let k = consts.get(m);
      if (!k) consts.set(m, (k = { ...c, sigma: c.sigma * m }));
      return footballHomeWin(s.input, k);
    };
  });
}

/** The tail bins split by the share of the game left: is a miss late-game, or all game long? */
function tailByPhase(states: RealState[], p: Float64Array): void {
  const phases: [number, number][] = [[0, 0.125], [0.125, 0.25], [0.25, 0.5], [0.5, 1.01]];
  for (const [label, lo, hi] of TAIL_EDGES) {
    const cells = phases.map(([flo, fhi]) => {
      let n = 0;
      let sp = 0;
      let sy = 0;
      const games = new Set<string>();
      states.forEach((s, i) => {
        const f = nflShareLeft(s);
        if (p[i]! >= lo && p[i]! < hi && f >= flo && f < fhi) {
          n += 1;
          sp += p[i]!;
          sy += s.y;
          games.add(s.game);
        }
      });
      return n > 0 ? `f ${flo}-${Math.min(1, fhi)}: ${n} plays, ${games.size} games, p ${((sp / n) * 100).toFixed(1)} obs ${((sy / n) * 100).toFixed(1)}` : `f ${flo}-${Math.min(1, fhi)}: none`;
    });
    process.stdout.write(`${label}: ${cells.join(' | ')}\n`);
  }
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

/**
 * The shipped NHL spec with both goal rates scaled by exp(multiplier(state, extra parameter)),
 * the extra parameter fitted in the same folds.
 */
function nhlRateScaled(name: string, step: number, logScale: (st: RealState, k: number) => number): FitSpec<RealState> {
  return withExtraParam(NHL_SPEC, name, step, 750, (x, k) => {
    const base = nhlConstantsOf(nhlFitOf(x));
    const consts = new Map<number, HockeyConstants>();
    return (st) => {
      const m = Math.round(Math.exp(logScale(st, k)) * 1e3) / 1e3;
      let c = consts.get(m);
      if (!c) consts.set(m, (c = { ...base, goalsPer60: base.goalsPer60 * m }));
      return hockeyHomeWin(st.input, c);
    };
  });
}

/** The shipped NHL spec reading the shot difference corrected for the score (one extra parameter). */
function nhlShotScoreAdjusted(): FitSpec<RealState> {
  return withExtraParam(NHL_SPEC, 'lam', 0.3, 750, (x, lam) => {
    const c = nhlConstantsOf(nhlFitOf(x));
    return (st) => {
      const h = st.input.hockey;
      if (h?.homeShots == null || h.awayShots == null) return hockeyHomeWin(st.input, c);
      const lead = st.input.homeScore - st.input.awayScore;
      const homeShots = h.homeShots + lam * lead * 10 * nhlSharePlayed(st);
      return hockeyHomeWin({ ...st.input, hockey: { ...h, homeShots } }, c);
    };
  });
}

/** Share of NHL regulation played (1 in overtime). */
function nhlSharePlayed(st: RealState): number {
  const period = Math.max(1, Math.floor(st.input.period));
  return period > 3 ? 1 : ((period - 1) * 1200 + (1200 - Math.min(1200, Math.max(0, st.input.clockS)))) / 3600;
}

/** NHL with the effective goal rate by game phase: goalsPer60 * exp(g * (share left - 1/2)). */
function nhlRatePhase(): FitSpec<RealState> {
  return nhlRateScaled('g', 0.3, (st, g) => g * (0.5 - nhlSharePlayed(st)));
}

/** NHL with the game's pace read from the shots so far: both rates x exp(pi * (shots - 60 * share played) / 10). */
function nhlPace(): FitSpec<RealState> {
  return nhlRateScaled('pace', 0.2, (st, pace) => {
    const total = (st.input.hockey?.homeShots ?? 0) + (st.input.hockey?.awayShots ?? 0);
    return (pace * (total - 60 * nhlSharePlayed(st))) / 10;
  });
}
