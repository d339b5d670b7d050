/**
 * The same hot-path API over Redis pub/sub (`ARBEES_HOT_TRANSPORT=redis`), the seed's migration
 * switch, so both transports can be measured side by side. The channel is the topic.
 */
import { Redis } from 'ioredis';
import { HotPublisher } from './hot-publisher.js';
import type { PublisherOptions } from './bus-options.js';

const MAX_INFLIGHT = 1024;

export interface RedisPublisherOptions extends PublisherOptions {
  redisUrl: string;
}

export class RedisPublisher extends HotPublisher {
  private readonly redis: Redis;
  private inflight = 0;

  constructor(options: RedisPublisherOptions) {
    super(options);
    this.redis = new Redis(options.redisUrl, { enableAutoPipelining: true, lazyConnect: false });
    this.redis.on('error', (err: Error) => this.log.warn({ err: err.message }, 'ARB_REDIS_UNAVAILABLE: hot publisher'));
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
        this.log.warn({ err: err.message, topic }, 'ARB_PUBLISH_DROPPED: redis publish failed');
      },
    );
    if (++this.inflight >= MAX_INFLIGHT) await reply;
  }

  protected async closeTransport(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
