/**
 * The calibration layer fitted on real games (fitted-constants.ts): a logistic link on the
 * model's probit score without intercept (Platt scaling on z = PhiInv(p) rather than on the
 * log-odds), its slope moving linearly with the share of the game left, then a tail cap that
 * shrinks with the square root of the time left.
 *
 *   logit p' = slope(f) * 1.702 * PhiInv(p),  slope(f) = slopeEnd + (slopeStart - slopeEnd) * f
 *
 * Why the probit score: the margin models are normal, whose tails are thinner than real games'
 * (comebacks from 3 scores down happen more often than a normal margin says); the logistic
 * link on the same score keeps the middle and fattens the tails.
 *   p'' = clamp(p', cap(f), 1 - cap(f)),  cap(f) = tailCap * sqrt(f)
 *
 * No intercept keeps the model symmetric (the home edge is the model's own drift); a positive
 * slope keeps it monotone in the lead; the cap goes to 0 with the clock, so a decided game
 * still converges to 0 or 1. `rawTarget` inverts the Platt step at a share f left, so a
 * market prior can be turned into the raw model's strength and round-trip through the layer.
 */
import { normalCdf, normalQuantile } from './math.js';

/** logit(Phi(z)) is close to PROBIT_TO_LOGIT * z near the middle: slope 1 is almost the identity there. */
export const PROBIT_TO_LOGIT = 1.702;

export interface Calibration {
  /** 'probit-logistic': the logistic link on the probit score below; 'identity': the raw model (cap only). */
  readonly link: 'probit-logistic' | 'identity';
  /** Platt slope on the log-odds with the whole game left (f = 1) and at the end (f = 0). */
  readonly slopeStart: number;
  readonly slopeEnd: number;
  /** Live probabilities stay within [tailCap * sqrt(f), 1 - tailCap * sqrt(f)]. */
  readonly tailCap: number;
}

/** No calibration: the raw model. */
export const IDENTITY_CALIBRATION: Calibration = Object.freeze({ link: 'identity', slopeStart: 1, slopeEnd: 1, tailCap: 0 });

export function calibrationSlope(f: number, cal: Calibration): number {
  const share = f > 1 ? 1 : f > 0 ? f : 0;
  return cal.slopeEnd + (cal.slopeStart - cal.slopeEnd) * share;
}

/** The probability cap at a share f of the game left (0 once the clock has run out). */
export function tailCap(f: number, cal: Calibration): number {
  return f > 0 ? cal.tailCap * Math.sqrt(f > 1 ? 1 : f) : 0;
}

/** Calibrated probability from the raw model's p with a share f of the game left. */
export function calibrate(p: number, f: number, cal: Calibration): number {
  if (cal === IDENTITY_CALIBRATION || p !== p) return p;
  // Sums of pmf terms can stray a rounding error outside [0, 1].
  if (p < 0) p = 0;
  else if (p > 1) p = 1;
  const noLink = cal.link === 'identity' || p === 0 || p === 1;
  const q = noLink ? p : 1 / (1 + Math.exp(-calibrationSlope(f, cal) * PROBIT_TO_LOGIT * normalQuantile(p)));
  const cap = tailCap(f, cal);
  return q < cap ? cap : q > 1 - cap ? 1 - cap : q;
}

/** The raw probability whose calibrated value (before the cap) at share f is `p`. */
export function rawTarget(p: number, f: number, cal: Calibration): number {
  if (cal.link === 'identity' || !(p > 0 && p < 1)) return p;
  const z = Math.log(p / (1 - p)) / (calibrationSlope(f, cal) * PROBIT_TO_LOGIT);
  return normalCdf(z);
}
