/**
 * Bench worker: a stand-in market monitor on the real hot path, publishing `price` messages
 * round-robin over many markets at a paced rate (the seed load is 7k msg/s), batched per turn and
 * paced like the real monitors' prices unless the bench asks for one frame per price.
 */
import { nowMicros } from '../../src/core/time.js';
import { Topic, TopicPrefix } from '../../src/core/topics.js';
import type { PriceUpdate } from '../../src/core/messages.js';
import type { HotPublisher } from '../../src/bus/hot-publisher.js';
import { defineService, startService, type RunningService } from '../../src/runtime/service.js';
import { serveBenchCommands } from '../common/bench-child.js';
import { runPaced } from '../common/pacer.js';

let running: RunningService | null = null;
let pub: HotPublisher | null = null;

function priceOf(i: number, markets: number): PriceUpdate {
  const bid = 0.3 + (i % 40) / 100;
  return { venue: 'kalshi', market_id: `BENCH-M${i % markets}`, game_id: `g${i % markets}`, team: 'HOM', yes_bid: bid, yes_ask: Math.round((bid + 0.02) * 100) / 100, yes_bid_size: 10, yes_ask_size: 10, status: 'open', venue_ts: nowMicros() };
}

serveBenchCommands(
  {
    /**
     * batchPaceMs > 0: prices go out as the monitors send them (one `prices.~batch` frame per turn,
     * paced by a token bucket: market-monitor-core.ts); 0: one frame per price.
     */
    start: async ({ batchPaceMs }: { batchPaceMs: number }) => {
      const options = batchPaceMs > 0 ? { batchPrefixes: [TopicPrefix.prices], batchMaxDelayMs: 0, batchPaceMs } : undefined;
      running = await startService(defineService({ name: 'bench_api_source', description: 'bench publisher', start: async (ctx) => void (await ctx.publisher(options)) }), process.env);
      pub = await running.ctx.publisher(options);
      return { endpoint: pub.endpoint };
    },
    /** A few messages until the api is connected (the parent watches for them). */
    warm: ({ count }: { count: number }) => {
      for (let i = 0; i < count; i++) pub!.publish(Topic.price('kalshi', 'BENCH-WARM'), 'price', { ...priceOf(i, 1), market_id: 'BENCH-WARM' });
    },
    run: async ({ rate, durationMs, markets }: { rate: number; durationMs: number; markets: number }) => {
      let i = 0;
      const stats = await runPaced({
        ratePerSec: rate,
        durationMs,
        send: (count) => {
          for (let k = 0; k < count; k++, i++) pub!.publish(Topic.price('kalshi', `BENCH-M${i % markets}`), 'price', priceOf(i, markets));
        },
      });
      return stats;
    },
  },
  async () => void (await running?.stop()),
);
