/**
 * Debounce per game and side: a signal whose key (DetectedSignal.debounceKey, e.g. "g1:model:home")
 * was admitted less than `windowUs` ago is held back, unless its net edge grew by at least
 * `minEdgeGrowth` since then (a stronger edge is news, the same edge is noise). Pure of time: the
 * caller passes `nowUs`, so tests and replays are exact.
 */
import { DEFAULT_SIGNAL_OPTIONS, type DebounceOptions } from './signal-options.js';

interface LastAdmitted {
  readonly ts: number;
  readonly netEdge: number;
}

export class SignalDebouncer {
  private readonly last = new Map<string, LastAdmitted>();
  private readonly options: Readonly<DebounceOptions>;

  constructor(options: Readonly<DebounceOptions> = DEFAULT_SIGNAL_OPTIONS.debounce) {
    this.options = Object.freeze({ ...options });
  }

  /** Whether to emit now; an admitted signal is remembered as the new reference. */
  admit(key: string, netEdge: number, nowUs: number): boolean {
    if (!Number.isFinite(netEdge) || !Number.isFinite(nowUs)) return false;
    const previous = this.last.get(key);
    // A clock that went backwards counts as inside the window.
    const inWindow = previous !== undefined && nowUs - previous.ts < this.options.windowUs;
    const grew = previous !== undefined && netEdge >= previous.netEdge + this.options.minEdgeGrowth - 1e-12;
    if (inWindow && !grew) return false;
    this.last.set(key, { ts: nowUs, netEdge });
    return true;
  }

  /** Drops keys whose window has passed (call now and then to bound memory); returns how many. */
  prune(nowUs: number): number {
    let dropped = 0;
    for (const [key, entry] of this.last) {
      if (nowUs - entry.ts >= this.options.windowUs) {
        this.last.delete(key);
        dropped += 1;
      }
    }
    return dropped;
  }

  /** Forgets every key of a game (game over, or removed from this shard). */
  forgetGame(gameId: string): void {
    const prefix = `${gameId}:`;
    for (const key of this.last.keys()) if (key.startsWith(prefix)) this.last.delete(key);
  }

  get size(): number {
    return this.last.size;
  }
}
