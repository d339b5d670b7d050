/**
 * What the win-probability models read: the live state of one game as the shard sees it
 * (ESPN or the simulator) plus the pregame market prior. Every field past the score is
 * optional; a model uses what it gets and falls back to neutral values for the rest. Bad
 * numbers (NaN, negative clocks) are read as "unknown", never thrown on.
 */

export type Side = 'home' | 'away';

export interface FootballDetail {
  down?: number | null;
  distance?: number | null;
  /** Yards from the line of scrimmage to the goal the offense attacks (nflscrapR yardline_100). */
  yardsToGoal?: number | null;
  /** The next play is a kickoff received by `possession`. */
  kickoff?: boolean | null;
}

export interface BaseballDetail {
  half?: 'top' | 'bottom' | null;
  outs?: number | null;
  onFirst?: boolean | null;
  onSecond?: boolean | null;
  onThird?: boolean | null;
}

export interface HockeyDetail {
  /** Skaters on the ice, goalie excluded (6 means the goalie is pulled). */
  homeSkaters?: number | null;
  awaySkaters?: number | null;
  /** Seconds left on the current power play, when the feed says. */
  powerPlayRemainingS?: number | null;
  /** Shots on goal so far (goals included), when the feed says: the game's own evidence of strength. */
  homeShots?: number | null;
  awayShots?: number | null;
}

export interface SoccerDetail {
  homeRedCards?: number | null;
  awayRedCards?: number | null;
  /**
   * true: clockS is what is left of the half including its stoppage (the simulator);
   * false/absent: of the 45 minutes only (ESPN), so expected stoppage is added.
   */
  clockIncludesStoppage?: boolean | null;
}

export interface WinProbInput {
  /** nfl ncaaf nba ncaab nhl mlb mls epl; anything else gets the fallback model. */
  sport: string;
  /** 'final' settles the game at its score; other values are read as live. */
  status?: string | null;
  /** 0 before the start; regulation periods, then overtime (baseball: the inning). */
  period: number;
  /** Seconds left in the current period (baseball: ignored). */
  clockS: number;
  homeScore: number;
  awayScore: number;
  /** The side with the ball (football, basketball) or at bat (baseball). */
  possession?: Side | null;
  /**
   * The market's pregame probability that the home side wins (the pregame price, or the first
   * price seen). Sets the model's team strength. Absent: equal teams plus home advantage.
   */
  pregameHomeProb?: number | null;
  /** Soccer: the market's pregame draw probability, when a three-way market exists. */
  pregameDrawProb?: number | null;
  /** No home advantage (neutral site). */
  neutralSite?: boolean | null;
  /** Playoffs: NHL overtime is sudden death without a shootout; NFL overtime periods are 15 minutes. */
  postseason?: boolean | null;
  football?: FootballDetail | null;
  baseball?: BaseballDetail | null;
  hockey?: HockeyDetail | null;
  soccer?: SoccerDetail | null;
}

/** Three-way result probabilities (draw is 0 except in soccer); they sum to 1. */
export interface OutcomeProbabilities {
  home: number;
  draw: number;
  away: number;
}

/** A finite number >= 0, else `fallback`. */
export function nonNegative(x: unknown, fallback: number): number {
  return typeof x === 'number' && x >= 0 && x < Infinity ? x : fallback;
}

/** A finite number, else null. */
export function finiteOrNull(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

export function isFinal(input: WinProbInput): boolean {
  return input.status === 'final';
}

/** No real score comes near this; larger values are clamped so loops over the lead stay short. */
const MAX_SCORE = 1000;

export function leadOf(input: WinProbInput): number {
  const home = Math.min(MAX_SCORE, Math.round(nonNegative(input.homeScore, 0)));
  const away = Math.min(MAX_SCORE, Math.round(nonNegative(input.awayScore, 0)));
  return home - away;
}

export function possessionSign(input: WinProbInput): number {
  return input.possession === 'home' ? 1 : input.possession === 'away' ? -1 : 0;
}
