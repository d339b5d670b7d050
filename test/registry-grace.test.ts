/**
 * After a Redis outage the registry entries of live publishers may be missing until their next
 * heartbeat; the watcher must not disconnect from them in that window.
 */
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import { registerInstance, registryKey, RegistryWatcher } from '../src/bus/registry.js';
import type { Heartbeat } from '../src/core/messages.js';
import { nowMicros } from '../src/core/time.js';
import { eventually, TEST_REDIS_URL } from './helpers/redis.js';

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function heartbeat(service: string, endpoint: string): Heartbeat {
  const ts = nowMicros();
  return { service, instance: '0', status: 'healthy', pid: process.pid, host: 'test', started_ts: ts, endpoints: [endpoint], metrics: {}, ts };
}

it('keeps a publisher whose entry vanished during a Redis outage until the grace period passes', async () => {
  const service = `grace${process.pid}${Date.now()}`;
  const endpoint = `tcp://127.0.0.1:1${String(Date.now()).slice(-4)}`;
  const admin = new Redis(TEST_REDIS_URL);
  const watched = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 0, enableOfflineQueue: false });
  watched.on('error', () => {});
  cleanup.push(() => admin.quit(), () => watched.disconnect(), () => admin.del(registryKey(service, '0')));
  await registerInstance(admin, heartbeat(service, endpoint), 60_000);
  if (watched.status !== 'ready') await once(watched, 'ready');

  const watcher = new RegistryWatcher(watched, { pollMs: 60_000, services: [service], removalGraceMs: 800 });
  cleanup.push(() => watcher.stop());
  const removed: string[] = [];
  watcher.on('removed', (ep) => void removed.push(ep));
  await watcher.start();
  expect(watcher.endpoints()).toEqual([endpoint]);

  const ended = once(watched, 'end');
  watched.disconnect(); // the outage: this poll fails
  await ended;
  await watcher.poll();
  await watched.connect(); // resolves once ready
  await admin.del(registryKey(service, '0')); // expired while Redis was away

  await watcher.poll();
  expect(removed).toEqual([]); // inside the grace period: still connected

  await new Promise((r) => setTimeout(r, 900));
  await eventually(async () => {
    await watcher.poll();
    return removed.length === 1;
  }, 3000, 'removal after the grace period');
  expect(removed).toEqual([endpoint]);
});
