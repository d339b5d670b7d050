/**
 * Grouped cross-validation for the win-probability fits: one fold per group (NFL: a season,
 * NHL: a block of consecutive games), so every play of a held-out group is predicted by
 * parameters fitted without any play of that group. Also the log-loss objective shared by
 * the fits and a bootstrap over games.
 */
import { LOG_LOSS_EPS } from './score-card.js';
import { nelderMead } from './nelder-mead.js';

export interface Grouped {
  game: string;
  group: string;
  y: 0 | 1;
}

export interface Fold {
  name: string;
  /** Indices into the states array. */
  train: number[];
  test: number[];
}

/** One fold per distinct group, in sorted group order; train = every other group. */
export function groupFolds(states: readonly Grouped[]): Fold[] {
  const groups = [...new Set(states.map((s) => s.group))].sort();
  return groups.map((g) => {
    const train: number[] = [];
    const test: number[] = [];
    states.forEach((s, i) => (s.group === g ? test : train).push(i));
    return { name: g, train, test };
  });
}

/** A model family: parameters (in an unconstrained space) to a predictor of P(home wins). */
export interface FitSpec<T> {
  names: readonly string[];
  x0: readonly number[];
  steps: readonly number[];
  maxEvals: number;
  /** Every `thin`-th training state is used by the optimiser (neighbouring states are near copies). */
  thin: number;
  model(x: readonly number[]): (s: T) => number;
  /**
   * A prior on the parameters, as a negative log density per game: the fit minimises the mean
   * log loss per state plus penalty / games (the states of one game share one outcome, so a
   * game, not a play, is the unit of evidence).
   */
  penalty?(x: readonly number[]): number;
}

export function logLossOf(p: number, y: 0 | 1): number {
  const q = p < LOG_LOSS_EPS ? LOG_LOSS_EPS : p > 1 - LOG_LOSS_EPS ? 1 - LOG_LOSS_EPS : p;
  return y === 1 ? -Math.log(q) : -Math.log(1 - q);
}

export function meanLogLoss<T extends Grouped>(predict: (s: T) => number, states: readonly T[]): number {
  let sum = 0;
  for (const s of states) sum += logLossOf(predict(s), s.y);
  return sum / Math.max(1, states.length);
}

/** Minimises the mean log loss of the spec on `train`. */
export function fitParams<T extends Grouped>(spec: FitSpec<T>, train: readonly T[]): number[] {
  const sample = train.filter((_, i) => i % spec.thin === 0);
  const games = new Set(train.map((s) => s.game)).size;
  const objective = (x: number[]) => meanLogLoss(spec.model(x), sample) + (spec.penalty ? spec.penalty(x) / Math.max(1, games) : 0);
  return nelderMead(objective, spec.x0, spec.steps, spec.maxEvals).x;
}

export interface FoldFit {
  name: string;
  params: number[];
  testGames: number;
  testStates: number;
}

export interface CvResult {
  folds: FoldFit[];
  /** Out-of-fold probability of every state (same order as the states). */
  oof: Float64Array;
  /** Jackknife SD over the folds' fits of each state's log-odds. */
  logitSd: Float64Array;
}

const logit = (p: number) => {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
  return Math.log(q / (1 - q));
};

export function crossValidate<T extends Grouped>(spec: FitSpec<T>, states: readonly T[], folds = groupFolds(states)): CvResult {
  const oof = new Float64Array(states.length);
  const fits: FoldFit[] = [];
  const models: ((s: T) => number)[] = [];
  for (const fold of folds) {
    const params = fitParams(spec, fold.train.map((i) => states[i]!));
    const model = spec.model(params);
    models.push(model);
    for (const i of fold.test) oof[i] = model(states[i]!);
    fits.push({ name: fold.name, params, testGames: new Set(fold.test.map((i) => states[i]!.game)).size, testStates: fold.test.length });
  }
  // Leave-one-group-out jackknife: var = (k-1)/k * sum (x_i - mean)^2 over the k fold fits.
  const k = models.length;
  const logitSd = new Float64Array(states.length);
  states.forEach((s, i) => {
    const z = models.map((m) => logit(m(s)));
    const mean = z.reduce((a, b) => a + b, 0) / k;
    logitSd[i] = Math.sqrt(((k - 1) / k) * z.reduce((a, b) => a + (b - mean) ** 2, 0));
  });
  return { folds: fits, oof, logitSd };
}

/** Seeded uniform generator (mulberry32) so bootstrap intervals are reproducible. */
export function seededUniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Interval {
  lo: number;
  hi: number;
}

/**
 * 95 % percentile interval of a per-state score's mean difference (a - b), resampling whole
 * games with replacement (plays of one game are not independent).
 */
export function bootstrapGames(games: readonly string[], diff: Float64Array, resamples = 2000, seed = 14): Interval {
  const byGame = new Map<string, { sum: number; n: number }>();
  games.forEach((g, i) => {
    const e = byGame.get(g) ?? { sum: 0, n: 0 };
    e.sum += diff[i]!;
    e.n += 1;
    byGame.set(g, e);
  });
  const list = [...byGame.values()];
  const rand = seededUniform(seed);
  const means: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    let n = 0;
    for (let j = 0; j < list.length; j++) {
      const e = list[Math.floor(rand() * list.length)]!;
      sum += e.sum;
      n += e.n;
    }
    means.push(sum / n);
  }
  means.sort((a, b) => a - b);
  return { lo: means[Math.floor(0.025 * resamples)]!, hi: means[Math.floor(0.975 * resamples)]! };
}
