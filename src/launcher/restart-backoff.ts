/**
 * When to restart a crashed child: exponential backoff (initial, doubling, capped), forgotten
 * once the child has stayed up long enough to count as healthy again, so a service that crashes
 * once a day restarts at once, and one that crashes in a loop does not spin.
 */
export interface RestartBackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Uptime after which the next crash starts again from initialMs. */
  stableMs: number;
}

export class RestartBackoff {
  private attempt = 0;

  constructor(private readonly options: RestartBackoffOptions) {}

  /** The delay before the next restart of a child that ran for `uptimeMs`. */
  nextDelay(uptimeMs: number): number {
    if (uptimeMs >= this.options.stableMs) this.attempt = 0;
    const delay = Math.min(this.options.maxMs, this.options.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return delay;
  }

  /** Consecutive crashes since the child was last healthy. */
  get crashes(): number {
    return this.attempt;
  }
}
