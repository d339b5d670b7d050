/**
 * The listener process of the benchmark: the real zmq_listener service (startService, its own
 * registry entry, subscriber and Redis writer), driven over the IPC channel only for metrics
 * and CPU accounting. The traffic comes over its real ZMQ socket and goes out over its real
 * Redis connection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startService, type RunningService } from '../../src/runtime/service.js';
import { zmqListener } from '../../src/services/zmq-listener/zmq-listener.js';
import { serveBenchCommands } from '../common/bench-child.js';
import { UsageWindow, type UsageReport } from '../common/process-usage.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'arb-bench-listener-'));
let running: RunningService | null = null;
let usage: UsageWindow | null = null;

serveBenchCommands(
  {
    async start(env: Record<string, string>): Promise<{ pid: number }> {
      running = await startService(zmqListener, { ...env, ARBEES_DATA_DIR: dataDir });
      return { pid: process.pid };
    },
    metrics(): Record<string, number> {
      if (running === null) throw new Error('listener not started');
      return running.ctx.metrics.snapshot();
    },
    usageStart(): void {
      usage = new UsageWindow();
    },
    usageStop(activeMs: number): UsageReport | null {
      const report = usage?.finish(activeMs) ?? null;
      usage = null;
      return report;
    },
  },
  async () => {
    await running?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  },
);
