/**
 * Price publisher process of the shard benchmark: a service of its own (registered, so the shard
 * finds it as it finds the monitors) publishing PriceUpdates at a paced rate, each with origin_ts
 * = its send time. Own markets and, when asked, as many updates for another shard's markets
 * (which an exact subscription never lets into the shard, and a prefix one makes it decode).
 */
import { nowMicros } from '../../src/core/time.js';
import { Topic } from '../../src/core/topics.js';
import { defineService, startService, type RunningService } from '../../src/runtime/service.js';
import type { HotPublisher } from '../../src/bus/hot-publisher.js';
import { serveBenchCommands } from '../common/bench-child.js';
import { runPaced, type RunStats } from '../common/pacer.js';
import { benchPrice, type BenchMarket } from './shard-markets.js';

let running: RunningService | null = null;
let pub: HotPublisher | null = null;
let own: (BenchMarket & { topic: string })[] = [];
let foreign: (BenchMarket & { topic: string })[] = [];
let n = 0;

function send(m: BenchMarket & { topic: string }): void {
  pub!.publish(m.topic, 'price', benchPrice(m, n++), { originTs: nowMicros() });
}

serveBenchCommands(
  {
    async setup(args: { service: string; env: Record<string, string>; own: BenchMarket[]; foreign: BenchMarket[] }): Promise<null> {
      const def = defineService({ name: args.service, description: 'bench price feed', start: async (ctx) => void (await ctx.publisher()) });
      running = await startService(def, { ...process.env, ...args.env });
      pub = await running.ctx.publisher();
      const withTopic = (m: BenchMarket) => ({ ...m, topic: Topic.price(m.venue, m.marketId) });
      own = args.own.map(withTopic);
      foreign = args.foreign.map(withTopic);
      return null;
    },
    /** One update of every own market (warm-up, and the shard's first look at each book). */
    sweep(): number {
      for (const m of own) send(m);
      return own.length;
    },
    async run(args: { ratePerSec: number; durationMs: number; withForeign: boolean }): Promise<RunStats & { foreignSent: number }> {
      let i = 0;
      let j = 0;
      let foreignSent = 0;
      const stats = await runPaced({
        ratePerSec: args.ratePerSec,
        durationMs: args.durationMs,
        send: (count) => {
          for (let k = 0; k < count; k++) {
            send(own[i++ % own.length]!);
            if (args.withForeign && foreign.length > 0) {
              send(foreign[j++ % foreign.length]!);
              foreignSent++;
            }
          }
        },
      });
      await pub!.flush();
      return { ...stats, foreignSent };
    },
  },
  async () => {
    await running?.stop();
  },
);
