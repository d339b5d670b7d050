/**
 * A bench that needs Redis connects first and, when none answers, says why it is skipped
 * instead of failing halfway through a run.
 */
import { Redis } from 'ioredis';
import { errorMessage } from '../../src/core/errors.js';

/** A connected client, or null after printing `<bench> skipped: <why> (<url>: <error>)`. */
export async function connectRedisOrSkip(url: string, bench: string, why: string): Promise<Redis | null> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => {}); // the failed connect is reported below, once
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (err) {
    console.log(`${bench} skipped: ${why} (${url}: ${errorMessage(err)})`);
    redis.disconnect();
    return null;
  }
}
