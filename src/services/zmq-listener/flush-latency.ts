/**
 * Flush round-trip times in an HDR histogram, summarised per window: the metrics show the last
 * complete window (the current one until the first completes), so a slow minute an hour ago
 * does not hide in an all-time percentile.
 */
import * as hdr from 'hdr-histogram-js';

export interface LatencySummary {
  flush_ms_p50: number;
  flush_ms_p99: number;
  flush_ms_max: number;
  flush_count: number;
}

const EMPTY: LatencySummary = { flush_ms_p50: 0, flush_ms_p99: 0, flush_ms_max: 0, flush_count: 0 };

export class FlushLatency {
  private readonly histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
  private windowStart = Date.now();
  private lastWindow: LatencySummary | null = null;

  constructor(private readonly windowMs = 10_000) {}

  recordMicros(us: number): void {
    this.roll();
    this.histogram.recordValue(Math.max(1, Math.min(Math.round(us), 600_000_000)));
  }

  summary(): LatencySummary {
    this.roll();
    return this.lastWindow ?? this.current();
  }

  private roll(): void {
    const now = Date.now();
    if (now - this.windowStart < this.windowMs) return;
    this.lastWindow = this.current();
    this.histogram.reset();
    this.windowStart = now;
  }

  private current(): LatencySummary {
    const h = this.histogram;
    if (h.totalCount === 0) return EMPTY;
    const ms = (us: number) => Math.round(us / 10) / 100;
    return {
      flush_ms_p50: ms(h.getValueAtPercentile(50)),
      flush_ms_p99: ms(h.getValueAtPercentile(99)),
      flush_ms_max: ms(h.maxValue),
      flush_count: h.totalCount,
    };
  }
}
