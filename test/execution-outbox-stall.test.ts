/**
 * execution_service's outbox through a Redis stall: its transactions time out on our side while
 * the frozen server still holds them, and run when it resumes. Each record must land exactly once:
 * a write of unknown outcome is checked (the batch marker) before it is sent again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createRedisClient } from '../src/bus/redis-connection.js';
import { RedisOutbox, xadd, type OutboxEntry } from '../src/services/execution-service/redis-outbox.js';
import { PrivateRedis } from './helpers/private-redis.js';
import { eventually } from './helpers/redis.js';

let server: PrivateRedis;
let redis: Redis;

beforeAll(async () => {
  server = await PrivateRedis.start();
  redis = createRedisClient(server.url, { commandTimeoutMs: 150, ioredis: { maxRetriesPerRequest: 1 } });
});

afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

const quiet = { warn: () => {} };
const record = (stream: string, n: number): OutboxEntry => ({ what: `record ${n}`, write: (tx) => xadd(tx, stream, ['n', String(n)]) });

// Plain MULTIs, and the fenced script the service uses with the ledger guard on (redis-outbox.ts).
describe.each([
  ['MULTI', null],
  ['fenced script', 'outbox-test:epoch'],
] as const)('execution outbox through a Redis stall (%s)', (_name, fenceKey) => {
  it('writes every record exactly once although its transactions timed out and ran later', async () => {
    const stream = `outbox-test:trades:${fenceKey ?? 'multi'}`;
    if (fenceKey !== null) await redis.hset(fenceKey, 'id', 'e1');
    const outbox = new RedisOutbox(redis, quiet, { markerKey: `outbox-test:marker:${fenceKey ?? 'multi'}`, retryMs: 20, fenceKey });
    for (let n = 0; n < 10; n++) await outbox.append(record(stream, n));
    expect(await redis.xlen(stream)).toBe(10);

    process.kill(server.pid!, 'SIGSTOP');
    try {
      for (let n = 10; n < 30; n++) {
        void outbox.append(record(stream, n));
        await new Promise((r) => setTimeout(r, 40)); // retries keep firing at the frozen server
      }
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      process.kill(server.pid!, 'SIGCONT');
    }
    await eventually(() => outbox.pending === 0, 10_000, 'outbox drained');
    const values = (await redis.xrange(stream, '-', '+')).map(([, f]) => Number(f[1]));
    expect(values).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(outbox.failures).toBeGreaterThan(0);
    expect(outbox.confirmedAfterTimeout).toBeGreaterThanOrEqual(1);
  });
});
