/**
 * One run of the whole critical path on one hot transport, every part in its own process:
 *
 *   private redis-server (registry, games:active, execution's records and streams; on the Redis
 *   transport also every hot message)
 *   venue feeder       Kalshi + Polymarket simulators, paced maker re-quotes with arbitrage episodes
 *   kalshi_monitor     \
 *   polymarket_monitor  > the real services, started with startService as `arbees run` would,
 *   game_shard          > every one with ARBEES_HOT_TRANSPORT set to the run's transport
 *   execution_service  >  (paper mode, risk limits raised: see EXECUTION_ENV)
 *   position_tracker   /
 *   trade meter        a registered subscriber of signals.trade.* and trades.completed.*
 *
 * Warm-up (discarded, until trades flow), then the measured window, then the audit stream is
 * read back for execution's receipt time of each signal. Everything is torn down at the end.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { UP_NICENESS, UP_NODE_FLAGS } from '../../src/launcher/up-services.js';
import { SlowKey } from '../../src/core/slow-keys.js';
import { nowMicros, sleep } from '../../src/core/time.js';
import { executionKeys } from '../../src/services/execution-service/execution-service-config.js';
import { PrivateRedis } from '../../test/helpers/private-redis.js';
import { BenchChild } from '../common/bench-child.js';
import { LatencyHistogram, type LatencySummary } from '../common/latency-histogram.js';
import { loadAverage1m } from '../common/machine-info.js';
import type { UsageReport } from '../common/process-usage.js';
import { breakDown, type PipelineLatency } from './hop-breakdown.js';
import type { HotTransport, PipelineBenchOptions } from './pipeline-bench-options.js';
import { machineBusyPercent, processUsageBetween, sampleMachineCpu, sampleProcess } from '../common/proc-stat.js';
import type { MeterReport } from './trade-meter-worker.js';
import type { FeederRun, FeederSetup, FeederUrls } from './venue-feeder-worker.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const PIPELINE_SERVICES = ['kalshi_monitor', 'polymarket_monitor', 'game_shard', 'execution_service', 'position_tracker'] as const;
/**
 * zmq_listener runs beside them with BENCH_PIPELINE_LISTENER=1 (it mirrors every hot message into
 * Redis), the api with BENCH_PIPELINE_API=1 (with one dashboard-like /ws client), notification_service
 * with BENCH_PIPELINE_NOTIFY=1 (no channel: what it hears, not what it sends).
 */
export type PipelineService = (typeof PIPELINE_SERVICES)[number] | 'zmq_listener' | 'api' | 'notification_service';

/** The services beside the pipeline that the options ask for, started before it (consumers first). */
const besideOf = (o: PipelineBenchOptions): PipelineService[] => [
  ...(o.withListener ? (['zmq_listener'] as const) : []),
  ...(o.withApi ? (['api'] as const) : []),
  ...(o.withNotify ? (['notification_service'] as const) : []),
];
const servicesOf = (o: PipelineBenchOptions): PipelineService[] => [...PIPELINE_SERVICES, ...besideOf(o)];

/** What the dashboard subscribes to on its /ws (STREAM_PREFIXES in web/src/live-stream.ts): the bench's client asks the same. */
const DASHBOARD_PREFIXES = ['games.', 'prices.', 'signals.trade.', 'trades.completed.', 'positions.', 'health.', 'status.'];
const BENCH_API_TOKEN = 'bench-pipeline-api-token';

/**
 * Risk limits raised so that the measured trades are not refused by limits meant for a $1,000
 * paper bankroll (per-market $200, 20 orders a minute...): the benchmark measures the path, and
 * an arbitrage every 20 ms would hit those in the first second. Every other check stays on.
 */
export const EXECUTION_ENV: Readonly<Record<string, string>> = Object.freeze({
  EXEC_MODE: 'paper',
  EXEC_BANKROLL_USD: '10000000',
  EXEC_MAX_ORDER_USD: '10000',
  EXEC_MAX_MARKET_USD: '10000000',
  EXEC_MAX_GAME_USD: '10000000',
  EXEC_MAX_SPORT_USD: '100000000',
  EXEC_MAX_TOTAL_USD: '100000000',
  EXEC_MAX_DAILY_LOSS_USD: '1000000',
  EXEC_MAX_ORDERS_PER_WINDOW: '1000000',
});

export interface ProcessUsage {
  name: string;
  pid: number | null;
  cpuPercent: number | null;
  cpuUsPerUpdate: number | null;
  rssPeakMb: number | null;
}

export interface TransportResult {
  transport: HotTransport;
  feeder: Omit<FeederRun, 'episodes' | 'usage'> & { episodes: number };
  sentPerSec: number;
  latency: PipelineLatency;
  counters: Record<string, number>;
  processes: ProcessUsage[];
  load1m: { start: number; end: number };
  machineBusyPercent: number | null;
  meterGaps: number;
  /** Input latency of each service over the window, by message type (publish -> its handler). */
  inputLatency: Record<string, Record<string, LatencySummary>>;
  /** Round trip of a PING to the run's redis-server from the parent during the window: what each awaited Redis call on the path costs at best. */
  redisPing: LatencySummary;
  windowStartIso: string;
}

/** Pings Redis every `everyMs` until stopped, one at a time, into a histogram. */
function startPinger(redis: Redis, everyMs: number): { stop(): Promise<LatencySummary> } {
  const h = new LatencyHistogram();
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      await redis.ping();
      h.record((performance.now() - t0) * 1000);
      await sleep(everyMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return h.summary();
    },
  };
}

const COUNTER_KEYS: Record<PipelineService, string[]> = {
  // pub.sent_frames: hot frames sent (a per-turn batch is one frame): what each send costs is per frame.
  kalshi_monitor: ['prices_published', 'orderbooks_published', 'prices_dropped', 'pub.dropped', 'pub.sent_frames'],
  polymarket_monitor: ['prices_published', 'orderbooks_published', 'prices_dropped', 'pub.dropped', 'pub.sent_frames'],
  game_shard: ['signals.arbitrage', 'signals.debounced', 'signals.dropped', 'prices.late', 'pub.dropped'],
  // sub.received: hot frames the service's market subscriber received (what lever 1 of issue 13 cuts).
  execution_service: ['signals_received', 'duplicates', 'claims_failed', 'exec.outbox_dropped', 'pub.dropped', 'sub.received'],
  position_tracker: ['pt.trades_not_durable', 'pub.published', 'pub.sent_frames', 'pub.dropped', 'sub.received'],
  zmq_listener: [],
  api: ['ws_coalesced', 'ws_dropped'],
  notification_service: ['sub.received', 'sub.delivered'],
};

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Sum of every subscriber's gap counter in a service's metrics (sub.gaps, sub2.gaps...). */
const gapsOf = (m: Record<string, number>): number => Object.entries(m).reduce((n, [k, v]) => (/^sub\d*\.gaps$/.test(k) ? n + v : n), 0);

function serviceEnv(service: PipelineService, o: PipelineBenchOptions, urls: FeederUrls, kalshi: { keyId: string; pem: string }, apiPort: number): Record<string, string> {
  const monitor = { MONITOR_GAMES_SERVICES: 'bench_no_orchestrator', MONITOR_ORDERBOOK_INTERVAL_MS: String(o.orderbookIntervalMs) };
  switch (service) {
    case 'kalshi_monitor':
      return { ...monitor, KALSHI_WS_URL: urls.kalshiWsUrl, KALSHI_REST_URL: urls.kalshiRestUrl, KALSHI_API_KEY: kalshi.keyId, KALSHI_PRIVATE_KEY: kalshi.pem };
    case 'polymarket_monitor':
      return { ...monitor, POLYMARKET_WS_URL: urls.polyWsUrl };
    case 'game_shard':
      return {
        // No orchestrator and no ESPN: games come from games:active, signals are cross-venue arbitrage only.
        ESPN_BASE_URL: 'http://127.0.0.1:9',
        SHARD_POLL_MS: '10000',
        SHARD_GAMES_SERVICES: 'bench_no_orchestrator',
        SHARD_MODEL_SIGNALS: 'false',
        SHARD_DEBOUNCE_MS: String(o.debounceMs),
        SHARD_CAPACITY: String(o.games),
      };
    case 'execution_service':
      return { ...EXECUTION_ENV };
    case 'position_tracker':
      return { PT_INITIAL_BANKROLL_USD: EXECUTION_ENV.EXEC_BANKROLL_USD! };
    case 'zmq_listener':
      return {};
    case 'api':
      return { ARBEES_API_PORT: String(apiPort), ARBEES_API_TOKEN: BENCH_API_TOKEN, DATABASE_URL: '' };
    case 'notification_service':
      return {};
  }
}

/** A port nothing listens on now (the api binds it a moment later). */
async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** One /ws client subscribed as the dashboard is; counts what it receives. */
async function dashboardClient(port: number): Promise<{ received: () => number; close: () => void }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  let received = 0;
  ws.on('message', () => void received++);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ subscribe: DASHBOARD_PREFIXES }));
  return { received: () => received, close: () => ws.close() };
}

/**
 * execution_service hears every price and book only with EXEC_MARKET_SUBSCRIPTION=all (the
 * default, `follow`, hears the markets of its signals and positions; the service workers inherit
 * this process's environment, so `EXEC_MARKET_SUBSCRIPTION=all npm run bench:pipeline` runs the old way).
 */
function execHearsEveryMarket(): boolean {
  return (process.env.EXEC_MARKET_SUBSCRIPTION ?? '').trim().toLowerCase() === 'all';
}

/** execution_service's receipt time of every signal, from its audit stream (signal_received). */
async function readExecReceived(redis: Redis, key: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let start = '-';
  for (;;) {
    const entries = await redis.xrange(key, start, '+', 'COUNT', 5000);
    for (const [, fields] of entries) {
      const f: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
      if (f.event === 'signal_received' && f.source_id && f.ts) out.set(f.source_id, Number(f.ts));
    }
    if (entries.length < 5000) return out;
    start = `(${entries[entries.length - 1]![0]}`;
  }
}

export async function runTransport(transport: HotTransport, o: PipelineBenchOptions, log: (line: string) => void): Promise<TransportResult> {
  const redisServer = await PrivateRedis.start();
  const admin = new Redis(redisServer.url, { maxRetriesPerRequest: 2 });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'arb-bench-pipe-'));
  const children: BenchChild[] = [];
  const closers: (() => void)[] = [];
  try {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kalshiKey = { keyId: 'bench-pipeline-key', pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
    const common = {
      REDIS_URL: redisServer.url,
      ARBEES_HOT_TRANSPORT: transport,
      ARBEES_ZMQ_TRANSPORT: 'ipc',
      ARBEES_DATA_DIR: dataDir,
      ARBEES_INSTANCE: '0',
      ARBEES_REGISTRY_POLL_MS: '100',
      LOG_LEVEL: 'warn',
    };

    const feeder = await BenchChild.start(path.join(here, 'venue-feeder-worker.js'), { name: 'venue-feeder', startTimeoutMs: 30_000 });
    children.push(feeder);
    const setup: FeederSetup = {
      games: o.games,
      shard: 'game_shard.0',
      kalshiKey: { keyId: kalshiKey.keyId, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
    };
    const { urls, infos, markets } = await feeder.request<{ urls: FeederUrls; infos: { game_id: string }[]; markets: number }>('setup', setup);
    for (const info of infos) await admin.hset(SlowKey.activeGames, info.game_id, JSON.stringify(info));

    const services = new Map<PipelineService, BenchChild>();
    const pids = new Map<string, number>();
    // Consumers first, so each is subscribed before the monitors publish anything.
    const serviceList = servicesOf(o);
    const startOrder: PipelineService[] = [...besideOf(o), 'execution_service', 'position_tracker', 'game_shard', 'kalshi_monitor', 'polymarket_monitor'];
    const apiPort = o.withApi ? await freePort() : 0;
    for (const service of startOrder) {
      const profiled = o.cpuProfDir !== null && (o.cpuProfServices === null || o.cpuProfServices.includes(service));
      const child = await BenchChild.start(path.join(here, 'service-worker.js'), {
        name: service,
        startTimeoutMs: 30_000,
        // The node flags and niceness `arbees up` gives the service, so the bench runs it the same way.
        execArgv: [...(UP_NODE_FLAGS[service] ?? []), ...(profiled ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`, `--cpu-prof-name=${transport}-${service}.cpuprofile`] : [])],
      });
      children.push(child);
      services.set(service, child);
      const { pid } = await child.request<{ pid: number }>('setup', { service, env: { ...common, ...serviceEnv(service, o, urls, kalshiKey, apiPort) } }, 60_000);
      pids.set(service, pid);
      const niceness = UP_NICENESS[service];
      if (niceness !== undefined) setPriority(pid, niceness);
    }
    const wsClient = o.withApi ? await dashboardClient(apiPort) : null;
    if (wsClient !== null) {
      closers.push(wsClient.close);
      log(`  ${transport}: api on 127.0.0.1:${apiPort} with one dashboard /ws client`);
    }
    const meter = await BenchChild.start(path.join(here, 'trade-meter-worker.js'), { name: 'trade-meter', startTimeoutMs: 30_000 });
    children.push(meter);
    await meter.request('setup', { env: common });

    const metricsOf = (s: PipelineService) => services.get(s)!.request<Record<string, number>>('metrics');
    await waitFor(
      async () => (await metricsOf('kalshi_monitor')).markets === markets / 2 && (await metricsOf('polymarket_monitor')).markets === markets / 2,
      30_000,
      'both monitors following every market',
    );
    // Every book seen by the shard (and by execution when it hears every market) before any episode.
    const execHearsAll = execHearsEveryMarket();
    await waitFor(
      async () => {
        await feeder.request('sweep');
        await sleep(200);
        return (await metricsOf('game_shard'))['prices.markets'] === markets && (!execHearsAll || (await metricsOf('execution_service'))['exec.books'] === markets);
      },
      60_000,
      execHearsAll ? `the shard and execution holding all ${markets} books` : `the shard holding all ${markets} books`,
    );
    // Warm-up with episodes until completed trades reach the meter (JIT warm on the whole path).
    log(`  ${transport}: ${serviceList.length + 2} processes up; warm-up`);
    await waitFor(
      async () => {
        await feeder.request('run', { ratePerSec: o.ratePerSec, durationMs: o.warmupMs, episodesPerSec: o.episodesPerSec, episodeMs: o.episodeMs }, o.warmupMs + 60_000);
        await sleep(500);
        return (await meter.request<{ trades: number }>('counts')).trades > 0;
      },
      Math.max(60_000, o.warmupMs * 4),
      'completed trades reaching the meter',
    );

    // ---- the measured window ----
    const before = new Map<PipelineService, Record<string, number>>();
    for (const s of serviceList) before.set(s, await metricsOf(s));
    await meter.request('reset');
    for (const s of serviceList) await services.get(s)!.request('startUsage');
    const redisStart = sampleProcess(redisServer.pid ?? -1);
    const cpuStart = sampleMachineCpu();
    const load1mStart = loadAverage1m();
    const windowStartUs = nowMicros();
    const windowStartIso = new Date().toISOString();
    const pinger = startPinger(admin, 20);
    log(`  ${transport}: measuring ${o.durationMs} ms at ${o.ratePerSec}/s, ${o.episodesPerSec} episodes/s`);
    const run = await feeder.request<FeederRun>(
      'run',
      { ratePerSec: o.ratePerSec, durationMs: o.durationMs, episodesPerSec: o.episodesPerSec, episodeMs: o.episodeMs },
      o.durationMs + 120_000,
    );
    const redisPing = await pinger.stop();
    if (wsClient !== null) log(`  ${transport}: the dashboard /ws client received ${wsClient.received()} messages so far`);
    const cpuEnd = sampleMachineCpu();
    const redisEnd = sampleProcess(redisServer.pid ?? -1);
    const load1mEnd = loadAverage1m();
    // Backlogs at the end of the window (gauges): execution's Redis outbox, the tracker's positions.
    const execAtEnd = await metricsOf('execution_service');
    const trackerAtEnd = await metricsOf('position_tracker');
    const usages = new Map<PipelineService, UsageReport | null>();
    for (const s of serviceList) usages.set(s, await services.get(s)!.request<UsageReport | null>('finishUsage'));
    const inputLatency: Record<string, Record<string, LatencySummary>> = {};
    for (const s of serviceList) inputLatency[s] = await services.get(s)!.request<Record<string, LatencySummary>>('inputLatency');
    // Drain: the last trades of the window still in flight.
    let last = -1;
    for (let i = 0; i < 30; i++) {
      const { signals, trades } = await meter.request<{ signals: number; trades: number }>('counts');
      if (signals + trades === last) break;
      last = signals + trades;
      await sleep(500);
    }
    const report = await meter.request<MeterReport & { usage: UsageReport | null }>('report');
    // The audit entries go through execution's Redis outbox, which may still be writing.
    await waitFor(async () => (await metricsOf('execution_service'))['exec.outbox_pending'] === 0, 30_000, "execution's outbox to drain").catch((err: unknown) =>
      log(`  ${transport}: ${err instanceof Error ? err.message : String(err)}; audit receipts may be incomplete`),
    );
    const after = new Map<PipelineService, Record<string, number>>();
    for (const s of serviceList) after.set(s, await metricsOf(s));
    const execReceived = await readExecReceived(admin, executionKeys('').audit);

    const latency = breakDown({ signals: report.signals, trades: report.trades, execReceived, episodes: run.episodes, windowStartUs });
    const counters: Record<string, number> = {};
    for (const s of serviceList) {
      const a = after.get(s)!;
      const b = before.get(s)!;
      for (const k of COUNTER_KEYS[s]) counters[`${s}.${k}`] = (a[k] ?? 0) - (b[k] ?? 0);
      counters[`${s}.gaps`] = gapsOf(a) - gapsOf(b);
    }
    counters['execution_service.outbox_pending_at_window_end'] = execAtEnd['exec.outbox_pending'] ?? 0;
    counters['position_tracker.open_positions_at_window_end'] = trackerAtEnd['pt.open_positions'] ?? 0;
    const perUpdate = (cpuMicros: number | undefined) => (cpuMicros === undefined || run.sent === 0 ? null : Math.round((cpuMicros / run.sent) * 10) / 10);
    const processes: ProcessUsage[] = [
      {
        name: 'venue feeder (both sims)',
        pid: feeder.pid ?? null,
        cpuPercent: run.usage.cpuPercent,
        cpuUsPerUpdate: perUpdate(run.usage.cpuMicros),
        rssPeakMb: Math.round(run.usage.rssPeakBytes / 1048576),
      },
      ...serviceList.map((s) => {
        const u = usages.get(s) ?? null;
        return { name: s, pid: pids.get(s) ?? null, cpuPercent: u?.cpuPercent ?? null, cpuUsPerUpdate: perUpdate(u?.cpuMicros), rssPeakMb: u ? Math.round(u.rssPeakBytes / 1048576) : null };
      }),
      {
        name: 'trade meter',
        pid: meter.pid ?? null,
        cpuPercent: report.usage?.cpuPercent ?? null,
        cpuUsPerUpdate: perUpdate(report.usage?.cpuMicros),
        rssPeakMb: report.usage ? Math.round(report.usage.rssPeakBytes / 1048576) : null,
      },
    ];
    const redisUsage = processUsageBetween(redisStart, redisEnd);
    processes.push({
      name: 'redis-server',
      pid: redisServer.pid ?? null,
      cpuPercent: redisUsage?.cpuPercent ?? null,
      cpuUsPerUpdate: perUpdate(redisUsage?.cpuMicros),
      rssPeakMb: redisUsage ? Math.round(redisUsage.rssPeakBytes / 1048576) : null,
    });
    const { episodes, usage: _usage, ...feederStats } = run;
    return {
      transport,
      feeder: { ...feederStats, episodes: episodes.length },
      sentPerSec: run.sent / (run.elapsedMs / 1000),
      latency,
      counters,
      processes,
      load1m: { start: load1mStart, end: load1mEnd },
      machineBusyPercent: machineBusyPercent(cpuStart, cpuEnd),
      meterGaps: report.gaps,
      inputLatency,
      redisPing,
      windowStartIso,
    };
  } finally {
    for (const close of closers) close();
    for (const c of children.reverse()) await c.stop(5000).catch(() => undefined);
    admin.disconnect();
    await redisServer.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
