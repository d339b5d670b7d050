/**
 * Monitor process of the monitor benchmark: the real kalshi_monitor or polymarket_monitor
 * service, started with startService exactly as `arbees run` would, in its own process. Reports
 * its endpoint, its metrics and its CPU time over a measured window.
 */
import { startService, type RunningService } from '../../src/runtime/service.js';
import { serveBenchCommands } from '../common/bench-child.js';
import { UsageWindow, type UsageReport } from '../common/process-usage.js';
import type { BenchVenue } from './monitor-bench-options.js';
import { marketMonitorService } from '../../src/services/market-monitor/market-monitor.js';

const kalshiMonitor = marketMonitorService('kalshi');
const polymarketMonitor = marketMonitorService('poly');

let running: RunningService | null = null;
let usage: UsageWindow | null = null;

serveBenchCommands(
  {
    async setup(args: { venue: BenchVenue; env: Record<string, string> }): Promise<{ endpoint: string }> {
      const env = { ...process.env, ...args.env };
      running = args.venue === 'kalshi' ? await startService(kalshiMonitor, env) : await startService(polymarketMonitor, env);
      const endpoint = (await running.ctx.publisher()).endpoint;
      if (endpoint === null) throw new Error('the monitor has no ZMQ endpoint');
      return { endpoint };
    },
    metrics(): Record<string, number> {
      return running!.ctx.metrics.snapshot();
    },
    startUsage(): null {
      usage = new UsageWindow();
      return null;
    },
    finishUsage(): UsageReport | null {
      const r = usage?.finish() ?? null;
      usage = null;
      return r;
    },
  },
  async () => {
    await running?.stop();
  },
);
