/**
 * The hot-path subscriber API over a Redis stream, for the benchmark only: one connection loops
 * on XREAD BLOCK from the last id it saw and hands each entry to HotSubscriber (decode, gaps,
 * validation), filtered by the subscribed prefixes as a ZMQ SUB socket would.
 */
import { Redis } from 'ioredis';
import { HotSubscriber } from '../../src/bus/hot-subscriber.js';
import type { SubscriberOptions } from '../../src/bus/bus-options.js';

export interface RedisStreamSubscriberOptions extends SubscriberOptions {
  redisUrl: string;
  streamKey: string;
  blockMs?: number;
  readCount?: number;
}

export class RedisStreamSubscriber extends HotSubscriber {
  private readonly redis: Redis;
  private readonly prefixList: string[] = [];
  private closing = false;
  private readonly loop: Promise<void>;
  private firstRead: () => void = () => {};
  private readonly firstReadSent = new Promise<void>((resolve) => (this.firstRead = resolve));

  constructor(private readonly streamOptions: RedisStreamSubscriberOptions) {
    super(streamOptions);
    this.redis = new Redis(streamOptions.redisUrl, { maxRetriesPerRequest: null });
    this.redis.on('error', (err: Error) => {
      if (!this.closing) this.log.warn({ err: err.message }, 'ARB_REDIS_UNAVAILABLE: stream subscriber');
    });
    this.loop = this.readLoop();
  }

  /** Resolves once the first blocking read is on the wire: entries added after it are seen. */
  ready(): Promise<void> {
    return this.firstReadSent;
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.redis.disconnect();
    await this.loop;
  }

  protected addTransportSubscription(prefix: string): void {
    if (!this.prefixList.includes(prefix)) this.prefixList.push(prefix);
  }

  protected removeTransportSubscription(prefix: string): void {
    const i = this.prefixList.indexOf(prefix);
    if (i !== -1) this.prefixList.splice(i, 1);
  }

  private wanted(topic: string): boolean {
    for (const p of this.prefixList) if (topic.startsWith(p)) return true;
    return false;
  }

  private async readLoop(): Promise<void> {
    const { streamKey, blockMs = 1000, readCount = 1000 } = this.streamOptions;
    await this.redis.ping().catch(() => {});
    let lastId = '$';
    while (!this.closing) {
      let reply: [Buffer, [Buffer, Buffer[]][]][] | null;
      try {
        const pending = this.redis.xreadBuffer('COUNT', readCount, 'BLOCK', blockMs, 'STREAMS', streamKey, lastId);
        this.firstRead();
        reply = (await pending) as typeof reply;
      } catch (err) {
        if (this.closing) return;
        this.log.warn({ err: (err as Error).message }, 'ARB_REDIS_UNAVAILABLE: xread failed');
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      if (reply === null) continue;
      for (const [, entries] of reply) {
        for (const [id, fields] of entries) {
          lastId = id.toString('latin1');
          this.handleEntry(fields);
        }
      }
    }
  }

  private handleEntry(fields: Buffer[]): void {
    let topic: string | undefined;
    let payload: Buffer | undefined;
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const name = fields[i]!.toString('latin1');
      if (name === 't') topic = fields[i + 1]!.toString('latin1');
      else if (name === 'p') payload = fields[i + 1];
    }
    if (topic === undefined || payload === undefined) {
      this.handleFrame('?', new Uint8Array(0));
      return;
    }
    if (this.wanted(topic)) this.handleFrame(topic, payload);
  }
}
