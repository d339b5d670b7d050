/**
 * The one ESPN scoreboard poller: reads scoreboard pages (a league and a day, or the league's
 * current scoreboard) through a circuit breaker and hands each answered page's parsed games on.
 * Any failure (HTTP error, the client's 403 back-off, timeout, garbage body) counts against the
 * breaker; while it is open nothing is requested and the caller keeps its last good state.
 *
 * Two ways to drive it: `poll(pages)` for a caller with its own loop (the orchestrator's
 * discovery), or `start(delayMs)` for rounds over `pages()` every `pollMs` (a game shard's live
 * state). A round is followed by a sleep on every path: the next one starts pollMs after the
 * previous one started, and never sooner than a quarter of pollMs after it ended.
 */
import type { Logger } from 'pino';
import { errorMessage } from '../../core/errors.js';
import { nowMicros } from '../../core/time.js';
import type { Sport } from '../../core/topics.js';
import type { CircuitBreaker } from '../../runtime/circuit-breaker.js';
import type { Metrics } from '../../runtime/metrics.js';
import type { EspnGame } from './common.js';
import type { EspnClient } from './http.js';

/** One scoreboard page to read: a league and a US-Eastern day (null: the current scoreboard). */
export interface ScoreboardPage {
  sport: Sport;
  day: string | null;
}

export interface PollResult {
  games: EspnGame[];
  /** Pages that answered (their games are current). */
  read: ScoreboardPage[];
  failed: number;
  refused: number;
}

export interface ScoreboardPollerOptions {
  client: Pick<EspnClient, 'scoreboard'>;
  breaker: CircuitBreaker;
  metrics: Metrics;
  log: Logger;
  /** Each answered page, as it arrives, with the time it arrived (µs). */
  onPage?(page: ScoreboardPage, games: readonly EspnGame[], fetchedUs: number): void;
  /** For `start()`: the pages of each round, read at every round. */
  pages?(): readonly ScoreboardPage[];
  /** For `start()`: the round interval. */
  pollMs?: number;
}

/** Full college slates run to hundreds of games a day. */
const PAGE_LIMIT = 300;

export class ScoreboardPoller {
  readonly #o: Readonly<ScoreboardPollerOptions>;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #started = false;
  #stopped = false;

  constructor(options: ScoreboardPollerOptions) {
    this.#o = Object.freeze({ ...options });
  }

  /** Starts rounds over `pages()` after `delayMs`. */
  start(delayMs = 0): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#schedule(delayMs);
  }

  /** Stops the rounds; waits for one in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  /** Reads each page in turn; after stop() no further page is requested. */
  async poll(pages: readonly ScoreboardPage[]): Promise<PollResult> {
    const result: PollResult = { games: [], read: [], failed: 0, refused: 0 };
    for (const page of pages) {
      if (this.#stopped) break;
      const games = await this.#read(page, result);
      if (games === null) continue;
      result.games.push(...games);
      result.read.push(page);
      this.#o.onPage?.(page, games, nowMicros());
    }
    return result;
  }

  /** One page through the breaker; null when refused or failed (counted in `result`). */
  async #read(page: ScoreboardPage, result: PollResult): Promise<EspnGame[] | null> {
    const { breaker, metrics } = this.#o;
    if (!breaker.tryAcquire()) {
      result.refused += 1;
      metrics.inc('espn.refused_open');
      return null;
    }
    try {
      const games = await this.#o.client.scoreboard(page.sport, { ...(page.day !== null ? { dates: page.day } : {}), limit: PAGE_LIMIT });
      breaker.success();
      metrics.inc('espn.pages');
      return games;
    } catch (err) {
      const message = errorMessage(err);
      breaker.failure(message);
      result.failed += 1;
      metrics.inc('espn.failures');
      metrics.inc(`espn.failures.${page.sport}`);
      this.#o.log.warn({ sport: page.sport, day: page.day, err: message }, 'ESPN scoreboard failed');
      return null;
    }
  }

  async #round(): Promise<void> {
    this.#o.metrics.inc('espn.ticks');
    await this.poll(this.#o.pages?.() ?? []);
    this.#o.metrics.set('espn.breaker_open', this.#o.breaker.current === 'closed' ? 0 : 1);
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    const pollMs = this.#o.pollMs ?? 0;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      const startedMs = Date.now();
      this.#running = this.#round()
        .catch((err: unknown) => this.#o.log.warn({ err: errorMessage(err) }, 'ESPN poll round failed'))
        .finally(() => {
          this.#running = null;
          const elapsed = Date.now() - startedMs;
          this.#schedule(Math.max(pollMs - elapsed, Math.ceil(pollMs / 4)));
        });
    }, delayMs);
    this.#timer.unref();
  }
}
