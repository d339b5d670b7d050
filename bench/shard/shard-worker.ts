/**
 * Shard process of the benchmark: the real game_shard service, started with startService exactly
 * as `arbees run game_shard` would, in its own process. Reports its endpoint, its metrics, its
 * in-shard processing histogram (reset after the warm-up) and its CPU time over a window.
 */
import { startService, type RunningService } from '../../src/runtime/service.js';
import { gameShard, gameShardCore } from '../../src/services/game-shard/game-shard.js';
import { serveBenchCommands } from '../common/bench-child.js';
import { UsageWindow, type UsageReport } from '../common/process-usage.js';

let running: RunningService | null = null;
let usage: UsageWindow | null = null;

const core = () => {
  const c = running === null ? undefined : gameShardCore(running.ctx);
  if (c === undefined) throw new Error('no running shard');
  return c;
};

serveBenchCommands(
  {
    async setup(args: { env: Record<string, string> }): Promise<{ endpoint: string }> {
      running = await startService(gameShard, { ...process.env, ...args.env });
      const endpoint = (await running.ctx.publisher()).endpoint;
      if (endpoint === null) throw new Error('the shard has no ZMQ endpoint');
      return { endpoint };
    },
    metrics(): Record<string, number> {
      return running!.ctx.metrics.snapshot();
    },
    start(): null {
      core().latency.reset();
      usage = new UsageWindow();
      return null;
    },
    finish(): { usage: UsageReport | null; latency: Record<string, number>; metrics: Record<string, number> } {
      const r = usage?.finish() ?? null;
      usage = null;
      return { usage: r, latency: core().latency.metrics(), metrics: running!.ctx.metrics.snapshot() };
    },
  },
  async () => {
    await running?.stop();
  },
);
