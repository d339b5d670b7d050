/**
 * Keeps the monitor benchmark from rotting: compiles it on its own (a stale dist/ cannot hide a
 * break), runs both venues at one rate in quick mode across its three real processes, and checks
 * the JSON it writes: every paced update reached the subscriber as a price, with no gap, and the
 * latencies are plausible.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from './helpers/redis.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUILD_DIR = path.join(ROOT, 'dist', `.bench-monitor-smoke-${randomBytes(4).toString('hex')}`);
const ENTRY = path.join(BUILD_DIR, 'bench/monitor/bench-monitor.js');
let resultsDir: string;

beforeAll(() => {
  const tsc = path.join(ROOT, 'node_modules/.bin/tsc');
  const args = [
    '--outDir', BUILD_DIR, '--rootDir', ROOT, '--module', 'nodenext', '--moduleResolution', 'nodenext',
    '--target', 'es2022', '--lib', 'es2023', '--types', 'node', '--skipLibCheck', '--esModuleInterop', '--noCheck',
    ...['bench-monitor.ts', 'venue-worker.ts', 'monitor-worker.ts', 'price-subscriber-worker.ts'].map((f) => path.join(ROOT, 'bench/monitor', f)),
  ];
  const result = spawnSync(tsc, args, { cwd: ROOT, encoding: 'utf8' });
  if (!existsSync(ENTRY)) throw new Error(`tsc did not emit bench-monitor.js:\n${result.stdout}\n${result.stderr}`);
  resultsDir = mkdtempSync(path.join(tmpdir(), 'arb-bench-results-'));
}, 90_000);

afterAll(() => {
  rmSync(BUILD_DIR, { recursive: true, force: true });
  if (resultsDir) rmSync(resultsDir, { recursive: true, force: true });
});

function runBench(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ENTRY], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 100_000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

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
      BENCH_RESULTS_DIR: resultsDir,
      REDIS_URL: TEST_REDIS_URL,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('hop p50 us');
    const files = readdirSync(resultsDir).filter((f) => f.startsWith('monitor-'));
    expect(files).toHaveLength(1);
    const json = JSON.parse(readFileSync(path.join(resultsDir, files[0]!), 'utf8')) as { results: Result[]; machine: { nproc: number } };
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
