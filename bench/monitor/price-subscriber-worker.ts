/**
 * Subscriber process of the monitor benchmark: a ZMQ subscriber (schema validation on, as a
 * game shard runs) on the monitor's endpoint. For every price it records
 *   - hop: its receive time minus origin_ts, i.e. venue WebSocket frame received by the monitor
 *     -> price received here (both nowMicros on one host);
 *   - inside: the envelope's publish ts minus origin_ts, the monitor's own share.
 */
import type { RawEnvelope } from '../../src/core/envelope.js';
import { nowMicros } from '../../src/core/time.js';
import { ZmqSubscriber } from '../../src/bus/zmq-subscriber.js';
import { serveBenchCommands } from '../common/bench-child.js';
import { LatencyHistogram, type LatencySummary } from '../common/latency-histogram.js';

export interface PriceSubscriberReport {
  received: number;
  halted: number;
  hop: LatencySummary;
  inside: LatencySummary;
  gaps: number;
  windowUs: number;
}

let sub: ZmqSubscriber | null = null;
let hop = new LatencyHistogram();
let inside = new LatencyHistogram();
let received = 0;
let halted = 0;
let firstUs = 0;
let lastUs = 0;
let gapsAtStart = 0;

function onMessage(_topic: string, envelope: RawEnvelope): void {
  const now = nowMicros();
  if (envelope.type !== 'price') return;
  if (received === 0) firstUs = now;
  received++;
  lastUs = now;
  if ((envelope.data as { status?: string }).status !== 'open') halted++;
  hop.record(now - envelope.origin_ts);
  inside.record(envelope.ts - envelope.origin_ts);
}

serveBenchCommands(
  {
    setup(args: { endpoint: string }): null {
      sub = new ZmqSubscriber({ validate: true });
      sub.subscribe('prices.');
      sub.onMessage(onMessage);
      sub.connect(args.endpoint);
      return null;
    },
    received(): number {
      return received;
    },
    reset(): null {
      hop = new LatencyHistogram();
      inside = new LatencyHistogram();
      received = 0;
      halted = 0;
      gapsAtStart = sub!.metrics().gaps;
      return null;
    },
    report(): PriceSubscriberReport {
      return { received, halted, hop: hop.summary(), inside: inside.summary(), gaps: sub!.metrics().gaps - gapsAtStart, windowUs: lastUs - firstUs };
    },
  },
  async () => {
    await sub?.close();
  },
);
