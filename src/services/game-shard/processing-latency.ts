/**
 * How long the shard spends on one price update, from the handler's entry (the frame decoded)
 * to the signal handed to the publisher: HDR histograms in microseconds, one over every update
 * and one over the updates that produced a signal, reported on the heartbeat as p50/p99/max.
 */
import { build, type Histogram } from 'hdr-histogram-js';

function histogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 10_000_000, numberOfSignificantValueDigits: 3, autoResize: true, useWebAssembly: false });
}

export class ProcessingLatency {
  private readonly all = histogram();
  private readonly withSignal = histogram();

  /** `micros` of one update; `signalled` when it produced at least one signal. */
  record(micros: number, signalled: boolean): void {
    const us = micros < 1 ? 1 : Math.round(micros);
    this.all.recordValue(us);
    if (signalled) this.withSignal.recordValue(us);
  }

  reset(): void {
    this.all.reset();
    this.withSignal.reset();
  }

  metrics(): Record<string, number> {
    const at = (h: Histogram, p: number) => (h.totalCount === 0 ? 0 : Math.min(h.getValueAtPercentile(p), h.maxValue));
    return {
      price_count: this.all.totalCount,
      price_p50_us: at(this.all, 50),
      price_p99_us: at(this.all, 99),
      price_max_us: this.all.maxValue,
      signal_count: this.withSignal.totalCount,
      signal_p50_us: at(this.withSignal, 50),
      signal_p99_us: at(this.withSignal, 99),
      signal_p999_us: at(this.withSignal, 99.9),
      signal_max_us: this.withSignal.maxValue,
    };
  }
}
