/** Bench worker: the api service itself, in its own process, on the port the parent chose. */
import { startService, type RunningService } from '../../src/runtime/service.js';
import { api } from '../../src/services/api/api.js';
import { serveBenchCommands } from '../common/bench-child.js';

let running: RunningService | null = null;

serveBenchCommands(
  {
    start: async () => {
      running = await startService(api, process.env);
      return { port: running.ctx.metrics.get('http_port') };
    },
    metrics: () => running?.ctx.metrics.snapshot() ?? {},
    usage: () => ({ rss: process.memoryUsage().rss, cpu: process.cpuUsage() }),
  },
  async () => void (await running?.stop()),
);
