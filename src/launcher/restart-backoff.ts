/**
 * When to restart a crashed child: exponential backoff (initial, doubling, capped), forgotten
 * once the child has stayed up long enough to count as healthy again, so a service that crashes
 * once a day restarts at once, and one that crashes in a loop does not spin. No jitter: the
 * supervisor restarts its own children, there is no crowd to spread out.
 */
import { Backoff } from '../core/backoff.js';

export interface RestartBackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Uptime after which the next crash starts again from initialMs. */
  stableMs: number;
}

export class RestartBackoff {
  private readonly backoff: Backoff;

  constructor(private readonly options: RestartBackoffOptions) {
    this.backoff = new Backoff({ baseMs: options.initialMs, maxMs: options.maxMs });
  }

  /** The delay before the next restart of a child that ran for `uptimeMs`. */
  nextDelay(uptimeMs: number): number {
    if (uptimeMs >= this.options.stableMs) this.backoff.reset();
    return this.backoff.next();
  }

  /** Consecutive crashes since the child was last healthy. */
  get crashes(): number {
    return this.backoff.attempts;
  }
}
