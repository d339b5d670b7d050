/**
 * bench:pipeline's options for the lead's runs (issue 13): the scale curve and zmq_listener
 * beside the pipeline are off unless asked for, so the default run stays comparable.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCALE_RATES, loadPipelineBenchOptions } from '../bench/pipeline/pipeline-bench-options.js';

describe('bench:pipeline options', () => {
  it('no scale curve and no listener by default', () => {
    const o = loadPipelineBenchOptions({});
    expect(o.scaleRates).toEqual([]);
    expect(o.withListener).toBe(false);
    expect(o.withApi).toBe(false);
    expect(o.withNotify).toBe(false);
    // The monitors' own default (books coalesced): paper fills no longer race the book.
    expect(o.orderbookIntervalMs).toBe(100);
  });

  it('BENCH_PIPELINE_SCALE=1 is the issue\'s curve; a list is taken as given; junk is refused', () => {
    expect(loadPipelineBenchOptions({ BENCH_PIPELINE_SCALE: '1' }).scaleRates).toEqual([1000, 7000, 20000, 50000]);
    expect(DEFAULT_SCALE_RATES).toEqual([1000, 7000, 20000, 50000]);
    expect(loadPipelineBenchOptions({ BENCH_PIPELINE_SCALE: '2000, 9000' }).scaleRates).toEqual([2000, 9000]);
    expect(() => loadPipelineBenchOptions({ BENCH_PIPELINE_SCALE: '2000,fast' })).toThrow(/BENCH_PIPELINE_SCALE/);
    expect(loadPipelineBenchOptions({ BENCH_PIPELINE_LISTENER: '1' }).withListener).toBe(true);
    expect(loadPipelineBenchOptions({ BENCH_PIPELINE_API: 'true' }).withApi).toBe(true);
    expect(loadPipelineBenchOptions({ BENCH_PIPELINE_NOTIFY: '1' }).withNotify).toBe(true);
  });
});
