/**
 * `npm run bench:shard`: price update in -> trade signal out, through the real game_shard. Three
 * processes: a price feed (a registered service publishing PriceUpdates for the shard's games at
 * a paced rate, origin_ts = send time), the shard (games from a games:active hash in Redis, every
 * update an arbitrage, debounce off so every update must come out as a signal), and a subscriber
 * on `signals.trade.` putting (receive - origin_ts) and the shard's own share (signal ts -
 * created_ts) into HDR histograms; the shard's in-process histogram (handler entry -> signal
 * handed to the publisher) is read from it as well. Cases: exact vs prefix price subscription,
 * each alone and with as many updates/s for another shard's games on the same feed.
 * Target: in-shard p50 <= 50 us and p99 <= 200 us at 7,000 updates/s across 50 games.
 * Prints a table and writes bench/results/shard-<date>.json. Settings: shard-bench-options.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { sleep } from '../../src/core/time.js';
import { BenchChild } from '../common/bench-child.js';
import { loadAverage1m, machineInfo } from '../common/machine-info.js';
import { connectRedisOrSkip } from '../common/redis-probe.js';
import type { RunStats } from '../common/pacer.js';
import type { UsageReport } from '../common/process-usage.js';
import { writeResults } from '../common/results-file.js';
import { formatCount, formatMarkdownTable, formatMicros, formatTable, type Column } from '../common/text-table.js';
import { benchGames } from './shard-markets.js';
import { loadShardBenchOptions, type ShardBenchOptions, type SubscriptionMode } from './shard-bench-options.js';
import type { SignalSubscriberReport } from './signal-subscriber-worker.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const TARGET = { ratePerSec: 7_000, games: 50, p50Us: 50, p99Us: 200 };

interface CaseResult {
  mode: SubscriptionMode;
  foreign: boolean;
  ratePerSec: number;
  run: RunStats & { foreignSent: number };
  report: SignalSubscriberReport;
  shardLatency: Record<string, number>;
  shardUsage: UsageReport | null;
  cpuUsPerUpdate: number;
  unknownMarkets: number;
  filtered: number;
  load1m: number;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function runMode(mode: SubscriptionMode, o: ShardBenchOptions, redis: Redis): Promise<CaseResult[]> {
  const uid = randomBytes(4).toString('hex');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'arb-bench-shard-'));
  const gamesKey = `bench:shard:${uid}:games:active`;
  const instance = `bench${uid}`;
  const feedService = `bench_feed_${uid}`;
  const own = benchGames(`b${uid}g`, o.games, `game_shard.${instance}`);
  const other = benchGames(`b${uid}x`, o.games, `game_shard.other${uid}`);
  const children: BenchChild[] = [];
  const common = { ARBEES_DATA_DIR: dataDir, ARBEES_ZMQ_TRANSPORT: 'ipc', LOG_LEVEL: 'warn', REDIS_URL: o.redisUrl, ARBEES_REGISTRY_POLL_MS: '100' };
  try {
    for (const info of [...own.infos, ...other.infos]) await redis.hset(gamesKey, info.game_id, JSON.stringify(info));
    const feed = await BenchChild.start(path.join(here, 'price-feed-worker.js'), { name: 'price-feed' });
    children.push(feed);
    await feed.request('setup', { service: feedService, env: { ...common, ARBEES_INSTANCE: `f${uid}` }, own: own.markets, foreign: other.markets });
    const shard = await BenchChild.start(path.join(here, 'shard-worker.js'), {
      name: 'game-shard',
      startTimeoutMs: 20_000,
      execArgv: o.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`] : [],
    });
    children.push(shard);
    const { endpoint } = await shard.request<{ endpoint: string }>('setup', {
      env: {
        ...common,
        ARBEES_INSTANCE: instance,
        ESPN_BASE_URL: 'http://127.0.0.1:9',
        SHARD_POLL_MS: '10000',
        SHARD_ACTIVE_GAMES_KEY: gamesKey,
        SHARD_KEY_PREFIX: `bench:shard:${uid}:`,
        SHARD_GAMES_SERVICES: `bench_no_orchestrator_${uid}`,
        SHARD_PRICE_SERVICES: feedService,
        SHARD_PRICE_SUBSCRIPTION: mode,
        SHARD_DEBOUNCE_MS: '0',
        SHARD_CAPACITY: String(o.games),
      },
    });
    const subscriber = await BenchChild.start(path.join(here, 'signal-subscriber-worker.js'), { name: 'signal-subscriber' });
    children.push(subscriber);
    await subscriber.request('setup', { endpoint });
    await waitFor(async () => (await shard.request<Record<string, number>>('metrics'))['prices.markets'] === own.markets.length, 15_000, 'the shard following its games');

    // Warm-up: the shard connected to the feed, every book seen, signals reaching the subscriber, JIT warm.
    await waitFor(
      async () => {
        await feed.request('sweep');
        await sleep(100);
        return (await subscriber.request<number>('received')) > 0;
      },
      30_000,
      'signals reaching the subscriber',
    );
    await feed.request('run', { ratePerSec: Math.min(o.ratePerSec, 3000), durationMs: o.warmupMs, withForeign: o.foreign });
    await sleep(300);

    const results: CaseResult[] = [];
    for (const withForeign of o.foreign ? [false, true] : [false]) {
      await subscriber.request('reset');
      const before = await shard.request<Record<string, number>>('metrics');
      await shard.request('start');
      const run = await feed.request<RunStats & { foreignSent: number }>('run', { ratePerSec: o.ratePerSec, durationMs: o.durationMs, withForeign }, o.durationMs + 60_000);
      await sleep(500);
      const report = await subscriber.request<SignalSubscriberReport>('report');
      const { usage, latency, metrics } = await shard.request<{ usage: UsageReport | null; latency: Record<string, number>; metrics: Record<string, number> }>('finish');
      const delta = (k: string) => (metrics[k] ?? 0) - (before[k] ?? 0);
      results.push({
        mode,
        foreign: withForeign,
        ratePerSec: o.ratePerSec,
        run,
        report,
        shardLatency: latency,
        shardUsage: usage,
        cpuUsPerUpdate: usage && run.sent > 0 ? usage.cpuMicros / run.sent : 0,
        unknownMarkets: delta('prices.unknown_market'),
        filtered: delta('sub.filtered'),
        load1m: loadAverage1m(),
      });
      console.log(
        `  ${mode}${withForeign ? '+foreign' : ''}: in-shard p50 ${latency.signal_p50_us} us p99 ${latency.signal_p99_us} us; e2e p50 ${report.e2e.p50} p99 ${report.e2e.p99} us; signals ${report.received}/${run.sent}`,
      );
    }
    return results;
  } finally {
    for (const c of children.reverse()) await c.stop().catch(() => undefined);
    const keys = await redis.keys(`bench:shard:${uid}:*`).catch(() => [] as string[]);
    if (keys.length > 0) await redis.del(...keys).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const columns: Column[] = [
  { header: 'subscription', align: 'left' },
  { header: 'updates/s' },
  { header: 'foreign/s' },
  { header: 'signals' },
  { header: 'in-shard p50 us' },
  { header: 'p99' },
  { header: 'p999' },
  { header: 'max' },
  { header: 'ts-created p50/p99' },
  { header: 'e2e p50 us' },
  { header: 'e2e p99' },
  { header: 'feed->shard p50/p99' },
  { header: 'gaps' },
  { header: 'shard CPU %' },
  { header: 'CPU us/update' },
  { header: 'load 1m' },
];

function rowOf(r: CaseResult): string[] {
  const l = r.shardLatency;
  const sec = r.run.elapsedMs / 1000;
  return [
    r.mode,
    formatCount(r.run.sent / sec),
    formatCount(r.run.foreignSent / sec),
    `${r.report.received}/${r.run.sent}`,
    formatMicros(l.signal_p50_us),
    formatMicros(l.signal_p99_us),
    formatMicros(l.signal_p999_us),
    formatMicros(l.signal_max_us),
    `${formatMicros(r.report.inShard.p50)}/${formatMicros(r.report.inShard.p99)}`,
    formatMicros(r.report.e2e.p50),
    formatMicros(r.report.e2e.p99),
    `${formatMicros(r.report.hopIn.p50)}/${formatMicros(r.report.hopIn.p99)}`,
    String(r.report.gaps),
    r.shardUsage ? String(r.shardUsage.cpuPercent) : '-',
    r.cpuUsPerUpdate.toFixed(1),
    String(r.load1m),
  ];
}

async function main(): Promise<void> {
  const o = loadShardBenchOptions();
  const redis = await connectRedisOrSkip(o.redisUrl, 'bench:shard', 'the shard needs Redis for its registry and games:active');
  if (redis === null) return;
  const machine = machineInfo();
  const startedAt = new Date();
  console.log(
    `bench:shard  ${machine.nproc} CPU ${machine.cpuModel}, Node ${machine.node}, load ${loadAverage1m()}, ${o.ratePerSec}/s over ${o.games} games, ${o.durationMs} ms per case`,
  );
  const results: CaseResult[] = [];
  try {
    for (const mode of o.modes) results.push(...(await runMode(mode, o, redis)));
  } finally {
    await redis.quit();
  }
  const rows = results.map(rowOf);
  console.log(`\n${formatTable(columns, rows)}`);
  if (o.markdown) console.log(`\n${formatMarkdownTable(columns, rows)}`);
  for (const r of results) {
    const l = r.shardLatency;
    const ok = (l.signal_p50_us ?? Infinity) <= TARGET.p50Us && (l.signal_p99_us ?? Infinity) <= TARGET.p99Us;
    console.log(
      `${ok ? 'PASS' : 'MISS'} ${r.mode}${r.foreign ? '+foreign' : ''}: in-shard p50 ${l.signal_p50_us} us, p99 ${l.signal_p99_us} us at ${r.ratePerSec}/s (target p50 <= ${TARGET.p50Us}, p99 <= ${TARGET.p99Us})`,
    );
  }
  const file = writeResults('shard', { startedAt: startedAt.toISOString(), machine, options: o, target: TARGET, results });
  console.log(`results: ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
