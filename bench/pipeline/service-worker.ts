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
/**
 * Input latency (publish -> delivered to this service's handler) by message type, over the
 * window: raw samples in a plain array (cheaper per message than a histogram, so the hook adds
 * little to the CPU the window measures), summarised when asked.
 */
const MAX_SAMPLES_PER_TYPE = 2_000_000;
let inputLag: Map<string, number[]> | null = null;
observeHotLag((type, lagUs) => {
  if (inputLag === null) return;
  let samples = inputLag.get(type);
  if (samples === undefined) inputLag.set(type, (samples = []));
  if (samples.length < MAX_SAMPLES_PER_TYPE) samples.push(lagUs);
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
      for (const [type, samples] of inputLag ?? []) {
        const h = new LatencyHistogram();
        for (const us of samples) h.record(us);
        out[type] = h.summary();
      }
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
