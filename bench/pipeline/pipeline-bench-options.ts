/**
 * Settings of the tick-to-trade benchmark, from the environment, with defaults in one place.
 *   BENCH_QUICK=1                  short smoke run (fewer games, lower rate, short windows)
 *   BENCH_DURATION_MS              measured time per transport (full 40000, quick 4000)
 *   BENCH_WARMUP_MS                discarded warm-up per transport (full 5000, quick 1500)
 *   BENCH_PIPELINE_RATE            venue quote updates per second, both venues together (7000; quick 1000)
 *   BENCH_PIPELINE_GAMES           games, four markets each: Kalshi + Polymarket, home + away (100; quick 20)
 *   BENCH_PIPELINE_EPISODES        out-of-line episodes per second, each one arbitrage (50; quick 20)
 *   BENCH_PIPELINE_EPISODE_MS      how long a market stays out of line before it is re-quoted (200)
 *   BENCH_PIPELINE_TRANSPORTS      hot transports to run, in order (zmq,redis)
 *   BENCH_PIPELINE_ORDERBOOK_MS    MONITOR_ORDERBOOK_INTERVAL_MS given to the monitors (100, their own default:
 *                                  books coalesced; 0: every change, as runs before issue 13 had to, because
 *                                  paper fills raced the book before signals carried their levels)
 *   BENCH_PIPELINE_DEBOUNCE_MS     SHARD_DEBOUNCE_MS given to the shard (1000; quick 500)
 *   BENCH_MARKDOWN=1               also print the Markdown tables (for bench/README.md)
 *   BENCH_CPU_PROF                 a folder: every service process runs under node --cpu-prof
 *   BENCH_CPU_PROF_SERVICES        only these (comma list of service names) under --cpu-prof
 *   BENCH_PIPELINE_LISTENER=1      also run zmq_listener beside the pipeline (it mirrors every hot message)
 *   BENCH_PIPELINE_NOTIFY=1        also run notification_service beside the pipeline (no channel configured:
 *                                  its input latency for the seed's Summary Table, and its CPU)
 *   BENCH_PIPELINE_API=1           also run the api beside the pipeline, with one /ws client subscribed as the
 *                                  dashboard is (games, prices, trade signals, trades, positions, health, status)
 *   BENCH_PIPELINE_SCALE           after the main run, the scale curve: a comma list of rates, or 1 for
 *                                  1000,7000,20000,50000 (each rate on every transport, fresh processes)
 *   EXEC_MARKET_SUBSCRIPTION=all   (inherited by the services) execution hears every price and book, as before issue 13
 *
 * Redis: every run starts its own private redis-server (test/helpers/private-redis.ts), so the
 * registry, the streams and, on the Redis transport, the hot path belong to this run alone.
 */
export type HotTransport = 'zmq' | 'redis';

export interface PipelineBenchOptions {
  quick: boolean;
  durationMs: number;
  warmupMs: number;
  ratePerSec: number;
  games: number;
  episodesPerSec: number;
  episodeMs: number;
  transports: HotTransport[];
  orderbookIntervalMs: number;
  debounceMs: number;
  markdown: boolean;
  cpuProfDir: string | null;
  cpuProfServices: string[] | null;
  withListener: boolean;
  withApi: boolean;
  withNotify: boolean;
  /** Rates of the scale curve (empty: no curve). */
  scaleRates: number[];
}

export const DEFAULT_SCALE_RATES: readonly number[] = [1000, 7000, 20000, 50000];

function scaleRates(raw: string | undefined): number[] {
  if (raw === undefined || raw.trim() === '' || raw.trim() === '0') return [];
  if (raw.trim() === '1') return [...DEFAULT_SCALE_RATES];
  return list(raw, '').map((r) => int('BENCH_PIPELINE_SCALE', r, 0));
}

const list = (raw: string | undefined, fallback: string): string[] =>
  (raw === undefined || raw.trim() === '' ? fallback : raw).split(',').map((s) => s.trim()).filter((s) => s !== '');

function int(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min} (got ${JSON.stringify(raw)})`);
  return n;
}

export function loadPipelineBenchOptions(env = process.env): Readonly<PipelineBenchOptions> {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  const transports = list(env.BENCH_PIPELINE_TRANSPORTS, 'zmq,redis').map((t) => {
    if (t !== 'zmq' && t !== 'redis') throw new Error(`BENCH_PIPELINE_TRANSPORTS must list zmq and/or redis (got ${t})`);
    return t;
  });
  const ratePerSec = int('BENCH_PIPELINE_RATE', env.BENCH_PIPELINE_RATE, quick ? 1000 : 7000);
  const episodesPerSec = int('BENCH_PIPELINE_EPISODES', env.BENCH_PIPELINE_EPISODES, quick ? 20 : 50);
  // Each episode takes four updates (two to go out of line, two to come back).
  if (episodesPerSec * 4 > ratePerSec) throw new Error('BENCH_PIPELINE_EPISODES * 4 must not exceed BENCH_PIPELINE_RATE');
  const games = int('BENCH_PIPELINE_GAMES', env.BENCH_PIPELINE_GAMES, quick ? 20 : 100);
  const episodeMs = int('BENCH_PIPELINE_EPISODE_MS', env.BENCH_PIPELINE_EPISODE_MS, 200);
  const debounceMs = int('BENCH_PIPELINE_DEBOUNCE_MS', env.BENCH_PIPELINE_DEBOUNCE_MS, quick ? 500 : 1000, 0);
  // One signal per episode: the shard's debounce must cover an episode and be over before the
  // same game's next one (games / episodes per second apart).
  const periodMs = (games / episodesPerSec) * 1000;
  if (debounceMs < episodeMs || debounceMs > periodMs - episodeMs) {
    throw new Error(
      `BENCH_PIPELINE_DEBOUNCE_MS (${debounceMs}) must lie between the episode length (${episodeMs} ms) and the gap between two episodes of one game minus an episode (${Math.round(periodMs - episodeMs)} ms): change games, episodes/s or the debounce`,
    );
  }
  const profDir = env.BENCH_CPU_PROF && env.BENCH_CPU_PROF.trim() !== '' ? env.BENCH_CPU_PROF : null;
  return Object.freeze({
    quick,
    durationMs: int('BENCH_DURATION_MS', env.BENCH_DURATION_MS, quick ? 4000 : 40_000),
    warmupMs: int('BENCH_WARMUP_MS', env.BENCH_WARMUP_MS, quick ? 1500 : 5000),
    ratePerSec,
    games,
    episodesPerSec,
    episodeMs,
    transports,
    orderbookIntervalMs: int('BENCH_PIPELINE_ORDERBOOK_MS', env.BENCH_PIPELINE_ORDERBOOK_MS, 100, 0),
    debounceMs,
    markdown: env.BENCH_MARKDOWN === '1',
    cpuProfDir: profDir,
    cpuProfServices: env.BENCH_CPU_PROF_SERVICES ? list(env.BENCH_CPU_PROF_SERVICES, '') : null,
    withListener: env.BENCH_PIPELINE_LISTENER === '1' || env.BENCH_PIPELINE_LISTENER === 'true',
    withApi: env.BENCH_PIPELINE_API === '1' || env.BENCH_PIPELINE_API === 'true',
    withNotify: env.BENCH_PIPELINE_NOTIFY === '1' || env.BENCH_PIPELINE_NOTIFY === 'true',
    scaleRates: scaleRates(env.BENCH_PIPELINE_SCALE),
  });
}
