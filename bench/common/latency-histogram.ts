/**
 * Latency histogram in microseconds over hdr-histogram-js. Benchmarks quote percentiles from it,
 * never a mean alone. Values are recorded as whole microseconds; a negative value (two process
 * clocks disagreeing by a few microseconds) is counted apart and recorded as 0, so it shows.
 */
import { build, type Histogram } from 'hdr-histogram-js';

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  /** Samples below zero (clock skew between processes), recorded as 0. */
  negative: number;
}

export class LatencyHistogram {
  private readonly histogram: Histogram;
  private negative = 0;

  constructor() {
    // 1 us to 60 s at 3 significant digits; autoResize keeps a pathological outlier from throwing.
    this.histogram = build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 60_000_000,
      numberOfSignificantValueDigits: 3,
      autoResize: true,
      useWebAssembly: false,
    });
  }

  record(micros: number): void {
    if (micros < 0) {
      this.negative++;
      micros = 0;
    }
    this.histogram.recordValue(Math.round(micros));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  summary(): LatencySummary {
    const h = this.histogram;
    const max = h.maxValue;
    // A percentile reads the top of its bucket, which can lie just above the exact maximum.
    const at = (p: number) => Math.min(h.getValueAtPercentile(p), max);
    return {
      count: h.totalCount,
      p50: at(50),
      p90: at(90),
      p99: at(99),
      p999: at(99.9),
      max,
      mean: Math.round(h.mean * 10) / 10,
      negative: this.negative,
    };
  }

  reset(): void {
    this.histogram.reset();
    this.negative = 0;
  }
}
