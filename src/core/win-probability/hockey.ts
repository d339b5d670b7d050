/**
 * Hockey (NHL): goals of each side are Poisson processes over the regulation time left, so the
 * final regulation difference is Skellam. A level game goes to 5 minutes of 3-on-3 sudden death
 * (faster scoring) and then a shootout (about a coin flip); in the playoffs overtime is sudden
 * death until a goal. Manpower changes the rates for a while: a power play, and the pulled
 * goalie of a side trailing late (its rate rises, the other side shoots at an empty net); a
 * trailing side is expected to pull its goalie for the last minute or two even before it does.
 */
import { NHL, STRENGTH_GRID } from './constants.js';
import { MonotoneTable, poissonRace, type RaceOutcome } from './math.js';
import { marketPrior } from './prior.js';
import { finiteOrNull, leadOf, nonNegative, type WinProbInput } from './input.js';

const race: RaceOutcome = { win: 0, tie: 0 };
const BASE_RATE = NHL.goalsPer60 / 3600;

function shootoutWin(s: number): number {
  const p = 0.5 + NHL.shootoutTilt * s;
  return p < NHL.shootoutMin ? NHL.shootoutMin : p > NHL.shootoutMax ? NHL.shootoutMax : p;
}

/** P(home wins) from a level game with `leftS` of regular-season overtime still to play. */
function overtimeWin(rh: number, ra: number, s: number, leftS: number, postseason: boolean): number {
  const share = rh / (rh + ra);
  if (postseason) return share;
  const decided = 1 - Math.exp(-(rh + ra) * NHL.overtimeRateFactor * leftS);
  return share * decided + (1 - decided) * shootoutWin(s);
}

/** P(home wins) before the game with strength s (used to invert the pregame price). */
function pregameWin(s: number): number {
  const rh = BASE_RATE * Math.exp(s / 2);
  const ra = BASE_RATE * Math.exp(-s / 2);
  const t = NHL.periods * NHL.periodS;
  poissonRace(0, rh * t, ra * t, race);
  return race.win + race.tie * overtimeWin(rh, ra, s, NHL.overtimeS, false);
}

let priorTable: MonotoneTable | null = null;

/** Log rate ratio (home over away) from the market prior, else the home edge. */
function hockeyStrength(input: WinProbInput): number {
  const prior = marketPrior(input.pregameHomeProb);
  if (prior === null) return input.neutralSite ? 0 : NHL.homeEdge;
  priorTable ??= new MonotoneTable(STRENGTH_GRID.min, STRENGTH_GRID.max, STRENGTH_GRID.steps, pregameWin);
  return priorTable.invert(prior);
}

/** Expected goals of each side over the `leftS` seconds of regulation, manpower included. */
function regulationMeans(input: WinProbInput, rh: number, ra: number, leftS: number, clockS: number): [number, number] {
  let mh = rh * leftS;
  let ma = ra * leftS;
  const hs = finiteOrNull(input.hockey?.homeSkaters) ?? 5;
  const as = finiteOrNull(input.hockey?.awaySkaters) ?? 5;
  const lastPeriod = input.period === NHL.periods;
  const lead = leadOf(input);
  if (hs >= 6 && as < 6) {
    const w = Math.min(leftS, lastPeriod ? clockS : NHL.delayedPullS);
    mh += rh * (NHL.extraAttackerFactor - 1) * w;
    ma += ra * (NHL.emptyNetFactor - 1) * w;
  } else if (as >= 6 && hs < 6) {
    const w = Math.min(leftS, lastPeriod ? clockS : NHL.delayedPullS);
    ma += ra * (NHL.extraAttackerFactor - 1) * w;
    mh += rh * (NHL.emptyNetFactor - 1) * w;
  } else if (hs !== as) {
    const w = Math.min(leftS, nonNegative(input.hockey?.powerPlayRemainingS, NHL.powerPlayExpectedS));
    const homeUp = hs > as;
    mh += rh * ((homeUp ? NHL.powerPlayFactor : NHL.shortHandedFactor) - 1) * w;
    ma += ra * ((homeUp ? NHL.shortHandedFactor : NHL.powerPlayFactor) - 1) * w;
  } else if (lastPeriod && lead !== 0 && Math.abs(lead) < NHL.pullWindowS.length) {
    // Not pulled yet, but the trailing side will pull its goalie near the end.
    const w = Math.min(clockS, NHL.pullWindowS[Math.abs(lead)]!);
    const homeTrails = lead < 0;
    mh += rh * ((homeTrails ? NHL.extraAttackerFactor : NHL.emptyNetFactor) - 1) * w;
    ma += ra * ((homeTrails ? NHL.emptyNetFactor : NHL.extraAttackerFactor) - 1) * w;
  }
  return [mh, ma];
}

export function hockeyHomeWin(input: WinProbInput): number {
  const s = hockeyStrength(input);
  const rh = BASE_RATE * Math.exp(s / 2);
  const ra = BASE_RATE * Math.exp(-s / 2);
  const postseason = input.postseason === true;
  const lead = leadOf(input);
  const period = input.period >= 1 ? Math.floor(input.period) : 0;
  const clock = nonNegative(input.clockS, 0);
  if (period > NHL.periods) {
    // Overtime or shootout: any lead means the deciding goal is in.
    if (lead !== 0) return lead > 0 ? 1 : 0;
    if (postseason) return rh / (rh + ra);
    if (period === NHL.periods + 1) return overtimeWin(rh, ra, s, Math.min(clock, NHL.overtimeS), false);
    return shootoutWin(s);
  }
  const clockS = period === 0 ? NHL.periodS : Math.min(clock, NHL.periodS);
  const leftS = clockS + (NHL.periods - Math.max(period, 1)) * NHL.periodS;
  const [mh, ma] = regulationMeans(input, rh, ra, leftS, clockS);
  poissonRace(lead, mh, ma, race);
  return race.win + race.tie * overtimeWin(rh, ra, s, NHL.overtimeS, postseason);
}
