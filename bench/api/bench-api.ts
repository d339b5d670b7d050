/**
 * bench:api: the api's two targets (issue 10), each process on its own, over real sockets.
 *
 * 1. Hot path -> WebSocket: a stand-in monitor publishes `price` messages at the seed load
 *    (7k msg/s over 200 markets) on the real ZMQ hot path; the api (its own process) fans them
 *    out to 20 /ws clients (another process), one of which never reads. Latency is the client's
 *    receive time minus the envelope's publish `ts`, over the 19 reading clients. Target: p50 <= 2 ms,
 *    p99 <= 10 ms. Measured twice: alone (the target's row), then with the loaded REST round of 2.
 *    on the api's one loop (`wsDuringRest` in the JSON). Each row shows the CPU of the api, the
 *    clients' process and the publisher, and how busy the whole machine was.
 * 2. REST lists with 10k trades recorded in trades:completed (plus signals, positions, games):
 *    sequential GETs of each list route, idle and again under the 7k load. Target: p99 <= 20 ms.
 *
 *    "bus leg" is the share before the api's fan-out: publish `ts` to the api's hot-path handler
 *    (ZMQ and the api's receive loop), measured in the api process.
 * Settings: BENCH_QUICK=1 (short), BENCH_DURATION_MS, BENCH_WARMUP_MS (3000: the load before the first window), BENCH_API_RATE (7000), BENCH_API_CLIENTS (20),
 * BENCH_API_PUB_PACE_MS (1: the stand-in monitor batches and paces its prices as the monitors do; 0: a frame per price),
 * BENCH_API_TRADES (10000), BENCH_API_REQUESTS (per route), BENCH_RESULTS_DIR,
 * BENCH_API_CPU_PROF=<dir> (the api process writes a V8 CPU profile there, for `node --cpu-prof`-style analysis),
 * BENCH_API_NODE_FLAGS (extra node flags for the api process, e.g. `--trace-gc`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { streamEntryFields } from '../../src/bus/slow-track.js';
import type { TradeCompleted } from '../../src/core/messages.js';
import { SlowKey } from '../../src/core/slow-keys.js';
import { nowMicros } from '../../src/core/time.js';
import { freePort } from '../../src/launcher/process-utils.js';
import { PrivateRedis } from '../../test/helpers/private-redis.js';
import { BenchChild } from '../common/bench-child.js';
import { LatencyHistogram, type LatencySummary } from '../common/latency-histogram.js';
import { loadAverage1m, machineInfo } from '../common/machine-info.js';
import { writeResults } from '../common/results-file.js';
import { formatMicros, formatTable } from '../common/text-table.js';
import { machineBusyPercent, processUsageBetween, sampleMachineCpu, sampleProcess, type ProcSample } from '../common/proc-stat.js';

const env = process.env;
const quick = env.BENCH_QUICK === '1';
const int = (name: string, fallback: number) => (env[name] ? Number.parseInt(env[name]!, 10) : fallback);
const options = {
  durationMs: int('BENCH_DURATION_MS', quick ? 1_500 : 10_000),
  /** The seed load runs this long before anything is measured (JIT, heap growth, the clients' own warm-up). */
  warmupMs: int('BENCH_WARMUP_MS', quick ? 300 : 3_000),
  rate: int('BENCH_API_RATE', 7_000),
  clients: int('BENCH_API_CLIENTS', 20),
  trades: int('BENCH_API_TRADES', quick ? 2_000 : 10_000),
  requests: int('BENCH_API_REQUESTS', quick ? 40 : 500),
  /** The stand-in monitor's price frames: paced batches as the monitors send them (1 ms), 0 = a frame per price. */
  pubBatchPaceMs: int('BENCH_API_PUB_PACE_MS', 1),
  markets: 200,
};
const REST_ROUTES = ['/api/trades?limit=50', '/api/trades?limit=50&status=rejected', '/api/trades?limit=500', '/api/signals?limit=50', '/api/positions?limit=50', '/api/games?limit=50', '/api/funnel', '/api/account'];
const here = path.dirname(fileURLToPath(import.meta.url));

function trade(i: number): TradeCompleted {
  const filled = i % 3 !== 0;
  return {
    trade_id: `bt${i}`, source: 'signal', source_id: `bs${i}`, game_id: `g${i % 50}`, sport: 'nba', mode: 'paper',
    status: filled ? 'filled' : 'rejected', reason: filled ? null : 'RISK_MAX_EXPOSURE: bench',
    fills: filled ? [{ venue: 'kalshi', market_id: `BENCH-M${i % 200}`, side: 'yes', action: 'buy', contracts: 10, yes_price: 0.5, fee_cc: 1_800, order_id: `o${i}` }] : [],
    decided_ts: nowMicros(),
  };
}

async function seed(redis: Redis, count: number): Promise<void> {
  for (let start = 0; start < count; start += 1_000) {
    const pipe = redis.pipeline();
    for (let i = start; i < Math.min(count, start + 1_000); i++) {
      const ts = nowMicros();
      pipe.xadd(SlowKey.tradesCompleted, '*', ...streamEntryFields(`trades.completed.bt${i}`, { v: 1, type: 'trade_completed', id: `e${i}`, src: 'bench.0', seq: i, ts, origin_ts: ts, data: trade(i) }));
    }
    await pipe.exec();
  }
}

async function restRound(port: number, requests: number): Promise<Record<string, LatencySummary>> {
  const out: Record<string, LatencySummary> = {};
  for (const route of REST_ROUTES) {
    const h = new LatencyHistogram();
    for (let i = 0; i < requests; i++) {
      const t0 = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}${route}`);
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`${route}: HTTP ${res.status}`);
      h.record((performance.now() - t0) * 1_000);
    }
    out[route] = h.summary();
  }
  return out;
}

interface Children {
  apiChild: BenchChild;
  publisher: BenchChild;
  wsClients: BenchChild;
  pids: { api: number; clients: number; publisher: number };
}

const cpuPercentBetween = (pid: number, before: ProcSample | null): number => processUsageBetween(before, sampleProcess(pid))?.cpuPercent ?? -1;

/**
 * One measured window of the stand-in monitor at the seed load; with `withRest`, the loaded REST
 * round runs at the same time on the api's loop (and the window lasts until both are done).
 */
async function wsPhase(c: Children, port: number, withRest: boolean) {
  const metricsBefore = await c.apiChild.request<Record<string, number>>('metrics');
  await c.wsClients.request('record');
  await c.apiChild.request('busLag');
  const procsBefore = { api: sampleProcess(c.pids.api), clients: sampleProcess(c.pids.clients), publisher: sampleProcess(c.pids.publisher) };
  const machineBefore = sampleMachineCpu();
  const [pubStats, rest] = await Promise.all([
    c.publisher.request<{ sent: number; elapsedMs: number }>('run', { rate: options.rate, durationMs: options.durationMs, markets: options.markets }, options.durationMs + 60_000),
    withRest ? restRound(port, Math.max(10, Math.floor(options.requests / 5))) : Promise.resolve(null),
  ]);
  const busy = machineBusyPercent(machineBefore, sampleMachineCpu());
  const cpu = { api: cpuPercentBetween(c.pids.api, procsBefore.api), clients: cpuPercentBetween(c.pids.clients, procsBefore.clients), publisher: cpuPercentBetween(c.pids.publisher, procsBefore.publisher) };
  await new Promise((r) => setTimeout(r, 300));
  const ws = await c.wsClients.request<{ latencyUs: LatencySummary; receivedPerReader: number[]; stuckCloseCode: number | null }>('report');
  const rss = (await c.apiChild.request<{ rss: number }>('usage')).rss;
  const metrics = await c.apiChild.request<Record<string, number>>('metrics');
  const busLag = await c.apiChild.request<LatencySummary>('busLag');
  const delta = (name: string) => (metrics[name] ?? 0) - (metricsBefore[name] ?? 0);
  const row = {
    sent: pubStats.sent, ratePerSec: Math.round(pubStats.sent / (pubStats.elapsedMs / 1000)), clients: options.clients,
    minReceived: Math.min(...ws.receivedPerReader), maxReceived: Math.max(...ws.receivedPerReader), latencyUs: ws.latencyUs,
    apiCpuPercent: Math.round(cpu.api), clientsCpuPercent: Math.round(cpu.clients), publisherCpuPercent: Math.round(cpu.publisher), machineBusyPercent: busy,
    apiRssBytes: rss, busLagUs: busLag, coalesced: delta('ws_coalesced'), dropped: delta('ws_dropped'), slowDisconnects: delta('ws_slow_disconnects'),
  };
  return { row, rest };
}

async function main(): Promise<void> {
  const redisServer = await PrivateRedis.start();
  const redis = new Redis(redisServer.url);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'arb-bench-api-'));
  const port = await freePort();
  // Every price on the hot path to /ws (the stand-in publishes prices, not the monitors' quote snapshots).
  const childEnv = { REDIS_URL: redisServer.url, ARBEES_DATA_DIR: dataDir, ARBEES_API_PORT: String(port), ARBEES_API_TOKEN: 'bench-token-0123456789', LOG_LEVEL: 'warn', ARBEES_REGISTRY_POLL_MS: '100', ARBEES_API_PRICES_FROM: 'prices' };
  const children: BenchChild[] = [];
  try {
    const apiChild = await BenchChild.start(path.join(here, 'api-worker.js'), { name: 'api', env: childEnv, startTimeoutMs: 20_000, execArgv: [...(env.BENCH_API_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${env.BENCH_API_CPU_PROF}`] : []), ...(env.BENCH_API_NODE_FLAGS ?? '').split(' ').filter(Boolean)] });
    children.push(apiChild);
    await apiChild.request('start');
    const publisher = await BenchChild.start(path.join(here, 'api-publisher-worker.js'), { name: 'publisher', env: childEnv, startTimeoutMs: 20_000 });
    children.push(publisher);
    await publisher.request('start', { batchPaceMs: options.pubBatchPaceMs });
    const wsClients = await BenchChild.start(path.join(here, 'ws-client-worker.js'), { name: 'ws-clients', env: childEnv });
    children.push(wsClients);

    await seed(redis, options.trades);
    const idle = await restRound(port, options.requests);

    await wsClients.request('connect', { port, count: options.clients });
    // Until the api has joined the publisher (registry poll + ZMQ connect).
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      await publisher.request('warm', { count: 5 });
      const m = await apiChild.request<Record<string, number>>('metrics');
      if ((m['sub.delivered'] ?? 0) > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await publisher.request('run', { rate: options.rate, durationMs: options.warmupMs, markets: options.markets }, options.warmupMs + 60_000);
    const pids = { api: apiChild.pid!, clients: wsClients.pid!, publisher: publisher.pid! };
    const phase = (withRest: boolean) => wsPhase({ apiChild, publisher, wsClients, pids }, port, withRest);
    // /ws alone first (the target), then again with the REST round on the same loop.
    const alone = await phase(false);
    const withRest = await phase(true);
    const loaded = withRest.rest!;
    const wsRow = alone.row;

    process.stdout.write(`\napi bench (${quick ? 'quick' : 'full'}; load ${loadAverage1m()} on ${machineInfo().nproc} cores: figures on a shared machine are not results)\n\n`);
    process.stdout.write(
      formatTable(
        [{ header: 'hot path -> /ws' }, { header: 'sent', align: 'right' }, { header: 'msg/s', align: 'right' }, { header: 'recv/reader', align: 'right' }, { header: 'p50 us', align: 'right' }, { header: 'p99 us', align: 'right' }, { header: 'p999 us', align: 'right' }, { header: 'max us', align: 'right' }, { header: 'bus leg p50/p99 us', align: 'right' }, { header: 'CPU % api/clients/pub', align: 'right' }, { header: 'machine busy %', align: 'right' }, { header: 'coalesced', align: 'right' }, { header: 'dropped', align: 'right' }],
        [alone, withRest].map(({ row }, i) => [
          `${options.clients} clients (1 never reads)${i === 0 ? '' : ', REST round'}`, String(row.sent), String(row.ratePerSec), `${row.minReceived}-${row.maxReceived}`,
          formatMicros(row.latencyUs.p50), formatMicros(row.latencyUs.p99), formatMicros(row.latencyUs.p999), formatMicros(row.latencyUs.max),
          `${formatMicros(row.busLagUs.p50)}/${formatMicros(row.busLagUs.p99)}`, `${row.apiCpuPercent}/${row.clientsCpuPercent}/${row.publisherCpuPercent}`, String(row.machineBusyPercent ?? '-'), String(row.coalesced), String(row.dropped),
        ]),
      ) + '\n\n',
    );
    process.stdout.write(
      formatTable(
        [{ header: `REST (${options.trades} trades)` }, { header: 'idle p50 us', align: 'right' }, { header: 'idle p99 us', align: 'right' }, { header: 'under load p50 us', align: 'right' }, { header: 'under load p99 us', align: 'right' }],
        REST_ROUTES.map((r) => [r, formatMicros(idle[r]!.p50), formatMicros(idle[r]!.p99), formatMicros(loaded[r]!.p50), formatMicros(loaded[r]!.p99)]),
      ) + '\n',
    );
    const restP99 = Math.max(...REST_ROUTES.map((r) => idle[r]!.p99));
    const file = writeResults('api', {
      mode: quick ? 'quick' : 'full',
      machine: machineInfo(),
      options,
      ws: wsRow,
      wsDuringRest: withRest.row,
      rest: { idle, underLoad: loaded },
      targets: [
        { name: 'hot path -> /ws p50 (us)', target: 2_000, measured: wsRow.latencyUs.p50 },
        { name: 'hot path -> /ws p99 (us)', target: 10_000, measured: wsRow.latencyUs.p99 },
        { name: 'REST list p99 idle, worst route (us)', target: 20_000, measured: restP99 },
      ],
    });
    process.stdout.write(`\nresults: ${file}\n`);
  } finally {
    for (const c of children.reverse()) await c.stop().catch(() => {});
    redis.disconnect();
    await redisServer.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:api failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
