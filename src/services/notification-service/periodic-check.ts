/**
 * A check run once at start and then every `everyMs`, never two at once; a failure is counted
 * and logged once until the check succeeds again (Redis away for a minute is one log line).
 */
import type { Logger } from 'pino';
import { errorMessage } from '../../core/errors.js';
import type { Metrics } from '../../runtime/metrics.js';

export interface PeriodicCheckOptions {
  readonly everyMs: number;
  readonly run: () => Promise<void>;
  /** Counter incremented on each failure. */
  readonly errorMetric: string;
  /** Logged (with the error) when the check starts failing. */
  readonly failureMessage: string;
  readonly metrics: Metrics;
  readonly log: Logger;
}

export class PeriodicCheck {
  #timer: NodeJS.Timeout | null = null;
  #busy: Promise<void> | null = null;
  #failing = false;

  constructor(private readonly o: PeriodicCheckOptions) {}

  async start(): Promise<void> {
    await this.runNow();
    this.#timer = setInterval(() => void this.runNow(), this.o.everyMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await this.#busy;
  }

  /** Runs the check now, or joins the run in progress. */
  runNow(): Promise<void> {
    this.#busy ??= this.once().finally(() => {
      this.#busy = null;
    });
    return this.#busy;
  }

  private async once(): Promise<void> {
    try {
      await this.o.run();
      this.#failing = false;
    } catch (err) {
      this.o.metrics.inc(this.o.errorMetric);
      if (!this.#failing) this.o.log.warn({ err: errorMessage(err) }, this.o.failureMessage);
      this.#failing = true;
    }
  }
}
