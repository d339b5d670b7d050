/**
 * Settings of the bus benchmark, from the environment, with defaults in one place.
 *   BENCH_QUICK=1          short smoke run (everything in well under a minute)
 *   BENCH_DURATION_MS      measured time per case (full 4000, quick 400)
 *   BENCH_WARMUP_MS        warm-up per case, discarded (full 1000, quick 150)
 *   BENCH_ONLY             comma-separated substrings of case ids to run (default: all)
 *   BENCH_PACER            hybrid (default: sleeps between slots) or spin (setImmediate only)
 *   BENCH_CPU_PROF         a folder: run the workers under node --cpu-prof, profiles land there
 *   BENCH_MARKDOWN=1       also print the table as Markdown (for bench/README.md)
 *   REDIS_URL              the Redis server for the Redis rows (default redis://127.0.0.1:6379)
 */
import type { PacerStrategy } from '../common/pacer.js';

export interface BusBenchOptions {
  quick: boolean;
  durationMs: number;
  warmupMs: number;
  /** Stop waiting for stragglers once nothing new arrived for this long. */
  drainIdleMs: number;
  only: string[];
  pacer: PacerStrategy;
  cpuProfDir: string | null;
  markdown: boolean;
  redisUrl: string;
}

const positiveInt = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer (got ${JSON.stringify(raw)})`);
  return n;
};

export function loadBusBenchOptions(env = process.env): Readonly<BusBenchOptions> {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  const pacer = env.BENCH_PACER ?? 'hybrid';
  if (pacer !== 'hybrid' && pacer !== 'spin') throw new Error(`BENCH_PACER must be hybrid or spin (got ${pacer})`);
  return Object.freeze({
    quick,
    durationMs: positiveInt('BENCH_DURATION_MS', quick ? 400 : 4000),
    warmupMs: positiveInt('BENCH_WARMUP_MS', quick ? 150 : 1000),
    drainIdleMs: quick ? 300 : 1000,
    only: (env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''),
    pacer,
    cpuProfDir: env.BENCH_CPU_PROF || null,
    markdown: env.BENCH_MARKDOWN === '1',
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  });
}
