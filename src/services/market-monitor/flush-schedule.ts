/**
 * When a monitor's coalescing publishers (order books, quote snapshots) send what changed: every
 * `intervalMs`, or on the next turn of the event loop when asked (always, with an interval of 0).
 */
export class FlushSchedule {
  readonly #flush: () => void;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | null = null;
  #immediate: NodeJS.Immediate | null = null;
  #stopped = false;

  constructor(intervalMs: number, flush: () => void) {
    this.#intervalMs = intervalMs;
    this.#flush = flush;
    if (intervalMs > 0) {
      this.#timer = setInterval(flush, intervalMs);
      this.#timer.unref();
    }
  }

  /** Something changed; `urgent` sends it on the next turn instead of at the next interval. */
  changed(urgent = false): void {
    if ((this.#intervalMs !== 0 && !urgent) || this.#immediate !== null || this.#stopped) return;
    this.#immediate = setImmediate(() => {
      this.#immediate = null;
      this.#flush();
    });
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#timer = null;
    this.#immediate = null;
  }
}
