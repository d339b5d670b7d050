/**
 * Settings of the game_shard benchmark, from the environment, with defaults in one place.
 *   BENCH_QUICK=1              short smoke run
 *   BENCH_DURATION_MS          measured time per case (full 10000, quick 1500)
 *   BENCH_SHARD_RATE           price updates per second into the shard's own markets (7000)
 *   BENCH_SHARD_GAMES          games of the shard, four markets each (50)
 *   BENCH_SHARD_MODES          price subscription modes to compare: exact,prefix
 *   BENCH_SHARD_FOREIGN        also run each mode with as many updates/s for another shard's games (1)
 *   BENCH_MARKDOWN=1           also print the Markdown table (for bench/README.md)
 *   BENCH_CPU_PROF             a folder: run the shard under node --cpu-prof, profiles land there
 *   REDIS_URL                  registry + games:active (default redis://127.0.0.1:6379)
 */
export type SubscriptionMode = 'exact' | 'prefix';

export interface ShardBenchOptions {
  quick: boolean;
  durationMs: number;
  warmupMs: number;
  ratePerSec: number;
  games: number;
  modes: SubscriptionMode[];
  foreign: boolean;
  markdown: boolean;
  redisUrl: string;
  cpuProfDir: string | null;
}

const list = (raw: string | undefined, fallback: string): string[] =>
  (raw === undefined || raw.trim() === '' ? fallback : raw).split(',').map((s) => s.trim()).filter((s) => s !== '');

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer (got ${JSON.stringify(raw)})`);
  return n;
}

export function loadShardBenchOptions(env = process.env): Readonly<ShardBenchOptions> {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  const modes = list(env.BENCH_SHARD_MODES, 'exact,prefix').map((m) => {
    if (m !== 'exact' && m !== 'prefix') throw new Error(`BENCH_SHARD_MODES must list exact and/or prefix (got ${m})`);
    return m;
  });
  return Object.freeze({
    quick,
    durationMs: positiveInt('BENCH_DURATION_MS', env.BENCH_DURATION_MS, quick ? 1500 : 10_000),
    warmupMs: quick ? 1000 : 3000,
    ratePerSec: positiveInt('BENCH_SHARD_RATE', env.BENCH_SHARD_RATE, 7000),
    games: positiveInt('BENCH_SHARD_GAMES', env.BENCH_SHARD_GAMES, 50),
    modes,
    foreign: (env.BENCH_SHARD_FOREIGN ?? '1') !== '0',
    markdown: env.BENCH_MARKDOWN === '1',
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    cpuProfDir: env.BENCH_CPU_PROF && env.BENCH_CPU_PROF.trim() !== '' ? env.BENCH_CPU_PROF : null,
  });
}
