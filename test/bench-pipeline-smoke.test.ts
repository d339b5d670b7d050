/**
 * Keeps the tick-to-trade benchmark from rotting: compiles it on its own (a stale dist/ cannot
 * hide a break), runs it in quick mode on both hot transports (every service a real process,
 * its own redis-server), and checks the JSON it writes: arbitrage episodes became signals, the
 * signals became completed trades (some filled) whose latencies come from origin_ts, every
 * trade's signal and execution receipt were matched, nothing was lost, and every process
 * reported its CPU and memory.
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
  bench = buildBench('pipeline', ['bench-pipeline.ts', 'venue-feeder-worker.ts', 'service-worker.ts', 'trade-meter-worker.ts']);
}, 120_000);

afterAll(() => bench?.cleanUp());

const runBench = (env: NodeJS.ProcessEnv) => bench.run(env, 150_000);

interface Summary {
  count: number;
  p50: number;
  p99: number;
  max: number;
  negative: number;
}

interface Result {
  transport: string;
  sentPerSec: number;
  feeder: { sent: number; episodes: number; steps: Record<string, number> };
  latency: {
    tickToTrade: Summary;
    tickToTradeFilled: Summary;
    tickToDecision: Summary;
    hops: Record<string, Summary>;
    trades: number;
    signals: number;
    byStatus: Record<string, number>;
    unmatched: { signal: number; audit: number; episode: number };
  };
  counters: Record<string, number>;
  processes: { name: string; cpuPercent: number | null; rssPeakMb: number | null }[];
  meterGaps: number;
  redisPing: Summary;
}

describe.skipIf(!hasRedisServer)('pipeline benchmark', () => {
  it('turns paced venue quotes into completed trades on ZMQ and on Redis, timed from origin_ts', async () => {
    const run = await runBench({
      BENCH_QUICK: '1',
      BENCH_DURATION_MS: '2500',
      BENCH_WARMUP_MS: '1000',
      BENCH_RESULTS_DIR: bench.resultsDir,
    });
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    expect(run.stdout).toContain('tick to trade');
    expect(run.stdout).toMatch(/redis\/zmq tick-to-trade: p50 [\d.]+x/);
    const files = readdirSync(bench.resultsDir).filter((f) => f.startsWith('pipeline-'));
    expect(files).toHaveLength(1);
    const json = JSON.parse(readFileSync(path.join(bench.resultsDir, files[0]!), 'utf8')) as {
      results: Result[];
      machine: { nproc: number; cpuModel: string };
      executionEnv: Record<string, string>;
      options: { ratePerSec: number };
    };
    expect(json.machine.nproc).toBeGreaterThan(0);
    expect(json.executionEnv.EXEC_MODE).toBe('paper');
    expect(json.results.map((r) => r.transport)).toEqual(['zmq', 'redis']);

    for (const r of json.results) {
      const l = r.latency;
      // 2.5 s at 20 episodes/s: ~50 episodes, one signal each, each signal one completed trade.
      expect(r.feeder.episodes).toBeGreaterThanOrEqual(40);
      expect(r.feeder.steps.asks_down).toBe(r.feeder.episodes);
      expect(r.sentPerSec).toBeGreaterThan(json.options.ratePerSec * 0.8);
      expect(l.signals).toBeGreaterThanOrEqual(r.feeder.episodes - 5);
      expect(l.trades).toBeGreaterThanOrEqual(l.signals - 5);
      expect(l.trades).toBeLessThanOrEqual(l.signals + 5);
      expect((l.byStatus.filled ?? 0) + (l.byStatus.partial ?? 0)).toBeGreaterThan(0);
      expect(l.unmatched.signal).toBe(0);
      expect(l.unmatched.audit).toBe(0);
      // A trade joins its episode when the monitor read the venue frame within a second of the
      // feeder moving the book; with the whole test suite on two cores a few frames are read later.
      expect(l.unmatched.episode).toBeLessThanOrEqual(Math.ceil(l.trades * 0.1));

      // origin_ts-based: one sample per trade, never negative, ordered percentiles.
      expect(l.tickToTrade.count).toBe(l.trades);
      expect(l.tickToTrade.negative).toBe(0);
      expect(l.tickToTrade.p50).toBeGreaterThan(0);
      expect(l.tickToTrade.p50).toBeLessThanOrEqual(l.tickToTrade.p99);
      expect(l.tickToTrade.p99).toBeLessThanOrEqual(l.tickToTrade.max);
      // Receipt at the meter comes after the decision, trade by trade.
      expect(l.tickToTrade.p50).toBeGreaterThanOrEqual(l.tickToDecision.p50 * 0.99);
      for (const hop of ['monitor_to_shard', 'in_shard', 'shard_to_exec', 'in_exec', 'exec_to_meter', 'venue_to_monitor']) {
        expect(l.hops[hop]!.count, hop).toBe(l.trades);
        expect(l.hops[hop]!.p50, hop).toBeLessThanOrEqual(l.tickToTrade.max);
      }

      // Nothing lost between the services, and every process measured.
      expect(r.meterGaps).toBe(0);
      for (const [k, v] of Object.entries(r.counters)) if (k.endsWith('.gaps')) expect(v, k).toBe(0);
      expect(r.counters['execution_service.signals_received']).toBeGreaterThan(0);
      expect(r.counters['kalshi_monitor.prices_published']).toBeGreaterThan(0);
      expect(r.counters['polymarket_monitor.prices_published']).toBeGreaterThan(0);
      expect(r.processes.map((p) => p.name)).toEqual(
        expect.arrayContaining(['kalshi_monitor', 'polymarket_monitor', 'game_shard', 'execution_service', 'position_tracker', 'redis-server']),
      );
      for (const p of r.processes) {
        expect(p.rssPeakMb, p.name).toBeGreaterThan(0);
        expect(p.cpuPercent, p.name).not.toBeNull();
      }
      expect(r.redisPing.count).toBeGreaterThan(10);
    }
  }, 170_000);
});
