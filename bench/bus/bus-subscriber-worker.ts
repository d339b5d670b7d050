/**
 * Subscriber process of the bus benchmark: one real subscriber per case, recording the latency
 * of every measured message (receive time minus the envelope's publish `ts`, both nowMicros on
 * one host) into an HDR histogram, and the gaps the subscriber itself counted meanwhile.
 */
import type { RawEnvelope } from '../../src/core/envelope.js';
import { nowMicros } from '../../src/core/time.js';
import type { HotSubscriber } from '../../src/bus/hot-subscriber.js';
import { serveBenchCommands } from '../common/bench-child.js';
import { LatencyHistogram, type LatencySummary } from '../common/latency-histogram.js';
import { UsageWindow, type UsageReport } from '../common/process-usage.js';
import { MEASURED_TOPIC, SUBSCRIBE_PREFIX } from './bus-messages.js';
import { createBenchSubscriber, type BusWiring } from './bus-transports.js';

export interface SubscriberStats {
  warmReceived: number;
  measuredReceived: number;
}

export interface SubscriberResults extends SubscriberStats {
  latency: LatencySummary;
  /** Microseconds between the first and the last measured message received. */
  receiveWindowUs: number;
  /** Sequence gaps the subscriber counted from its first measured message on. */
  gaps: number;
  /** Lowest and highest measured seq seen: with the count, tells loss apart from reordering. */
  firstSeq: number;
  lastSeq: number;
  usage: UsageReport | null;
  metrics: ReturnType<HotSubscriber['metrics']>;
}

let subscriber: HotSubscriber | null = null;
const histogram = new LatencyHistogram();
let stats: SubscriberStats = { warmReceived: 0, measuredReceived: 0 };
let firstUs = 0;
let lastUs = 0;
let firstSeq = 0;
let lastSeq = 0;
let gapsAtStart = 0;
let usage: UsageWindow | null = null;

function onMessage(topic: string, envelope: RawEnvelope): void {
  const now = nowMicros();
  if (topic !== MEASURED_TOPIC) {
    stats.warmReceived++;
    return;
  }
  if (stats.measuredReceived === 0) {
    firstUs = now;
    firstSeq = envelope.seq;
    gapsAtStart = subscriber!.metrics().gaps;
    usage = new UsageWindow();
  }
  stats.measuredReceived++;
  lastUs = now;
  lastSeq = envelope.seq;
  histogram.record(now - envelope.ts);
}

function live(): HotSubscriber {
  if (subscriber === null) throw new Error('subscriber not set up');
  return subscriber;
}

async function closeSubscriber(): Promise<void> {
  if (subscriber === null) return;
  await subscriber.close();
  subscriber = null;
}

serveBenchCommands(
  {
    async setup(wiring: BusWiring): Promise<{ rssIdleBytes: number }> {
      histogram.reset();
      stats = { warmReceived: 0, measuredReceived: 0 };
      subscriber = await createBenchSubscriber(wiring, SUBSCRIBE_PREFIX);
      subscriber.onMessage(onMessage);
      return { rssIdleBytes: process.memoryUsage.rss() };
    },
    stats: (): SubscriberStats => ({ ...stats }),
    results(): SubscriberResults {
      const metrics = live().metrics();
      const windowUs = lastUs - firstUs;
      return {
        ...stats,
        latency: histogram.summary(),
        receiveWindowUs: windowUs,
        gaps: stats.measuredReceived > 0 ? metrics.gaps - gapsAtStart : 0,
        firstSeq,
        lastSeq,
        // CPU over the receiving window only: the idle wait for stragglers would dilute it.
        usage: usage?.finish(windowUs / 1000) ?? null,
        metrics,
      };
    },
    close: closeSubscriber,
  },
  closeSubscriber,
);
