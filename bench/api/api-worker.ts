/** Bench worker: the api service itself, in its own process, on the port the parent chose. */
import { observeHotLag } from '../../src/bus/hot-subscriber.js';
import { startService, type RunningService } from '../../src/runtime/service.js';
import { api } from '../../src/services/api/api.js';
import { serveBenchCommands } from '../common/bench-child.js';
import { LatencyHistogram } from '../common/latency-histogram.js';

let running: RunningService | null = null;
// The bus leg alone (publish ts -> the api's handler), to tell it apart from the fan-out's share.
let busLag = new LatencyHistogram();
observeHotLag((_type, lagUs) => busLag.record(Math.max(1, lagUs)));

serveBenchCommands(
  {
    start: async () => {
      running = await startService(api, process.env);
      return { port: running.ctx.metrics.get('http_port') };
    },
    metrics: () => running?.ctx.metrics.snapshot() ?? {},
    usage: () => ({ rss: process.memoryUsage().rss, cpu: process.cpuUsage() }),
    /** Latency of the bus leg since the last call (which starts a fresh histogram). */
    busLag: () => {
      const summary = busLag.summary();
      busLag = new LatencyHistogram();
      return summary;
    },
  },
  async () => void (await running?.stop()),
);
