/**
 * The publisher process of the benchmark: a service registered in the registry (so the listener
 * finds it the way it finds any publisher), sending price updates over a set of markets at a
 * paced rate. Each case uses fresh market ids, so every case's seqs start at 1 per topic.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HotPublisher } from '../../src/bus/hot-publisher.js';
import type { PriceUpdate } from '../../src/core/messages.js';
import { nowMicros } from '../../src/core/time.js';
import { Topic, type Venue } from '../../src/core/topics.js';
import { defineService, startService, type RunningService } from '../../src/runtime/service.js';
import { serveBenchCommands } from '../common/bench-child.js';
import { runPaced, type RunStats } from '../common/pacer.js';
import { UsageWindow, type UsageReport } from '../common/process-usage.js';

export interface PublishCaseArgs {
  caseId: string;
  rate: number;
  durationMs: number;
  markets: number;
}

export interface PublishCaseReply {
  stats: RunStats;
  /** Messages per topic: the audit expects seqs 1..n on each. */
  perTopic: Record<string, number>;
  src: string;
  firstTs: number;
  usage: UsageReport;
  metrics: ReturnType<HotPublisher['metrics']>;
}

/** `prices.` batched into multi-message frames when BENCH_PUB_BATCH=1 (set by the parent). */
const batchPrefixes = process.env.BENCH_PUB_BATCH === '1' ? ['prices.'] : [];

const benchPublisherService = defineService({
  name: 'bench_listener_pub',
  description: 'the publisher of the zmq_listener benchmark',
  async start(ctx) {
    await ctx.publisher({ batchPrefixes });
  },
});

const dataDir = mkdtempSync(path.join(tmpdir(), 'arb-bench-pub-'));
let running: RunningService | null = null;
let publisher: HotPublisher | null = null;
let warmCount = 0;

function live(): HotPublisher {
  if (publisher === null) throw new Error('publisher not started');
  return publisher;
}

function quote(venue: Venue, marketId: string, i: number): PriceUpdate {
  const mid = 0.3 + ((i * 7919) % 4000) / 10_000;
  return {
    venue,
    market_id: marketId,
    game_id: 'bench-game',
    team: 'HOME',
    yes_bid: Math.round((mid - 0.01) * 10_000) / 10_000,
    yes_ask: Math.round((mid + 0.01) * 10_000) / 10_000,
    yes_bid_size: 100 + (i % 400),
    yes_ask_size: 100 + ((i * 3) % 400),
    status: 'open',
  };
}

serveBenchCommands(
  {
    async start(env: Record<string, string>): Promise<{ endpoint: string | null; src: string }> {
      running = await startService(benchPublisherService, { ...env, ARBEES_DATA_DIR: dataDir });
      publisher = await running.ctx.publisher({ batchPrefixes });
      return { endpoint: publisher.endpoint, src: publisher.src };
    },
    /**
     * A few warm-up messages on a family of their own (mirror:warmup:bench); a valid message
     * type, since the listener mirrors nothing that fails its check.
     */
    warm(count: number): void {
      for (let i = 0; i < count; i++) {
        const n = warmCount++;
        live().publish(`warmup.bench.w${n}`, 'health_alert', {
          alert_id: `warm-${n}`, service: 'bench_listener_pub', instance: null, severity: 'info', kind: 'other', message: 'warm-up', ts: nowMicros(),
        });
      }
    },
    async publish(args: PublishCaseArgs): Promise<PublishCaseReply> {
      const p = live();
      const topics = Array.from({ length: args.markets }, (_, m) => {
        const venue: Venue = m % 2 === 0 ? 'kalshi' : 'poly';
        const id = `${args.caseId}M${m}`;
        return { venue, id, topic: Topic.price(venue, id) };
      });
      const perTopic: Record<string, number> = {};
      for (const t of topics) perTopic[t.topic] = 0;
      let next = 0;
      const usage = new UsageWindow();
      const firstTs = Date.now() * 1000;
      const stats = await runPaced({
        ratePerSec: args.rate,
        durationMs: args.durationMs,
        send: (count) => {
          for (let i = 0; i < count; i++) {
            const t = topics[next % topics.length]!;
            p.publish(t.topic, 'price', quote(t.venue, t.id, next++));
            perTopic[t.topic]!++;
          }
        },
      });
      await p.flush();
      return { stats, perTopic, src: p.src, firstTs, usage: usage.finish(stats.elapsedMs), metrics: p.metrics() };
    },
  },
  async () => {
    await running?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  },
);
