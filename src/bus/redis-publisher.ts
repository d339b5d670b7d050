/**
 * The same hot-path API over Redis pub/sub (`ARBEES_HOT_TRANSPORT=redis`), the seed's migration
 * switch, so both transports can be measured side by side. The channel is the topic.
 */
import type { Redis } from 'ioredis';
import { createRedisClient, type RedisTimeouts } from './redis-connection.js';
import { HotPublisher } from './hot-publisher.js';
import type { PublisherOptions } from './bus-options.js';

const MAX_INFLIGHT = 1024;

export interface RedisPublisherOptions extends PublisherOptions, Partial<RedisTimeouts> {
  redisUrl: string;
}

export class RedisPublisher extends HotPublisher {
  private readonly redis: Redis;
  private inflight = 0;
  /** Publishes Redis did not take (unreachable). */
  dropped = 0;

  constructor(options: RedisPublisherOptions) {
    super(options);
    this.redis = createRedisClient(options.redisUrl, {
      logger: this.log,
      ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      ...(options.commandTimeoutMs !== undefined ? { commandTimeoutMs: options.commandTimeoutMs } : {}),
      ioredis: { enableAutoPipelining: true, lazyConnect: false },
    });
  }

  get endpoint(): string | null {
    return null;
  }

  /**
   * Publishes without waiting for each reply, so ioredis pipelines a burst into one write;
   * waits only when too many replies are outstanding, which bounds memory if Redis stalls.
   */
  protected async sendFrame(topic: string, payload: Buffer): Promise<void> {
    const reply = this.redis.publish(topic, payload).then(
      () => { this.inflight--; },
      (err: Error) => {
        this.inflight--;
        this.dropped++;
        // The outage tracker logs the outage once; each dropped publish is counted, not logged.
        this.log.debug({ err: err.message, topic }, 'ARB_PUBLISH_DROPPED: redis publish failed');
      },
    );
    if (++this.inflight >= MAX_INFLIGHT) await reply;
  }

  protected async closeTransport(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
