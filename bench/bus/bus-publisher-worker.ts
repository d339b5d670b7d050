/**
 * Publisher process of the bus benchmark. Driven by bench-bus.ts over the IPC channel: set up a
 * publisher for one case, probe until the subscriber has joined, then run warm-up and measured
 * traffic at the case's rate (or unpaced) and report what it sent and what it cost.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { HotPublisher } from '../../src/bus/hot-publisher.js';
import { serveBenchCommands } from '../common/bench-child.js';
import { runPaced, runUnpaced, type PacerStrategy, type RunStats } from '../common/pacer.js';
import { UsageWindow, type UsageReport } from '../common/process-usage.js';
import { benchPrice, MEASURED_TOPIC, WARM_TOPIC } from './bus-messages.js';
import { createBenchPublisher, type BusWiring } from './bus-transports.js';

export interface PublisherSetupReply {
  endpoint: string | null;
  rssIdleBytes: number;
}

export interface PublisherRunArgs {
  /** Messages per second, or null for as fast as the bus takes them. */
  rate: number | null;
  warmupMs: number;
  durationMs: number;
  pacer: PacerStrategy;
}

export interface PublisherRunReply {
  warmup: RunStats;
  measured: RunStats;
  usage: UsageReport;
  metrics: ReturnType<HotPublisher['metrics']>;
}

let publisher: HotPublisher | null = null;
let counter = 0;

function live(): HotPublisher {
  if (publisher === null) throw new Error('publisher not set up');
  return publisher;
}

const sender = (topic: string) => (count: number) => {
  const p = live();
  for (let i = 0; i < count; i++) p.publishRaw(topic, 'price', benchPrice(counter++));
};

function run(topic: string, args: PublisherRunArgs, durationMs: number): Promise<RunStats> {
  const send = sender(topic);
  if (args.rate !== null) return runPaced({ ratePerSec: args.rate, durationMs, send, strategy: args.pacer });
  return runUnpaced({ durationMs, send, backlog: () => live().metrics().queued });
}

async function closePublisher(): Promise<void> {
  if (publisher === null) return;
  const endpoint = publisher.endpoint;
  await publisher.close();
  publisher = null;
  if (endpoint?.startsWith('ipc://')) rmSync(path.dirname(endpoint.slice('ipc://'.length)), { recursive: true, force: true });
}

serveBenchCommands(
  {
    async setup(wiring: BusWiring): Promise<PublisherSetupReply> {
      publisher = await createBenchPublisher(wiring);
      return { endpoint: publisher.endpoint, rssIdleBytes: process.memoryUsage.rss() };
    },
    async probe(): Promise<void> {
      sender(WARM_TOPIC)(1);
      await live().flush();
    },
    async run(args: PublisherRunArgs): Promise<PublisherRunReply> {
      const warmup = args.warmupMs > 0 ? await run(WARM_TOPIC, args, args.warmupMs) : { sent: 0, elapsedMs: 0, maxBurst: 0 };
      await live().flush();
      const usage = new UsageWindow();
      const measured = await run(MEASURED_TOPIC, args, args.durationMs);
      const report = usage.finish();
      await live().flush();
      return { warmup, measured, usage: report, metrics: live().metrics() };
    },
    close: closePublisher,
  },
  closePublisher,
);
