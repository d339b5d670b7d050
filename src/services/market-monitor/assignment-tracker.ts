/**
 * Follows the orchestrator's market assignments for one venue: reads the games:active hash at
 * start (so a monitor restarted mid-game recovers its markets), applies game_info messages from
 * the hot path as they come, re-reads the hash periodically to heal anything missed, and removes
 * an ended game's markets after a grace period. Every change reaches `onChange` as a diff.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RawEnvelope } from '../../core/envelope.js';
import { errorMessage } from '../../core/errors.js';
import type { GameInfo } from '../../core/messages.js';
import type { Venue } from '../../core/topics.js';
import type { Metrics } from '../../runtime/metrics.js';
import { AssignmentTable, isEmptyDiff, type AssignmentDiff, type TableUpdate } from './assignment-table.js';
import { parseGameInfo } from '../../core/market-assignment.js';

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

/** Until the hash has been read once, retry this often rather than waiting a whole heal interval. */
const FIRST_READ_RETRY_MS = 1_000;

export class AssignmentTracker {
  readonly table: AssignmentTable;
  readonly #o: Readonly<Required<AssignmentTrackerOptions>>;
  readonly #removals = new Map<string, NodeJS.Timeout>();
  #healTimer: NodeJS.Timeout | null = null;
  #healing: Promise<boolean> | null = null;
  #readOnce = false;
  #stopped = false;

  constructor(options: AssignmentTrackerOptions) {
    this.#o = Object.freeze({ now: Date.now, ...options });
    this.table = new AssignmentTable(options.venue);
  }

  /** Reads the hash once (failures are retried in the background), then heals periodically. */
  async start(): Promise<void> {
    await this.heal();
    this.#scheduleHeal();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#healTimer) clearTimeout(this.#healTimer);
    this.#healTimer = null;
    for (const t of this.#removals.values()) clearTimeout(t);
    this.#removals.clear();
  }

  /** Handler for `games.` messages; game_state (a shard's) and anything else is ignored. */
  onGameMessage(topic: string, envelope: RawEnvelope): void {
    if (envelope.type !== 'game_info') return;
    const parsed = parseGameInfo(envelope.data);
    if (!parsed.ok) {
      this.#o.metrics.inc('assignment_errors');
      this.#o.log.warn({ topic, reason: parsed.reason }, 'ARB_MONITOR_ASSIGNMENT: unreadable game_info');
      return;
    }
    this.#o.metrics.inc('game_messages');
    this.#apply(this.table.applyMessage(parsed.info, this.#o.now()));
  }

  /** Re-reads the hash and reconciles; true when the read succeeded. Concurrent calls share one read. */
  heal(): Promise<boolean> {
    this.#healing ??= this.#healOnce().finally(() => (this.#healing = null));
    return this.#healing;
  }

  async #healOnce(): Promise<boolean> {
    const startedMs = this.#o.now();
    let raw: Record<string, string>;
    try {
      raw = await this.#o.redis.hgetall(this.#o.activeGamesKey);
    } catch (err) {
      this.#o.metrics.inc('heal_failures');
      this.#o.log.warn({ key: this.#o.activeGamesKey, err: errorMessage(err) }, 'ARB_REDIS_UNAVAILABLE: cannot read the active games');
      return false;
    }
    if (this.#stopped) return false;
    const infos: GameInfo[] = [];
    for (const [gameId, value] of Object.entries(raw)) {
      const parsed = parseGameInfo(value);
      if (parsed.ok && parsed.info.game_id === gameId) infos.push(parsed.info);
      else {
        this.#o.metrics.inc('assignment_errors');
        const reason = parsed.ok ? `field ${gameId} holds game ${parsed.info.game_id}` : parsed.reason;
        this.#o.log.warn({ key: this.#o.activeGamesKey, gameId, reason }, 'ARB_MONITOR_ASSIGNMENT: skipped an active game');
      }
    }
    this.#readOnce = true;
    this.#o.metrics.inc('heals');
    this.#apply(this.table.applySnapshot(infos, startedMs, this.#o.now()));
    return true;
  }

  #scheduleHeal(): void {
    if (this.#stopped) return;
    const wait = this.#readOnce ? this.#o.healIntervalMs : Math.min(FIRST_READ_RETRY_MS, this.#o.healIntervalMs);
    this.#healTimer = setTimeout(() => {
      void this.heal().finally(() => this.#scheduleHeal());
    }, wait);
    this.#healTimer.unref();
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
      const diff = this.table.remove(gameId);
      this.#o.metrics.set('games', this.table.gameCount());
      this.#o.metrics.set('markets', this.table.markets().size);
      this.#o.log.info({ gameId, markets: diff.removed.map((m) => m.marketId) }, 'game ended; markets released');
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
