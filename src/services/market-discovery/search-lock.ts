/**
 * One venue search per game across every market_discovery instance: a Redis lock
 * (SET NX PX, released only by its owner). An instance that finds the lock taken waits for the
 * owner's cached result instead of searching too. The owner extends the lock while it searches,
 * so its short TTL frees the lock soon after the owner dies (kill -9), never during a slow search.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
/** Takes over a lock still held in the name of this owner id by an earlier life of this process. */
const TAKE_OVER_LUA = `local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, string.len(ARGV[1])) == ARGV[1] and v ~= ARGV[2] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end
return 0`;
const EXTEND_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

export class SearchLock {
  /** Tokens this process holds: any other token carrying our owner id is a dead predecessor's. */
  private readonly held = new Set<string>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs: number,
    /** Stable across restarts (the RPC server id), so a restarted instance need not wait out its own lock. */
    private readonly ownerId: string,
  ) {}

  key(name: string): string {
    return `${this.prefix}lock:${name}`;
  }

  /** The owner token when acquired, null when another instance holds the lock. */
  async acquire(name: string): Promise<string | null> {
    const token = `${this.ownerId}/${randomBytes(8).toString('hex')}`;
    let ok = (await this.redis.set(this.key(name), token, 'PX', this.ttlMs, 'NX')) === 'OK';
    if (!ok) {
      const current = await this.redis.get(this.key(name));
      if (current !== null && current.startsWith(`${this.ownerId}/`) && !this.held.has(current)) {
        ok = (await this.redis.eval(TAKE_OVER_LUA, 1, this.key(name), `${this.ownerId}/`, token, this.ttlMs)) === 1;
      }
    }
    if (!ok) return null;
    this.held.add(token);
    return token;
  }

  /** Keeps the lock while its owner works; returns the function that stops extending. */
  keepAlive(name: string, token: string): () => void {
    const timer = setInterval(() => {
      this.redis.eval(EXTEND_LUA, 1, this.key(name), token, this.ttlMs).catch(() => undefined);
    }, Math.max(50, Math.floor(this.ttlMs / 3)));
    timer.unref();
    return () => clearInterval(timer);
  }

  async release(name: string, token: string): Promise<void> {
    this.held.delete(token);
    await this.redis.eval(RELEASE_LUA, 1, this.key(name), token);
  }
}
