/**
 * The shape every game engine shares. An engine plays one game as a seeded stochastic process
 * on its own timeline: `elapsedS` is simulated seconds since the scheduled start (breaks and
 * stoppages included), the game clock runs inside that. `homeWinProb()` is the TRUE probability
 * under the engine's own process given everything observable now, so a market maker that
 * quotes it is fair and a model can be graded against it.
 */
import type { GameStatus } from '../../core/messages.js';

export type SportFamily = 'basketball' | 'football' | 'hockey' | 'soccer' | 'baseball';
export type Side = 'home' | 'away';

/** pre: before the start; break: between periods (halftime is a break after the half). */
export type EnginePhase = 'pre' | 'live' | 'break' | 'halftime' | 'final';

export interface PlayEvent {
  /** 1, 2, 3... in play order within the game. */
  seq: number;
  elapsedS: number;
  period: number;
  clockS: number;
  type: string;
  text: string;
  team: Side | null;
  /** Points this play scored for `team` (0 for most plays). */
  scoreValue: number;
  homeScore: number;
  awayScore: number;
}

export interface FootballSituationState {
  kind: 'football';
  down: number;
  distance: number;
  /** Distance from the offense's own goal line, 1-99. */
  yardsFromOwnGoal: number;
  homeTimeouts: number;
  awayTimeouts: number;
}

export interface BaseballSituationState {
  kind: 'baseball';
  half: 'top' | 'bottom';
  outs: number;
  onFirst: boolean;
  onSecond: boolean;
  onThird: boolean;
}

export type SituationState = FootballSituationState | BaseballSituationState;

export interface EngineSnapshot {
  phase: EnginePhase;
  status: GameStatus;
  period: number;
  /** Seconds left in the period (soccer: in the half including its stoppage time; baseball 0). */
  clockS: number;
  /** Soccer only: length of the current half in seconds (45 min + stoppage). */
  periodLengthS: number;
  homeScore: number;
  awayScore: number;
  /** Points per period, one entry per period started. */
  homeLines: number[];
  awayLines: number[];
  possession: Side | null;
  situation: SituationState | null;
  winner: Side | 'draw' | null;
  /** Regulation periods of this sport (4, 2, 3 or 9); later periods are overtime / extras. */
  regulationPeriods: number;
}

export interface GameEngine {
  readonly family: SportFamily;
  /** Hidden strength of the home side relative to the away side, in standard deviations. */
  readonly strength: number;
  readonly elapsedS: number;
  /** Advances the game to `elapsedS` (never backwards) and returns the plays that happened. */
  advanceTo(elapsedS: number): PlayEvent[];
  snapshot(): EngineSnapshot;
  homeWinProb(): number;
  /** Probability the game ends level (soccer only; 0 elsewhere). */
  drawProb(): number;
  isFinal(): boolean;
}

export interface EngineOptions {
  seed: number;
  /** Home minus away strength in standard deviations; drawn from the seed when absent. */
  strength?: number;
  /** Names used in play texts, e.g. "BOS" and "NY". */
  homeLabel?: string;
  awayLabel?: string;
}

/** The final-phase result for a snapshot. */
export function winnerOf(home: number, away: number, allowDraw: boolean): Side | 'draw' {
  if (home > away) return 'home';
  if (away > home) return 'away';
  if (!allowDraw) throw new Error('a final without a winner in a sport that has none');
  return 'draw';
}
