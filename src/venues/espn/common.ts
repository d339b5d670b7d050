/**
 * What the ESPN parsers produce: one normalized game per event, whatever the sport. Every
 * field ESPN may omit is nullable; a parser fills it with null and counts why (see ParseIssues)
 * rather than guessing. Scores are numbers here although ESPN sends strings.
 */
import type { GameStatus } from '../../core/messages.js';
import type { Sport } from '../../core/topics.js';

export const ESPN_SITE_BASE_URL = 'https://site.api.espn.com';

/** YYYYMMDD of `date` on the US-Eastern calendar, the day ESPN's `dates=` means. */
export function easternDay(date: Date): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: 'America/New_York',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(date);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}${get('month')}${get('day')}`;
}

export interface EspnTeam {
  id: string | null;
  abbr: string | null;
  /** displayName, e.g. "Denver Broncos". */
  name: string | null;
  shortName: string | null;
  location: string | null;
  /** ESPN's `team.name`, e.g. "Broncos". */
  mascot: string | null;
}

export interface EspnSide {
  team: EspnTeam;
  score: number | null;
  /** Present only on completed games. */
  winner: boolean | null;
  /** Overall record summary, e.g. "7-2". */
  record: string | null;
  /** College rank; ESPN's 99 ("unranked") becomes null. */
  rank: number | null;
  /** Points per period so far. */
  linescores: number[];
}

export interface FootballSituation {
  kind: 'football';
  down: number | null;
  distance: number | null;
  yardLine: number | null;
  yardsToEndzone: number | null;
  downDistanceText: string | null;
  possessionText: string | null;
  isRedZone: boolean | null;
  homeTimeouts: number | null;
  awayTimeouts: number | null;
  lastPlayText: string | null;
}

export interface BaseballSituation {
  kind: 'baseball';
  halfInning: 'top' | 'bottom' | null;
  balls: number | null;
  strikes: number | null;
  outs: number | null;
  onFirst: boolean | null;
  onSecond: boolean | null;
  onThird: boolean | null;
}

export type EspnSituation = FootballSituation | BaseballSituation;

export interface EspnGame {
  id: string;
  sport: Sport;
  name: string | null;
  shortName: string | null;
  /** ISO time of the scheduled start; ESPN gives minute precision. */
  startTime: string | null;
  /** false: the start time is TBD and `startTime` a placeholder. */
  timeValid: boolean | null;
  status: GameStatus;
  /** ESPN's `status.type.name`, e.g. STATUS_END_PERIOD, kept for detail the enum drops. */
  statusName: string | null;
  statusState: 'pre' | 'in' | 'post' | null;
  /** ESPN's `type.completed`: the only reliable finality flag. */
  completed: boolean;
  statusDetail: string | null;
  period: number;
  /**
   * Seconds left in the current period (0 for baseball, which has no clock). Soccer counts up,
   * so this is what is left of the half's 45 minutes, 0 once stoppage time has begun.
   */
  clockS: number | null;
  displayClock: string | null;
  home: EspnSide;
  away: EspnSide;
  /** The side with the ball (football) or at bat (baseball). */
  possession: 'home' | 'away' | null;
  situation: EspnSituation | null;
  /** ESPN's live home win probability (0-1) from the scoreboard's lastPlay, when present. */
  espnHomeWinProb: number | null;
}

export interface EspnWinProbPoint {
  playId: string | null;
  homeWinProb: number;
  tieProb: number | null;
}

export interface EspnPredictor {
  header: string | null;
  /** Pre-game model probabilities (ESPN sends percent strings; these are 0-1). */
  homeProb: number | null;
  awayProb: number | null;
}

export interface EspnSummary {
  eventId: string;
  /** Parsed from `header.competitions[0]`; null when the header is unusable. */
  game: EspnGame | null;
  /** ESPN's in-game series, in play order; empty before kickoff. */
  winProbability: EspnWinProbPoint[];
  /** Last point of `winProbability`, else the predictor's pre-game home probability. */
  latestHomeWinProb: number | null;
  predictor: EspnPredictor | null;
}

/** How often each kind of field was missing or odd in one parse (e.g. `score_missing: 2`). */
export type ParseIssues = Record<string, number>;

export interface Parsed<T> {
  value: T;
  issues: ParseIssues;
}
