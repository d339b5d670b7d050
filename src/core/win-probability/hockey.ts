/**
 * Hockey (NHL): goals of each side are Poisson processes over the regulation time left, so the
 * final regulation difference is Skellam. A level game goes to 5 minutes of 3-on-3 sudden death
 * (faster scoring) and then a shootout (about a coin flip); in the playoffs overtime is sudden
 * death until a goal. Manpower changes the rates for a while: a power play, and the pulled
 * goalie of a side trailing late (its rate rises, the other side shoots at an empty net); a
 * trailing side is expected to pull its goalie for the last minute or two even before it does.
 */
import { calibrate, rawTarget } from './calibration.js';
import { NHL, STRENGTH_GRID, type HockeyConstants } from './constants.js';
import { MonotoneTable, poissonRace, type RaceOutcome } from './math.js';
import { marketPrior } from './prior.js';
import { finiteOrNull, leadOf, nonNegative, type WinProbInput } from './input.js';

const race: RaceOutcome = { win: 0, tie: 0 };

/** Goals per second: the fitted effective rate, or the league's own rate when a market prior gives the strength. */
const baseRate = (c: HockeyConstants, withPrior: boolean): number => (withPrior ? c.priorGoalsPer60 : c.goalsPer60) / 3600;

function shootoutWin(s: number, c: HockeyConstants): number {
  const p = 0.5 + c.shootoutTilt * s;
  return p < c.shootoutMin ? c.shootoutMin : p > c.shootoutMax ? c.shootoutMax : p;
}

/** P(home wins) from a level game with `leftS` of regular-season overtime still to play. */
function overtimeWin(rh: number, ra: number, s: number, leftS: number, postseason: boolean, c: HockeyConstants): number {
  const share = rh / (rh + ra);
  if (postseason) return share;
  const decided = 1 - Math.exp(-(rh + ra) * c.overtimeRateFactor * leftS);
  return share * decided + (1 - decided) * shootoutWin(s, c);
}

/** The raw model's P(home wins) before the game with strength s (to invert the pregame price). */
function pregameWin(s: number, c: HockeyConstants): number {
  const rh = baseRate(c, true) * Math.exp(s / 2);
  const ra = baseRate(c, true) * Math.exp(-s / 2);
  const t = c.periods * c.periodS;
  poissonRace(0, rh * t, ra * t, race);
  return race.win + race.tie * overtimeWin(rh, ra, s, c.overtimeS, false, c);
}

const priorTables = new WeakMap<HockeyConstants, MonotoneTable>();

/** The shot-on-goal difference so far (home minus away), bounded; 0 when the feed has no shots. */
function shotDifference(input: WinProbInput, c: HockeyConstants): number {
  const h = finiteOrNull(input.hockey?.homeShots);
  const a = finiteOrNull(input.hockey?.awayShots);
  if (h === null || a === null || h < 0 || a < 0) return 0;
  const d = h - a;
  return d > c.maxShotDiff ? c.maxShotDiff : d < -c.maxShotDiff ? -c.maxShotDiff : d;
}

/** Log rate ratio (home over away) from the market prior, else the home edge and the shots so far. */
function hockeyStrength(input: WinProbInput, c: HockeyConstants): number {
  const prior = marketPrior(input.pregameHomeProb);
  if (prior === null) return (input.neutralSite ? 0 : c.homeEdge) + c.shotEdge * shotDifference(input, c);
  let table = priorTables.get(c);
  if (!table) {
    table = new MonotoneTable(STRENGTH_GRID.min, STRENGTH_GRID.max, STRENGTH_GRID.steps, (s) => pregameWin(s, c));
    priorTables.set(c, table);
  }
  // The calibration layer turns the raw pregame probability into the price.
  return table.invert(rawTarget(prior, 1, c.calibration));
}

/** Expected goals of each side over the `leftS` seconds of regulation, manpower included. */
function regulationMeans(input: WinProbInput, rh: number, ra: number, leftS: number, clockS: number, c: HockeyConstants): [number, number] {
  let mh = rh * leftS;
  let ma = ra * leftS;
  const hs = finiteOrNull(input.hockey?.homeSkaters) ?? 5;
  const as = finiteOrNull(input.hockey?.awaySkaters) ?? 5;
  const lastPeriod = input.period === c.periods;
  const lead = leadOf(input);
  if (hs >= 6 && as < 6) {
    const w = Math.min(leftS, lastPeriod ? clockS : c.delayedPullS);
    mh += rh * (c.extraAttackerFactor - 1) * w;
    ma += ra * (c.emptyNetFactor - 1) * w;
  } else if (as >= 6 && hs < 6) {
    const w = Math.min(leftS, lastPeriod ? clockS : c.delayedPullS);
    ma += ra * (c.extraAttackerFactor - 1) * w;
    mh += rh * (c.emptyNetFactor - 1) * w;
  } else if (hs !== as) {
    const w = Math.min(leftS, nonNegative(input.hockey?.powerPlayRemainingS, c.powerPlayExpectedS));
    const homeUp = hs > as;
    mh += rh * ((homeUp ? c.powerPlayFactor : c.shortHandedFactor) - 1) * w;
    ma += ra * ((homeUp ? c.shortHandedFactor : c.powerPlayFactor) - 1) * w;
  } else if (lastPeriod && lead !== 0 && Math.abs(lead) < c.pullWindowS.length) {
    // Not pulled yet, but the trailing side will pull its goalie near the end.
    const w = Math.min(clockS, c.pullWindowS[Math.abs(lead)]!);
    const homeTrails = lead < 0;
    mh += rh * ((homeTrails ? c.extraAttackerFactor : c.emptyNetFactor) - 1) * w;
    ma += ra * ((homeTrails ? c.emptyNetFactor : c.extraAttackerFactor) - 1) * w;
  }
  return [mh, ma];
}

export function hockeyHomeWin(input: WinProbInput, c: HockeyConstants = NHL): number {
  const s = hockeyStrength(input, c);
  const withPrior = marketPrior(input.pregameHomeProb) !== null;
  const rh = baseRate(c, withPrior) * Math.exp(s / 2);
  const ra = baseRate(c, withPrior) * Math.exp(-s / 2);
  const postseason = input.postseason === true;
  const lead = leadOf(input);
  const period = input.period >= 1 ? Math.floor(input.period) : 0;
  const clock = nonNegative(input.clockS, 0);
  if (period > c.periods) {
    // Overtime or shootout: any lead means the deciding goal is in.
    if (lead !== 0) return lead > 0 ? 1 : 0;
    if (postseason) return rh / (rh + ra);
    if (period === c.periods + 1) return overtimeWin(rh, ra, s, Math.min(clock, c.overtimeS), false, c);
    return shootoutWin(s, c);
  }
  const clockS = period === 0 ? c.periodS : Math.min(clock, c.periodS);
  const leftS = clockS + (c.periods - Math.max(period, 1)) * c.periodS;
  const [mh, ma] = regulationMeans(input, rh, ra, leftS, clockS, c);
  poissonRace(lead, mh, ma, race);
  const raw = race.win + race.tie * overtimeWin(rh, ra, s, c.overtimeS, postseason, c);
  return calibrate(raw, leftS / (c.periods * c.periodS), c.calibration);
}
