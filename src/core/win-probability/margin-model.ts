/**
 * The Brownian score-margin model (Stern 1994) shared by basketball and American football.
 * The home-minus-away margin moves like a Brownian motion with drift mu and variance sigma^2
 * per game, so with a share f of regulation left and an effective lead l (score plus the
 * expected points of the current possession), the final margin is N(l + mu*f, sigma^2*f).
 * Scores are whole points: a final margin within half a point of zero is a tie, which goes to
 * overtime, itself a short game with the same drift.
 */
import type { MarginSportConstants } from './constants.js';
import { normalCdf, normalQuantile } from './math.js';
import { marketPrior } from './prior.js';
import { nonNegative, type WinProbInput } from './input.js';

/** Seconds of the game left: the rest of regulation, or the current overtime period. */
export function marginRemainingS(period: number, clockS: number, c: MarginSportConstants): number {
  if (!(period >= 1)) return c.periods * c.periodS;
  if (period <= c.periods) {
    const clock = Math.min(nonNegative(clockS, 0), c.periodS);
    return clock + (c.periods - Math.floor(period)) * c.periodS;
  }
  return Math.min(nonNegative(clockS, 0), c.overtimeS);
}

/** P(home wins an overtime that starts level): a short game with the same drift. */
function overtimeWin(mu: number, sigma: number, otShare: number): number {
  return normalCdf((mu * Math.sqrt(otShare)) / sigma);
}

/**
 * P(home wins) with an effective lead `lead`, drift `mu` (points per game), SD `sigma` (points
 * per game), a share `f` of the game left and overtime periods of `otShare` of a game.
 */
export function marginWinProb(lead: number, mu: number, sigma: number, f: number, otShare: number): number {
  const pOt = overtimeWin(mu, sigma, otShare);
  if (!(f > 0)) return lead > 0.5 ? 1 : lead < -0.5 ? 0 : pOt;
  const sd = sigma * Math.sqrt(f);
  const m = lead + mu * f;
  const win = normalCdf((m - 0.5) / sd);
  const tie = normalCdf((m + 0.5) / sd) - win;
  return win + tie * pOt;
}

/**
 * The drift that makes the pregame probability (lead 0, whole game left) equal `p`: the
 * normal quantile, then one Newton step for the tie/overtime term.
 */
function driftFromPrior(p: number, c: MarginSportConstants): number {
  const otShare = c.overtimeS / (c.periods * c.periodS);
  let mu = c.sigma * normalQuantile(p);
  const err = marginWinProb(0, mu, c.sigma, 1, otShare) - p;
  const z = mu / c.sigma;
  const density = Math.exp(-0.5 * z * z) / (c.sigma * Math.sqrt(2 * Math.PI));
  if (density > 1e-6) mu -= err / density;
  return mu;
}

/** Drift from the market prior when there is one, else the home edge (0 at a neutral site). */
export function marginDrift(input: WinProbInput, c: MarginSportConstants): number {
  const prior = marketPrior(input.pregameHomeProb);
  if (prior !== null) return driftFromPrior(prior, c);
  return input.neutralSite ? 0 : c.homeEdge;
}
