/**
 * A game's lifecycle as explicit transitions: scheduled -> live (halftime, delayed) -> final,
 * with postponed and cancelled reachable from any unfinished state. ESPN is eventually
 * consistent (a CDN edge can serve an older scoreboard than the last one we read), so a status
 * that goes backwards (live -> scheduled, final -> live) is ignored and counted, never applied.
 */
import type { GameStatus } from '../../core/messages.js';

/** 0 before the game, 1 under way, 2 over. */
const PHASE: Readonly<Record<GameStatus, 0 | 1 | 2>> = Object.freeze({
  scheduled: 0,
  postponed: 0,
  live: 1,
  halftime: 1,
  delayed: 1,
  final: 2,
  cancelled: 2,
});

/** Reachable from anything that is not over: a game can be postponed, called off or end any time. */
const ALWAYS_REACHABLE: ReadonlySet<GameStatus> = new Set(['postponed', 'cancelled', 'final']);

export type Transition =
  | { kind: 'same' }
  | { kind: 'advance'; from: GameStatus; to: GameStatus }
  | { kind: 'backward'; from: GameStatus; to: GameStatus };

export function transition(from: GameStatus, to: GameStatus): Transition {
  if (from === to) return { kind: 'same' };
  if (PHASE[from] === 2) return { kind: 'backward', from, to };
  if (ALWAYS_REACHABLE.has(to) || PHASE[to] >= PHASE[from]) return { kind: 'advance', from, to };
  return { kind: 'backward', from, to };
}

export const isUnderWay = (s: GameStatus): boolean => PHASE[s] === 1;
export const isOver = (s: GameStatus): boolean => PHASE[s] === 2;

/**
 * Whether a game needs a shard and a place in games:active now: under way, or scheduled to
 * start within `imminentMs` (a start already past counts: ESPN is often late to flip a game live).
 */
export function needsShard(status: GameStatus, startMs: number, nowMs: number, imminentMs: number): boolean {
  if (isUnderWay(status)) return true;
  return status === 'scheduled' && startMs - nowMs <= imminentMs;
}
