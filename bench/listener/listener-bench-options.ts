/**
 * Settings of the zmq_listener benchmark, from the environment, with defaults in one place.
 *   BENCH_QUICK=1              short smoke run
 *   BENCH_DURATION_MS          measured time per case (full 5000, quick 1000)
 *   BENCH_LISTENER_RATES       comma-separated target rates in msg/s (default 25000,50000,100000,150000)
 *   BENCH_LISTENER_MODES       writer modes to compare: script,xadd (default both)
 *   BENCH_LISTENER_BATCHING    publisher batching of prices.* to compare: off,on (default both)
 *   BENCH_LISTENER_MARKETS     distinct markets the publisher cycles through (default 200)
 *   BENCH_ZMQ_TRANSPORT        ipc (default) or tcp between the publisher and the listener
 *   BENCH_MARKDOWN=1           also print the Markdown table (for bench/README.md)
 *   LISTENER_*                 passed to the listener (e.g. LISTENER_BATCH_SIZE, LISTENER_MAX_INFLIGHT)
 *   BENCH_CPU_PROF             a folder: run the listener under node --cpu-prof, profiles land there
 */
import type { WriteMode } from '../../src/services/zmq-listener/redis-writer.js';

export interface ListenerBenchOptions {
  quick: boolean;
  durationMs: number;
  rates: number[];
  modes: WriteMode[];
  /** Whether the publisher batches `prices.` topics into multi-message frames. */
  batching: boolean[];
  markets: number;
  zmqTransport: 'ipc' | 'tcp';
  /** Give up waiting for the listener to catch up after this long without progress. */
  stallMs: number;
  markdown: boolean;
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

export function loadListenerBenchOptions(env = process.env): Readonly<ListenerBenchOptions> {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  const rates = list(env.BENCH_LISTENER_RATES, quick ? '20000,100000' : '25000,50000,100000,150000').map((r) =>
    positiveInt('BENCH_LISTENER_RATES', r, 1),
  );
  const modes = list(env.BENCH_LISTENER_MODES, 'script,xadd').map((m) => {
    if (m !== 'script' && m !== 'xadd') throw new Error(`BENCH_LISTENER_MODES must list script and/or xadd (got ${m})`);
    return m;
  });
  const batching = list(env.BENCH_LISTENER_BATCHING, 'off,on').map((b) => {
    if (b !== 'off' && b !== 'on') throw new Error(`BENCH_LISTENER_BATCHING must list off and/or on (got ${b})`);
    return b === 'on';
  });
  const zmqTransport = env.BENCH_ZMQ_TRANSPORT ?? 'ipc';
  if (zmqTransport !== 'ipc' && zmqTransport !== 'tcp') throw new Error(`BENCH_ZMQ_TRANSPORT must be ipc or tcp (got ${zmqTransport})`);
  return Object.freeze({
    quick,
    durationMs: positiveInt('BENCH_DURATION_MS', env.BENCH_DURATION_MS, quick ? 1000 : 5000),
    rates,
    modes,
    batching,
    markets: positiveInt('BENCH_LISTENER_MARKETS', env.BENCH_LISTENER_MARKETS, 200),
    zmqTransport,
    stallMs: 15_000,
    markdown: env.BENCH_MARKDOWN === '1',
    cpuProfDir: env.BENCH_CPU_PROF || null,
  });
}
