/**
 * Follows the orchestrator's market assignments for one venue: the shared ActiveGamesReader reads
 * the games:active hash at start (so a monitor restarted mid-game recovers its markets), applies
 * game_info messages from the hot path as they come and re-reads the hash periodically; this
 * class turns them into this venue's markets and removes an ended game's markets after a grace
 * period. Every change reaches `onChange` as a diff.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RawEnvelope } from '../../core/envelope.js';
import type { Venue } from '../../core/topics.js';
import { ActiveGamesReader } from '../../runtime/active-games-reader.js';
import type { Metrics } from '../../runtime/metrics.js';
import { AssignmentTable, isEmptyDiff, type AssignmentDiff, type ReleaseReason, type TableUpdate } from './assignment-table.js';

export interface AssignmentTrackerOptions {
  venue: Venue;
  redis: Redis;
  activeGamesKey: string;
  healIntervalMs: number;
  finalGraceMs: number;
  log: Logger;
  metrics: Metrics;
  onChange(diff: AssignmentDiff): void;
  now?: () => number;
}

export class AssignmentTracker {
  readonly table: AssignmentTable;
  readonly #o: Readonly<Required<AssignmentTrackerOptions>>;
  readonly #reader: ActiveGamesReader;
  readonly #removals = new Map<string, NodeJS.Timeout>();
  #stopped = false;

  constructor(options: AssignmentTrackerOptions) {
    this.#o = Object.freeze({ now: Date.now, ...options });
    this.table = new AssignmentTable(options.venue);
    this.#reader = new ActiveGamesReader({
      redis: options.redis,
      key: options.activeGamesKey,
      log: options.log,
      metrics: options.metrics,
      metricNames: { unreadable: 'assignment_errors', messages: 'game_messages', reads: 'heals', readFailures: 'heal_failures' },
      healMs: options.healIntervalMs,
      now: this.#o.now,
      onMessage: (info) => this.#apply(this.table.applyMessage(info, this.#o.now())),
      // The table keeps its own hot-path times (and tombstones), so it takes the read's start.
      onRead: (read) => this.#apply(this.table.applySnapshot([...read.games.values()], read.startedMs, this.#o.now())),
    });
  }

  /** Reads the hash once (failures are retried in the background), then heals periodically. */
  start(): Promise<void> {
    return this.#reader.start();
  }

  stop(): void {
    this.#stopped = true;
    this.#reader.stop();
    for (const t of this.#removals.values()) clearTimeout(t);
    this.#removals.clear();
  }

  /** Handler for `games.` messages; game_state (a shard's) and anything else is ignored. */
  onGameMessage(topic: string, envelope: RawEnvelope): void {
    this.#reader.onGameMessage(topic, envelope);
  }

  /** Re-reads the hash and reconciles; true when the read succeeded. Concurrent calls share one read. */
  async heal(): Promise<boolean> {
    return (await this.#reader.read()) !== null;
  }

  #apply(update: TableUpdate): void {
    if (update.rejected.length > 0) {
      this.#o.metrics.inc('assignment_errors', update.rejected.length);
      this.#o.log.warn({ marketIds: update.rejected }, 'ARB_MONITOR_ASSIGNMENT: market ids unusable as topic ids');
    }
    for (const gameId of update.revived) this.#cancelRemoval(gameId);
    for (const gameId of update.ending) this.#scheduleRemoval(gameId);
    this.#o.metrics.set('games', this.table.gameCount());
    this.#o.metrics.set('markets', this.table.markets().size);
    if (!isEmptyDiff(update.diff)) this.#o.onChange(update.diff);
  }

  #scheduleRemoval(gameId: string): void {
    if (this.#removals.has(gameId) || this.#stopped) return;
    const timer = setTimeout(() => {
      this.#removals.delete(gameId);
      const reason = this.table.releaseReason(gameId);
      const diff = this.table.remove(gameId);
      this.#o.metrics.set('games', this.table.gameCount());
      this.#o.metrics.set('markets', this.table.markets().size);
      this.#o.log.info({ gameId, reason: reason?.kind, status: reason?.status, markets: diff.removed.map((m) => m.marketId) }, releaseMessage(reason));
      if (!isEmptyDiff(diff)) this.#o.onChange(diff);
    }, this.#o.finalGraceMs);
    timer.unref();
    this.#removals.set(gameId, timer);
  }

  #cancelRemoval(gameId: string): void {
    const timer = this.#removals.get(gameId);
    if (timer) clearTimeout(timer);
    this.#removals.delete(gameId);
  }
}

/** The log line of a release: "game ended" only for a game that did. */
export function releaseMessage(reason: ReleaseReason | null): string {
  switch (reason?.kind) {
    case 'ended':
      return `game ended (${reason.status}); markets released`;
    case 'not_live_yet':
      return `game not live yet (${reason.status}) and no longer in games:active; markets released`;
    default:
      return `game unassigned (no longer in games:active while ${reason?.status ?? 'unknown'}); markets released`;
  }
}
