/**
 * Unknown sports: the Brownian margin model with generic constants (4 periods of 15 minutes,
 * SD 10 points per game) and no home advantage unless the market prior says otherwise. It is
 * a safe default, not a model of any sport: it tracks the prior early and the lead late.
 */
import { FALLBACK } from './constants.js';
import { leadOf, type WinProbInput } from './input.js';
import { marginDrift, marginRemainingS, marginWinProb } from './margin-model.js';

export function fallbackHomeWin(input: WinProbInput): number {
  const gameS = FALLBACK.periods * FALLBACK.periodS;
  const f = marginRemainingS(input.period, input.clockS, FALLBACK) / gameS;
  return marginWinProb(leadOf(input), marginDrift(input, FALLBACK), FALLBACK.sigma, f, FALLBACK.overtimeS / gameS);
}
