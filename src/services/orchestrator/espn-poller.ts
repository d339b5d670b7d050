/**
 * Reads ESPN scoreboards through the circuit breaker: the current scoreboard of each league
 * (live games and today's slate) and, for the schedule, one `dates=YYYYMMDD` page per league and
 * US-Eastern day. Any failure (HTTP error, 403 throttle, timeout, garbage body) counts against
 * the breaker; while it is open nothing is requested and the caller keeps its last good state.
 */
import type { Logger } from 'pino';
import { errorMessage } from '../../core/errors.js';
import type { Sport } from '../../core/topics.js';
import type { EspnGame } from '../../venues/espn/common.js';
import type { EspnClient } from '../../venues/espn/http.js';
import type { Metrics } from '../../runtime/metrics.js';
import type { CircuitBreaker } from '../../runtime/circuit-breaker.js';

/** One scoreboard page to read: a league and a day (null: ESPN's current scoreboard). */
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

/** Full college slates run to hundreds of games a day. */
const PAGE_LIMIT = 300;

export class EspnPoller {
  constructor(
    private readonly client: EspnClient,
    private readonly breaker: CircuitBreaker,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  async poll(pages: readonly ScoreboardPage[]): Promise<PollResult> {
    const result: PollResult = { games: [], read: [], failed: 0, refused: 0 };
    for (const page of pages) {
      if (!this.breaker.tryAcquire()) {
        result.refused += 1;
        this.metrics.inc('espn.refused_open');
        continue;
      }
      try {
        const games = await this.client.scoreboard(page.sport, {
          ...(page.day !== null ? { dates: page.day } : {}),
          limit: PAGE_LIMIT,
        });
        this.breaker.success();
        this.metrics.inc('espn.pages');
        result.games.push(...games);
        result.read.push(page);
      } catch (err) {
        const message = errorMessage(err);
        this.breaker.failure(message);
        result.failed += 1;
        this.metrics.inc('espn.failures');
        this.metrics.inc(`espn.failures.${page.sport}`);
        this.log.warn({ sport: page.sport, day: page.day, err: message }, 'ESPN scoreboard failed');
      }
    }
    return result;
  }
}
