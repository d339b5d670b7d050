/**
 * The pregame team-strength prior. The market's pregame price (or the first price seen) is
 * the best public estimate of who is stronger; each model turns it into its own strength
 * parameter (a drift in points, or a split of scoring rates). Prices outside
 * [PRIOR_MIN, PRIOR_MAX] are clamped, and a missing or invalid price means "no prior".
 */
import { PRIOR_MAX, PRIOR_MIN } from './constants.js';

export function marketPrior(p: number | null | undefined): number | null {
  if (typeof p !== 'number' || !(p > 0 && p < 1)) return null;
  return p < PRIOR_MIN ? PRIOR_MIN : p > PRIOR_MAX ? PRIOR_MAX : p;
}

/**
 * Soccer: the home share of decisive results, when both the home and draw prices are known
 * and consistent (home + draw < 1); else null.
 */
export function decisiveHomeShare(home: number | null | undefined, draw: number | null | undefined): number | null {
  const h = marketPrior(home);
  if (h === null || typeof draw !== 'number' || !(draw >= 0 && draw < 1)) return null;
  const away = 1 - h - draw;
  if (!(away > 0)) return null;
  return marketPrior(h / (h + away));
}
