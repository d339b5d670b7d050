/**
 * Baseball (MLB): runs still to score for each side. A full half inning is negative binomial
 * (runs come in clusters, so P(0) is about 0.73 against Poisson's 0.61), and n of them sum to
 * a negative binomial with n times the shape. The half inning under way starts from its
 * (outs, bases) state: it scores with the table's probability, and then 1 + a geometric
 * number of runs matching the table's run expectancy. A level game after nine goes to extra
 * innings that start with a runner on second, repeated until one side leads.
 * The walk-off and the skipped bottom of the ninth change when a game ends, not who wins.
 */
import { MLB, MLB_RUN_EXPECTANCY, MLB_SCORING_PROBABILITY, STRENGTH_GRID } from './constants.js';
import { convolveInto, MonotoneTable, negativeBinomialInto, pmfRace, type RaceOutcome } from './math.js';
import { marketPrior } from './prior.js';
import { finiteOrNull, leadOf, type WinProbInput } from './input.js';

const N = MLB.maxRuns + 1;
// Scratch pmfs: the models run one at a time on one thread, so module buffers are safe.
const home = new Float64Array(N);
const away = new Float64Array(N);
const current = new Float64Array(N);
const full = new Float64Array(N);
const tmp = new Float64Array(N);
const race: RaceOutcome = { win: 0, tie: 0 };

/** Runs to score in the rest of a half inning from (outs, bases) for a side with `factor`. */
function halfInningInto(outs: number, bases: number, factor: number, buf: Float64Array): void {
  if (outs >= 3) {
    buf.fill(0);
    buf[0] = 1;
    return;
  }
  // A fresh half inning is the same negative binomial the future ones use.
  if (outs === 0 && bases === 0) {
    negativeBinomialInto(MLB.runsPerHalf * factor, MLB.nbShape, buf, N);
    return;
  }
  const q0 = MLB_SCORING_PROBABILITY[outs]![bases]!;
  const q = 1 - (1 - q0) ** factor;
  const mean = MLB_RUN_EXPECTANCY[outs]![bases]! * factor;
  const extra = Math.max(0, mean / q - 1);
  const rho = extra / (1 + extra);
  buf[0] = 1 - q;
  let p = q * (1 - rho);
  let total = buf[0];
  for (let k = 1; k < N; k++) {
    buf[k] = p;
    total += p;
    p = p < 1e-16 ? 0 : p * rho;
  }
  buf[N - 1]! += Math.max(0, 1 - total);
}

/** `halves` full half innings for a side with `factor`, into buf. */
function fullHalvesInto(halves: number, factor: number, buf: Float64Array): void {
  negativeBinomialInto(MLB.runsPerHalf * factor * halves, MLB.nbShape * halves, buf, N);
}

/** P(home wins) from a level game entering extra innings (memoised on the last strength). */
let lastExtra = { s: NaN, p: 0.5 };
function extraInningsWinFor(s: number): number {
  if (s !== lastExtra.s) lastExtra = { s, p: extraInningsWin(Math.exp(s / 2), Math.exp(-s / 2)) };
  return lastExtra.p;
}

function extraInningsWin(fh: number, fa: number): number {
  halfInningInto(0, MLB.extraInningBases, fa, away);
  halfInningInto(0, MLB.extraInningBases, fh, home);
  pmfRace(0, home, away, N, race);
  const decided = 1 - race.tie;
  return decided > 0 ? race.win / decided : 0.5;
}

function pregameWin(s: number): number {
  const fh = Math.exp(s / 2);
  const fa = Math.exp(-s / 2);
  const pX = extraInningsWin(fh, fa);
  fullHalvesInto(MLB.innings, fh, home);
  fullHalvesInto(MLB.innings, fa, away);
  pmfRace(0, home, away, N, race);
  return race.win + race.tie * pX;
}

let priorTable: MonotoneTable | null = null;

function baseballStrength(input: WinProbInput): number {
  const prior = marketPrior(input.pregameHomeProb);
  if (prior === null) return input.neutralSite ? 0 : MLB.homeEdge;
  priorTable ??= new MonotoneTable(STRENGTH_GRID.min, STRENGTH_GRID.max, STRENGTH_GRID.steps, pregameWin);
  return priorTable.invert(prior);
}

function basesOf(input: WinProbInput): number {
  const b = input.baseball;
  return (b?.onFirst ? 1 : 0) | (b?.onSecond ? 2 : 0) | (b?.onThird ? 4 : 0);
}

/** Runs of `halves` full half innings, after the current one (`withCurrent`), into dst. */
function sideInto(withCurrent: boolean, halves: number, factor: number, dst: Float64Array): void {
  fullHalvesInto(halves, factor, full);
  if (withCurrent) convolveInto(current, full, N, dst);
  else dst.set(full);
}

export function baseballHomeWin(input: WinProbInput): number {
  const s = baseballStrength(input);
  const fh = Math.exp(s / 2);
  const fa = Math.exp(-s / 2);
  const pX = extraInningsWinFor(s);
  const lead = leadOf(input);
  const n = MLB.innings;
  const inning = input.period >= 1 ? Math.floor(input.period) : 0;
  if (inning === 0) {
    sideInto(false, n, fh, home);
    sideInto(false, n, fa, away);
  } else {
    const half = input.baseball?.half ?? (input.possession === 'home' ? 'bottom' : 'top');
    const outsRaw = finiteOrNull(input.baseball?.outs);
    const outs = outsRaw === null ? 0 : Math.min(3, Math.max(0, Math.round(outsRaw)));
    const bases = basesOf(input);
    const batting = half === 'bottom' ? fh : fa;
    halfInningInto(outs, bases, batting, current);
    if (inning <= n) {
      if (half === 'top') {
        sideInto(true, n - inning, fa, away);
        sideInto(false, n - inning + 1, fh, home);
      } else {
        sideInto(true, n - inning, fh, home);
        sideInto(false, n - inning, fa, away);
      }
    } else if (half === 'top') {
      away.set(current);
      halfInningInto(0, MLB.extraInningBases, fh, tmp);
      home.set(tmp);
    } else {
      home.set(current);
      away.fill(0);
      away[0] = 1;
    }
  }
  pmfRace(lead, home, away, N, race);
  return race.win + race.tie * pX;
}
