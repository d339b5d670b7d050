/**
 * The hot-path subscriber over Redis pub/sub. Prefixes become PSUBSCRIBE patterns; a prefix
 * covered by a shorter one is not subscribed twice, because Redis would deliver the message
 * once per matching pattern.
 */
import { Redis } from 'ioredis';
import { HotSubscriber } from './hot-subscriber.js';
import type { SubscriberOptions } from './bus-options.js';

export interface RedisSubscriberOptions extends SubscriberOptions {
  redisUrl: string;
}

const escapeGlob = (s: string) => s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

export class RedisSubscriber extends HotSubscriber {
  private readonly redis: Redis;
  private readonly wanted = new Set<string>();
  private readonly active = new Set<string>();

  constructor(options: RedisSubscriberOptions) {
    super(options);
    this.redis = new Redis(options.redisUrl, { lazyConnect: false });
    this.redis.on('error', (err: Error) => this.log.warn({ err: err.message }, 'ARB_REDIS_UNAVAILABLE: hot subscriber'));
    this.redis.on('pmessageBuffer', (_pattern: Buffer, channel: Buffer, message: Buffer) => {
      this.handleFrame(channel.toString('latin1'), message);
    });
  }

  /** Resolves once Redis has confirmed every pattern (so a test can publish right after). */
  async ready(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  protected addTransportSubscription(prefix: string): void {
    this.wanted.add(prefix);
    this.reconcile();
  }

  protected removeTransportSubscription(prefix: string): void {
    this.wanted.delete(prefix);
    this.reconcile();
  }

  private readonly onCommandError = (err: Error): void => {
    this.log.warn({ err: err.message }, 'ARB_REDIS_UNAVAILABLE: (un)subscribe failed');
  };

  private reconcile(): void {
    const cover = new Set(
      [...this.wanted].filter((p) => ![...this.wanted].some((q) => q !== p && p.startsWith(q))),
    );
    for (const p of this.active) {
      if (!cover.has(p)) this.redis.punsubscribe(escapeGlob(p) + '*').catch(this.onCommandError);
    }
    for (const p of cover) {
      if (!this.active.has(p)) this.redis.psubscribe(escapeGlob(p) + '*').catch(this.onCommandError);
    }
    this.active.clear();
    for (const p of cover) this.active.add(p);
  }
}
