/**
 * Sends at a precise rate. Each wake-up sends every message whose slot has come (the scheduled
 * count, so a late wake-up catches up instead of lowering the rate), then waits for the next
 * slot: a timer when it is far, a short blocking sleep (Atomics.wait, no CPU burnt) when it is
 * under a couple of milliseconds, and setImmediate for the last stretch. A 1 ms setInterval
 * would send 50k/s as bursts of 50 and measure the bursts, not the bus.
 *
 * The blocking sleep runs in its own setImmediate callback, so the microtasks and I/O of the
 * messages just sent (the publisher's drain loop, Redis replies) run before it.
 */
export type PacerStrategy = 'hybrid' | 'spin';

export interface PacedRunOptions {
  ratePerSec: number;
  durationMs: number;
  /** Sends `count` messages now. */
  send(count: number): void;
  strategy?: PacerStrategy;
}

export interface RunStats {
  sent: number;
  elapsedMs: number;
  /** Largest number of messages sent in one wake-up (1 when the pacing kept up). */
  maxBurst: number;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const TIMER_ABOVE_MS = 2.5;
const SLEEP_ABOVE_MS = 0.12;
/** Wake this early from a blocking sleep: the kernel's timer slack is ~50 us. */
const SLEEP_MARGIN_MS = 0.07;

export function runPaced(options: PacedRunOptions): Promise<RunStats> {
  const intervalMs = 1000 / options.ratePerSec;
  const total = Math.max(1, Math.round((options.ratePerSec * options.durationMs) / 1000));
  const strategy = options.strategy ?? 'hybrid';
  const start = performance.now();
  let sent = 0;
  let maxBurst = 0;
  return new Promise((resolve) => {
    const tick = (): void => {
      const elapsed = performance.now() - start;
      const due = Math.min(total, Math.floor(elapsed / intervalMs) + 1);
      if (due > sent) {
        const burst = due - sent;
        if (burst > maxBurst) maxBurst = burst;
        sent = due;
        options.send(burst);
      }
      if (sent >= total) {
        resolve({ sent, elapsedMs: performance.now() - start, maxBurst });
        return;
      }
      const waitMs = start + sent * intervalMs - performance.now();
      if (strategy === 'hybrid' && waitMs > TIMER_ABOVE_MS) setTimeout(tick, waitMs - TIMER_ABOVE_MS + 1);
      else if (strategy === 'hybrid' && waitMs > SLEEP_ABOVE_MS) {
        setImmediate(() => {
          Atomics.wait(sleeper, 0, 0, waitMs - SLEEP_MARGIN_MS);
          tick();
        });
      } else setImmediate(tick);
    };
    tick();
  });
}

export interface UnpacedRunOptions {
  durationMs: number;
  send(count: number): void;
  /** Messages accepted but not yet handed to the transport; sending pauses while it is high. */
  backlog(): number;
  chunk?: number;
  maxBacklog?: number;
}

/**
 * Sends as fast as the publisher accepts for `durationMs`: chunks of messages, yielding to the
 * event loop between chunks so the transport can drain, and holding off while the backlog is
 * high so the measurement is of the bus, not of the publisher's own drop counter.
 */
export function runUnpaced(options: UnpacedRunOptions): Promise<RunStats> {
  const chunk = options.chunk ?? 64;
  const maxBacklog = options.maxBacklog ?? 4096;
  const start = performance.now();
  let sent = 0;
  return new Promise((resolve) => {
    const tick = (): void => {
      if (performance.now() - start >= options.durationMs) {
        resolve({ sent, elapsedMs: performance.now() - start, maxBurst: chunk });
        return;
      }
      if (options.backlog() < maxBacklog) {
        options.send(chunk);
        sent += chunk;
      }
      setImmediate(tick);
    };
    tick();
  });
}
