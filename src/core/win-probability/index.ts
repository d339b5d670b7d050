/**
 * Win probability of the home side, one documented model per sport (README.md in this folder):
 * - basketball (nba, ncaab) and American football (nfl, ncaaf): Brownian score margin;
 * - hockey (nhl), soccer (mls, epl, three-way) and baseball (mlb): counting processes for the
 *   time or innings left;
 * - anything else: a generic margin model.
 * Each model takes its team strength from the market's pregame price when there is one.
 * Pure and allocation-light: meant to run on every price update.
 */
import { EPL, MLS, NBA, NCAAB, NCAAF, NFL, NFL_POSTSEASON, PROB_FLOOR } from './constants.js';
import { baseballHomeWin } from './baseball.js';
import { basketballHomeWin } from './basketball.js';
import { fallbackHomeWin } from './fallback.js';
import { footballHomeWin } from './football.js';
import { hockeyHomeWin } from './hockey.js';
import { isFinal, leadOf, type OutcomeProbabilities, type WinProbInput } from './input.js';
import { soccerOutcome } from './soccer.js';

export type {
  BaseballDetail,
  FootballDetail,
  HockeyDetail,
  OutcomeProbabilities,
  Side,
  SoccerDetail,
  WinProbInput,
} from './input.js';

const bounded = (p: number): number =>
  p > PROB_FLOOR ? (p < 1 - PROB_FLOOR ? p : 1 - PROB_FLOOR) : PROB_FLOOR;

const scratch: OutcomeProbabilities = { home: 0, draw: 0, away: 0 };

/** The model's raw P(home wins) for a live game; NaN-free for any input. */
function liveHomeWin(input: WinProbInput): number {
  switch (input.sport) {
    case 'nba':
      return basketballHomeWin(input, NBA);
    case 'ncaab':
      return basketballHomeWin(input, NCAAB);
    case 'nfl':
      return footballHomeWin(input, input.postseason === true ? NFL_POSTSEASON : NFL);
    case 'ncaaf':
      return footballHomeWin(input, NCAAF);
    case 'nhl':
      return hockeyHomeWin(input);
    case 'mlb':
      return baseballHomeWin(input);
    case 'mls':
      return soccerOutcome(input, MLS, scratch).home;
    case 'epl':
      return soccerOutcome(input, EPL, scratch).home;
    default:
      return fallbackHomeWin(input);
  }
}

/** Whether the sport's games can end level (soccer). */
export function allowsDraw(sport: string): boolean {
  return sport === 'mls' || sport === 'epl';
}

/**
 * P(home wins). Final games settle at 1 / 0 (a draw, or a level final the feed cannot
 * resolve, is 0 for a soccer draw and 0.5 elsewhere); live values stay within
 * [PROB_FLOOR, 1 - PROB_FLOOR]. Never throws: malformed input gets neutral defaults.
 */
export function homeWinProbability(input: WinProbInput): number {
  if (input === null || typeof input !== 'object') return 0.5;
  if (isFinal(input)) {
    const lead = leadOf(input);
    return lead > 0 ? 1 : lead < 0 ? 0 : allowsDraw(input.sport) ? 0 : 0.5;
  }
  const p = liveHomeWin(input);
  return p === p ? bounded(p) : 0.5;
}

/**
 * Home / draw / away probabilities (draw is 0 outside soccer). Writes into `out` when given,
 * so a caller on the hot path can reuse one object.
 */
export function outcomeProbabilities(
  input: WinProbInput,
  out: OutcomeProbabilities = { home: 0, draw: 0, away: 0 },
): OutcomeProbabilities {
  if (input !== null && typeof input === 'object' && allowsDraw(input.sport)) {
    if (isFinal(input)) {
      const lead = leadOf(input);
      out.home = lead > 0 ? 1 : 0;
      out.away = lead < 0 ? 1 : 0;
      out.draw = lead === 0 ? 1 : 0;
      return out;
    }
    soccerOutcome(input, input.sport === 'mls' ? MLS : EPL, out);
    const home = out.home === out.home ? bounded(out.home) : 1 / 3;
    const away = out.away === out.away ? bounded(out.away) : 1 / 3;
    out.home = home;
    out.away = away;
    out.draw = Math.max(0, 1 - home - away);
    return out;
  }
  const p = homeWinProbability(input);
  out.home = p;
  out.draw = 0;
  out.away = 1 - p;
  return out;
}

export { modelLogitSd, modelProbSd } from './uncertainty.js';
