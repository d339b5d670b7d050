/**
 * Over Redis, an exact-topic subscription is a plain channel (SUBSCRIBE), not a pattern: Redis
 * matches every PUBLISH against every pattern of every client, and execution_service and
 * position_tracker follow hundreds of markets by exact topic (issue 13). A prefix that covers the
 * topic takes over (no double delivery); when it goes, the channel comes back.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisPublisher } from '../src/bus/redis-publisher.js';
import { RedisSubscriber } from '../src/bus/redis-subscriber.js';
import { eventually, TEST_REDIS_URL } from './helpers/redis.js';

const admin = new Redis(TEST_REDIS_URL);
const uid = randomBytes(4).toString('hex');
const pub = new RedisPublisher({ src: `exact.${uid}`, redisUrl: TEST_REDIS_URL });
const sub = new RedisSubscriber({ redisUrl: TEST_REDIS_URL, validate: false });
const heard: string[] = [];
sub.onMessage((topic) => void heard.push(topic));

afterAll(async () => {
  await sub.close();
  await pub.close();
  admin.disconnect();
});

const topic = `prices.kalshi.X${uid}`;
const prefix = `prices.kalshi.X${uid.slice(0, 4)}`;
const channels = async () => (await admin.pubsub('CHANNELS', topic)) as string[];

async function publishAndCount(): Promise<number> {
  const before = heard.length;
  pub.publishRaw(topic, 'price', { n: 1 });
  await pub.flush();
  await new Promise((r) => setTimeout(r, 150));
  return heard.length - before;
}

describe('exact topics over Redis pub/sub', () => {
  it('are channels, give way to a covering prefix, and come back when it goes', async () => {
    sub.subscribeTopic(topic);
    await sub.ready();
    await eventually(async () => (await channels()).includes(topic), 5_000, 'the exact topic as a channel');
    expect(await publishAndCount()).toBe(1);

    sub.subscribe(prefix);
    await sub.ready();
    await eventually(async () => !(await channels()).includes(topic), 5_000, 'the channel dropped under the prefix');
    expect(await publishAndCount()).toBe(1);

    sub.unsubscribe(prefix);
    await sub.ready();
    await eventually(async () => (await channels()).includes(topic), 5_000, 'the channel back');
    expect(await publishAndCount()).toBe(1);

    sub.unsubscribeTopic(topic);
    await sub.ready();
    await eventually(async () => !(await channels()).includes(topic), 5_000, 'the channel gone');
    expect(await publishAndCount()).toBe(0);
  });
});
