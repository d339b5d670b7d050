/**
 * The hot-path publisher API over a Redis stream (XADD), for the benchmark only: it reuses
 * HotPublisher's envelope, numbering and codec so the streams row is compared like for like with
 * ZMQ and Redis pub/sub. One stream carries every topic; each entry is `t <topic> p <payload>`.
 */
import { Redis } from 'ioredis';
import { HotPublisher } from '../../src/bus/hot-publisher.js';
import type { PublisherOptions } from '../../src/bus/bus-options.js';

/** Replies outstanding before the publisher waits for one, as RedisPublisher does. */
const MAX_INFLIGHT = 1024;

export interface RedisStreamPublisherOptions extends PublisherOptions {
  redisUrl: string;
  streamKey: string;
  /** Approximate cap (MAXLEN ~): a consumer further behind than this loses entries. */
  maxLen: number;
}

export class RedisStreamPublisher extends HotPublisher {
  private readonly redis: Redis;
  private readonly streamKey: string;
  private readonly maxLen: string;
  private inflight = 0;

  constructor(options: RedisStreamPublisherOptions) {
    super(options);
    this.streamKey = options.streamKey;
    this.maxLen = String(options.maxLen);
    this.redis = new Redis(options.redisUrl, { enableAutoPipelining: true });
    this.redis.on('error', (err: Error) => this.log.warn({ err: err.message }, 'ARB_REDIS_UNAVAILABLE: stream publisher'));
  }

  get endpoint(): string | null {
    return null;
  }

  protected async sendFrame(topic: string, payload: Buffer): Promise<void> {
    const reply = this.redis.xadd(this.streamKey, 'MAXLEN', '~', this.maxLen, '*', 't', topic, 'p', payload).then(
      () => { this.inflight--; },
      (err: Error) => {
        this.inflight--;
        this.log.warn({ err: err.message, topic }, 'ARB_PUBLISH_DROPPED: xadd failed');
      },
    );
    if (++this.inflight >= MAX_INFLIGHT) await reply;
  }

  protected async closeTransport(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
