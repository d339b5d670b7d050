/**
 * One arbees service in its own process, started with startService from the SERVICES table
 * exactly as `arbees run <service>` would, with the environment the parent gives it. Reports its
 * metrics and its CPU time and RSS over a measured window.
 */
import { startService, type RunningService } from '../../src/runtime/service.js';
import { serviceLoader } from '../../src/services/index.js';
import { serveBenchCommands } from '../common/bench-child.js';
import { UsageWindow, type UsageReport } from '../common/process-usage.js';

let running: RunningService | null = null;
let usage: UsageWindow | null = null;

serveBenchCommands(
  {
    async setup(args: { service: string; env: Record<string, string> }): Promise<{ pid: number }> {
      const def = await serviceLoader(args.service)();
      running = await startService(def, { ...process.env, ...args.env });
      return { pid: process.pid };
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
