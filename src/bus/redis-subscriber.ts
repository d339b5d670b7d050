/**
 * The hot-path subscriber over Redis pub/sub. Prefixes become PSUBSCRIBE patterns; a prefix
 * covered by a shorter one is not subscribed twice, because Redis would deliver the message
 * once per matching pattern. Exact topics become plain SUBSCRIBE channels (unless a pattern
 * covers them): Redis matches every PUBLISH against every pattern of every client, so hundreds
 * of per-market patterns (execution_service and position_tracker follow their markets) would
 * cost redis-server a glob match each per message, while a channel is one hash lookup.
 */
import type { Redis } from 'ioredis';
import { createRedisClient, type RedisTimeouts } from './redis-connection.js';
import { HotSubscriber } from './hot-subscriber.js';
import type { SubscriberOptions } from './bus-options.js';

export interface RedisSubscriberOptions extends SubscriberOptions, Partial<RedisTimeouts> {
  redisUrl: string;
}

const escapeGlob = (s: string) => s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

export class RedisSubscriber extends HotSubscriber {
  private readonly redis: Redis;
  private readonly wanted = new Set<string>();
  private readonly active = new Set<string>();
  private readonly activeChannels = new Set<string>();

  constructor(options: RedisSubscriberOptions) {
    super(options);
    this.redis = createRedisClient(options.redisUrl, {
      logger: this.log,
      ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      ...(options.commandTimeoutMs !== undefined ? { commandTimeoutMs: options.commandTimeoutMs } : {}),
      // No ready check (INFO): a SUBSCRIBE issued during the handshake is written at once and
      // puts the connection in subscriber mode, after which INFO fails, and ioredis treats that
      // as fatal (every queued command rejected, connection dropped). Pub/sub needs no ready
      // check; SUBSCRIBE works while Redis is still loading its data.
      ioredis: { lazyConnect: false, enableReadyCheck: false },
    });
    this.redis.on('pmessageBuffer', (_pattern: Buffer, channel: Buffer, message: Buffer) => {
      this.handleFrame(channel.toString('latin1'), message);
    });
    this.redis.on('messageBuffer', (channel: Buffer, message: Buffer) => {
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

  // A prefix equal to an exact topic turns its channel into a pattern (and back): re-plan.
  override subscribe(prefix: string): this {
    super.subscribe(prefix);
    this.reconcile();
    return this;
  }

  override unsubscribe(prefix: string): this {
    super.unsubscribe(prefix);
    this.reconcile();
    return this;
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
    // ioredis re-subscribes by itself on reconnect; the outage is logged once by its tracker.
    this.log.debug({ err: err.message }, 'ARB_REDIS_UNAVAILABLE: (un)subscribe failed');
  };

  private reconcile(): void {
    const wanted = [...this.wanted];
    const patterns = wanted.filter((w) => !this.isExactOnly(w));
    const cover = new Set(patterns.filter((p) => !patterns.some((q) => q !== p && p.startsWith(q))));
    const covered = (topic: string) => {
      for (const p of cover) if (topic.startsWith(p)) return true;
      return false;
    };
    const channels = new Set(wanted.filter((w) => this.isExactOnly(w) && !covered(w)));
    for (const p of this.active) {
      if (!cover.has(p)) this.redis.punsubscribe(escapeGlob(p) + '*').catch(this.onCommandError);
    }
    for (const p of cover) {
      if (!this.active.has(p)) this.redis.psubscribe(escapeGlob(p) + '*').catch(this.onCommandError);
    }
    for (const c of this.activeChannels) {
      if (!channels.has(c)) this.redis.unsubscribe(c).catch(this.onCommandError);
    }
    for (const c of channels) {
      if (!this.activeChannels.has(c)) this.redis.subscribe(c).catch(this.onCommandError);
    }
    this.active.clear();
    for (const p of cover) this.active.add(p);
    this.activeChannels.clear();
    for (const c of channels) this.activeChannels.add(c);
  }
}
