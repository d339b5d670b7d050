/**
 * A Redis pub/sub subscriber may subscribe at any moment, including while its connection is
 * still in its handshake: ioredis writes SUBSCRIBE at once during the handshake (the command may
 * run while Redis loads), which puts the connection in subscriber mode, and a ready check (INFO)
 * sent after that fails with "Connection in subscriber mode", flushes every queued command with
 * that error and drops the connection. Seen in CI as a rejected `ready()`.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisPublisher } from '../src/bus/redis-publisher.js';
import { RedisSubscriber } from '../src/bus/redis-subscriber.js';
import { eventually, TEST_REDIS_URL } from './helpers/redis.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
});

const clientOf = (sub: RedisSubscriber) => (sub as unknown as { redis: Redis }).redis;

describe('Redis subscriber handshake', () => {
  it('subscribes during the connection handshake without failing the connection', async () => {
    const uid = randomBytes(4).toString('hex');
    const topic = `prices.kalshi.H${uid}`;
    const sub = new RedisSubscriber({ redisUrl: TEST_REDIS_URL, validate: false });
    const pub = new RedisPublisher({ src: `handshake.${uid}`, redisUrl: TEST_REDIS_URL });
    open.push(sub, pub);
    const heard: string[] = [];
    sub.onMessage((t) => void heard.push(t));
    const client = clientOf(sub);
    const errors: string[] = [];
    client.on('error', (err: Error) => errors.push(err.message));
    // The 'connect' event fires when the socket is up and the handshake begins.
    await new Promise<void>((resolve) => client.once('connect', () => {
      sub.subscribeTopic(topic);
      resolve();
    }));
    await sub.ready();
    expect(errors).toEqual([]);
    await eventually(async () => {
      pub.publishRaw(topic, 'price', { n: 1 });
      await pub.flush();
      await new Promise((r) => setTimeout(r, 50));
      return heard.length > 0;
    }, 5_000, 'a message on the topic subscribed during the handshake');
    expect(heard[0]).toBe(topic);
  });
});
