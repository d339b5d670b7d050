/**
 * Soccer (MLS, EPL): goals are Poisson processes over the time left, stoppage included, so
 * the final difference is Skellam and draws stand: the model returns home/draw/away. A red
 * card lowers the short side's rate and raises the other's. The pregame prior sets the split
 * of the scoring rates: from the home-win price alone, or from the home share of decisive
 * results when the draw price is known too.
 */
import { EPL, MLS, STRENGTH_GRID } from './constants.js';
import { MonotoneTable, poissonRace, type RaceOutcome } from './math.js';
import { decisiveHomeShare, marketPrior } from './prior.js';
import { finiteOrNull, leadOf, nonNegative, type OutcomeProbabilities, type WinProbInput } from './input.js';

export type SoccerConstants = typeof EPL | typeof MLS;

const race: RaceOutcome = { win: 0, tie: 0 };

interface PriorTables {
  homeWin: MonotoneTable;
  decisiveShare: MonotoneTable;
}
const tables = new Map<SoccerConstants, PriorTables>();

function fullGameS(c: SoccerConstants): number {
  return 2 * c.halfS + c.stoppageS[1]! + c.stoppageS[2]!;
}

function buildTables(c: SoccerConstants): PriorTables {
  const base = c.goalsPer90 / (2 * c.halfS);
  const t = fullGameS(c);
  const at = (s: number): RaceOutcome => poissonRace(0, base * Math.exp(s / 2) * t, base * Math.exp(-s / 2) * t, race);
  const { min, max, steps } = STRENGTH_GRID;
  return {
    homeWin: new MonotoneTable(min, max, steps, (s) => at(s).win),
    decisiveShare: new MonotoneTable(min, max, steps, (s) => {
      const o = at(s);
      return o.win / (1 - o.tie);
    }),
  };
}

function soccerStrength(input: WinProbInput, c: SoccerConstants): number {
  const share = decisiveHomeShare(input.pregameHomeProb, input.pregameDrawProb);
  const home = marketPrior(input.pregameHomeProb);
  if (share === null && home === null) return input.neutralSite ? 0 : c.homeEdge;
  let t = tables.get(c);
  if (!t) tables.set(c, (t = buildTables(c)));
  return share !== null ? t.decisiveShare.invert(share) : t.homeWin.invert(home!);
}

/** Stoppage still expected in half `half`: all of it before it starts, half once it has. */
function stoppageLeft(c: SoccerConstants, half: number, clockS: number): number {
  const full = c.stoppageS[half] ?? 0;
  return clockS > 0 ? full : full / 2;
}

/** Seconds of play left in the match. */
function soccerRemainingS(input: WinProbInput, c: SoccerConstants): number {
  const period = input.period >= 1 ? Math.floor(input.period) : 0;
  if (period === 0) return fullGameS(c);
  // A half never runs more than 30 minutes past its 45.
  const clock = Math.min(nonNegative(input.clockS, 0), c.halfS + 1800);
  const included = input.soccer?.clockIncludesStoppage === true;
  const secondHalf = c.halfS + c.stoppageS[2]!;
  if (period === 1) {
    if (input.status === 'halftime') return secondHalf;
    return (included ? clock : Math.min(clock, c.halfS) + stoppageLeft(c, 1, clock)) + secondHalf;
  }
  if (period === 2) return included ? clock : Math.min(clock, c.halfS) + stoppageLeft(c, 2, clock);
  // Extra time (cup games): only its clock.
  return clock;
}

export function soccerOutcome(input: WinProbInput, c: SoccerConstants, out: OutcomeProbabilities): OutcomeProbabilities {
  const s = soccerStrength(input, c);
  const base = c.goalsPer90 / (2 * c.halfS);
  const hr = Math.max(0, finiteOrNull(input.soccer?.homeRedCards) ?? 0);
  const ar = Math.max(0, finiteOrNull(input.soccer?.awayRedCards) ?? 0);
  const rh = base * Math.exp(s / 2) * c.redCardOwnFactor ** hr * c.redCardOpponentFactor ** ar;
  const ra = base * Math.exp(-s / 2) * c.redCardOwnFactor ** ar * c.redCardOpponentFactor ** hr;
  const t = soccerRemainingS(input, c);
  poissonRace(leadOf(input), rh * t, ra * t, race);
  out.home = race.win;
  out.draw = race.tie;
  out.away = Math.max(0, 1 - race.win - race.tie);
  return out;
}
