/**
 * A token bucket that waits rather than fails: Kalshi meters requests in tokens (default cost 10
 * per request, Basic tier 200 read and 100 write tokens per second, see Kalshi's API documentation), and
 * a 429 costs more time than pacing ourselves. Waiters are served in arrival order.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface TokenBucketOptions {
  /** Tokens added per second. */
  refillPerSecond: number;
  /** Largest burst; defaults to one second of refill. */
  capacity?: number;
  now?: () => number;
}

export class TokenBucket {
  readonly refillPerSecond: number;
  readonly capacity: number;
  #tokens: number;
  #last: number;
  #queue: Promise<void> = Promise.resolve();
  readonly #now: () => number;

  constructor(options: TokenBucketOptions) {
    if (!(options.refillPerSecond > 0)) throw new RangeError('refillPerSecond must be positive');
    this.refillPerSecond = options.refillPerSecond;
    this.capacity = options.capacity ?? options.refillPerSecond;
    if (!(this.capacity > 0)) throw new RangeError('capacity must be positive');
    this.#now = options.now ?? (() => performance.now());
    this.#tokens = this.capacity;
    this.#last = this.#now();
  }

  #refill(): void {
    const t = this.#now();
    this.#tokens = Math.min(this.capacity, this.#tokens + ((t - this.#last) / 1000) * this.refillPerSecond);
    this.#last = t;
  }

  /** Takes `cost` tokens if they are there now. */
  tryTake(cost: number): boolean {
    this.#refill();
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }

  /** Milliseconds until `cost` tokens will be there (0 if now). */
  waitMs(cost: number): number {
    this.#refill();
    return this.#tokens >= cost ? 0 : Math.ceil(((cost - this.#tokens) / this.refillPerSecond) * 1000);
  }

  /** Resolves once `cost` tokens were taken; callers are served first come, first served. */
  take(cost: number): Promise<void> {
    const needed = Math.min(cost, this.capacity);
    const turn = this.#queue.then(async () => {
      for (;;) {
        const wait = this.waitMs(needed);
        if (wait === 0 && this.tryTake(needed)) return;
        await delay(Math.max(1, wait));
      }
    });
    this.#queue = turn;
    return turn;
  }
}
