/**
 * A circuit breaker for a flaky upstream (ESPN): closed while calls succeed; open after
 * `failureThreshold` consecutive failures, refusing calls for `openMs`; then half-open, letting
 * exactly one probe through: success closes it, failure opens it again for another `openMs`.
 * Unlike the reference system's breaker, successes are recorded and half-open is reached by
 * time alone, so an opened breaker always closes again once the upstream is back.
 */
import { EventEmitter } from 'node:events';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  failureThreshold: number;
  openMs: number;
  now?: () => number;
}

export interface BreakerStats {
  state: BreakerState;
  consecutiveFailures: number;
  opened: number;
  closed: number;
  refused: number;
}

export class CircuitBreaker extends EventEmitter<{
  open: [{ failures: number; lastError: string }];
  close: [{ openForMs: number }];
}> {
  private state: BreakerState = 'closed';
  private failures = 0;
  private openedAtMs = 0;
  /** When this outage began (a failed probe re-opens but does not start a new outage). */
  private outageStartMs = 0;
  private probeInFlight = false;
  private lastError = '';
  private readonly now: () => number;
  private readonly counters = { opened: 0, closed: 0, refused: 0 };

  constructor(private readonly options: CircuitBreakerOptions) {
    super();
    if (!(options.failureThreshold >= 1) || !(options.openMs > 0)) {
      throw new RangeError('CircuitBreaker needs failureThreshold >= 1 and openMs > 0');
    }
    this.now = options.now ?? Date.now;
  }

  get current(): BreakerState {
    if (this.state === 'open' && this.now() - this.openedAtMs >= this.options.openMs) return 'half_open';
    return this.state;
  }

  /** Milliseconds until a probe will be allowed (0 when calls are allowed now). */
  retryInMs(): number {
    if (this.state !== 'open') return 0;
    return Math.max(0, this.openedAtMs + this.options.openMs - this.now());
  }

  /** Whether a call may go out now; in half-open only one (the probe) may. */
  tryAcquire(): boolean {
    const state = this.current;
    if (state === 'closed') return true;
    if (state === 'half_open' && !this.probeInFlight) {
      this.state = 'half_open';
      this.probeInFlight = true;
      return true;
    }
    this.counters.refused += 1;
    return false;
  }

  success(): void {
    this.failures = 0;
    if (this.state !== 'closed') {
      const openForMs = this.now() - this.outageStartMs;
      this.state = 'closed';
      this.probeInFlight = false;
      this.counters.closed += 1;
      this.emit('close', { openForMs });
    }
  }

  failure(error: string): void {
    this.lastError = error;
    this.failures += 1;
    if (this.state === 'half_open') {
      // The probe failed: stay open another period, without a second "open" event.
      this.state = 'open';
      this.openedAtMs = this.now();
      this.probeInFlight = false;
      return;
    }
    if (this.state === 'closed' && this.failures >= this.options.failureThreshold) {
      this.state = 'open';
      this.openedAtMs = this.now();
      this.outageStartMs = this.openedAtMs;
      this.counters.opened += 1;
      this.emit('open', { failures: this.failures, lastError: this.lastError });
    }
  }

  stats(): BreakerStats {
    return { state: this.current, consecutiveFailures: this.failures, ...this.counters };
  }
}
