/**
 * Basketball (NBA, NCAAB): the Brownian margin model. The effective lead is the score lead
 * plus the value of the ball: the side in possession gets about half a possession more than
 * the other over the rest of the game.
 */
import { BASKETBALL_POSSESSION_POINTS, type MarginSportConstants } from './constants.js';
import { leadOf, possessionSign, type WinProbInput } from './input.js';
import { marginDrift, marginElapsedShare, marginRemainingS, marginSigma, marginWinProb, strengthSd } from './margin-model.js';

export function basketballHomeWin(input: WinProbInput, c: MarginSportConstants): number {
  const gameS = c.periods * c.periodS;
  const f = marginRemainingS(input.period, input.clockS, c) / gameS;
  const lead = leadOf(input) + (f > 0 ? possessionSign(input) * BASKETBALL_POSSESSION_POINTS : 0);
  const elapsed = marginElapsedShare(input.period, input.clockS, c);
  return marginWinProb(lead, marginDrift(input, c), marginSigma(input, c), f, c.overtimeS / gameS, strengthSd(input, c), elapsed);
}
