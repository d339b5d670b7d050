/**
 * Keeps the notify benchmark from rotting: compiles it on its own, runs it in quick mode (the
 * real service as a process, its own redis-server, the local receiver) and checks its JSON:
 * latencies measured for every signal, and nothing lost or doubled across the kill -9 and the
 * 503 window. The figures themselves are the lead's to take on an idle machine.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBench, type BenchBuild } from './helpers/bench-smoke.js';

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
let bench: BenchBuild;

beforeAll(() => {
  if (!hasRedisServer) return;
  bench = buildBench('notify', ['bench-notify.ts', 'notifier-worker.ts']);
}, 120_000);

afterAll(() => bench?.cleanUp());

interface Counts {
  sent: number;
  accepted: number;
  delivered: number;
  lost: number;
  duplicated: number;
  failedPosts: number;
}

describe.skipIf(!hasRedisServer)('notify benchmark (quick)', () => {
  it('measures signal -> webhook latency and counts 0 lost / 0 duplicated across kill -9 and a 503 window', async () => {
    const run = await bench.run({ BENCH_QUICK: '1', BENCH_NOTIFY_SIGNALS: '40', BENCH_NOTIFY_BURST: '100', BENCH_NOTIFY_OUTAGE_MS: '1500', BENCH_RESULTS_DIR: bench.resultsDir }, 150_000);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('signal -> webhook first byte');
    const file = readdirSync(bench.resultsDir).find((f) => f.startsWith('notify-'))!;
    const result = JSON.parse(readFileSync(path.join(bench.resultsDir, file), 'utf8')) as { latency: { count: number; p50: number }; kill: Counts; outage: Counts };
    expect(result.latency.count).toBe(40);
    expect(result.latency.p50).toBeGreaterThan(0);
    for (const c of [result.kill, result.outage]) {
      expect(c.accepted).toBe(c.sent);
      expect(c.lost).toBe(0);
      expect(c.duplicated).toBe(0);
      expect(c.delivered).toBe(100);
    }
    expect(result.outage.failedPosts).toBeGreaterThan(0);
  }, 180_000);
});
