/** Test helpers for the real Redis on this machine (or REDIS_URL). */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A fresh connection plus a unique prefix, so parallel test files never share keys. */
export function testRedis(): { redis: Redis; prefix: string } {
  return { redis: new Redis(TEST_REDIS_URL), prefix: `t${randomBytes(4).toString('hex')}:` };
}

/** Waits until `check` is true or throws after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
