/**
 * How unsure the model is of its own probability, for the sizing (core/sizing/kelly.ts).
 *
 * Measured where there is real data: the leave-one-fold-out jackknife SD of the model's
 * log-odds across the cross-validation fits (FIT_LOGIT_SD, written by `npm run fit:winprob`).
 * Sports without real data get the largest of the measured values: nothing says they are
 * known better. In probability terms the log-odds SD s becomes s * p * (1 - p) (the delta
 * method), so the doubt is largest in the middle and vanishes as a game is decided.
 */
import { FIT_LOGIT_SD } from './fitted-constants.js';

/** Log-odds SD for a sport that has no real-data fit: the largest fitted one. */
export const UNFITTED_LOGIT_SD = Math.max(...Object.values(FIT_LOGIT_SD));

export function modelLogitSd(sport: string): number {
  return FIT_LOGIT_SD[sport] ?? UNFITTED_LOGIT_SD;
}

/** SD of the model's probability p (YES side of any market of the game). */
export function modelProbSd(sport: string, p: number): number {
  if (!(p > 0 && p < 1)) return 0;
  return modelLogitSd(sport) * p * (1 - p);
}
