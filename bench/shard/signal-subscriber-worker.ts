/**
 * Subscriber process of the shard benchmark: a ZMQ subscriber (schema validation on, as the
 * execution service runs) on the shard's endpoint, `signals.trade.` only. For every signal:
 *   - e2e: receive time minus origin_ts, i.e. price published by the feed -> signal received;
 *   - inShard: the signal envelope's ts (published) minus the signal's created_ts (the shard's
 *     clock when its handler took the decoded price): the shard's own share;
 *   - hopIn: created_ts minus origin_ts: feed -> shard, transport and decode.
 */
import type { RawEnvelope } from '../../src/core/envelope.js';
import type { TradeSignal } from '../../src/core/messages.js';
import { nowMicros } from '../../src/core/time.js';
import { ZmqSubscriber } from '../../src/bus/zmq-subscriber.js';
import { serveBenchCommands } from '../common/bench-child.js';
import { LatencyHistogram, type LatencySummary } from '../common/latency-histogram.js';

export interface SignalSubscriberReport {
  received: number;
  withCause: number;
  e2e: LatencySummary;
  inShard: LatencySummary;
  hopIn: LatencySummary;
  gaps: number;
  windowUs: number;
}

let sub: ZmqSubscriber | null = null;
let e2e = new LatencyHistogram();
let inShard = new LatencyHistogram();
let hopIn = new LatencyHistogram();
let received = 0;
let withCause = 0;
let firstUs = 0;
let lastUs = 0;
let gapsAtStart = 0;

function onMessage(_topic: string, envelope: RawEnvelope): void {
  const now = nowMicros();
  if (envelope.type !== 'trade_signal') return;
  if (received === 0) firstUs = now;
  received++;
  lastUs = now;
  if (typeof envelope.cause === 'string') withCause++;
  const created = (envelope.data as TradeSignal).created_ts;
  e2e.record(now - envelope.origin_ts);
  inShard.record(envelope.ts - created);
  hopIn.record(created - envelope.origin_ts);
}

serveBenchCommands(
  {
    setup(args: { endpoint: string }): null {
      sub = new ZmqSubscriber({ validate: true });
      sub.subscribe('signals.trade.');
      sub.onMessage(onMessage);
      sub.connect(args.endpoint);
      return null;
    },
    received(): number {
      return received;
    },
    reset(): null {
      e2e = new LatencyHistogram();
      inShard = new LatencyHistogram();
      hopIn = new LatencyHistogram();
      received = 0;
      withCause = 0;
      gapsAtStart = sub!.metrics().gaps;
      return null;
    },
    report(): SignalSubscriberReport {
      return { received, withCause, e2e: e2e.summary(), inShard: inShard.summary(), hopIn: hopIn.summary(), gaps: sub!.metrics().gaps - gapsAtStart, windowUs: lastUs - firstUs };
    },
  },
  async () => {
    await sub?.close();
  },
);
