/**
 * The games this shard follows: exactly those whose GameInfo names it (`shard` equal to its own
 * `<service>.<instance>`). game_info messages on games.* apply at once; the orchestrator's
 * games:active hash is read at start (a restarted shard recovers its games) and re-read
 * periodically and after a gap, to heal anything the hot path lost. A game reassigned to another
 * shard, or gone from the hash, is dropped.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RawEnvelope } from '../../core/envelope.js';
import { errorMessage } from '../../core/errors.js';
import type { GameInfo } from '../../core/messages.js';
import type { Metrics } from '../../runtime/metrics.js';
import { parseGameInfo } from '../../core/market-assignment.js';
import { ShardGame } from './shard-game.js';

export interface GameRegistryHooks {
  added(game: ShardGame): void;
  /** The info changed; `marketsChanged` when the market list did (markets were rebuilt). */
  updated(game: ShardGame, marketsChanged: boolean, previousMarkets: readonly string[]): void;
  removed(game: ShardGame, why: 'reassigned' | 'gone'): void;
}

export interface GameRegistryOptions {
  shardId: string;
  redis: Redis;
  activeGamesKey: string;
  healMs: number;
  log: Logger;
  metrics: Metrics;
  hooks: GameRegistryHooks;
  now?: () => number;
}

/** Until the hash has been read once, retry this often. */
const FIRST_READ_RETRY_MS = 500;

const marketsKey = (info: GameInfo): string => JSON.stringify(info.markets);

export class GameRegistry {
  readonly games = new Map<string, ShardGame>();
  readonly #o: Readonly<Required<GameRegistryOptions>>;
  /** When a message last touched each game: a heal that started earlier must not undo it. */
  readonly #touchedMs = new Map<string, number>();
  #timer: NodeJS.Timeout | null = null;
  #healing: Promise<boolean> | null = null;
  #readOnce = false;
  #stopped = false;

  constructor(options: GameRegistryOptions) {
    this.#o = Object.freeze({ now: Date.now, ...options });
  }

  get shardId(): string {
    return this.#o.shardId;
  }

  async start(): Promise<void> {
    await this.heal();
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Handler for games.* messages; game_state (shards') and anything else is ignored. */
  onGameMessage(topic: string, envelope: RawEnvelope): void {
    if (envelope.type !== 'game_info') return;
    const parsed = parseGameInfo(envelope.data);
    if (!parsed.ok) {
      this.#o.metrics.inc('registry.bad_game_info');
      this.#o.log.warn({ topic, reason: parsed.reason }, 'ARB_MONITOR_ASSIGNMENT: unreadable game_info');
      return;
    }
    this.#o.metrics.inc('registry.game_info');
    this.#touchedMs.set(parsed.info.game_id, this.#o.now());
    this.apply(parsed.info);
  }

  /** Applies one GameInfo (from a message or the hash). */
  apply(info: GameInfo): void {
    const mine = info.shard === this.#o.shardId;
    const game = this.games.get(info.game_id);
    if (!mine) {
      if (game !== undefined) this.#remove(game, 'reassigned');
      return;
    }
    if (game === undefined) {
      const created = new ShardGame(info);
      created.rebuildMarkets();
      this.#warnRejected(created);
      this.games.set(info.game_id, created);
      this.#o.metrics.inc('registry.added');
      this.#o.hooks.added(created);
      return;
    }
    // A heal re-applies the same info every few seconds: nothing to do then.
    if (JSON.stringify(game.info) === JSON.stringify(info)) return;
    const marketsChanged = marketsKey(game.info) !== marketsKey(info);
    const previous = game.markets.map((m) => m.topic);
    game.info = info;
    game.stateDirty = true;
    if (marketsChanged) {
      game.rebuildMarkets();
      this.#warnRejected(game);
    }
    this.#o.hooks.updated(game, marketsChanged, previous);
  }

  /** Re-reads games:active and reconciles; true when the read succeeded. Concurrent calls share one. */
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
      this.#o.metrics.inc('registry.heal_failures');
      this.#o.log.warn({ key: this.#o.activeGamesKey, err: errorMessage(err) }, 'ARB_REDIS_UNAVAILABLE: cannot read the active games');
      return false;
    }
    if (this.#stopped) return false;
    const listed = new Set<string>();
    for (const [gameId, value] of Object.entries(raw)) {
      const parsed = parseGameInfo(value);
      if (!parsed.ok || parsed.info.game_id !== gameId) {
        this.#o.metrics.inc('registry.bad_game_info');
        continue;
      }
      listed.add(gameId);
      // A message newer than this read knows better than the hash.
      if ((this.#touchedMs.get(gameId) ?? 0) >= startedMs) continue;
      this.apply(parsed.info);
    }
    for (const game of [...this.games.values()]) {
      if (listed.has(game.gameId) || (this.#touchedMs.get(game.gameId) ?? 0) >= startedMs) continue;
      this.#remove(game, 'gone');
    }
    for (const gameId of [...this.#touchedMs.keys()]) if (!this.games.has(gameId) && !listed.has(gameId)) this.#touchedMs.delete(gameId);
    this.#readOnce = true;
    this.#o.metrics.inc('registry.heals');
    return true;
  }

  #remove(game: ShardGame, why: 'reassigned' | 'gone'): void {
    this.games.delete(game.gameId);
    this.#o.metrics.inc(`registry.removed_${why}`);
    this.#o.hooks.removed(game, why);
  }

  #warnRejected(game: ShardGame): void {
    if (game.rejectedMarkets.length === 0) return;
    this.#o.metrics.inc('registry.rejected_markets', game.rejectedMarkets.length);
    this.#o.log.warn({ game: game.gameId, marketIds: game.rejectedMarkets }, 'ARB_MONITOR_ASSIGNMENT: market ids unusable as topic ids');
  }

  #schedule(): void {
    if (this.#stopped) return;
    const wait = this.#readOnce ? this.#o.healMs : Math.min(FIRST_READ_RETRY_MS, this.#o.healMs);
    this.#timer = setTimeout(() => void this.heal().finally(() => this.#schedule()), wait);
    this.#timer.unref();
  }
}
