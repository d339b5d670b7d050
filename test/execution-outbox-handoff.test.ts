/**
 * The outbox against a real Redis: an entry appended in the instant between its last write's
 * reply and the end of that drain (another reply read in the same socket read, as when a claim
 * and an outbox transaction answer together) is written at once, not left queued until some
 * later append happens to flush it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { RedisOutbox, xadd, type OutboxEntry } from '../src/services/execution-service/redis-outbox.js';
import { eventually, testRedis } from './helpers/redis.js';

const { redis, prefix } = testRedis();
const stream = `${prefix}handoff`;
const quiet = { warn: () => {} };
const entry = (n: number): OutboxEntry => ({ what: `e${n}`, write: (tx) => xadd(tx, stream, ['n', String(n)]) });

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('outbox hand-off', () => {
  it('writes an entry appended while the previous drain is finishing', async () => {
    const outbox = new RedisOutbox(redis, quiet, { markerKey: `${prefix}marker` });
    for (let round = 0; round < 20; round++) {
      const first = outbox.append(entry(2 * round));
      // Queued right behind the transaction: its reply comes in the same read as the transaction's.
      // Each round appends a few promise hops later, to land in every instant of the drain's end.
      const late = redis.ping().then(async () => {
        for (let hop = 0; hop < round; hop++) await null;
        return outbox.append(entry(2 * round + 1));
      });
      await first;
      await late;
      await eventually(async () => (await redis.xlen(stream)) === 2 * round + 2, 1_000, `both entries of round ${round} written`);
    }
    expect(outbox.pending).toBe(0);
    const written = (await redis.xrange(stream, '-', '+')).map(([, f]) => Number(f[1]));
    expect(written).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });
});
