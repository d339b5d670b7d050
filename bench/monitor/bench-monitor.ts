/**
 * `npm run bench:monitor`: venue WebSocket message in -> ZMQ price out, through the real
 * kalshi_monitor / polymarket_monitor. Three processes per venue: the venue simulator (its market
 * maker changes one market's top of book per update, paced), the monitor service (assignments
 * from a games:active hash in Redis), and a subscriber on the monitor's endpoint that puts
 * (receive time - origin_ts) into an HDR histogram, origin_ts being the monitor's receipt time of
 * the venue frame. Target: p99 <= 200 us at 2,000 updates/s. Prints a table and writes
 * bench/results/monitor-<date>.json. Settings: monitor-bench-options.ts.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import type { GameInfo } from '../../src/core/messages.js';
import { sleep } from '../../src/core/time.js';
import { BenchChild } from '../common/bench-child.js';
import { loadAverage1m, machineInfo } from '../common/machine-info.js';
import { connectRedisOrSkip } from '../common/redis-probe.js';
import type { RunStats } from '../common/pacer.js';
import type { UsageReport } from '../common/process-usage.js';
import { writeResults } from '../common/results-file.js';
import { formatCount, formatMarkdownTable, formatMicros, formatTable, type Column } from '../common/text-table.js';
import { loadMonitorBenchOptions, type BenchVenue, type MonitorBenchOptions } from './monitor-bench-options.js';
import type { PriceSubscriberReport } from './price-subscriber-worker.js';
import type { BenchGame } from './venue-worker.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const TARGET_RATE = 2_000;
const TARGET_P99_US = 200;

interface CaseResult {
  venue: BenchVenue;
  ratePerSec: number;
  run: RunStats;
  sentPerSec: number;
  report: PriceSubscriberReport;
  receivedPerSec: number;
  monitorUsage: UsageReport | null;
  monitorCpuUsPerUpdate: number;
  load1m: number;
}

function gameInfoOf(g: BenchGame, venue: BenchVenue): GameInfo {
  return {
    event: 'discovered',
    game_id: g.game.id,
    sport: g.game.sport,
    name: `${g.game.away.name} at ${g.game.home.name}`,
    home: g.game.home,
    away: g.game.away,
    start_time: g.game.start,
    status: 'live',
    markets: g.markets.map((m) => ({ venue, market_id: m.marketId, team: m.team, outcome: m.outcome })),
    shard: null,
  };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function runVenue(venue: BenchVenue, o: MonitorBenchOptions, redis: Redis): Promise<CaseResult[]> {
  const uid = randomBytes(4).toString('hex');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'arb-bench-mon-'));
  const gamesKey = `bench:monitor:${uid}:games:active`;
  const children: BenchChild[] = [];
  try {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyId = `bench-key-${uid}`;
    const venueChild = await BenchChild.start(path.join(here, 'venue-worker.js'), { name: `${venue}-venue` });
    children.push(venueChild);
    const { urls, games } = await venueChild.request<{ urls: Record<string, string>; games: BenchGame[] }>('setup', {
      venue,
      games: o.markets / 2,
      kalshiKey: { keyId, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
    });
    for (const g of games) await redis.hset(gamesKey, g.game.id, JSON.stringify(gameInfoOf(g, venue)));
    const marketCount = games.reduce((n, g) => n + g.markets.length, 0);

    const env: Record<string, string> = {
      ARBEES_DATA_DIR: dataDir,
      ARBEES_INSTANCE: `bench${uid}`,
      ARBEES_ZMQ_TRANSPORT: 'ipc',
      LOG_LEVEL: 'warn',
      REDIS_URL: o.redisUrl,
      MONITOR_ACTIVE_GAMES_KEY: gamesKey,
      MONITOR_GAMES_SERVICES: `bench_no_orchestrator_${uid}`,
      ...(venue === 'kalshi'
        ? {
            KALSHI_WS_URL: urls.wsUrl!,
            KALSHI_REST_URL: urls.restUrl!,
            KALSHI_API_KEY: keyId,
            KALSHI_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
          }
        : { POLYMARKET_WS_URL: urls.wsUrl! }),
    };
    const monitor = await BenchChild.start(path.join(here, 'monitor-worker.js'), {
      name: `${venue}-monitor`,
      startTimeoutMs: 20_000,
      execArgv: o.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`] : [],
    });
    children.push(monitor);
    const { endpoint } = await monitor.request<{ endpoint: string }>('setup', { venue, env });
    const subscriber = await BenchChild.start(path.join(here, 'price-subscriber-worker.js'), { name: `${venue}-subscriber` });
    children.push(subscriber);
    await subscriber.request('setup', { endpoint });

    await waitFor(async () => (await monitor.request<Record<string, number>>('metrics')).markets === marketCount, 15_000, `${venue}: ${marketCount} markets assigned`);
    // Warm-up: every book snapshotted, the subscriber joined, JIT warm. Discarded.
    await waitFor(
      async () => {
        await venueChild.request('run', { ratePerSec: 500, durationMs: o.warmupMs });
        return (await subscriber.request<number>('received')) > 0;
      },
      30_000,
      `${venue}: prices reaching the subscriber`,
    );

    const results: CaseResult[] = [];
    for (const rate of o.rates) {
      await subscriber.request('reset');
      await monitor.request('startUsage');
      const run = await venueChild.request<RunStats>('run', { ratePerSec: rate, durationMs: o.durationMs }, o.durationMs + 60_000);
      await sleep(300);
      const report = await subscriber.request<PriceSubscriberReport>('report');
      const monitorUsage = await monitor.request<UsageReport | null>('finishUsage');
      results.push({
        venue,
        ratePerSec: rate,
        run,
        sentPerSec: run.sent / (run.elapsedMs / 1000),
        report,
        receivedPerSec: report.windowUs > 0 ? report.received / (report.windowUs / 1e6) : 0,
        monitorUsage,
        monitorCpuUsPerUpdate: monitorUsage && run.sent > 0 ? monitorUsage.cpuMicros / run.sent : 0,
        load1m: loadAverage1m(),
      });
      console.log(`  ${venue} ${rate}/s: p50 ${report.hop.p50} us, p99 ${report.hop.p99} us, received ${report.received}/${run.sent}`);
    }
    return results;
  } finally {
    for (const c of children.reverse()) await c.stop().catch(() => undefined);
    await redis.del(gamesKey).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const columns: Column[] = [
  { header: 'venue', align: 'left' },
  { header: 'updates/s' },
  { header: 'sent/s' },
  { header: 'prices' },
  { header: 'hop p50 us' },
  { header: 'p90' },
  { header: 'p99' },
  { header: 'p999' },
  { header: 'max' },
  { header: 'in-monitor p50/p99' },
  { header: 'gaps' },
  { header: 'monitor CPU %' },
  { header: 'CPU us/update' },
  { header: 'load 1m' },
];

function rowOf(r: CaseResult): string[] {
  const h = r.report.hop;
  return [
    r.venue,
    formatCount(r.ratePerSec),
    formatCount(r.sentPerSec),
    `${r.report.received}/${r.run.sent}`,
    formatMicros(h.p50),
    formatMicros(h.p90),
    formatMicros(h.p99),
    formatMicros(h.p999),
    formatMicros(h.max),
    `${formatMicros(r.report.inside.p50)}/${formatMicros(r.report.inside.p99)}`,
    String(r.report.gaps),
    r.monitorUsage ? String(r.monitorUsage.cpuPercent) : '-',
    r.monitorCpuUsPerUpdate.toFixed(1),
    String(r.load1m),
  ];
}

async function main(): Promise<void> {
  const o = loadMonitorBenchOptions();
  const redis = await connectRedisOrSkip(o.redisUrl, 'bench:monitor', 'the monitors need Redis for their registry and games:active');
  if (redis === null) return;
  const machine = machineInfo();
  const startedAt = new Date();
  console.log(`bench:monitor  ${machine.nproc} CPU ${machine.cpuModel}, Node ${machine.node}, load ${loadAverage1m()}, ${o.durationMs} ms per rate`);
  const results: CaseResult[] = [];
  try {
    for (const venue of o.venues) results.push(...(await runVenue(venue, o, redis)));
  } finally {
    await redis.quit();
  }
  const rows = results.map(rowOf);
  console.log(`\n${formatTable(columns, rows)}`);
  if (o.markdown) console.log(`\n${formatMarkdownTable(columns, rows)}`);
  for (const r of results.filter((x) => x.ratePerSec === TARGET_RATE)) {
    const ok = r.report.hop.p99 <= TARGET_P99_US;
    console.log(`${ok ? 'PASS' : 'MISS'} ${r.venue}: p99 ${r.report.hop.p99} us at ${TARGET_RATE}/s (target <= ${TARGET_P99_US} us)`);
  }
  const file = writeResults('monitor', { startedAt: startedAt.toISOString(), machine, options: o, target: { ratePerSec: TARGET_RATE, p99Us: TARGET_P99_US }, results });
  console.log(`results: ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
