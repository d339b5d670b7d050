/**
 * Runs one case of the bus benchmark in two fresh processes (publisher and subscriber), so each
 * case starts from an idle process and its memory figures are its own.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from '../../src/core/time.js';
import { BenchChild } from '../common/bench-child.js';
import type { LatencySummary } from '../common/latency-histogram.js';
import type { BusBenchOptions } from './bus-bench-options.js';
import type { BusCase } from './bus-cases.js';
import type { PublisherRunArgs, PublisherRunReply, PublisherSetupReply } from './bus-publisher-worker.js';
import type { SubscriberResults, SubscriberStats } from './bus-subscriber-worker.js';
import type { BusWiring } from './bus-transports.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PUBLISHER_WORKER = path.join(here, 'bus-publisher-worker.js');
const SUBSCRIBER_WORKER = path.join(here, 'bus-subscriber-worker.js');

const JOIN_TIMEOUT_MS = 10_000;
const DRAIN_LIMIT_MS = 20_000;

export interface ProcessFigures {
  rssIdleBytes: number;
  rssLoadPeakBytes: number;
  cpuPercent: number;
  /** CPU time per message (all threads of the process): a contended machine inflates it little. */
  cpuUsPerMsg: number;
}

export interface BusCaseResult {
  id: string;
  transport: string;
  codec: string;
  batch: boolean;
  validate: boolean;
  rate: 'max' | number;
  halfOf?: string;
  durationMs: number;
  sent: number;
  received: number;
  sentPerSec: number;
  receivedPerSec: number;
  /** Gaps the subscriber's own metrics counted during the measured window. */
  gaps: number;
  /** Sent but never received (gaps plus a lost tail). */
  lost: number;
  latencyUs: LatencySummary;
  /** Largest number of messages the pacer had to send in one wake-up. */
  pacerMaxBurst: number;
  publisher: ProcessFigures & { dropped: number; sentFrames: number };
  subscriber: ProcessFigures & { decodeErrors: number; schemaErrors: number };
}

export interface RunCaseArgs {
  c: BusCase;
  rate: number | null;
  index: number;
  /** Redis stream of the streams rows; the caller deletes it afterwards. */
  streamKey: string;
  options: BusBenchOptions;
}

export async function runBusCase({ c, rate, index, streamKey, options }: RunCaseArgs): Promise<BusCaseResult> {
  const execArgv = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [];
  const [pub, sub] = await Promise.all([
    BenchChild.start(PUBLISHER_WORKER, { name: `publisher (${c.id})`, execArgv }),
    BenchChild.start(SUBSCRIBER_WORKER, { name: `subscriber (${c.id})`, execArgv }),
  ]);
  try {
    const wiring: BusWiring = {
      transport: c.transport,
      codec: c.codec,
      batchPrefixes: c.batch ? ['prices.'] : [],
      validate: c.validate,
      src: `bench_bus.${index}`,
      redisUrl: options.redisUrl,
      streamKey,
      streamMaxLen: 200_000,
    };
    const pubSetup = await pub.request<PublisherSetupReply>('setup', wiring);
    const subSetup = await sub.request<{ rssIdleBytes: number }>('setup', { ...wiring, endpoint: pubSetup.endpoint });
    await join(pub, sub);
    const args: PublisherRunArgs = { rate, warmupMs: options.warmupMs, durationMs: options.durationMs, pacer: options.pacer };
    const run = await pub.request<PublisherRunReply>('run', args, options.warmupMs + options.durationMs + 60_000);
    await waitForStragglers(sub, run.measured.sent, options.drainIdleMs);
    const got = await sub.request<SubscriberResults>('results');
    await Promise.all([pub.request('close'), sub.request('close')]);
    return toResult(c, rate, run, got, pubSetup.rssIdleBytes, subSetup.rssIdleBytes);
  } finally {
    await Promise.all([pub.stop(), sub.stop()]);
  }
}

/** PUB/SUB drops what is sent before the subscription joins: probe until a message arrives. */
async function join(pub: BenchChild, sub: BenchChild): Promise<void> {
  const deadline = Date.now() + JOIN_TIMEOUT_MS;
  while (Date.now() < deadline) {
    await pub.request('probe');
    await sleep(20);
    const s = await sub.request<SubscriberStats>('stats');
    if (s.warmReceived > 0) return;
  }
  throw new Error(`subscriber did not join within ${JOIN_TIMEOUT_MS} ms`);
}

/** Waits until every measured message arrived, or nothing new came for `idleMs` (lost ones). */
async function waitForStragglers(sub: BenchChild, expected: number, idleMs: number): Promise<void> {
  const deadline = Date.now() + DRAIN_LIMIT_MS;
  let last = -1;
  let lastChange = Date.now();
  while (Date.now() < deadline) {
    const s = await sub.request<SubscriberStats>('stats');
    if (s.measuredReceived >= expected) return;
    if (s.measuredReceived !== last) {
      last = s.measuredReceived;
      lastChange = Date.now();
    } else if (Date.now() - lastChange >= idleMs) return;
    await sleep(25);
  }
}

const perMessage = (micros: number, count: number) => (count > 0 ? Math.round((micros / count) * 100) / 100 : 0);

function toResult(
  c: BusCase,
  rate: number | null,
  run: PublisherRunReply,
  got: SubscriberResults,
  pubIdle: number,
  subIdle: number,
): BusCaseResult {
  const windowSec = got.receiveWindowUs / 1e6;
  return {
    id: c.id,
    transport: c.transport,
    codec: c.codec,
    batch: c.batch,
    validate: c.validate,
    rate: rate ?? 'max',
    ...(c.rate.kind === 'half-max' ? { halfOf: c.rate.of } : {}),
    durationMs: Math.round(run.measured.elapsedMs),
    sent: run.measured.sent,
    received: got.measuredReceived,
    sentPerSec: Math.round(run.measured.sent / (run.measured.elapsedMs / 1000)),
    receivedPerSec: windowSec > 0 ? Math.round((got.measuredReceived - 1) / windowSec) : 0,
    gaps: got.gaps,
    lost: run.measured.sent - got.measuredReceived,
    latencyUs: got.latency,
    pacerMaxBurst: run.measured.maxBurst,
    publisher: {
      rssIdleBytes: pubIdle,
      rssLoadPeakBytes: run.usage.rssPeakBytes,
      cpuPercent: run.usage.cpuPercent,
      cpuUsPerMsg: perMessage(run.usage.cpuMicros, run.measured.sent),
      dropped: run.metrics.dropped,
      sentFrames: run.metrics.sent_frames,
    },
    subscriber: {
      rssIdleBytes: subIdle,
      rssLoadPeakBytes: got.usage?.rssPeakBytes ?? subIdle,
      cpuPercent: got.usage?.cpuPercent ?? 0,
      cpuUsPerMsg: perMessage(got.usage?.cpuMicros ?? 0, got.measuredReceived),
      decodeErrors: got.metrics.decode_errors,
      schemaErrors: got.metrics.schema_errors,
    },
  };
}
