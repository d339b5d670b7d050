/**
 * The live state of one game as the shard keeps it: what ESPN (or the slow track after a restart)
 * said, in the shape the state guard compares, the win-probability model reads and game_state
 * publishes. Pure conversions only.
 */
import type { GameState, GameStatus } from '../../core/messages.js';
import type { Sport } from '../../core/topics.js';
import type { WinProbInput } from '../../core/win-probability/index.js';
import type { EspnGame, EspnSituation } from '../../venues/espn/common.js';

export interface LiveState {
  status: GameStatus;
  period: number;
  clockS: number;
  homeScore: number;
  awayScore: number;
  possession: 'home' | 'away' | null;
  situation: EspnSituation | null;
  espnHomeProb: number | null;
}

/** Regulation periods per sport (innings for baseball, halves for soccer and college basketball). */
const REGULATION_PERIODS: Readonly<Record<Sport, number>> = Object.freeze({
  nfl: 4,
  ncaaf: 4,
  nba: 4,
  ncaab: 2,
  nhl: 3,
  mlb: 9,
  mls: 2,
  epl: 2,
});

export function isOvertime(sport: Sport, period: number): boolean {
  return period > REGULATION_PERIODS[sport];
}

/** Final, postponed or cancelled: nothing more to trade on this game. */
export function isFrozenStatus(status: GameStatus): boolean {
  return status === 'final' || status === 'postponed' || status === 'cancelled';
}

/** Under way: the model's in-game probability means something. */
export function isInPlay(status: GameStatus): boolean {
  return status === 'live' || status === 'halftime';
}

const count = (n: number | null): number => (n !== null && Number.isFinite(n) && n >= 0 ? Math.round(n) : 0);

export function liveStateFromEspn(g: EspnGame): LiveState {
  return {
    status: g.status,
    period: count(g.period),
    clockS: g.clockS !== null && Number.isFinite(g.clockS) && g.clockS >= 0 ? g.clockS : 0,
    homeScore: count(g.home.score),
    awayScore: count(g.away.score),
    possession: g.possession,
    situation: g.situation,
    espnHomeProb: g.espnHomeWinProb !== null && g.espnHomeWinProb >= 0 && g.espnHomeWinProb <= 1 ? g.espnHomeWinProb : null,
  };
}

/** A state recovered from a game_state on the slow track (its situation is not re-read). */
export function liveStateFromGameState(s: GameState): LiveState {
  return {
    status: s.status,
    period: s.period,
    clockS: s.clock_s,
    homeScore: s.home_score,
    awayScore: s.away_score,
    possession: s.possession,
    situation: null,
    espnHomeProb: s.espn_home_prob,
  };
}

export function sameLiveState(a: LiveState, b: LiveState): boolean {
  return (
    a.status === b.status &&
    a.period === b.period &&
    a.clockS === b.clockS &&
    a.homeScore === b.homeScore &&
    a.awayScore === b.awayScore &&
    a.possession === b.possession &&
    a.espnHomeProb === b.espnHomeProb &&
    JSON.stringify(a.situation) === JSON.stringify(b.situation)
  );
}

/** Writes the model's input for this state into `out` (one object per game, reused). */
export function fillModelInput(
  out: WinProbInput,
  sport: Sport,
  state: LiveState | null,
  prior: { home: number; draw: number | null } | null,
): WinProbInput {
  out.sport = sport;
  out.status = state?.status ?? 'scheduled';
  out.period = state?.period ?? 0;
  out.clockS = state?.clockS ?? 0;
  out.homeScore = state?.homeScore ?? 0;
  out.awayScore = state?.awayScore ?? 0;
  out.possession = state?.possession ?? null;
  out.pregameHomeProb = prior?.home ?? null;
  out.pregameDrawProb = prior?.draw ?? null;
  const sit = state?.situation ?? null;
  out.football = sit?.kind === 'football' ? { down: sit.down, distance: sit.distance, yardsToGoal: sit.yardsToEndzone } : null;
  out.baseball =
    sit?.kind === 'baseball'
      ? { half: sit.halfInning, outs: sit.outs, onFirst: sit.onFirst, onSecond: sit.onSecond, onThird: sit.onThird }
      : null;
  return out;
}

/** The `situation` of game_state: ESPN's detail without empty fields, plus overtime. */
export function situationJson(sport: Sport, state: LiveState): Record<string, unknown> {
  const out: Record<string, unknown> = { overtime: isOvertime(sport, state.period), regulation_periods: REGULATION_PERIODS[sport] };
  if (state.situation !== null) {
    for (const [k, v] of Object.entries(state.situation)) if (v !== null) out[k] = v;
  }
  return out;
}
