/**
 * Keeps the monitor benchmark from rotting: compiles it on its own (a stale dist/ cannot hide a
 * break), runs both venues at one rate in quick mode across its three real processes, and checks
 * the JSON it writes: every paced update reached the subscriber as a price, with no gap, and the
 * latencies are plausible.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBench, type BenchBuild } from './helpers/bench-smoke.js';
import { TEST_REDIS_URL } from './helpers/redis.js';

let bench: BenchBuild;

beforeAll(() => {
  bench = buildBench('monitor', ['bench-monitor.ts', 'venue-worker.ts', 'monitor-worker.ts', 'price-subscriber-worker.ts']);
}, 90_000);

afterAll(() => bench?.cleanUp());

const runBench = (env: NodeJS.ProcessEnv) => bench.run(env, 100_000);

interface Result {
  venue: string;
  ratePerSec: number;
  run: { sent: number };
  report: { received: number; gaps: number; hop: { count: number; p50: number; p99: number }; inside: { p50: number } };
}

describe('monitor benchmark', () => {
  it('pushes paced quote changes through both monitors and writes complete JSON', async () => {
    const run = await runBench({
      BENCH_QUICK: '1',
      BENCH_MONITOR_RATES: '500',
      BENCH_DURATION_MS: '600',
      BENCH_MONITOR_MARKETS: '4',
      BENCH_RESULTS_DIR: bench.resultsDir,
      REDIS_URL: TEST_REDIS_URL,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('hop p50 us');
    const files = readdirSync(bench.resultsDir).filter((f) => f.startsWith('monitor-'));
    expect(files).toHaveLength(1);
    const json = JSON.parse(readFileSync(path.join(bench.resultsDir, files[0]!), 'utf8')) as { results: Result[]; machine: { nproc: number } };
    expect(json.machine.nproc).toBeGreaterThan(0);
    expect(json.results.map((r) => r.venue).sort()).toEqual(['kalshi', 'poly']);
    for (const r of json.results) {
      expect(r.run.sent).toBe(300);
      // Every update is one top change, so one price each (warm-up stragglers may add a few).
      expect(r.report.received).toBeGreaterThanOrEqual(r.run.sent);
      expect(r.report.received).toBeLessThan(r.run.sent + 20);
      expect(r.report.gaps).toBe(0);
      expect(r.report.hop.p50).toBeGreaterThan(0);
      expect(r.report.hop.p50).toBeLessThanOrEqual(r.report.hop.p99);
      expect(r.report.inside.p50).toBeLessThanOrEqual(r.report.hop.p50);
    }
  }, 120_000);
});
