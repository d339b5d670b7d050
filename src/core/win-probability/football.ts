/**
 * American football (NFL, NCAAF): the Brownian margin model with the current possession
 * turned into expected points. The offense's expected points come from field position, down
 * and distance; they only count as far as the clock left in the half allows a drive, except
 * that a field goal in range stays available to the last snap.
 */
import { FOOTBALL_EP as EP, type MarginSportConstants } from './constants.js';
import { calibrate, IDENTITY_CALIBRATION } from './calibration.js';
import { clamp } from './math.js';
import { finiteOrNull, leadOf, nonNegative, possessionSign, type FootballDetail, type WinProbInput } from './input.js';
import { marginDrift, marginElapsedShare, marginRemainingS, marginSigma, marginWinProb, strengthSd } from './margin-model.js';

/** Expected points of the offense from its field position, down and distance (full clock). */
function expectedPoints(detail: FootballDetail | null | undefined): number {
  let y = finiteOrNull(detail?.yardsToGoal);
  let down = finiteOrNull(detail?.down);
  let distance = finiteOrNull(detail?.distance);
  if (detail?.kickoff || y === null) {
    y = EP.kickoffYardsToGoal;
    down = 1;
    distance = 10;
  }
  y = clamp(y, 1, 99);
  const d = down !== null && down >= 1 && down <= 4 ? Math.round(down) : 1;
  const dist = distance !== null && distance >= 0 ? Math.min(distance, y) : Math.min(10, y);
  const ep = EP.a + EP.b * y + EP.c * y * y - EP.downPenalty[d]! - EP.distancePenalty * (dist - 10);
  return clamp(ep, EP.min, EP.max);
}

/** Points a field-goal try is worth from `yardsToGoal` (0 out of range). */
function fieldGoalValue(yardsToGoal: number): number {
  if (!(yardsToGoal <= EP.fgRangeYards)) return 0;
  const p = clamp(EP.fgIntercept - EP.fgSlope * (yardsToGoal + EP.fgExtraYards), EP.fgMin, EP.fgMax);
  return 3 * p;
}

/** Seconds left in the current half (overtime counts as its own half). */
function halfRemainingS(period: number, clockS: number, c: MarginSportConstants): number {
  const clock = Math.min(nonNegative(clockS, 0), period > c.periods ? c.overtimeS : c.periodS);
  if (period > c.periods || !(period >= 1)) return period >= 1 ? clock : 2 * c.periodS;
  const firstOfHalf = Math.floor(period) % 2 === 1;
  return clock + (firstOfHalf ? c.periodS : 0);
}

/** Expected points of the possession now, discounted by the clock left in the half. */
function possessionValue(input: WinProbInput, c: MarginSportConstants): number {
  const halfS = halfRemainingS(input.period, input.clockS, c);
  if (!(halfS > 0)) return 0;
  const detail = input.football;
  const full = expectedPoints(detail) * (c.epScale ?? 1);
  const timeShare = Math.min(1, halfS / EP.fullValueHalfS);
  const y = finiteOrNull(detail?.yardsToGoal);
  const kick = y !== null && !detail?.kickoff ? fieldGoalValue(y) : 0;
  return Math.max(full * timeShare, kick);
}

export function footballHomeWin(input: WinProbInput, c: MarginSportConstants): number {
  const gameS = c.periods * c.periodS;
  const f = marginRemainingS(input.period, input.clockS, c) / gameS;
  const sign = possessionSign(input);
  const lead = leadOf(input) + (sign !== 0 && f > 0 ? sign * possessionValue(input, c) : 0);
  const elapsed = marginElapsedShare(input.period, input.clockS, c);
  const raw = marginWinProb(lead, marginDrift(input, c), marginSigma(input, c), f, c.overtimeS / gameS, strengthSd(input, c), elapsed);
  return calibrate(raw, f, c.calibration ?? IDENTITY_CALIBRATION);
}
