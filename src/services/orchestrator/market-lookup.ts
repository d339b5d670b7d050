/**
 * Asks market_discovery for each game's markets and decides when to ask again. A reply that
 * never comes (no server, a crashed one) is a timeout: the game stays tracked without markets
 * and is asked again after a backoff that doubles per failure (the reference system kept a
 * "pending" entry forever, so one lost request meant a game that was never assigned). A game
 * with markets on only one venue, or none yet, is asked again every `recheckMs`, since venues
 * list game markets late.
 */
import { backoffDelay, jittered, type BackoffPolicy } from '../../core/backoff.js';
import { errorMessage } from '../../core/errors.js';
import type { GameInfo, MarketRef } from '../../core/messages.js';
import { VENUES } from '../../core/topics.js';

/** Resolves with the markets found (possibly none); rejects on timeout or a server error. */
export type MarketFinder = (game: GameInfo) => Promise<MarketRef[]>;

export interface MarketLookupOptions {
  retryMs: number;
  maxBackoffMs: number;
  recheckMs: number;
  concurrency: number;
  /** Random fraction shaved off each wait (0.1 = up to 10 %), so retries do not bunch up. */
  jitter?: number;
}

export type LookupOutcome =
  | { ok: true; markets: MarketRef[]; complete: boolean }
  | { ok: false; error: string; attempts: number; retryInMs: number };

interface LookupState {
  failures: number;
  nextAtMs: number;
  inFlight: boolean;
}

export class MarketLookup {
  private readonly states = new Map<string, LookupState>();
  private inFlight = 0;
  private readonly counters = { lookups: 0, found: 0, empty: 0, failures: 0 };

  constructor(
    private readonly finder: MarketFinder,
    private readonly options: Readonly<MarketLookupOptions>,
  ) {}

  /** Whether `gameId` may be asked now (due, not in flight, a free slot). */
  isDue(gameId: string, nowMs: number): boolean {
    if (this.inFlight >= this.options.concurrency) return false;
    const s = this.states.get(gameId);
    return s === undefined || (!s.inFlight && s.nextAtMs <= nowMs);
  }

  /** Asks once; never rejects. */
  async lookup(game: GameInfo, nowMs: () => number = Date.now): Promise<LookupOutcome> {
    const s = this.states.get(game.game_id) ?? { failures: 0, nextAtMs: 0, inFlight: false };
    this.states.set(game.game_id, s);
    s.inFlight = true;
    this.inFlight += 1;
    this.counters.lookups += 1;
    try {
      const markets = await this.finder(game);
      s.failures = 0;
      const complete = VENUES.every((v) => markets.some((m) => m.venue === v));
      s.nextAtMs = complete ? Number.POSITIVE_INFINITY : nowMs() + Math.max(1, jittered(this.options.recheckMs, this.jitter()));
      this.counters[markets.length > 0 ? 'found' : 'empty'] += 1;
      return { ok: true, markets, complete };
    } catch (err) {
      s.failures += 1;
      this.counters.failures += 1;
      const retryInMs = Math.max(1, backoffDelay(this.retryPolicy(), s.failures - 1));
      s.nextAtMs = nowMs() + retryInMs;
      return { ok: false, error: errorMessage(err), attempts: s.failures, retryInMs };
    } finally {
      s.inFlight = false;
      this.inFlight -= 1;
    }
  }

  /** Makes a game due at once (e.g. its teams changed). */
  expedite(gameId: string): void {
    const s = this.states.get(gameId);
    if (s !== undefined) s.nextAtMs = 0;
  }

  forget(gameId: string): void {
    this.states.delete(gameId);
  }

  stats(): Record<string, number> {
    return { ...this.counters, in_flight: this.inFlight, tracked: this.states.size };
  }

  private retryPolicy(): BackoffPolicy {
    return { baseMs: this.options.retryMs, maxMs: this.options.maxBackoffMs, jitter: this.jitter() };
  }

  private jitter(): number {
    return this.options.jitter ?? 0.1;
  }
}
