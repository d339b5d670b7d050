/**
 * Settings of the monitor benchmark, from the environment, with defaults in one place.
 *   BENCH_QUICK=1              short smoke run
 *   BENCH_DURATION_MS          measured time per rate (full 10000, quick 1500)
 *   BENCH_MONITOR_RATES        quote changes per second, comma-separated (default 500,2000,5000)
 *   BENCH_MONITOR_VENUES       kalshi,poly (default both)
 *   BENCH_MONITOR_MARKETS      markets the quote changes cycle through (default 20, two per game)
 *   BENCH_MARKDOWN=1           also print the Markdown table (for bench/README.md)
 *   BENCH_CPU_PROF             a folder: run the monitor under node --cpu-prof, profiles land there
 *   REDIS_URL                  registry + games:active (default redis://127.0.0.1:6379)
 */
export type BenchVenue = 'kalshi' | 'poly';

export interface MonitorBenchOptions {
  quick: boolean;
  durationMs: number;
  warmupMs: number;
  rates: number[];
  venues: BenchVenue[];
  markets: number;
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

export function loadMonitorBenchOptions(env = process.env): Readonly<MonitorBenchOptions> {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  const venues = list(env.BENCH_MONITOR_VENUES, 'kalshi,poly').map((v) => {
    if (v !== 'kalshi' && v !== 'poly') throw new Error(`BENCH_MONITOR_VENUES must list kalshi and/or poly (got ${v})`);
    return v;
  });
  const markets = positiveInt('BENCH_MONITOR_MARKETS', env.BENCH_MONITOR_MARKETS, 20);
  return Object.freeze({
    quick,
    durationMs: positiveInt('BENCH_DURATION_MS', env.BENCH_DURATION_MS, quick ? 1500 : 10_000),
    warmupMs: quick ? 500 : 2000,
    rates: list(env.BENCH_MONITOR_RATES, quick ? '2000' : '500,2000,5000').map((r) => positiveInt('BENCH_MONITOR_RATES', r, 1)),
    venues,
    markets: Math.max(2, markets - (markets % 2)),
    markdown: env.BENCH_MARKDOWN === '1',
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    cpuProfDir: env.BENCH_CPU_PROF ? env.BENCH_CPU_PROF : null,
  });
}
