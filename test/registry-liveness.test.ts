/**
 * Registry liveness from the hot path, with a private redis-server, real heartbeats and real
 * ZMQ sockets: a publisher whose registry entry vanished stays connected while its ZMQ link is
 * up and is dropped once the link goes down; a stopping entry drops it at once, inside the
 * grace or not; and a poll that hung through a Redis stall (SIGSTOP longer than the TTL, on a
 * client with no command timeout) starts the removal grace when Redis comes back, so the
 * entries that expired meanwhile do not cut anyone off.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { registerInstance, registryKey, RegistryWatcher } from '../src/bus/registry.js';
import { ZmqPublisher } from '../src/bus/zmq-publisher.js';
import { ZmqSubscriber } from '../src/bus/zmq-subscriber.js';
import type { Heartbeat } from '../src/core/messages.js';
import { nowMicros } from '../src/core/time.js';
import { PrivateRedis } from './helpers/private-redis.js';
import { eventually } from './helpers/redis.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function heartbeat(service: string, endpoint: string, status: Heartbeat['status'] = 'healthy'): Heartbeat {
  const ts = nowMicros();
  return { service, instance: '0', status, pid: process.pid, host: 'test', started_ts: ts, endpoints: [endpoint], metrics: {}, ts };
}

async function setup(options: { linkAware: boolean; graceMs: number }) {
  const server = await PrivateRedis.start();
  cleanups.push(() => {
    if (server.pid !== null) process.kill(server.pid, 'SIGCONT');
    return server.stop();
  });
  const admin = server.client();
  // The watcher's own connection has no command timeout: a stall hangs its poll, the case the
  // slow-poll rule is for.
  const watched = new Redis(server.url);
  watched.on('error', () => {});
  cleanups.push(() => admin.disconnect(), () => watched.disconnect());
  const service = `live_${randomBytes(3).toString('hex')}`;
  const pub = await ZmqPublisher.create({ src: `${service}.0`, bindAddress: 'tcp://127.0.0.1:*', heartbeatMs: 100, heartbeatTimeoutMs: 400 });
  const sub = new ZmqSubscriber({ heartbeatMs: 100, heartbeatTimeoutMs: 400 });
  cleanups.push(() => sub.close(), () => pub.close());
  const watcher = new RegistryWatcher(watched, {
    pollMs: 50,
    services: [service],
    removalGraceMs: options.graceMs,
    ...(options.linkAware ? { linkAlive: (ep: string) => sub.isLinkUp(ep) } : {}),
  });
  cleanups.push(() => watcher.stop());
  const events: string[] = [];
  watcher.on('added', (ep) => {
    events.push('added');
    sub.connect(ep);
  });
  watcher.on('removed', (ep) => {
    events.push('removed');
    sub.disconnect(ep);
  });
  return { server, admin, service, pub, sub, watcher, events, endpoint: pub.endpoint! };
}

describe('registry liveness', () => {
  it('keeps a publisher whose entry vanished while its link is up, and drops it once the link is down', async () => {
    const t = await setup({ linkAware: true, graceMs: 0 });
    await registerInstance(t.admin, heartbeat(t.service, t.endpoint), 60_000);
    await t.watcher.start();
    await eventually(() => t.sub.isLinkUp(t.endpoint), 3_000, 'the link up');

    await t.admin.del(registryKey(t.service, '0')); // the entry is gone (expired during an outage, say)
    await sleep(500); // ten polls
    expect(t.events).toEqual(['added']);
    expect(t.sub.connectedEndpoints()).toEqual([t.endpoint]);
    expect(t.watcher.counters.held_by_link).toBeGreaterThan(0);

    await t.pub.close(); // the publisher goes away: link down, entry missing -> gone
    await eventually(() => t.events.includes('removed'), 3_000, 'the removal');
    expect(t.sub.connectedEndpoints()).toEqual([]);
  });

  it('drops a publisher whose entry says stopping at once, even inside the grace and with its link up', async () => {
    const t = await setup({ linkAware: true, graceMs: 60_000 });
    await registerInstance(t.admin, heartbeat(t.service, t.endpoint), 60_000);
    await t.watcher.start();
    await eventually(() => t.sub.isLinkUp(t.endpoint), 3_000, 'the link up');
    await registerInstance(t.admin, heartbeat(t.service, t.endpoint, 'stopping'), 60_000);
    const t0 = Date.now();
    await eventually(() => t.events.includes('removed'), 1_000, 'the removal');
    expect(Date.now() - t0).toBeLessThan(300);
  });

  it('a poll that hung through a stall longer than the TTL starts the grace when Redis returns', async () => {
    // No link awareness here: the grace alone must hold the endpoint.
    const t = await setup({ linkAware: false, graceMs: 3_000 });
    await registerInstance(t.admin, heartbeat(t.service, t.endpoint), 1_000); // TTL 1 s
    const beat = setInterval(() => void registerInstance(t.admin, heartbeat(t.service, t.endpoint), 1_000).catch(() => {}), 200);
    cleanups.push(() => clearInterval(beat));
    await t.watcher.start();
    await eventually(() => t.events.includes('added'), 3_000, 'the publisher found');

    let removedAt = 0;
    t.watcher.on('removed', () => (removedAt = Date.now()));
    process.kill(t.server.pid!, 'SIGSTOP');
    await sleep(2_000); // twice the TTL
    clearInterval(beat); // the writer does not come back (beats queued during the stall still land)
    process.kill(t.server.pid!, 'SIGCONT');
    const resumed = Date.now();
    await eventually(async () => (await t.admin.exists(registryKey(t.service, '0'))) === 0, 3_000, 'the entry to have expired');
    await sleep(Math.max(0, resumed + 2_200 - Date.now())); // polls see it missing, inside the grace counted from the resume
    expect(t.events).toEqual(['added']);
    expect(t.watcher.counters.slow_polls).toBeGreaterThan(0);
    // Nobody rewrites it: once the grace has run out after the resume, it is gone.
    await eventually(() => t.events.includes('removed'), 3_000, 'the removal after the grace');
    expect(removedAt - resumed).toBeGreaterThanOrEqual(2_900);
  });
});
