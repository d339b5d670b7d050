/**
 * `npm run bench:bus`: one hop of the hot path over ZMQ tcp, ZMQ ipc, Redis pub/sub and Redis
 * streams, between two real processes, side by side in one run. Paced latency at 1k/7k/50k msg/s,
 * unpaced throughput with and without batching, msgpack vs JSON, loss at half the maximum, and
 * the processes' memory. Prints a table and writes bench/results/bus-<date>.json.
 * Settings: see bus-bench-options.ts (BENCH_QUICK=1 for a smoke run).
 */
import { Redis } from 'ioredis';
import { errorMessage } from '../../src/core/errors.js';
import { loadAverage1m, machineInfo } from '../common/machine-info.js';
import { writeResults } from '../common/results-file.js';
import { formatMarkdownTable, formatTable } from '../common/text-table.js';
import { loadBusBenchOptions, type BusBenchOptions } from './bus-bench-options.js';
import { runBusCase, type BusCaseResult } from './bus-case-runner.js';
import { busCases, selectCases, type BusCase } from './bus-cases.js';
import { checkTargets, TABLE_COLUMNS, tableRow, TARGET_COLUMNS, targetRow } from './bus-report.js';
import { usesRedis } from './bus-transports.js';

interface SkippedCase {
  id: string;
  reason: string;
}

async function redisReachable(url: string): Promise<Redis | null> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch {
    redis.disconnect();
    return null;
  }
}

/** The rate a case is paced at: its own, half of its max case's received rate, or null (unpaced). */
function paceFor(c: BusCase, done: ReadonlyMap<string, BusCaseResult>): number | null | string {
  if (c.rate.kind === 'paced') return c.rate.perSec;
  if (c.rate.kind === 'max') return null;
  const max = done.get(c.rate.of);
  if (max === undefined || max.receivedPerSec <= 0) return `its max case ${c.rate.of} has no result`;
  return Math.round(max.receivedPerSec / 2);
}

async function runAll(options: BusBenchOptions, cases: BusCase[]) {
  const redis = await redisReachable(options.redisUrl);
  if (redis === null) console.warn(`Redis is not reachable at ${options.redisUrl}: the Redis rows are skipped.`);
  const done = new Map<string, BusCaseResult>();
  const skipped: SkippedCase[] = [];
  let index = 0;
  for (const c of cases) {
    index++;
    if (usesRedis(c.transport) && redis === null) {
      skipped.push({ id: c.id, reason: 'Redis not reachable' });
      continue;
    }
    const rate = paceFor(c, done);
    if (typeof rate === 'string') {
      skipped.push({ id: c.id, reason: rate });
      continue;
    }
    const streamKey = `bench:bus:${process.pid}:${index}`;
    process.stderr.write(`[${index}/${cases.length}] ${c.id} ${rate === null ? 'unpaced' : `at ${rate} msg/s`} ... `);
    try {
      const result = await runBusCase({ c, rate, index, streamKey, options });
      done.set(c.id, result);
      process.stderr.write(`${result.receivedPerSec} msg/s, p50 ${result.latencyUs.p50} us, p99 ${result.latencyUs.p99} us, gaps ${result.gaps}\n`);
    } catch (err) {
      skipped.push({ id: c.id, reason: `failed: ${errorMessage(err)}` });
      process.stderr.write(`FAILED: ${errorMessage(err)}\n`);
    } finally {
      if (c.transport === 'redis-streams') await redis?.del(streamKey).catch(() => {});
    }
  }
  redis?.disconnect();
  return { results: [...done.values()], skipped };
}

async function main(): Promise<void> {
  const options = loadBusBenchOptions();
  const cases = selectCases(busCases(), options.only);
  if (cases.length === 0) throw new Error(`BENCH_ONLY=${options.only.join(',')} matches no case`);
  const machine = machineInfo();
  const startedAt = new Date();
  const loadBefore = loadAverage1m();
  console.log(
    `bus benchmark (${options.quick ? 'quick' : 'full'}): ${cases.length} cases, ${options.warmupMs} ms warm-up + ` +
      `${options.durationMs} ms measured each, pacer ${options.pacer}; ${machine.nproc} x ${machine.cpuModel}, node ${machine.node}`,
  );
  const { results, skipped } = await runAll(options, cases);
  const targets = checkTargets(results);
  const loadAfter = loadAverage1m();

  const rows = results.map(tableRow);
  console.log('\n' + formatTable(TABLE_COLUMNS, rows));
  console.log('\n' + formatTable(TARGET_COLUMNS, targets.map(targetRow)));
  for (const s of skipped) console.log(`skipped ${s.id}: ${s.reason}`);
  if (options.markdown) {
    console.log('\n' + formatMarkdownTable(TABLE_COLUMNS, rows));
    console.log('\n' + formatMarkdownTable(TARGET_COLUMNS, targets.map(targetRow)));
  }
  const file = writeResults('bus', {
    bench: 'bus',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    mode: options.quick ? 'quick' : 'full',
    settings: { ...options },
    machine,
    loadAverage1m: { before: loadBefore, after: loadAfter },
    cases: results,
    skipped,
    targets,
  }, startedAt);
  console.log(`\nload average (1 min) before/after: ${loadBefore}/${loadAfter} on ${machine.nproc} cores`);
  console.log(`results: ${file}`);
  // A case that failed is a broken bench, not a slow bus: make it visible to scripts.
  if (skipped.some((s) => s.reason.startsWith('failed'))) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exitCode = 1;
});
