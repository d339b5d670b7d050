/**
 * The games this shard follows: exactly those whose GameInfo names it (`shard` equal to its own
 * `<service>.<instance>`). The shared ActiveGamesReader hands over game_info messages on games.*
 * at once and the orchestrator's games:active hash at start (a restarted shard recovers its
 * games), periodically and after a gap, to heal anything the hot path lost. A game reassigned to another
 * shard, or gone from the hash, is dropped.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RawEnvelope } from '../../core/envelope.js';
import type { GameInfo } from '../../core/messages.js';
import { ActiveGamesReader, type ActiveGamesRead } from '../../runtime/active-games-reader.js';
import type { Metrics } from '../../runtime/metrics.js';
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
  readonly #reader: ActiveGamesReader;

  constructor(options: GameRegistryOptions) {
    this.#o = Object.freeze({ now: Date.now, ...options });
    this.#reader = new ActiveGamesReader({
      redis: options.redis,
      key: options.activeGamesKey,
      log: options.log,
      metrics: options.metrics,
      metricNames: { unreadable: 'registry.bad_game_info', messages: 'registry.game_info', reads: 'registry.heals', readFailures: 'registry.heal_failures' },
      healMs: options.healMs,
      firstReadRetryMs: FIRST_READ_RETRY_MS,
      now: this.#o.now,
      onMessage: (info) => this.apply(info),
      onRead: (read) => this.#reconcile(read),
    });
  }

  get shardId(): string {
    return this.#o.shardId;
  }

  start(): Promise<void> {
    return this.#reader.start();
  }

  stop(): void {
    this.#reader.stop();
  }

  /** Handler for games.* messages; game_state (shards') and anything else is ignored. */
  onGameMessage(topic: string, envelope: RawEnvelope): void {
    this.#reader.onGameMessage(topic, envelope);
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
  async heal(): Promise<boolean> {
    return (await this.#reader.read()) !== null;
  }

  /** Applies a read of the hash; a game a newer message set is left as that message set it. */
  #reconcile(read: ActiveGamesRead): void {
    for (const [gameId, info] of read.games) if (!read.isNewer(gameId)) this.apply(info);
    for (const game of [...this.games.values()]) {
      if (read.games.has(game.gameId) || read.isNewer(game.gameId)) continue;
      this.#remove(game, 'gone');
    }
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
}
