/**
 * One arbees service in its own process, started with startService from the SERVICES table
 * exactly as `arbees run <service>` would, with the environment the parent gives it. Reports its
 * metrics and its CPU time and RSS over a measured window.
 */
import { startService, type RunningService } from '../../src/runtime/service.js';
import { serviceLoader } from '../../src/services/index.js';
import { serveBenchCommands } from '../common/bench-child.js';
import { UsageWindow, type UsageReport } from '../common/process-usage.js';
import { LatencyHistogram, type LatencySummary } from '../common/latency-histogram.js';
import { observeHotLag } from '../../src/bus/hot-subscriber.js';

let running: RunningService | null = null;
let usage: UsageWindow | null = null;
/** Input latency (publish -> delivered to this service's handler) by message type, over the window. */
let inputLag: Map<string, LatencyHistogram> | null = null;
observeHotLag((type, lagUs) => {
  if (inputLag === null) return;
  let h = inputLag.get(type);
  if (h === undefined) inputLag.set(type, (h = new LatencyHistogram()));
  h.record(Math.max(0, lagUs));
});

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
      inputLag = new Map();
      return null;
    },
    inputLatency(): Record<string, LatencySummary> {
      const out: Record<string, LatencySummary> = {};
      for (const [type, h] of inputLag ?? []) out[type] = h.summary();
      inputLag = null;
      return out;
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
