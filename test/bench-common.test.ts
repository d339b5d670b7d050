/** The shared benchmark helpers: pacing, latency percentiles, tables. */
import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../bench/common/latency-histogram.js';
import { runPaced, runUnpaced } from '../bench/common/pacer.js';
import { formatCount, formatTable } from '../bench/common/text-table.js';

describe('paced sending', () => {
  it('sends exactly the scheduled count at the asked rate, spread over the duration', async () => {
    const stamps: number[] = [];
    const stats = await runPaced({
      ratePerSec: 20_000,
      durationMs: 300,
      send: (n) => {
        for (let i = 0; i < n; i++) stamps.push(performance.now());
      },
    });
    expect(stats.sent).toBe(6000);
    expect(stamps).toHaveLength(6000);
    // Never early: the last slot is at 299.95 ms; a busy machine may make it late, not early.
    expect(stats.elapsedMs).toBeGreaterThanOrEqual(299);
    expect(stats.elapsedMs).toBeLessThan(1500);
    // Spread, not one burst: each 100 ms third of the run carries a fair share.
    const t0 = stamps[0]!;
    const thirds = [0, 0, 0];
    for (const t of stamps) thirds[Math.min(2, Math.floor((t - t0) / ((stats.elapsedMs) / 3)))]!++;
    for (const n of thirds) expect(n).toBeGreaterThan(1000);
  });

  it('sends one message per slot when the rate is low', async () => {
    const bursts: number[] = [];
    const stats = await runPaced({ ratePerSec: 200, durationMs: 100, send: (n) => bursts.push(n) });
    expect(stats.sent).toBe(20);
    expect(bursts.reduce((a, b) => a + b, 0)).toBe(20);
    expect(bursts.length).toBeGreaterThan(10);
  });

  it('holds off unpaced sending while the backlog is high', async () => {
    let backlog = 0;
    const stats = await runUnpaced({ durationMs: 50, chunk: 10, maxBacklog: 100, send: (n) => (backlog += n), backlog: () => backlog });
    expect(stats.sent).toBe(100);
  });
});

describe('latency histogram', () => {
  it('reports percentiles in microseconds and counts negative samples apart', () => {
    const h = new LatencyHistogram();
    for (let us = 1; us <= 1000; us++) h.record(us);
    h.record(-3);
    const s = h.summary();
    expect(s.count).toBe(1001);
    expect(s.negative).toBe(1);
    expect(s.p50).toBeGreaterThanOrEqual(499);
    expect(s.p50).toBeLessThanOrEqual(501);
    expect(s.p99).toBeGreaterThanOrEqual(989);
    expect(s.p99).toBeLessThanOrEqual(991);
    expect(s.max).toBeGreaterThanOrEqual(1000);
    expect(s.max).toBeLessThanOrEqual(1001);
    h.reset();
    expect(h.summary().count).toBe(0);
  });

  it('keeps an outlier far above the usual range instead of throwing', () => {
    const h = new LatencyHistogram();
    h.record(120_000_000);
    expect(h.summary().max).toBeGreaterThanOrEqual(119_000_000);
  });
});

describe('tables', () => {
  it('aligns columns and formats counts', () => {
    const text = formatTable([{ header: 'case', align: 'left' }, { header: 'rate' }], [['a', '1'], ['long-name', '12345']]);
    const lines = text.split('\n');
    expect(lines).toHaveLength(4);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    expect(lines[3]).toBe('long-name  12345');
    expect(formatCount(1_234_567)).toBe('1.23M');
    expect(formatCount(51_234)).toBe('51.2k');
    expect(formatCount(999)).toBe('999');
  });
});
