/**
 * Keeps bench:api from rotting: compiles it on its own, runs it in quick mode (real processes:
 * api, publisher, 20 WebSocket clients of which one never reads, a private Redis with 2000 trades)
 * and checks the JSON it writes. Figures from this run are not results (shared machine).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBench, type BenchBuild } from './helpers/bench-smoke.js';

let bench: BenchBuild;

beforeAll(() => {
  bench = buildBench('api', ['bench-api.ts', 'api-worker.ts', 'api-publisher-worker.ts', 'ws-client-worker.ts']);
}, 120_000);

afterAll(() => bench?.cleanUp());

describe('api benchmark', () => {
  it('measures hot path -> /ws latency with a never-reading client, alone and beside the REST round, and REST list latency, and writes complete JSON', async () => {
    const run = await bench.run({ BENCH_QUICK: '1', BENCH_DURATION_MS: '1000', BENCH_API_REQUESTS: '20', BENCH_RESULTS_DIR: bench.resultsDir }, 90_000);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toMatch(/hot path -> \/ws/);
    const file = readdirSync(bench.resultsDir).find((f) => /^api-.*\.json$/.test(f))!;
    const json = JSON.parse(readFileSync(path.join(bench.resultsDir, file), 'utf8'));
    expect(json.ws.sent).toBe(7_000);
    expect(json.ws.clients).toBe(20);
    // Every reading client heard the stream (coalescing may merge prices of one market that waited).
    expect(json.ws.minReceived).toBeGreaterThan(0);
    expect(json.ws.latencyUs.count).toBeGreaterThan(1_000);
    expect(json.ws.latencyUs.p50).toBeLessThanOrEqual(json.ws.latencyUs.p99);
    expect(json.ws.latencyUs.max).toBeLessThan(30_000_000);
    // The second window, with the REST round on the api's loop, and every process's CPU in both.
    expect(json.wsDuringRest.sent).toBe(7_000);
    expect(json.wsDuringRest.latencyUs.count).toBeGreaterThan(1_000);
    for (const row of [json.ws, json.wsDuringRest]) {
      expect(row.apiCpuPercent).toBeGreaterThan(0);
      expect(row.clientsCpuPercent).toBeGreaterThan(0);
      expect(row.publisherCpuPercent).toBeGreaterThan(0);
    }
    for (const route of Object.keys(json.rest.idle)) {
      expect(json.rest.idle[route].count).toBe(20);
      expect(json.rest.idle[route].p50).toBeGreaterThan(0);
    }
    expect(json.targets.map((t: { name: string }) => t.name)).toHaveLength(3);
  }, 150_000);
});
