/**
 * Keeps the recorder benchmark from rotting: compiles it on its own, runs it in quick mode against
 * both targets (PGlite in its own process, the PostgreSQL server) and checks its JSON is complete.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBench, type BenchBuild } from './helpers/bench-smoke.js';

let bench: BenchBuild;

beforeAll(() => {
  bench = buildBench('recorder', ['bench-recorder.ts', 'recorder-worker.ts', 'pglite-worker.ts']);
}, 60_000);

afterAll(() => bench?.cleanUp());

describe('recorder benchmark', () => {
  it('measures throughput, lag and report time on PGlite and PostgreSQL in quick mode', async () => {
    const run = await bench.run({ BENCH_QUICK: '1', BENCH_RESULTS_DIR: bench.resultsDir }, 240_000);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/entries\/s/);
    const files = readdirSync(bench.resultsDir).filter((f) => /^recorder-.*\.json$/.test(f));
    expect(files).toHaveLength(1);
    const json = JSON.parse(readFileSync(path.join(bench.resultsDir, files[0]!), 'utf8'));
    expect(json.mode).toBe('quick');
    expect(json.results.map((r: { target: string }) => r.target)).toEqual(['pglite', 'postgres']);
    for (const r of json.results) {
      expect(r.entriesPerSec).toBeGreaterThan(0);
      expect(r.lag.count).toBeGreaterThan(0);
      expect(r.reportMs).toBeGreaterThanOrEqual(0);
    }
  }, 300_000);
});
