/**
 * The Brownian score-margin model (Stern 1994) shared by basketball and American football.
 * The home-minus-away margin moves like a Brownian motion with drift mu and variance sigma^2
 * per game, so with a share f of regulation left and an effective lead l (score plus the
 * expected points of the current possession), the final margin is N(l + mu*f, sigma^2*f).
 * Scores are whole points: a final margin within half a point of zero is a tie, which goes to
 * overtime, itself a short game with the same drift.
 */
import type { MarginSportConstants } from './constants.js';
import { IDENTITY_CALIBRATION, rawTarget } from './calibration.js';
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
 *
 * Unknown team strength: with `tau` > 0 the drift itself is uncertain, mu ~ N(mu, tau^2) before
 * the game, and the lead seen after a share `elapsed` of regulation (lead ~ N(mu*elapsed,
 * sigma^2*elapsed)) updates it (conjugate normal): the posterior mean moves toward
 * lead/elapsed with weight elapsed/sigma^2 against the prior's 1/tau^2. The final margin is
 * then N(lead + f*muPost, sigma^2*f + f^2*varPost). So a strength the prior got wrong is
 * corrected by the game as it goes, faster the less sure the prior is (tau large).
 */
export function marginWinProb(lead: number, mu: number, sigma: number, f: number, otShare: number, tau = 0, elapsed = 0): number {
  let drift = mu;
  let driftVar = 0;
  if (tau > 0) {
    const e = elapsed > 0 ? (elapsed < 1 ? elapsed : 1) : 0;
    const precision = 1 / (tau * tau) + e / (sigma * sigma);
    drift = (mu / (tau * tau) + lead / (sigma * sigma)) / precision;
    driftVar = 1 / precision;
  }
  const pOt = overtimeWin(drift, sigma, otShare);
  if (!(f > 0)) return lead > 0.5 ? 1 : lead < -0.5 ? 0 : pOt;
  const sd = Math.sqrt(sigma * sigma * f + f * f * driftVar);
  const m = lead + drift * f;
  const win = normalCdf((m - 0.5) / sd);
  const tie = normalCdf((m + 0.5) / sd) - win;
  return win + tie * pOt;
}

/** Share of regulation played (1 in overtime). */
export function marginElapsedShare(period: number, clockS: number, c: MarginSportConstants): number {
  if (period > c.periods) return 1;
  return 1 - marginRemainingS(period, clockS, c) / (c.periods * c.periodS);
}

/**
 * SD of the final margin per game: with a market prior the play-by-play SD (`priorSigma`, the
 * spread residual), without one the fitted SD that also carries the unknown team strength.
 */
export function marginSigma(input: WinProbInput, c: MarginSportConstants): number {
  return marketPrior(input.pregameHomeProb) !== null ? (c.priorSigma ?? c.sigma) : c.sigma;
}

/** SD of the drift (points per game) around its expectation: with or without a market prior. */
export function strengthSd(input: WinProbInput, c: MarginSportConstants): number {
  return marketPrior(input.pregameHomeProb) !== null ? (c.priorStrengthSd ?? 0) : (c.strengthSd ?? 0);
}

/**
 * The drift that makes the pregame probability (lead 0, whole game left) equal `p`: the
 * normal quantile, then one Newton step for the tie/overtime term.
 */
function driftFromPrior(price: number, c: MarginSportConstants): number {
  // With a calibration layer, the raw model must give the price the layer turns into it.
  const p = rawTarget(price, 1, c.calibration ?? IDENTITY_CALIBRATION);
  const otShare = c.overtimeS / (c.periods * c.periodS);
  const tau = c.priorStrengthSd ?? 0;
  const sigma = c.priorSigma ?? c.sigma;
  const sd = Math.sqrt(sigma * sigma + tau * tau);
  let mu = sd * normalQuantile(p);
  const err = marginWinProb(0, mu, sigma, 1, otShare, tau, 0) - p;
  const z = mu / sd;
  const density = Math.exp(-0.5 * z * z) / (sd * Math.sqrt(2 * Math.PI));
  if (density > 1e-6) mu -= err / density;
  return mu;
}

/** Drift from the market prior when there is one, else the home edge (0 at a neutral site). */
export function marginDrift(input: WinProbInput, c: MarginSportConstants): number {
  const prior = marketPrior(input.pregameHomeProb);
  if (prior !== null) return driftFromPrior(prior, c);
  return input.neutralSite ? 0 : c.homeEdge;
}
