/**
 * The parameter families fitted on real games (eval/fit-winprob.ts, eval/eval-winprob.ts). Each
 * spec maps an unconstrained vector to the model's constants (scales through exp, the tail cap
 * through a logistic onto (0, 0.1)) and predicts with the production model code itself, so the
 * constants written to fitted-constants.ts are exactly what was cross-validated.
 */
import { IDENTITY_CALIBRATION, type Calibration } from '../src/core/win-probability/calibration.js';
import { NFL_POSTSEASON, NHL, type HockeyConstants, type MarginSportConstants } from '../src/core/win-probability/constants.js';
import type { NflFit, NhlFit } from '../src/core/win-probability/fit-types.js';
import { footballHomeWin } from '../src/core/win-probability/football.js';
import { hockeyHomeWin } from '../src/core/win-probability/hockey.js';
import { poissonRace } from '../src/core/win-probability/math.js';
import type { FitSpec } from './cross-validation.js';
import type { RealState } from './real-data.js';

/** Prior on the NFL home edge (points): regular-season estimates of the 2000s-2010s. */
export const NFL_HOME_EDGE_PRIOR = Object.freeze({ mean: 2.5, sd: 3 });

/** The tail cap lives in (0, MAX_TAIL_CAP) with the whole game left. */
export const MAX_TAIL_CAP = 0.1;
const capOf = (x: number) => MAX_TAIL_CAP / (1 + Math.exp(-x));
const capParam = (cap: number) => Math.log(cap / (MAX_TAIL_CAP - cap));

function calibrationOf(link: Calibration['link'], slopeEnd: number, cap: number): Calibration {
  return { link, slopeStart: 1, slopeEnd: Math.exp(slopeEnd), tailCap: capOf(cap) };
}

const round = (x: number, digits = 4) => Number(x.toFixed(digits));

export function nflFitOf(x: readonly number[]): NflFit {
  return {
    sigma: round(Math.exp(x[0]!)),
    homeEdge: round(x[1]!),
    epScale: round(Math.exp(x[2]!)),
    strengthSd: 0,
    calibration: roundCal(calibrationOf('probit-logistic', 0, x[3]!)),
  };
}

function roundCal(c: Calibration): Calibration {
  return { link: c.link, slopeStart: round(c.slopeStart), slopeEnd: round(c.slopeEnd), tailCap: round(c.tailCap, 5) };
}

export function nflConstantsOf(fit: NflFit): MarginSportConstants {
  return { ...NFL_POSTSEASON, sigma: fit.sigma, homeEdge: fit.homeEdge, epScale: fit.epScale, strengthSd: fit.strengthSd, calibration: fit.calibration };
}

/**
 * NFL: margin SD, home edge (points, with a prior), expected-points scale, tail cap; the
 * calibration is the logistic link on the probit score with slope 1. Tried and dropped (they
 * lost out of fold on these 66 games, see the README): a free Platt slope at the end (it
 * trades off against sigma), an unknown-strength SD (it fits to 0), a free home edge.
 */
export const NFL_SPEC: FitSpec<RealState> = {
  names: ['sigma', 'homeEdge', 'epScale', 'tailCap'],
  x0: [Math.log(13.5), 2, 0, capParam(0.01)],
  steps: [0.15, 1, 0.2, 1],
  maxEvals: 500,
  thin: 1,
  model(x) {
    const c = nflConstantsOf(nflFitOf(x));
    return (s) => footballHomeWin(s.input, c);
  },
  // Home edge ~ N(2.5, 3^2) points: 66 games cannot pin it (a season's home record swings
  // from 5 to 8 wins of 11), and postseason home teams are the higher seeds.
  penalty: (x) => (x[1]! - NFL_HOME_EDGE_PRIOR.mean) ** 2 / (2 * NFL_HOME_EDGE_PRIOR.sd ** 2),
};

export function nhlFitOf(x: readonly number[]): NhlFit {
  return {
    goalsPer60: round(Math.exp(x[0]!)),
    homeEdge: round(x[1]!),
    powerPlayFactor: round(Math.exp(x[2]!)),
    shortHandedFactor: round(Math.exp(x[3]!)),
    extraAttackerFactor: round(Math.exp(x[4]!)),
    emptyNetFactor: round(Math.exp(x[5]!)),
    shotEdge: round(x[7]! / SHOT_EDGE_UNIT, 5),
    calibration: roundCal(calibrationOf('identity', 0, x[6]!)),
  };
}

/** The optimiser sees the shot edge per SHOT_EDGE_UNIT shots (a scale like the other parameters'). */
const SHOT_EDGE_UNIT = 10;

export function nhlConstantsOf(fit: NhlFit): HockeyConstants {
  return { ...NHL, ...fit };
}

/** Hand-set NHL values the manpower factors are shrunk toward (log scale, SD 0.5 per game of evidence). */
const NHL_PRIOR = Object.freeze({ homeEdge: 0.1, homeEdgeSd: 0.1, manpower: [2.2, 0.3, 1.8, 3.5], manpowerLogSd: 0.5 });

/**
 * NHL: goal rate, home edge (log rate), power play / short-handed / extra attacker / empty net
 * factors (shrunk toward the hand-set values: one season's first 175 games see few pulled
 * goalies), tail cap, and the shot edge (log rate ratio per shot on goal of difference so far,
 * no prior: every fold puts it near 0.03). No link: the logistic link on the probit score made the Poisson model
 * worse out of fold (the fit then inflates the goal rate to 6 a game).
 */
export const NHL_SPEC: FitSpec<RealState> = {
  names: ['goalsPer60', 'homeEdge', 'powerPlayFactor', 'shortHandedFactor', 'extraAttackerFactor', 'emptyNetFactor', 'tailCap', 'shotEdge'],
  x0: [Math.log(3.05), 0.1, Math.log(2.2), Math.log(0.3), Math.log(1.8), Math.log(3.5), capParam(0.01), 0],
  steps: [0.1, 0.1, 0.3, 0.3, 0.3, 0.3, 1, 0.3],
  maxEvals: 600,
  thin: 4,
  model(x) {
    const c = nhlConstantsOf(nhlFitOf(x));
    return (s) => hockeyHomeWin(s.input, c);
  },
  penalty(x) {
    let sum = (x[1]! - NHL_PRIOR.homeEdge) ** 2 / (2 * NHL_PRIOR.homeEdgeSd ** 2);
    NHL_PRIOR.manpower.forEach((v, i) => (sum += (x[2 + i]! - Math.log(v)) ** 2 / (2 * NHL_PRIOR.manpowerLogSd ** 2)));
    return sum;
  },
};

/**
 * Baseline for the NHL: a plain Poisson score/time model (Skellam difference of the goals still
 * to come at one league rate, no home edge, no manpower, a level game after regulation is a
 * coin flip). Its one parameter, the goal rate, is fitted inside the same folds.
 */
export const NHL_POISSON_BASELINE: FitSpec<RealState> = {
  names: ['goalsPer60'],
  x0: [Math.log(3.05)],
  steps: [0.2],
  maxEvals: 60,
  thin: 4,
  model(x) {
    const rate = Math.exp(x[0]!) / 3600;
    const out = { win: 0, tie: 0 };
    return (s) => {
      const period = Math.max(1, Math.floor(s.input.period));
      if (period > NHL.periods) return s.input.homeScore > s.input.awayScore ? 1 : s.input.homeScore < s.input.awayScore ? 0 : 0.5;
      const leftS = Math.min(Math.max(0, s.input.clockS), NHL.periodS) + (NHL.periods - period) * NHL.periodS;
      poissonRace(s.input.homeScore - s.input.awayScore, rate * leftS, rate * leftS, out);
      return out.win + 0.5 * out.tie;
    };
  },
};

/** The NFL model as it was before the fit (hand-set constants, no calibration), for comparison. */
export const NFL_HAND_SET: Readonly<MarginSportConstants> = Object.freeze({
  ...NFL_POSTSEASON,
  sigma: 13.5,
  homeEdge: 2,
  epScale: 1,
  strengthSd: 0,
  calibration: IDENTITY_CALIBRATION,
});

/** The NHL model as it was before the fit. */
export const NHL_HAND_SET: Readonly<HockeyConstants> = Object.freeze({
  ...NHL,
  goalsPer60: 3.05,
  homeEdge: 0.1,
  powerPlayFactor: 2.2,
  shortHandedFactor: 0.3,
  extraAttackerFactor: 1.8,
  emptyNetFactor: 3.5,
  shotEdge: 0,
  calibration: IDENTITY_CALIBRATION,
});
