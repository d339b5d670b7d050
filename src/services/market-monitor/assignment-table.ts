/**
 * Which markets of one venue a monitor watches, from the games the orchestrator tracks. Pure
 * state, no I/O and no timers: the tracker (assignment-tracker.ts) feeds it hot-path game_info
 * messages and periodic reads of the games:active hash, and acts on what it returns.
 *
 * Rules, each for a reason:
 * - a game that ends (final, cancelled, postponed) is not dropped at once: its markets stay for
 *   a grace period so the settlement price is still published; the caller schedules the removal;
 * - a hot-path message is newer than a hash read that started before it arrived, so such a game
 *   is left alone by that read;
 * - a game that ended on the hot path is not revived by a stale hash entry (a tombstone remembers
 *   it), only by a newer hot-path message;
 * - a tracked game missing from the hash is ended the same way, with the same grace.
 */
import type { GameInfo, GameStatus } from '../../core/messages.js';
import type { Venue } from '../../core/topics.js';
import { hasEnded, sameAssignment, venueMarketsOf, type MarketAssignment } from '../../core/market-assignment.js';

export interface AssignmentDiff {
  added: MarketAssignment[];
  /** Same market, new game or team. */
  changed: MarketAssignment[];
  removed: MarketAssignment[];
}

export interface TableUpdate {
  diff: AssignmentDiff;
  /** Games that just started ending: remove them after the grace period. */
  ending: string[];
  /** Games whose pending removal must be cancelled (they are live again). */
  revived: string[];
  /** Market ids that cannot be watched (bad topic id). */
  rejected: string[];
}

interface TrackedGame {
  markets: MarketAssignment[];
  /** When a hot-path message last set this game (ms); 0 when only the hash did. */
  hotAtMs: number;
  /** The last status seen: a game dropped from the hash was often only scheduled, not ended. */
  status: GameStatus;
  ending: boolean;
  endReason: ReleaseReason | null;
}

/**
 * Why a game's markets go: it ended (final, cancelled, postponed), or the orchestrator stopped
 * listing it before it went live, or stopped listing it for another reason (unassigned).
 */
export type ReleaseReason =
  | { kind: 'ended'; status: GameStatus }
  | { kind: 'not_live_yet'; status: GameStatus }
  | { kind: 'unassigned'; status: GameStatus };

const NOT_LIVE_YET: ReadonlySet<GameStatus> = new Set(['scheduled', 'delayed']);

function endedReason(info: GameInfo): ReleaseReason {
  return { kind: 'ended', status: info.event === 'final' ? 'final' : info.status };
}

function unlistedReason(status: GameStatus): ReleaseReason {
  return { kind: NOT_LIVE_YET.has(status) ? 'not_live_yet' : 'unassigned', status };
}

/** Tombstones of ended games are forgotten after a day. */
const TOMBSTONE_TTL_MS = 86_400_000;

export class AssignmentTable {
  readonly venue: Venue;
  readonly #games = new Map<string, TrackedGame>();
  #markets = new Map<string, MarketAssignment>();
  readonly #ended = new Map<string, number>();

  constructor(venue: Venue) {
    this.venue = venue;
  }

  markets(): ReadonlyMap<string, MarketAssignment> {
    return this.#markets;
  }

  market(marketId: string): MarketAssignment | undefined {
    return this.#markets.get(marketId);
  }

  gameCount(): number {
    return this.#games.size;
  }

  isEnding(gameId: string): boolean {
    return this.#games.get(gameId)?.ending === true;
  }

  /** Why a game that is ending goes; null when it is not ending. */
  releaseReason(gameId: string): ReleaseReason | null {
    return this.#games.get(gameId)?.endReason ?? null;
  }

  /** A game_info message from the hot path. */
  applyMessage(info: GameInfo, nowMs: number): TableUpdate {
    const update = emptyUpdate();
    const tracked = this.#games.get(info.game_id);
    const { markets, rejected } = venueMarketsOf(info, this.venue);
    update.rejected = rejected;
    if (hasEnded(info)) {
      this.#ended.set(info.game_id, nowMs);
      if (!tracked) return update;
      tracked.markets = markets;
      tracked.hotAtMs = nowMs;
      tracked.status = info.status;
      if (!tracked.ending) {
        tracked.ending = true;
        tracked.endReason = endedReason(info);
        update.ending.push(info.game_id);
      }
    } else {
      this.#ended.delete(info.game_id);
      if (tracked?.ending) update.revived.push(info.game_id);
      this.#games.set(info.game_id, { markets, hotAtMs: nowMs, status: info.status, ending: false, endReason: null });
    }
    update.diff = this.#rebuild();
    return update;
  }

  /** Every game of the games:active hash, read from `readStartedMs` on. */
  applySnapshot(infos: readonly GameInfo[], readStartedMs: number, nowMs: number): TableUpdate {
    const update = emptyUpdate();
    this.#pruneTombstones(nowMs);
    const seen = new Set<string>();
    for (const info of infos) {
      seen.add(info.game_id);
      const tracked = this.#games.get(info.game_id);
      if (tracked && tracked.hotAtMs >= readStartedMs) continue;
      const { markets, rejected } = venueMarketsOf(info, this.venue);
      update.rejected.push(...rejected);
      if (hasEnded(info)) {
        this.#ended.set(info.game_id, nowMs);
        if (tracked && !tracked.ending) {
          tracked.ending = true;
          tracked.endReason = endedReason(info);
          update.ending.push(info.game_id);
        }
        continue;
      }
      if (this.#ended.has(info.game_id)) continue;
      if (tracked?.ending) update.revived.push(info.game_id);
      this.#games.set(info.game_id, { markets, hotAtMs: tracked?.hotAtMs ?? 0, status: info.status, ending: false, endReason: null });
    }
    for (const [gameId, tracked] of this.#games) {
      if (seen.has(gameId) || tracked.hotAtMs >= readStartedMs || tracked.ending) continue;
      tracked.ending = true;
      tracked.endReason = unlistedReason(tracked.status);
      update.ending.push(gameId);
    }
    update.diff = this.#rebuild();
    return update;
  }

  /** Ends a game for good (its grace period is over). */
  remove(gameId: string): AssignmentDiff {
    if (!this.#games.delete(gameId)) return emptyDiff();
    return this.#rebuild();
  }

  /**
   * Recomputes the market map from the games and returns what changed. A market listed by two
   * games goes to the one set last (the orchestrator moved it).
   */
  #rebuild(): AssignmentDiff {
    const next = new Map<string, MarketAssignment>();
    for (const game of this.#games.values()) for (const m of game.markets) next.set(m.marketId, m);
    const diff = emptyDiff();
    for (const [id, m] of next) {
      const before = this.#markets.get(id);
      if (!before) diff.added.push(m);
      else if (!sameAssignment(before, m)) diff.changed.push(m);
    }
    for (const [id, m] of this.#markets) if (!next.has(id)) diff.removed.push(m);
    this.#markets = next;
    return diff;
  }

  #pruneTombstones(nowMs: number): void {
    for (const [gameId, at] of this.#ended) if (nowMs - at > TOMBSTONE_TTL_MS) this.#ended.delete(gameId);
  }
}

function emptyDiff(): AssignmentDiff {
  return { added: [], changed: [], removed: [] };
}

export function isEmptyDiff(d: AssignmentDiff): boolean {
  return d.added.length === 0 && d.changed.length === 0 && d.removed.length === 0;
}

function emptyUpdate(): TableUpdate {
  return { diff: emptyDiff(), ending: [], revived: [], rejected: [] };
}
