/**
 * Decides whether a new ESPN observation of a game may replace the state the shard holds.
 * ESPN's CDN serves stale copies now and then, so a scoreboard can show a game going backwards
 * (an earlier period, a lower score, a clock that ran up, a final game live again). Such an
 * observation is ignored and counted. A real correction (a touchdown overturned on review) looks
 * the same but persists: the same backwards observation seen `confirmations` polls in a row is
 * accepted. Overtime is forward progress (a higher period), and a final, postponed or cancelled
 * game is frozen: only a confirmed correction moves it again.
 */
import type { GameStatus } from '../../core/messages.js';
import { isFrozenStatus, sameLiveState, type LiveState } from './live-state.js';

export type GuardVerdict =
  /** Forward progress (or the first observation): use it. */
  | 'accepted'
  /** Identical to what is held. */
  | 'unchanged'
  /** Goes backwards: ignored (counted). */
  | 'backwards'
  /** Went backwards, but persisted long enough to be a correction: use it. */
  | 'corrected';

export interface StateGuardOptions {
  /** Consecutive identical backwards observations that make a correction. */
  confirmations: number;
  /** A clock may run up this much within a period before it counts as backwards (review fixes). */
  clockToleranceS: number;
}

const DEFAULT_STATE_GUARD_OPTIONS: Readonly<StateGuardOptions> = Object.freeze({ confirmations: 3, clockToleranceS: 2 });

/** Scheduled, then in play (live, halftime, delayed), then over. */
function statusRank(status: GameStatus): number {
  if (status === 'scheduled') return 0;
  if (status === 'live' || status === 'halftime' || status === 'delayed') return 1;
  return 2;
}

/** Why `next` would go backwards from `current`, or null when it does not. */
export function backwardsReason(current: LiveState, next: LiveState, clockToleranceS: number): string | null {
  const from = statusRank(current.status);
  const to = statusRank(next.status);
  if (to < from) return `status ${current.status} -> ${next.status}`;
  if (isFrozenStatus(current.status) && next.status !== current.status) return `status ${current.status} -> ${next.status}`;
  if (next.homeScore < current.homeScore || next.awayScore < current.awayScore) {
    return `score ${current.homeScore}-${current.awayScore} -> ${next.homeScore}-${next.awayScore}`;
  }
  if (from === 1 && to === 1) {
    if (next.period < current.period) return `period ${current.period} -> ${next.period}`;
    if (next.period === current.period && next.clockS > current.clockS + clockToleranceS) {
      return `clock ${current.clockS}s -> ${next.clockS}s in period ${next.period}`;
    }
  }
  return null;
}

interface Pending {
  signature: string;
  seen: number;
}

export class StateGuard {
  private readonly options: Readonly<StateGuardOptions>;
  private readonly pending = new Map<string, Pending>();

  constructor(options: Partial<StateGuardOptions> = {}) {
    const o = { ...DEFAULT_STATE_GUARD_OPTIONS, ...options };
    if (!Number.isInteger(o.confirmations) || o.confirmations < 1) throw new RangeError('confirmations must be an integer >= 1');
    if (!(o.clockToleranceS >= 0)) throw new RangeError('clockToleranceS must be >= 0');
    this.options = Object.freeze(o);
  }

  /** The verdict on `next` for a game currently at `current` (null: nothing held yet). */
  review(gameId: string, current: LiveState | null, next: LiveState): { verdict: GuardVerdict; reason: string | null } {
    if (current === null) {
      this.pending.delete(gameId);
      return { verdict: 'accepted', reason: null };
    }
    if (sameLiveState(current, next)) {
      this.pending.delete(gameId);
      return { verdict: 'unchanged', reason: null };
    }
    const reason = backwardsReason(current, next, this.options.clockToleranceS);
    if (reason === null) {
      this.pending.delete(gameId);
      return { verdict: 'accepted', reason: null };
    }
    const signature = JSON.stringify(next);
    const p = this.pending.get(gameId);
    const seen = p !== undefined && p.signature === signature ? p.seen + 1 : 1;
    if (seen >= this.options.confirmations) {
      this.pending.delete(gameId);
      return { verdict: 'corrected', reason };
    }
    this.pending.set(gameId, { signature, seen });
    return { verdict: 'backwards', reason };
  }

  forget(gameId: string): void {
    this.pending.delete(gameId);
  }
}
