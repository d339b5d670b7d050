/**
 * Exponential backoff, the one implementation: delay for attempt n (0-based) is
 * `min(maxMs, baseMs * factor^n)`, then jittered.
 *
 * One jitter style for every caller: a random fraction of up to `jitter` is shaved off the
 * delay, so it lies in `[ceiling * (1 - jitter), ceiling]`. Why this style and not "±ratio"
 * or "full" jitter:
 * - it never exceeds the ceiling, so `maxMs` is a real bound (±ratio could overshoot it);
 * - it never drops below `(1 - jitter)` of the ceiling, so retries still back off (full jitter
 *   may retry at once, which is what hurts a venue that is already overloaded);
 * - `jitter: 0.5` is the classic "equal jitter", `jitter: 0` is deterministic (restarts,
 *   tests), `jitter: 1` is "full jitter": one knob, no modes.
 * Many clients that lost the same venue at the same moment thus spread their reconnects.
 */

/** A number in [0, 1); injectable so tests can pin the randomness. */
export type RandomSource = () => number;

export interface BackoffPolicy {
  /** Delay of the first attempt (attempt 0). */
  baseMs: number;
  /** Cap of the un-jittered delay. */
  maxMs: number;
  /** Growth per attempt; 2 unless stated. */
  factor?: number;
  /** Fraction (0..1) of the delay that may randomly be shaved off; 0 unless stated. */
  jitter?: number;
}

/** Past this exponent the ceiling is at the cap for any sane policy; it also keeps factor^n finite. */
const MAX_EXPONENT = 30;

/** Whole milliseconds before attempt `attempt` (0-based). */
export function backoffDelay(policy: Readonly<BackoffPolicy>, attempt: number, random: RandomSource = Math.random): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), MAX_EXPONENT);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * (policy.factor ?? 2) ** exponent);
  return jittered(ceiling, policy.jitter ?? 0, random);
}

/** `ms` with up to `jitter` of it randomly shaved off (see the module comment), in whole ms. */
export function jittered(ms: number, jitter: number, random: RandomSource = Math.random): number {
  const ratio = Math.min(1, Math.max(0, jitter));
  return Math.max(0, Math.round(ms * (1 - ratio * random())));
}

/** The attempt counter around backoffDelay: `next()` after each failure, `reset()` after a success. */
export class Backoff {
  #attempt = 0;

  constructor(
    readonly policy: Readonly<BackoffPolicy>,
    private readonly random: RandomSource = Math.random,
  ) {
    if (!(policy.baseMs >= 0 && policy.maxMs >= 0)) throw new RangeError('backoff baseMs and maxMs must be >= 0');
    if (!((policy.factor ?? 2) >= 1)) throw new RangeError('backoff factor must be >= 1');
    if (!((policy.jitter ?? 0) >= 0 && (policy.jitter ?? 0) <= 1)) throw new RangeError('backoff jitter must be in [0, 1]');
  }

  /** Failures since the last reset. */
  get attempts(): number {
    return this.#attempt;
  }

  /** The delay before the next try; counts one more failure. */
  next(): number {
    const delay = backoffDelay(this.policy, this.#attempt, this.random);
    this.#attempt++;
    return delay;
  }

  reset(): void {
    this.#attempt = 0;
  }
}
