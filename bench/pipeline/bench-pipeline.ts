/**
 * `npm run bench:pipeline`: tick to trade, the seed's central claim. The whole critical path in
 * separate processes over real sockets (pipeline-run.ts): simulated Kalshi and Polymarket
 * venues re-quoted at a paced 7,000 updates/s across 400 markets with arbitrage episodes, both
 * monitors, game_shard, execution_service (paper), position_tracker and a measuring subscriber,
 * on a private redis-server. Run once with the hot path on ZMQ and once on Redis pub/sub
 * (ARBEES_HOT_TRANSPORT for every process), side by side. Tick to trade = receive time of
 * trades.completed - origin_ts (the monitor's receipt of the venue frame), with the hops between.
 * Target on ZMQ: p50 <= 500 us, p99 <= 2 ms at 7,000 updates/s.
 * Prints tables and writes bench/results/pipeline-<date>.json. Settings: pipeline-bench-options.ts.
 */
import { spawnSync } from 'node:child_process';
import { loadAverage1m, machineInfo } from '../common/machine-info.js';
import { writeResults } from '../common/results-file.js';
import { loadPipelineBenchOptions, type PipelineBenchOptions } from './pipeline-bench-options.js';
import { pipelineTables, printTables, scaleTable, TARGET, verdicts, type ScalePoint } from './pipeline-report.js';
import { EXECUTION_ENV, runTransport, type TransportResult } from './pipeline-run.js';

function redisServerVersion(): string | null {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? (/v=(\S+)/.exec(r.stdout)?.[1] ?? r.stdout.trim()) : null;
}

async function main(): Promise<void> {
  const o = loadPipelineBenchOptions();
  const redisVersion = redisServerVersion();
  if (redisVersion === null) {
    console.log('bench:pipeline skipped: it starts a private redis-server and none is installed (apt-get install redis-server)');
    return;
  }
  const machine = machineInfo();
  const startedAt = new Date();
  console.log(
    `bench:pipeline  ${machine.nproc} CPU ${machine.cpuModel}, ${machine.ramGiB} GiB, ${machine.kernel}, Node ${machine.node}, redis-server ${redisVersion}, load ${loadAverage1m()}`,
  );
  console.log(
    `  ${o.ratePerSec} updates/s over ${o.games} games (${o.games * 4} markets), ${o.episodesPerSec} arbitrage episodes/s of ${o.episodeMs} ms, ${o.durationMs} ms measured per transport`,
  );
  const results: TransportResult[] = [];
  for (const transport of o.transports) {
    const r = await runTransport(transport, o, (line) => console.log(line));
    const t = r.latency.tickToTrade;
    console.log(`  ${transport}: ${r.latency.trades} trades, tick-to-trade p50 ${t.p50} us, p99 ${t.p99} us, p999 ${t.p999} us`);
    results.push(r);
  }
  printTables(pipelineTables(results), o.markdown);
  const lines = verdicts(results, o.ratePerSec);
  console.log('');
  for (const line of lines) console.log(line);
  const scale = await runScaleCurve(o);
  if (scale.length > 0) printTables([scaleTable(scale)], o.markdown);
  const file = writeResults('pipeline', {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine,
    redisServer: redisVersion,
    options: o,
    executionEnv: EXECUTION_ENV,
    target: TARGET,
    verdicts: lines,
    results,
    scale: scale.map(({ rate, result }) => ({ rate, result })),
  });
  console.log(`results: ${file}`);
}

/** BENCH_PIPELINE_SCALE: the same run at each rate, every transport, fresh processes each time. */
async function runScaleCurve(o: PipelineBenchOptions): Promise<ScalePoint[]> {
  const points: ScalePoint[] = [];
  for (const rate of o.scaleRates) {
    for (const transport of o.transports) {
      const r = await runTransport(transport, { ...o, ratePerSec: rate }, (line) => console.log(`  [scale ${rate}/s]${line}`));
      const t = r.latency.tickToTrade;
      console.log(`  scale ${transport} @${rate}/s: ${r.latency.trades} trades, tick-to-trade p50 ${t.p50} us, p99 ${t.p99} us, p999 ${t.p999} us`);
      points.push({ rate, result: r });
    }
  }
  return points;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
