/**
 * Every Redis client made by src/bus/redis-connection.ts, against a private redis-server this
 * file stops (SIGSTOP, a stall) and kills (connection refused): commands fail after the command
 * timeout instead of hanging, an outage is one line when it starts and one when it ends (with
 * what failed meanwhile) however many clients and commands failed, no ioredis stack trace, a
 * blocking reader is not cut by the command timeout, and a write that timed out while Redis was
 * away is not replayed when the client reconnects; a heartbeat through a stall does not pile up
 * writes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from 'pino';
import { createRedisClient, duplicateRedisClient, redisOutageTrackerOf, redisTarget } from '../src/bus/redis-connection.js';
import { HeartbeatLoop } from '../src/runtime/heartbeat.js';
import { createLogger } from '../src/runtime/logger.js';
import { Metrics } from '../src/runtime/metrics.js';
import { PrivateRedis } from './helpers/private-redis.js';
import { eventually } from './helpers/redis.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function capture(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ name: 'outage', level: 'debug', destination: { write: (s: string) => void lines.push(JSON.parse(s)) } });
  return { log, lines };
}

const outageLines = (lines: Record<string, unknown>[]) => lines.filter((l) => String(l.msg).includes('ARB_REDIS_UNAVAILABLE'));

async function startServer(): Promise<PrivateRedis> {
  const server = await PrivateRedis.start();
  cleanups.push(() => {
    if (server.pid !== null) process.kill(server.pid, 'SIGCONT');
    return server.stop();
  });
  return server;
}

describe('Redis clients and outages', () => {
  it('a stall fails commands after the command timeout and is logged as one start and one end line', async () => {
    const server = await startServer();
    const { log, lines } = capture();
    const stderr: string[] = [];
    const origWrite = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      stderr.push(String(chunk));
      return (origWrite as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stderr.write;
    cleanups.push(() => void (process.stderr.write = origWrite));

    const a = createRedisClient(server.url, { logger: log, commandTimeoutMs: 300 });
    const b = duplicateRedisClient(a);
    const blocking = duplicateRedisClient(a, { blocking: true });
    cleanups.push(() => [a, b, blocking].forEach((c) => c.disconnect()));
    await Promise.all([a.ping(), b.ping(), blocking.ping()]);
    const tracker = redisOutageTrackerOf(a)!;
    expect(redisOutageTrackerOf(b)).toBe(tracker); // one process, one URL, one logger: one tracker

    process.kill(server.pid!, 'SIGSTOP');
    let failed = 0;
    const waits: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = Date.now();
      await Promise.all([a.set(`k${i}`, 'v'), b.get('x')].map((p) => p.catch(() => void failed++)));
      waits.push(Date.now() - t0);
    }
    expect(failed).toBe(20);
    expect(Math.max(...waits)).toBeLessThan(1_000); // a stall fails a command after its timeout, never hangs it
    expect(tracker.down).toBe(true);
    process.kill(server.pid!, 'SIGCONT');
    await eventually(async () => (await a.ping().catch(() => '')) === 'PONG', 5_000, 'Redis back');
    expect(tracker.down).toBe(false);

    const outage = outageLines(lines);
    expect(outage).toHaveLength(2);
    expect(String(outage[0]!.msg)).toContain('Redis unreachable');
    expect(outage[0]!.redis).toBe(redisTarget(server.url));
    expect(String(outage[1]!.msg)).toContain('reachable again');
    expect(outage[1]!.failed_commands).toBeGreaterThanOrEqual(20);
    expect(outage[1]!.down_ms).toBeGreaterThan(2_000);
    expect(stderr.join('')).not.toContain('Unhandled error event');
  });

  it('a blocking reader outlives the command timeout, and a killed server is one outage too, with no stack traces', async () => {
    const server = await startServer();
    const { log, lines } = capture();
    // maxRetriesPerRequest null: ioredis keeps queued commands across reconnects (and would replay them).
    const a = createRedisClient(server.url, { logger: log, commandTimeoutMs: 200, ioredis: { maxRetriesPerRequest: null, retryStrategy: () => 100 } });
    const reader = duplicateRedisClient(a, { blocking: true });
    cleanups.push(() => [a, reader].forEach((c) => c.disconnect()));
    const t0 = Date.now();
    expect(await reader.blpop('nothing-here', 1)).toBeNull(); // 1 s block, 200 ms command timeout: not cut
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);

    await server.kill();
    await sleep(500); // several reconnect attempts, each refused
    await expect(a.set('written-while-away', '1')).rejects.toThrow('timed out');
    await server.restart(); // empty: nothing from before survives, so a replayed write would show
    await eventually(async () => (await a.ping().catch(() => '')) === 'PONG', 10_000, 'Redis back');
    await sleep(300);
    expect(await a.get('written-while-away')).toBeNull(); // the timed-out write was not replayed
    const outage = outageLines(lines);
    expect(outage.map((l) => String(l.msg).includes('reachable again'))).toEqual([false, true]);
    expect(outage[1]!.connection_errors as number).toBeGreaterThan(0);
  });
  it('a heartbeat through a stall sends a write per command timeout, not one per beat', async () => {
    const server = await startServer();
    const { log, lines } = capture();
    const redis = createRedisClient(server.url, { logger: log, commandTimeoutMs: 500 });
    cleanups.push(() => redis.disconnect());
    const heartbeat = new HeartbeatLoop(redis, new Metrics(), log, { service: 'hb', instance: '0', intervalMs: 50, ttlMs: 5_000 });
    await heartbeat.start();
    cleanups.push(() => heartbeat.stop());
    const admin = server.client();
    cleanups.push(() => admin.disconnect());
    const setCalls = async () => Number(/cmdstat_set:calls=(\d+)/.exec(await admin.info('commandstats'))?.[1] ?? 0);

    const before = await setCalls();
    process.kill(server.pid!, 'SIGSTOP');
    await sleep(2_000); // 40 beat intervals
    process.kill(server.pid!, 'SIGCONT');
    await eventually(() => lines.some((l) => l.msg === 'heartbeat restored'), 5_000, 'the heartbeat back');
    const during = (await setCalls()) - before;
    // Each write waits up to its 500 ms timeout, and no beat starts while one waits: about 4
    // writes reach Redis from the stall, not 40. (Plus the few after it, before the count.)
    expect(heartbeat.skipped).toBeGreaterThan(20);
    expect(during).toBeLessThan(15);
    expect(lines.filter((l) => String(l.msg).includes('heartbeat failed'))).toHaveLength(1);
  });
});
