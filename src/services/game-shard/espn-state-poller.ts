/**
 * Live game state from ESPN: one scoreboard request per league per tick, shared by every game of
 * that league this shard follows (the reference fetched the whole scoreboard once per game, and
 * re-polled finished games back to back without sleeping). Final, postponed and cancelled games
 * are not polled. Each tick is followed by a sleep, on every path: the next tick starts pollMs
 * after the previous one started, and never sooner than a quarter of pollMs after it ended.
 * Failures go through a circuit breaker: while it is open nothing is requested, the games keep
 * their last state, and the model signals stop once that state is older than its TTL.
 */
import type { Logger } from 'pino';
import { errorMessage } from '../../core/errors.js';
import { nowMicros } from '../../core/time.js';
import type { Sport } from '../../core/topics.js';
import type { Metrics } from '../../runtime/metrics.js';
import type { EspnGame } from '../../venues/espn/common.js';
import type { EspnClient } from '../../venues/espn/http.js';
import type { CircuitBreaker } from '../../runtime/circuit-breaker.js';
import type { ShardGame } from './shard-game.js';

export interface EspnStatePollerOptions {
  client: Pick<EspnClient, 'scoreboard'>;
  breaker: CircuitBreaker;
  pollMs: number;
  /** The games to poll for, read at every tick. */
  games: () => Iterable<ShardGame>;
  /** One observation of one game, with the time its scoreboard arrived (µs). */
  onGame: (game: ShardGame, espn: EspnGame, fetchedUs: number) => void;
  metrics: Metrics;
  log: Logger;
}

/** Full college slates run to hundreds of games. */
const PAGE_LIMIT = 300;

export class EspnStatePoller {
  readonly #o: Readonly<EspnStatePollerOptions>;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #started = false;
  #stopped = false;

  constructor(options: EspnStatePollerOptions) {
    this.#o = Object.freeze({ ...options });
  }

  /** Starts polling after `delayMs`. */
  start(delayMs = 0): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#schedule(delayMs);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  /** One round over the leagues of the followed games (also callable directly in tests). */
  async tick(): Promise<void> {
    const byLeague = new Map<Sport, ShardGame[]>();
    for (const game of this.#o.games()) {
      if (game.frozen) continue;
      let list = byLeague.get(game.sport);
      if (list === undefined) byLeague.set(game.sport, (list = []));
      list.push(game);
    }
    this.#o.metrics.inc('espn.ticks');
    for (const [sport, games] of byLeague) {
      if (this.#stopped) return;
      await this.#pollLeague(sport, games);
    }
    this.#o.metrics.set('espn.breaker_open', this.#o.breaker.current === 'closed' ? 0 : 1);
  }

  async #pollLeague(sport: Sport, games: readonly ShardGame[]): Promise<void> {
    const { breaker, metrics } = this.#o;
    if (!breaker.tryAcquire()) {
      metrics.inc('espn.refused_open');
      return;
    }
    let board: EspnGame[];
    try {
      board = await this.#o.client.scoreboard(sport, { limit: PAGE_LIMIT });
    } catch (err) {
      const message = errorMessage(err);
      breaker.failure(message);
      metrics.inc('espn.failures');
      this.#o.log.warn({ sport, err: message }, 'ESPN scoreboard failed');
      return;
    }
    breaker.success();
    metrics.inc('espn.pages');
    const fetchedUs = nowMicros();
    const byId = new Map(board.map((g) => [g.id, g]));
    for (const game of games) {
      const espn = byId.get(game.gameId);
      if (espn === undefined) {
        metrics.inc('espn.not_on_scoreboard');
        continue;
      }
      try {
        this.#o.onGame(game, espn, fetchedUs);
      } catch (err) {
        // One game's bad state must not stop the others.
        metrics.inc('espn.apply_errors');
        this.#o.log.warn({ game: game.gameId, err: errorMessage(err) }, 'could not apply an ESPN state');
      }
    }
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      const startedMs = Date.now();
      this.#running = this.tick()
        .catch((err: unknown) => this.#o.log.warn({ err: errorMessage(err) }, 'ESPN poll round failed'))
        .finally(() => {
          this.#running = null;
          const elapsed = Date.now() - startedMs;
          this.#schedule(Math.max(this.#o.pollMs - elapsed, Math.ceil(this.#o.pollMs / 4)));
        });
    }, delayMs);
    this.#timer.unref();
  }
}
