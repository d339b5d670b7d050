/**
 * `npm run bench:recorder`: the recorder as a real process between a private redis-server and
 * Postgres, side by side on the embedded PGlite (its own process, as under `arbees up`) and the
 * machine's PostgreSQL server (127.0.0.1:5432, a fresh database dropped afterwards):
 *  - throughput: a backlog of entries (80% prices, 20% trades with a fill, no sampling: every
 *    entry is a row) recorded from the first ack to the last, in entries/s;
 *  - lag: entries appended at a steady rate (the seed load) while the recorder runs; every 20 ms
 *    the age of the oldest entry not yet acknowledged goes into an HDR histogram (p50/p99/max);
 *  - report: `buildReport` over one day holding BENCH_REPORT_PRICES price rows and
 *    BENCH_REPORT_TRADES trades (defaults 1M and 10k), in ms.
 * BENCH_QUICK=1 shrinks everything to a smoke run. Writes bench/results/recorder-<date>.json.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { SlowKey } from '../../src/core/slow-keys.js';
import { sleep } from '../../src/core/time.js';
import { Topic } from '../../src/core/topics.js';
import { streamEntryFields } from '../../src/bus/slow-track.js';
import { migratePool } from '../../src/store/migrate.js';
import { buildReport } from '../../src/store/report/report-builder.js';
import { createServerDatabase } from '../../test/helpers/postgres.js';
import { PrivateRedis } from '../../test/helpers/private-redis.js';
import { LatencyHistogram, type LatencySummary } from '../common/latency-histogram.js';
import { loadAverage1m, machineInfo } from '../common/machine-info.js';
import { writeResults } from '../common/results-file.js';
import { seedReportData } from './report-seed.js';
import { formatCount, formatMarkdownTable, formatTable, type Column } from '../common/text-table.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const quick = process.env.BENCH_QUICK === '1';
const num = (name: string, full: number, small: number) => Number(process.env[name] ?? (quick ? small : full));
const OPTIONS = {
  backlog: num('BENCH_BACKLOG', 200_000, 3_000),
  lagRate: num('BENCH_LAG_RATE', 2_000, 500),
  lagSeconds: num('BENCH_LAG_SECONDS', 15, 2),
  reportPrices: num('BENCH_REPORT_PRICES', 1_000_000, 20_000),
  reportTrades: num('BENCH_REPORT_TRADES', 10_000, 200),
  targets: (process.env.BENCH_TARGETS ?? 'pglite,postgres').split(','),
};
const PREFIX = 'bench:';
const T0 = 1_760_000_000_000_000;

interface TargetResult {
  target: string;
  entries: number;
  entriesPerSec: number;
  lag: LatencySummary;
  lagEntries: number;
  reportMs: number | null;
  reportRows: { prices: number; trades: number } | null;
}

function envelopeFields(i: number): string[] {
  if (i % 5 === 0) {
    const id = `bt${i}`;
    const data = {
      trade_id: id, source: 'signal', source_id: `s${i}`, game_id: `g${i % 50}`, sport: 'nba', mode: 'paper', status: 'filled', reason: null,
      fills: [{ venue: 'kalshi', market_id: `KX-${i % 200}`, side: 'yes', action: 'buy', contracts: 10, yes_price: 0.55, fee_cc: 1_700, order_id: null }],
      decided_ts: T0 + i,
    };
    return streamEntryFields(Topic.tradeCompleted(id), { v: 1, type: 'trade_completed', id: `m${i}`, src: 'bench.0', seq: i, ts: T0 + i, origin_ts: T0 + i, data });
  }
  const data = { venue: 'kalshi', market_id: `KX-${i % 200}`, game_id: `g${i % 50}`, team: 'HOM', yes_bid: 0.5, yes_ask: 0.52, yes_bid_size: 10, yes_ask_size: 10, status: 'open' };
  return streamEntryFields(Topic.price('kalshi', `KX-${i % 200}`), { v: 1, type: 'price', id: `m${i}`, src: 'bench.0', seq: i, ts: T0 + i, origin_ts: T0 + i, data });
}

const streamOf = (i: number) => PREFIX + (i % 5 === 0 ? SlowKey.tradesCompleted : SlowKey.pricesStream('kalshi'));

async function append(redis: Redis, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i += 2_000) {
    const pipeline = redis.pipeline();
    for (let j = i; j < Math.min(from + count, i + 2_000); j++) pipeline.xadd(streamOf(j), '*', ...envelopeFields(j));
    await pipeline.exec();
  }
}

function groupInfo(flat: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

/** Entries acknowledged so far over both streams (entries-read minus pending). */
async function acked(redis: Redis): Promise<number> {
  let total = 0;
  for (const s of [PREFIX + SlowKey.tradesCompleted, PREFIX + SlowKey.pricesStream('kalshi')]) {
    const groups = ((await redis.xinfo('GROUPS', s).catch(() => [])) as unknown[][]).map(groupInfo);
    const g = groups.find((x) => x.name === 'recorder');
    if (g) total += Number(g['entries-read']) - Number(g.pending);
  }
  return total;
}

async function groupExists(redis: Redis): Promise<boolean> {
  const groups = ((await redis.xinfo('GROUPS', PREFIX + SlowKey.pricesStream('kalshi')).catch(() => [])) as unknown[][]).map(groupInfo);
  return groups.some((g) => g.name === 'recorder');
}

/** Age in ms of the oldest entry not acknowledged yet (0 when caught up). */
async function oldestUnackedAgeMs(redis: Redis): Promise<number> {
  let oldest = Infinity;
  for (const s of [PREFIX + SlowKey.tradesCompleted, PREFIX + SlowKey.pricesStream('kalshi')]) {
    const pending = (await redis.xpending(s, 'recorder')) as [number, string | null];
    if (pending[0] > 0 && pending[1]) oldest = Math.min(oldest, Number(pending[1].split('-')[0]));
    const g = ((await redis.xinfo('GROUPS', s)) as unknown[][]).map(groupInfo).find((x) => x.name === 'recorder');
    const next = await redis.xrange(s, `(${String(g?.['last-delivered-id'] ?? '0-0')}`, '+', 'COUNT', 1);
    if (next[0]) oldest = Math.min(oldest, Number(next[0][0].split('-')[0]));
  }
  return oldest === Infinity ? 0 : Math.max(0, Date.now() - oldest);
}

function startRecorder(redisUrl: string, databaseUrl: string): ChildProcess {
  return fork(path.join(here, 'recorder-worker.js'), [], {
    env: { ...process.env, REDIS_URL: redisUrl, DATABASE_URL: databaseUrl, RECORDER_KEY_PREFIX: PREFIX, RECORDER_PRICE_SAMPLE_MS: '0', RECORDER_BLOCK_MS: '20', LOG_LEVEL: 'warn', ARBEES_INSTANCE: 'bench' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function openTarget(target: string): Promise<{ url: string; close(): Promise<void> }> {
  if (target === 'postgres') {
    const db = await createServerDatabase();
    return { url: db.url, close: () => db.drop() };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'arb-bench-pg-'));
  const child = fork(path.join(here, 'pglite-worker.js'), [], { env: { ...process.env, BENCH_PG_DATA_DIR: path.join(dir, 'pgdata') }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { url: string }) => resolve(m.url));
    child.once('exit', (code) => reject(new Error(`pglite worker exited ${code}`)));
  });
  return { url, close: async () => { await stop(child); rmSync(dir, { recursive: true, force: true }); } };
}

async function waitAcked(redis: Redis, total: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await acked(redis)) < total) {
    if (Date.now() > deadline) throw new Error(`recorder did not catch up: ${await acked(redis)} of ${total} acknowledged`);
    await sleep(20);
  }
}

async function runTarget(target: string, redisUrl: string): Promise<TargetResult> {
  const redis = new Redis(redisUrl);
  await redis.flushall();
  const db = await openTarget(target);
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', () => {});
  try {
    await migratePool(pool);
    // Throughput: the backlog is there before the recorder starts.
    await append(redis, 0, OPTIONS.backlog);
    const recorder = startRecorder(redisUrl, db.url);
    try {
      // From the moment its group exists (migrations done, reading starts) to the last ack.
      while (!(await groupExists(redis))) await sleep(2);
      const firstAt = performance.now();
      await waitAcked(redis, OPTIONS.backlog, 600_000);
      const seconds = (performance.now() - firstAt) / 1000;
      const entriesPerSec = OPTIONS.backlog / seconds;

      // Lag at a steady rate.
      const lag = new LatencyHistogram();
      let sent = 0;
      const total = OPTIONS.lagRate * OPTIONS.lagSeconds;
      const started = performance.now();
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          lag.record((await oldestUnackedAgeMs(redis)) * 1000);
          await sleep(20);
        }
      })();
      while (sent < total) {
        const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * OPTIONS.lagRate));
        if (due > sent) {
          await append(redis, OPTIONS.backlog + sent, due - sent);
          sent = due;
        } else await sleep(5);
      }
      await waitAcked(redis, OPTIONS.backlog + total, 120_000);
      sampling = false;
      await sampler;
      const result: TargetResult = { target, entries: OPTIONS.backlog, entriesPerSec, lag: lag.summary(), lagEntries: total, reportMs: null, reportRows: null };
      await stop(recorder);

      await seedReportData(pool, T0, OPTIONS.reportPrices, OPTIONS.reportTrades);
      const t = performance.now();
      await buildReport(pool, { sinceUs: T0, untilUs: T0 + 86_400_000_000, timeZone: 'America/New_York' });
      result.reportMs = Math.round(performance.now() - t);
      result.reportRows = { prices: OPTIONS.reportPrices, trades: OPTIONS.reportTrades };
      return result;
    } finally {
      await stop(recorder);
    }
  } finally {
    await pool.end();
    await db.close();
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  const redisServer = await PrivateRedis.start();
  const results: TargetResult[] = [];
  try {
    for (const target of OPTIONS.targets) {
      process.stderr.write(`recorder bench: ${target}...\n`);
      results.push(await runTarget(target, redisServer.url));
    }
  } finally {
    await redisServer.stop();
  }
  const columns: Column[] = [
    { header: 'target', align: 'left' }, { header: 'entries' }, { header: 'entries/s' }, { header: 'lag rate/s' },
    { header: 'lag p50 ms' }, { header: 'lag p99 ms' }, { header: 'lag max ms' }, { header: 'report rows' }, { header: 'report ms' },
  ];
  const rows = results.map((r) => [
    r.target, formatCount(r.entries), formatCount(r.entriesPerSec), String(OPTIONS.lagRate),
    (r.lag.p50 / 1000).toFixed(0), (r.lag.p99 / 1000).toFixed(0), (r.lag.max / 1000).toFixed(0),
    r.reportRows ? `${formatCount(r.reportRows.prices)} px / ${formatCount(r.reportRows.trades)} tr` : '-', String(r.reportMs ?? '-'),
  ]);
  process.stdout.write(formatTable(columns, rows) + '\n\n' + formatMarkdownTable(columns, rows) + '\n');
  const file = writeResults('recorder', { bench: 'recorder', mode: quick ? 'quick' : 'full', machine: machineInfo(), load1m: loadAverage1m(), options: OPTIONS, results });
  process.stdout.write(`results: ${file}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:recorder failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
