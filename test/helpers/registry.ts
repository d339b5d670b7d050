/** Registry assertions shared by tests. */
import type { Redis } from 'ioredis';
import { expect } from 'vitest';

/**
 * A cleanly stopped instance leaves its entry marked `stopping` for one TTL (so subscribers
 * disconnect and the orchestrator reports a clean stop) or no entry at all; never a live one.
 */
export async function expectStoppingOrGone(redis: Redis, key: string): Promise<void> {
  const raw = await redis.get(key);
  if (raw === null) return;
  expect(JSON.parse(raw).status).toBe('stopping');
  expect(await redis.pttl(key)).toBeGreaterThan(0);
}
