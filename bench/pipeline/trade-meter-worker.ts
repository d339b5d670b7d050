/**
 * The measuring subscriber of the pipeline benchmark: a registered service of its own (so it
 * follows the registry, or Redis pub/sub, exactly as position_tracker does), subscribed to
 * `trades.completed.` from execution_service and `signals.trade.` from game_shard, schema
 * validation on. It stamps each message with its receive time (nowMicros) and keeps the
 * envelope times; the parent joins signals and trades by signal id and builds the histograms.
 */
import type { RawEnvelope } from '../../src/core/envelope.js';
import type { TradeCompleted, TradeSignal } from '../../src/core/messages.js';
import { nowMicros } from '../../src/core/time.js';
import { TopicPrefix } from '../../src/core/topics.js';
import { defineService, startService, type RunningService } from '../../src/runtime/service.js';
import { serveBenchCommands } from '../common/bench-child.js';
import { UsageWindow, type UsageReport } from '../common/process-usage.js';

export interface SignalSample {
  signalId: string;
  gameId: string;
  originUs: number;
  /** The shard's clock when its handler took the decoded price (TradeSignal.created_ts). */
  createdUs: number;
  /** Signal envelope ts: handed to the shard's publisher. */
  tsUs: number;
  recvUs: number;
}

export interface TradeSample {
  tradeId: string;
  source: TradeCompleted['source'];
  sourceId: string;
  gameId: string;
  status: TradeCompleted['status'];
  reason: string | null;
  fills: number;
  originUs: number;
  decidedUs: number;
  tsUs: number;
  recvUs: number;
}

export interface MeterReport {
  signals: SignalSample[];
  trades: TradeSample[];
  gaps: number;
  schemaErrors: number;
}

const SERVICE = 'bench_trade_meter';

let running: RunningService | null = null;
let usage: UsageWindow | null = null;
let signals: SignalSample[] = [];
let trades: TradeSample[] = [];
let base = { gaps: 0, schemaErrors: 0 };

function onMessage(topic: string, envelope: RawEnvelope): void {
  const recvUs = nowMicros();
  if (topic.startsWith(TopicPrefix.tradesCompleted)) {
    const t = envelope.data as TradeCompleted;
    trades.push({
      tradeId: t.trade_id,
      source: t.source,
      sourceId: t.source_id,
      gameId: t.game_id,
      status: t.status,
      reason: t.reason,
      fills: t.fills.length,
      originUs: envelope.origin_ts,
      decidedUs: t.decided_ts,
      tsUs: envelope.ts,
      recvUs,
    });
    return;
  }
  const s = envelope.data as TradeSignal;
  signals.push({ signalId: s.signal_id, gameId: s.game_id, originUs: envelope.origin_ts, createdUs: s.created_ts, tsUs: envelope.ts, recvUs });
}

const subMetrics = (): { gaps: number; schemaErrors: number } => {
  const m = running!.ctx.metrics.snapshot();
  return { gaps: m['sub.gaps'] ?? 0, schemaErrors: m['sub.schema_errors'] ?? 0 };
};

const meter = defineService({
  name: SERVICE,
  description: 'bench: receive times of trade signals and completed trades',
  async start(ctx) {
    await ctx.subscribe([TopicPrefix.tradesCompleted, TopicPrefix.tradeSignals], onMessage, { validate: true, services: ['execution_service', 'game_shard'] });
  },
});

serveBenchCommands(
  {
    async setup(args: { env: Record<string, string> }): Promise<null> {
      running = await startService(meter, { ...process.env, ...args.env });
      return null;
    },
    counts(): { signals: number; trades: number } {
      return { signals: signals.length, trades: trades.length };
    },
    reset(): null {
      signals = [];
      trades = [];
      base = subMetrics();
      usage = new UsageWindow();
      return null;
    },
    report(): MeterReport & { usage: UsageReport | null } {
      const now = subMetrics();
      const r = usage?.finish() ?? null;
      usage = null;
      return { signals, trades, gaps: now.gaps - base.gaps, schemaErrors: now.schemaErrors - base.schemaErrors, usage: r };
    },
  },
  async () => {
    await running?.stop();
  },
);
