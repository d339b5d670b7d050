/**
 * The one reader of the orchestrator's games:active hash (game id -> GameInfo JSON) and of the
 * game_info messages it publishes on `games.*`. Every service that follows the orchestrator's
 * games (market monitors, game shards, the position tracker) reads them through this class and
 * keeps only what is its own (which markets, which shard, which catalogue).
 *
 * - A read is one HGETALL; each entry is parsed with parseGameInfo, and an entry that does not
 *   parse, or whose field is not its game id, is counted, logged and skipped.
 * - A hot-path message is newer than a read that started before it arrived: the read says so
 *   (`isNewer`), so a caller never lets the older hash undo the message.
 * - After `start()`, the hash is re-read every `healMs` (sooner until the first read succeeds)
 *   to heal whatever the hot path lost. Concurrent reads share one HGETALL.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RawEnvelope } from '../core/envelope.js';
import { errorMessage } from '../core/errors.js';
import { isRedisUnreachableError } from '../bus/redis-connection.js';
import { parseGameInfo } from '../core/market-assignment.js';
import type { GameInfo } from '../core/messages.js';
import type { Metrics } from './metrics.js';

/** What the reader counts; each caller names the metric (its names predate this class). */
export interface ActiveGamesMetricNames {
  /** Hash entries and messages that did not parse. */
  unreadable: string;
  /** game_info messages applied. */
  messages: string;
  /** Successful reads of the hash. */
  reads: string;
  /** Reads Redis refused. */
  readFailures: string;
}

export interface ActiveGamesRead {
  /** The readable games of the hash, by game id. */
  readonly games: ReadonlyMap<string, GameInfo>;
  /** When the read started (ms, the reader's clock). */
  readonly startedMs: number;
  /** Entries skipped as unreadable. */
  readonly unreadable: number;
  /** True when a hot-path message about this game arrived after the read started. */
  isNewer(gameId: string): boolean;
}

export interface ActiveGamesReaderOptions {
  redis: Redis;
  key: string;
  log: Logger;
  metrics: Metrics;
  /** Defaults to `active_games.<what>`. */
  metricNames?: ActiveGamesMetricNames;
  /** Re-read interval after `start()`. */
  healMs?: number;
  /** Until the first read succeeds, retry this often (capped at healMs). */
  firstReadRetryMs?: number;
  /** Every readable game_info message, at once. */
  onMessage?(info: GameInfo, topic: string): void;
  /** Every successful read (start, heal, or an explicit `read()`). */
  onRead?(read: ActiveGamesRead): void;
  now?: () => number;
}

const DEFAULT_METRIC_NAMES: ActiveGamesMetricNames = Object.freeze({
  unreadable: 'active_games.unreadable',
  messages: 'active_games.messages',
  reads: 'active_games.reads',
  readFailures: 'active_games.read_failures',
});
const DEFAULT_HEAL_MS = 5_000;
const DEFAULT_FIRST_READ_RETRY_MS = 1_000;

export class ActiveGamesReader {
  readonly #o: ActiveGamesReaderOptions & { now: () => number; metricNames: ActiveGamesMetricNames };
  /** When a message last named each game; only those newer than the last read are kept. */
  readonly #messageMs = new Map<string, number>();
  #timer: NodeJS.Timeout | null = null;
  #reading: Promise<ActiveGamesRead | null> | null = null;
  #readOnce = false;
  #stopped = false;

  constructor(options: ActiveGamesReaderOptions) {
    this.#o = { now: Date.now, metricNames: DEFAULT_METRIC_NAMES, ...options };
  }

  /** Reads the hash once (a failure is retried in the background), then re-reads periodically. */
  async start(): Promise<void> {
    await this.read();
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Handler for `games.` messages; game_state (a shard's) and anything else is ignored. */
  onGameMessage(topic: string, envelope: RawEnvelope): void {
    if (envelope.type !== 'game_info') return;
    const parsed = parseGameInfo(envelope.data);
    const { metrics, metricNames, log } = this.#o;
    if (!parsed.ok) {
      metrics.inc(metricNames.unreadable);
      log.warn({ topic, reason: parsed.reason }, 'ARB_MONITOR_ASSIGNMENT: unreadable game_info');
      return;
    }
    metrics.inc(metricNames.messages);
    this.#messageMs.set(parsed.info.game_id, this.#o.now());
    this.#o.onMessage?.(parsed.info, topic);
  }

  /** Reads the hash and hands it to `onRead`; null when Redis failed or the reader stopped. */
  read(): Promise<ActiveGamesRead | null> {
    this.#reading ??= this.#readOnceNow().finally(() => (this.#reading = null));
    return this.#reading;
  }

  /** One game's entry (HGET); null when absent, unreadable or Redis failed. */
  async readGame(gameId: string): Promise<GameInfo | null> {
    let text: string | null;
    try {
      text = await this.#o.redis.hget(this.#o.key, gameId);
    } catch {
      return null; // Redis down: the caller asks again later
    }
    if (text === null) return null;
    const parsed = parseGameInfo(text);
    return parsed.ok && parsed.info.game_id === gameId ? parsed.info : null;
  }

  async #readOnceNow(): Promise<ActiveGamesRead | null> {
    const { redis, key, metrics, metricNames, log } = this.#o;
    const startedMs = this.#o.now();
    let raw: Record<string, string>;
    try {
      raw = await redis.hgetall(key);
    } catch (err) {
      metrics.inc(metricNames.readFailures);
      // Redis away: counted here, its outage logged once by the connection's tracker.
      const level = isRedisUnreachableError(err) ? 'debug' : 'warn';
      log[level]({ key, err: errorMessage(err) }, 'ARB_REDIS_UNAVAILABLE: cannot read the active games');
      return null;
    }
    if (this.#stopped) return null;
    const read = this.#parse(raw, startedMs);
    this.#readOnce = true;
    metrics.inc(metricNames.reads);
    this.#o.onRead?.(read);
    // Messages older than this read are in the hash now: no later read can race them.
    for (const [gameId, at] of this.#messageMs) if (at < startedMs) this.#messageMs.delete(gameId);
    return read;
  }

  #parse(raw: Record<string, string>, startedMs: number): ActiveGamesRead {
    const games = new Map<string, GameInfo>();
    let unreadable = 0;
    for (const [gameId, value] of Object.entries(raw)) {
      const parsed = parseGameInfo(value);
      if (parsed.ok && parsed.info.game_id === gameId) {
        games.set(gameId, parsed.info);
        continue;
      }
      unreadable += 1;
      this.#o.metrics.inc(this.#o.metricNames.unreadable);
      const reason = parsed.ok ? `field ${gameId} holds game ${parsed.info.game_id}` : parsed.reason;
      this.#o.log.warn({ key: this.#o.key, gameId, reason }, 'ARB_MONITOR_ASSIGNMENT: skipped an active game');
    }
    return { games, startedMs, unreadable, isNewer: (gameId) => (this.#messageMs.get(gameId) ?? -Infinity) >= startedMs };
  }

  #schedule(): void {
    if (this.#stopped) return;
    const healMs = this.#o.healMs ?? DEFAULT_HEAL_MS;
    const wait = this.#readOnce ? healMs : Math.min(this.#o.firstReadRetryMs ?? DEFAULT_FIRST_READ_RETRY_MS, healMs);
    this.#timer = setTimeout(() => void this.read().finally(() => this.#schedule()), wait);
    this.#timer.unref();
  }
}
