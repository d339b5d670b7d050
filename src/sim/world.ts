/**
 * The contract between the simulated games and the simulated venues. The game engines (one
 * per sport) run inside a SimWorld; the ESPN simulator serves its games, and the venue
 * simulators list game-winner markets for them, quoted by market makers that follow each
 * game's true win probability with a lag and noise, and settle at the final.
 */
import type { EventEmitter } from 'node:events';
import type { BookLevel } from '../core/book-level.js';
import type { GameStatus } from '../core/messages.js';
import type { Sport } from '../core/topics.js';

export interface SimTeam {
  /** ESPN displayName, e.g. "Boston Celtics". */
  name: string;
  /** ESPN abbreviation, e.g. "BOS". */
  abbr: string;
  espnId: string;
  /** "Boston" */
  location: string;
  /** "Celtics" */
  mascot: string;
}

export interface SimGameView {
  id: string;
  sport: Sport;
  home: SimTeam;
  away: SimTeam;
  startTime: Date;
  status: GameStatus;
  period: number;
  /** Seconds left in the current period. */
  clockS: number;
  homeScore: number;
  awayScore: number;
  /** True probability that the home team wins (the market makers' fair value). */
  homeWinProb: number;
  /** True probability of a draw (soccer); 0 elsewhere. */
  drawProb: number;
  winner: 'home' | 'away' | 'draw' | null;
}

export interface SimWorld extends EventEmitter<{ update: [SimGameView]; final: [SimGameView] }> {
  games(): readonly SimGameView[];
  game(id: string): SimGameView | undefined;
}

/** One side of a quote ladder, best first. */
export type Ladder = BookLevel[];

export interface QuoteLadder {
  yesBids: Ladder;
  yesAsks: Ladder;
}
