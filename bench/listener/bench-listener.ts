/**
 * `npm run bench:listener`: the zmq_listener bridge between real processes. A publisher process
 * (registered in the registry, paced at a target rate over many markets) sends price updates
 * over ZMQ to the real zmq_listener service in its own process, which mirrors them into a
 * private redis-server. Afterwards every stream entry is audited by seq (missing, duplicated,
 * out of order) and its publish-to-stream latency goes into an HDR histogram. Both writer modes
 * run side by side: one Lua call per stream per flush (script) against one XADD per entry (xadd).
 * Prints a table and writes bench/results/listener-<date>.json. Settings: listener-bench-options.ts.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { errorMessage } from '../../src/core/errors.js';
import { SlowKey } from '../../src/core/slow-keys.js';
import { sleep } from '../../src/core/time.js';
import { PrivateRedis } from '../../test/helpers/private-redis.js';
import { BenchChild } from '../common/bench-child.js';
import { loadAverage1m, machineInfo } from '../common/machine-info.js';
import type { UsageReport } from '../common/process-usage.js';
import { writeResults } from '../common/results-file.js';
import { formatCount, formatMarkdownTable, formatMicros, formatTable, type Column } from '../common/text-table.js';
import { loadListenerBenchOptions, type ListenerBenchOptions } from './listener-bench-options.js';
import type { PublishCaseReply } from './publisher-worker.js';
import { auditStreams, type AuditResult } from './stream-audit.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PRICE_STREAMS = ['prices:kalshi', 'prices:poly'];

interface CaseResult {
  mode: string;
  batched: boolean;
  targetPerSec: number;
  sent: number;
  publishedPerSec: number;
  mirroredPerSec: number;
  audit: AuditResult;
  gaps: number;
  dropped: number;
  pipelines: number;
  /** Flushes that failed and were retried (timeouts under load), and entries they carried. */
  redisErrors: number;
  retried: number;
  bufferedPeak: number;
  caughtUp: boolean;
  listenerUsage: UsageReport | null;
  publisherCpuPercent: number;
  redisCpuPercent: number;
  /** CPU microseconds per message sent (all threads), the number least skewed by a busy host. */
  listenerCpuUsPerMsg: number;
  redisCpuUsPerMsg: number;
}

type Metrics = Record<string, number>;

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const value = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return value('used_cpu_user') + value('used_cpu_sys');
}

/** Publishes warm-up messages until the listener has connected and mirrored one. */
async function warmUp(publisher: BenchChild, redis: Redis): Promise<void> {
  const deadline = Date.now() + 20_000;
  const before = await redis.xlen('mirror:warmup:bench');
  while ((await redis.xlen('mirror:warmup:bench')) <= before) {
    if (Date.now() > deadline) throw new Error('the listener never mirrored a warm-up message');
    await publisher.request('warm', 10);
    await sleep(50);
  }
  await sleep(200);
}

/** Samples the listener while a case runs: the deepest its queue got. */
function sampleBuffered(listener: BenchChild): { stop(): Promise<number> } {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const m = await listener.request<Metrics>('metrics').catch(() => null);
      if (m !== null) peak = Math.max(peak, m['bridge.buffered'] ?? 0);
      await sleep(50);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peak;
    },
  };
}

/**
 * Waits until the listener has written everything: idle (nothing queued or in flight) with
 * every sent message either received or counted as a gap by its subscriber. On a busy host a
 * message can sit in the ZMQ pipes for seconds, so a quiet moment alone is not the end. Gives up
 * after `stallMs` without any change (trailing loss is invisible to a gap counter).
 */
async function waitCaughtUp(listener: BenchChild, before: Metrics, sent: number, stallMs: number): Promise<{ metrics: Metrics; caughtUp: boolean }> {
  let lastChange = Date.now();
  let lastSeen = '';
  for (;;) {
    const m = await listener.request<Metrics>('metrics');
    const idle = m['bridge.buffered'] === 0 && m['bridge.in_flight'] === 0 && m['bridge.latest_pending'] === 0;
    const received = (m['bridge.received'] ?? 0) - (before['bridge.received'] ?? 0);
    const gaps = (m['sub.gaps'] ?? 0) - (before['sub.gaps'] ?? 0);
    if (idle && received + gaps >= sent) return { metrics: m, caughtUp: true };
    const seen = `${received}/${m['bridge.mirrored']}/${m['bridge.retried']}/${gaps}`;
    if (seen !== lastSeen) {
      lastSeen = seen;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > stallMs) return { metrics: m, caughtUp: false };
    await sleep(50);
  }
}

async function runCase(
  mode: string,
  batched: boolean,
  rate: number,
  options: ListenerBenchOptions,
  publisher: BenchChild,
  listener: BenchChild,
  redis: Redis,
): Promise<CaseResult> {
  const caseId = `${mode}${batched ? 'B' : 'U'}${rate}`;
  const before = await listener.request<Metrics>('metrics');
  const redisCpu0 = await redisCpuSeconds(redis);
  await listener.request('usageStart');
  const sampler = sampleBuffered(listener);
  const t0 = performance.now();
  const reply = await publisher.request<PublishCaseReply>(
    'publish',
    { caseId, rate, durationMs: options.durationMs, markets: options.markets },
    options.durationMs + 60_000,
  );
  const { metrics: after, caughtUp } = await waitCaughtUp(listener, before, reply.stats.sent, options.stallMs);
  const activeMs = performance.now() - t0;
  const bufferedPeak = await sampler.stop();
  const listenerUsage = await listener.request<UsageReport | null>('usageStop', activeMs);
  const redisCpu = (await redisCpuSeconds(redis)) - redisCpu0;
  const audit = await auditStreams(redis, PRICE_STREAMS, reply.perTopic);
  // The listener's dedupe marks of these streams go too, so every case starts from the same state.
  await redis.unlink(...PRICE_STREAMS, ...PRICE_STREAMS.flatMap((s) => [SlowKey.bridgeSeen(s), SlowKey.bridgeSeenPrevious(s)]));
  const spanS = Math.max(1e-6, (audit.lastLandedMs * 1000 + 500 - reply.firstTs) / 1e6);
  const delta = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
  const sent = Math.max(1, reply.stats.sent);
  return {
    mode,
    batched,
    targetPerSec: rate,
    sent: reply.stats.sent,
    publishedPerSec: Math.round(reply.stats.sent / (reply.stats.elapsedMs / 1000)),
    mirroredPerSec: Math.round(audit.found / spanS),
    audit,
    gaps: delta('sub.gaps'),
    dropped: delta('bridge.dropped'),
    pipelines: delta('bridge.pipelines'),
    redisErrors: delta('bridge.redis_errors'),
    retried: delta('bridge.retried'),
    bufferedPeak,
    caughtUp,
    listenerUsage,
    publisherCpuPercent: reply.usage.cpuPercent,
    redisCpuPercent: Math.round((redisCpu / (activeMs / 1000)) * 1000) / 10,
    listenerCpuUsPerMsg: listenerUsage ? Math.round(((listenerUsage.cpuPercent / 100) * activeMs * 1000 * 10) / sent) / 10 : 0,
    redisCpuUsPerMsg: Math.round(((redisCpu * 1e6) / sent) * 10) / 10,
  };
}

const COLUMNS: Column[] = [
  { header: 'writer', align: 'left' },
  { header: 'pub batching', align: 'left' },
  { header: 'target/s' },
  { header: 'sent' },
  { header: 'mirrored/s' },
  { header: 'missing' },
  { header: 'dup' },
  { header: 'gaps' },
  { header: 'dropped' },
  { header: 'p50 us' },
  { header: 'p99 us' },
  { header: 'p99.9 us' },
  { header: 'max us' },
  { header: 'queue peak' },
  { header: 'entries/flush' },
  { header: 'listener CPU %' },
  { header: 'redis CPU %' },
  { header: 'pub CPU %' },
  { header: 'listener/redis CPU us/msg' },
];

function row(r: CaseResult): string[] {
  const l = r.audit.latencyUs;
  return [
    r.mode,
    r.batched ? 'prices.' : 'off',
    formatCount(r.targetPerSec),
    formatCount(r.sent),
    formatCount(r.mirroredPerSec),
    String(r.audit.missing),
    String(r.audit.duplicates),
    String(r.gaps),
    String(r.dropped),
    formatMicros(l.p50),
    formatMicros(l.p99),
    formatMicros(l.p999),
    formatMicros(l.max),
    formatCount(r.bufferedPeak),
    r.pipelines > 0 ? String(Math.round(r.audit.found / r.pipelines)) : '-',
    r.listenerUsage ? String(r.listenerUsage.cpuPercent) : '-',
    String(r.redisCpuPercent),
    String(r.publisherCpuPercent),
    `${r.listenerCpuUsPerMsg}/${r.redisCpuUsPerMsg}`,
  ];
}

/** LISTENER_* variables of this environment (batch size, in-flight, buffer bound) reach the listener. */
function listenerOverrides(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('LISTENER_') && e[1] !== undefined));
}

async function runMode(
  mode: string,
  batched: boolean,
  options: ListenerBenchOptions,
  common: Record<string, string>,
  publisher: BenchChild,
  redis: Redis,
  results: CaseResult[],
  failures: string[],
): Promise<void> {
  const listener = await BenchChild.start(path.join(here, 'listener-worker.js'), {
    name: `listener-${mode}`,
    execArgv: options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : [],
  });
  try {
    await listener.request('start', {
      ...common,
      // The bench publishes prices itself (no quote snapshots): the listener hears every topic.
      LISTENER_PRICES_FROM: 'prices',
      LISTENER_BOOKS_MS: '0',
      ...listenerOverrides(),
      ARBEES_INSTANCE: `bench-${mode}`,
      LISTENER_WRITE_MODE: mode,
      LISTENER_PRICES_MAXLEN: '100000000',
    });
    await warmUp(publisher, redis);
    for (const rate of options.rates) {
      const label = `${mode} writer, publisher batching ${batched ? 'on' : 'off'}, ${rate} msg/s for ${options.durationMs} ms`;
      process.stderr.write(`${label} ... `);
      try {
        const r = await runCase(mode, batched, rate, options, publisher, listener, redis);
        results.push(r);
        process.stderr.write(
          `mirrored ${r.mirroredPerSec}/s, missing ${r.audit.missing}, dup ${r.audit.duplicates}, p50 ${r.audit.latencyUs.p50} us, p99 ${r.audit.latencyUs.p99} us\n`,
        );
      } catch (err) {
        failures.push(`${label}: ${errorMessage(err)}`);
        process.stderr.write(`FAILED: ${errorMessage(err)}\n`);
      }
    }
  } finally {
    await listener.stop();
  }
}

async function main(): Promise<void> {
  const options = loadListenerBenchOptions();
  const machine = machineInfo();
  const startedAt = new Date();
  const loadAtStart = loadAverage1m();
  const redisServer = await PrivateRedis.start();
  const redis = new Redis(redisServer.url);
  const common: Record<string, string> = {
    REDIS_URL: redisServer.url,
    ARBEES_ZMQ_TRANSPORT: options.zmqTransport,
    ARBEES_HEARTBEAT_MS: '1000',
    ARBEES_REGISTRY_POLL_MS: '200',
    LOG_LEVEL: 'warn',
  };
  const results: CaseResult[] = [];
  const failures: string[] = [];
  try {
    for (const batched of options.batching) {
      const publisher = await BenchChild.start(path.join(here, 'publisher-worker.js'), {
        name: 'publisher',
        env: { BENCH_PUB_BATCH: batched ? '1' : '0' },
      });
      try {
        await publisher.request('start', { ...common, ARBEES_INSTANCE: batched ? 'bench-batched' : 'bench' });
        for (const mode of options.modes) {
          await runMode(mode, batched, options, common, publisher, redis, results, failures);
        }
      } finally {
        await publisher.stop();
      }
    }
  } finally {
    redis.disconnect();
    await redisServer.stop();
  }

  const rows = results.map(row);
  console.log(`\nzmq_listener: publisher process -> ZMQ ${options.zmqTransport} -> zmq_listener process -> redis-server`);
  console.log(`${machine.nproc} CPUs (${machine.cpuModel}), node ${machine.node}, ${options.markets} markets, ${options.durationMs} ms per case, load average ${loadAtStart} at start, ${loadAverage1m()} at end\n`);
  console.log(formatTable(COLUMNS, rows));
  if (options.markdown) console.log('\n' + formatMarkdownTable(COLUMNS, rows));
  const file = writeResults('listener', {
    startedAt: startedAt.toISOString(),
    machine,
    loadAverage1m: { start: loadAtStart, end: loadAverage1m() },
    options,
    results,
    failures,
  });
  console.log(`\nresults: ${file}`);
  const stalled = results.filter((r) => !r.caughtUp);
  if (stalled.length > 0) console.warn(`cases audited before the listener finished (stalled): ${stalled.map((r) => `${r.mode}/${r.batched ? 'batched' : 'unbatched'}@${r.targetPerSec}`).join(', ')}`);
  const lossy = results.filter((r) => r.audit.missing > 0 || r.audit.duplicates > 0 || r.audit.outOfOrder > 0);
  if (failures.length > 0) {
    console.error(`failed cases:\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  }
  if (lossy.length > 0) {
    console.warn(`cases with loss, duplicates or reordering: ${lossy.map((r) => `${r.mode}/${r.batched ? 'batched' : 'unbatched'}@${r.targetPerSec}`).join(', ')}`);
  }
}

main().catch((err: unknown) => {
  console.error(errorMessage(err));
  process.exitCode = 1;
});
