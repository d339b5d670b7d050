/**
 * A logger that lets through at most `maxPerWindow` lines per `windowMs` and drops the rest,
 * for problems that can repeat per message (bad frames, a dead Redis): the counters beside it
 * count every occurrence, the log only shows that it is happening. All levels share one budget,
 * so a flood at one level cannot hide behind another.
 */

/** The levels it forwards; a pino Logger and the bus's logger both fit. */
export interface ThrottledLogSink {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ThrottledLogOptions {
  maxPerWindow: number;
  /** 1 s unless stated. */
  windowMs?: number;
  /** Injectable clock for tests. */
  now?: () => number;
}

export class ThrottledLog {
  private readonly maxPerWindow: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private windowStart = Number.NEGATIVE_INFINITY;
  private inWindow = 0;
  private dropped = 0;

  constructor(
    private readonly log: ThrottledLogSink,
    options: ThrottledLogOptions,
  ) {
    this.maxPerWindow = options.maxPerWindow;
    this.windowMs = options.windowMs ?? 1_000;
    this.now = options.now ?? Date.now;
  }

  /** Lines dropped so far. */
  get suppressed(): number {
    return this.dropped;
  }

  /** Each returns whether the line went out. */
  debug(obj: object, msg: string): boolean {
    return this.admit() && (this.log.debug(obj, msg), true);
  }

  warn(obj: object, msg: string): boolean {
    return this.admit() && (this.log.warn(obj, msg), true);
  }

  /**
   * Whether a line may go out now (counted as sent when true): for callers on a per-message
   * path that should not even build the line when it would be dropped.
   */
  allow(): boolean {
    return this.admit();
  }

  error(obj: object, msg: string): boolean {
    return this.admit() && (this.log.error(obj, msg), true);
  }

  private admit(): boolean {
    const now = this.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    if (this.inWindow >= this.maxPerWindow) {
      this.dropped++;
      return false;
    }
    this.inWindow++;
    return true;
  }
}
