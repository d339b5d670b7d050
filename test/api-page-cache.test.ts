/** The decoded-page cache of the history streams: reused while a stream is unchanged, never stale after a write or a trim. */
import { afterAll, describe, expect, it } from 'vitest';
import { StreamPageCache } from '../src/services/api/stream-page-cache.js';
import { testRedis } from './helpers/redis.js';

const { redis, prefix } = testRedis();
const stream = `${prefix}stream`;

afterAll(async () => {
  await redis.del(stream);
  redis.disconnect();
});

describe('StreamPageCache', () => {
  it('answers from memory while the stream is unchanged and reloads after an XADD or a trim', async () => {
    const cache = new StreamPageCache(redis);
    let loads = 0;
    const load = async () => {
      loads++;
      return (await redis.xrevrange(stream, '+', '-')).map(([id]) => id);
    };
    await redis.xadd(stream, '*', 'n', '1');
    await redis.xadd(stream, '*', 'n', '2');
    const first = await cache.read(stream, 'all', load);
    expect(first).toHaveLength(2);
    expect(await cache.read(stream, 'all', load)).toBe(first);
    expect(loads).toBe(1);
    expect(cache.counters).toEqual({ hits: 1, misses: 1 });

    await redis.xadd(stream, '*', 'n', '3');
    expect(await cache.read(stream, 'all', load)).toHaveLength(3);
    expect(loads).toBe(2);

    // A trim alone (newest id unchanged) must not leave the trimmed entries in a cached page.
    await redis.xtrim(stream, 'MAXLEN', 1);
    expect(await cache.read(stream, 'all', load)).toHaveLength(1);
    expect(loads).toBe(3);
  });

  it('keeps pages of different requests apart and bounds how many it holds', async () => {
    const cache = new StreamPageCache(redis, 2);
    await redis.xadd(stream, '*', 'n', '4');
    expect(await cache.read(stream, 'a', async () => 'page a')).toBe('page a');
    expect(await cache.read(stream, 'b', async () => 'page b')).toBe('page b');
    expect(await cache.read(stream, 'a', async () => 'reloaded a')).toBe('page a');
    await cache.read(stream, 'c', async () => 'page c');
    expect(cache.size).toBe(2);
    // b was the least recently used: evicted, so it loads again.
    expect(await cache.read(stream, 'b', async () => 'reloaded b')).toBe('reloaded b');
  });
});
