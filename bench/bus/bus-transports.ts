/**
 * The transports the bus benchmark compares, built from the project's real bus classes
 * (ZmqPublisher/ZmqSubscriber, RedisPublisher/RedisSubscriber) plus the streams pair above.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CodecName } from '../../src/bus/codec.js';
import type { HotPublisher } from '../../src/bus/hot-publisher.js';
import type { HotSubscriber } from '../../src/bus/hot-subscriber.js';
import { RedisPublisher } from '../../src/bus/redis-publisher.js';
import { RedisSubscriber } from '../../src/bus/redis-subscriber.js';
import { ZmqPublisher } from '../../src/bus/zmq-publisher.js';
import { ZmqSubscriber } from '../../src/bus/zmq-subscriber.js';
import { RedisStreamPublisher } from './redis-stream-publisher.js';
import { RedisStreamSubscriber } from './redis-stream-subscriber.js';

export const TRANSPORTS = ['zmq-ipc', 'zmq-tcp', 'redis-pubsub', 'redis-streams'] as const;
export type TransportName = (typeof TRANSPORTS)[number];

export const usesRedis = (t: TransportName): boolean => t.startsWith('redis');

/** Everything a publisher or subscriber of one case needs; the same object goes to both workers. */
export interface BusWiring {
  transport: TransportName;
  codec: CodecName;
  batchPrefixes: string[];
  validate: boolean;
  src: string;
  redisUrl: string;
  streamKey: string;
  streamMaxLen: number;
  /** Set by the publisher worker once bound (ZMQ only). */
  endpoint?: string | null;
}

export async function createBenchPublisher(w: BusWiring): Promise<HotPublisher> {
  const common = { src: w.src, codec: w.codec, batchPrefixes: w.batchPrefixes };
  switch (w.transport) {
    case 'zmq-ipc': {
      const dir = mkdtempSync(path.join(tmpdir(), 'arb-bench-'));
      return ZmqPublisher.create({ ...common, bindAddress: `ipc://${path.join(dir, 'pub.ipc')}` });
    }
    case 'zmq-tcp':
      return ZmqPublisher.create({ ...common, bindAddress: 'tcp://127.0.0.1:*' });
    case 'redis-pubsub':
      return new RedisPublisher({ ...common, redisUrl: w.redisUrl });
    case 'redis-streams':
      return new RedisStreamPublisher({ ...common, redisUrl: w.redisUrl, streamKey: w.streamKey, maxLen: w.streamMaxLen });
  }
}

/** Builds the subscriber, subscribes the prefix, and resolves once it can hear messages. */
export async function createBenchSubscriber(w: BusWiring, prefix: string): Promise<HotSubscriber> {
  const common = { validate: w.validate };
  switch (w.transport) {
    case 'zmq-ipc':
    case 'zmq-tcp': {
      if (!w.endpoint) throw new Error('ZMQ subscriber needs the publisher endpoint');
      const sub = new ZmqSubscriber(common);
      sub.subscribe(prefix);
      sub.connect(w.endpoint);
      return sub;
    }
    case 'redis-pubsub': {
      const sub = new RedisSubscriber({ ...common, redisUrl: w.redisUrl });
      sub.subscribe(prefix);
      await sub.ready();
      return sub;
    }
    case 'redis-streams': {
      const sub = new RedisStreamSubscriber({ ...common, redisUrl: w.redisUrl, streamKey: w.streamKey });
      sub.subscribe(prefix);
      await sub.ready();
      return sub;
    }
  }
}
