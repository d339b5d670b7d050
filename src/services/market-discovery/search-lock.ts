/**
 * One venue search per game across every market_discovery instance: a Redis lock
 * (SET NX PX, released only by its owner). An instance that finds the lock taken waits for the
 * owner's cached result instead of searching too; the lock's TTL frees it if the owner dies.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export class SearchLock {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs: number,
  ) {}

  key(name: string): string {
    return `${this.prefix}lock:${name}`;
  }

  /** The owner token when acquired, null when another instance holds the lock. */
  async acquire(name: string): Promise<string | null> {
    const token = randomBytes(8).toString('hex');
    const ok = await this.redis.set(this.key(name), token, 'PX', this.ttlMs, 'NX');
    return ok === 'OK' ? token : null;
  }

  async release(name: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE_LUA, 1, this.key(name), token);
  }
}
