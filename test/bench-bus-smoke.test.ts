/**
 * Keeps the bus benchmark from rotting: compiles it on its own (so a stale dist/ cannot hide a
 * break), runs two real cases in quick mode across real processes and sockets, and checks the
 * JSON it writes is complete and self-consistent.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBench, type BenchBuild } from './helpers/bench-smoke.js';
import { busCases, selectCases } from '../bench/bus/bus-cases.js';
import { TEST_REDIS_URL } from './helpers/redis.js';

let bench: BenchBuild;

beforeAll(() => {
  bench = buildBench('bus', ['bench-bus.ts', 'bus-publisher-worker.ts', 'bus-subscriber-worker.ts']);
}, 60_000);

afterAll(() => bench?.cleanUp());

const runBench = (env: NodeJS.ProcessEnv) => bench.run(env, 25_000);

describe('bus benchmark', () => {
  it('measures a ZMQ ipc and a Redis pub/sub hop in quick mode and writes complete JSON', async () => {
    const run = await runBench({
      BENCH_QUICK: '1',
      BENCH_ONLY: 'zmq-ipc/msgpack/7k,redis-pubsub/msgpack/7k',
      BENCH_DURATION_MS: '300',
      BENCH_WARMUP_MS: '100',
      BENCH_RESULTS_DIR: bench.resultsDir,
      REDIS_URL: TEST_REDIS_URL,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/p99 us/);
    const files = readdirSync(bench.resultsDir).filter((f) => /^bus-.*\.json$/.test(f));
    expect(files).toHaveLength(1);
    const json = JSON.parse(readFileSync(path.join(bench.resultsDir, files[0]!), 'utf8'));

    expect(json.mode).toBe('quick');
    expect(json.machine.nproc).toBeGreaterThan(0);
    expect(json.machine.node).toBe(process.version);
    expect(json.skipped).toEqual([]);
    expect(json.cases.map((c: { id: string }) => c.id).sort()).toEqual(['redis-pubsub/msgpack/7k', 'zmq-ipc/msgpack/7k']);
    for (const c of json.cases) {
      // 7000 msg/s for 300 ms is 2100 scheduled messages; one hop on loopback loses none of them.
      expect(c.sent).toBe(2100);
      expect(c.received).toBe(c.sent);
      expect(c.gaps).toBe(0);
      expect(c.lost).toBe(0);
      expect(c.sentPerSec).toBeGreaterThan(5000);
      expect(c.sentPerSec).toBeLessThan(9000);
      const l = c.latencyUs;
      expect(l.count).toBe(c.received);
      // Not > 0: two processes' clocks (performance.timeOrigin) differ by up to a few hundred us
      // under load, so a loopback hop can read as 0 (negative lags are clamped); seen in a full npm test.
      expect(l.p50).toBeGreaterThanOrEqual(0);
      expect(l.p50).toBeLessThanOrEqual(l.p99);
      expect(l.p99).toBeLessThanOrEqual(l.p999);
      expect(l.p999).toBeLessThanOrEqual(l.max);
      // Seconds only on a machine that is badly overloaded; far more would be a clock or unit bug.
      expect(l.max).toBeLessThan(5_000_000);
      for (const p of [c.publisher, c.subscriber]) {
        expect(p.rssIdleBytes).toBeGreaterThan(10 * 1024 * 1024);
        expect(p.rssLoadPeakBytes).toBeGreaterThanOrEqual(p.rssIdleBytes * 0.5);
        expect(p.cpuPercent).toBeGreaterThan(0);
      }
    }
    const ratio = json.targets.find((t: { name: string }) => t.name === 'ZMQ ipc p99 / Redis pub/sub p99 at 7k');
    expect(ratio.measured).toBeGreaterThan(0);
  }, 40_000);
});

describe('bus benchmark case matrix', () => {
  const all = busCases();

  it('covers every transport at 1k, 7k and 50k msg/s, unpaced, and at half of each max', () => {
    for (const t of ['zmq-ipc', 'zmq-tcp', 'redis-pubsub', 'redis-streams']) {
      for (const rate of ['1k', '7k', '50k']) expect(all.map((c) => c.id)).toContain(`${t}/msgpack/${rate}`);
      expect(all.map((c) => c.id)).toContain(`${t}/msgpack/max/no-validate`);
      expect(all.map((c) => c.id)).toContain(`${t}/msgpack/half-max/no-validate`);
      expect(all.map((c) => c.id)).toContain(`${t}/json/7k`);
    }
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
  });

  it('runs each max case before the half-max case paced from it', () => {
    all.forEach((c, i) => {
      if (c.rate.kind !== 'half-max') return;
      const of = c.rate.of;
      expect(all.findIndex((m) => m.id === of)).toBeLessThan(i);
    });
  });

  it('brings the max case along when only a half-max case is selected', () => {
    const picked = selectCases(all, ['zmq-tcp/msgpack/half-max']).map((c) => c.id);
    expect(picked).toEqual(['zmq-tcp/msgpack/max/no-validate', 'zmq-tcp/msgpack/half-max/no-validate']);
  });
});
