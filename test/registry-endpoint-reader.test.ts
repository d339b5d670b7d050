/**
 * What every ZMQ subscriber reads from the registry on each poll: only the routing fields
 * (service, status, endpoints), each changed value parsed once, unchanged ones not again, and an
 * unreadable value reported once rather than on every poll.
 */
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/bus/bus-options.js';
import { readRegistryEndpoints, RegistryEndpointReader, registerInstance, registryKey } from '../src/bus/registry.js';
import { HeartbeatSchema, type Heartbeat } from '../src/core/messages.js';
import { PrivateRedis } from './helpers/private-redis.js';

const heartbeat = (instance: string, endpoints: string[], ts = 1): Heartbeat => ({
  service: 'kalshi_monitor', instance, status: 'healthy', pid: 1, host: 'h', started_ts: 1, endpoints,
  metrics: { 'sub.received': 10, 'pub.published': 20 }, ts,
});

describe('registry routing fields', () => {
  it('reads the same service, status and endpoints as the full schema for any heartbeat (fast-check)', () => {
    const heartbeatArb = fc.record({
      service: fc.string(), instance: fc.string(), status: fc.constantFrom('starting', 'healthy', 'degraded', 'stopping'),
      pid: fc.integer(), host: fc.string(), started_ts: fc.nat(), endpoints: fc.array(fc.string(), { maxLength: 4 }),
      metrics: fc.dictionary(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true })), ts: fc.nat(),
    });
    fc.assert(
      fc.property(heartbeatArb, (hb) => {
        const full = HeartbeatSchema.parse(JSON.parse(JSON.stringify(hb)));
        expect(readRegistryEndpoints(JSON.stringify(hb))).toEqual({ service: full.service, status: full.status, endpoints: full.endpoints });
      }),
      { numRuns: 200 },
    );
  });

  it('refuses values without usable routing fields, and never throws', () => {
    const ok = heartbeat('0', ['ipc:///x']);
    expect(readRegistryEndpoints('{not json')).toBeNull();
    expect(readRegistryEndpoints('null')).toBeNull();
    expect(readRegistryEndpoints(JSON.stringify({ ...ok, endpoints: 'ipc:///x' }))).toBeNull();
    expect(readRegistryEndpoints(JSON.stringify({ ...ok, endpoints: ['ipc:///x', 7] }))).toBeNull();
    expect(readRegistryEndpoints(JSON.stringify({ ...ok, status: 'asleep' }))).toBeNull();
    expect(readRegistryEndpoints(JSON.stringify({ ...ok, service: undefined }))).toBeNull();
    // Metrics are the orchestrator's concern: a bad metric does not hide a live publisher.
    expect(readRegistryEndpoints(JSON.stringify({ ...ok, metrics: { x: 'high' } }))?.endpoints).toEqual(['ipc:///x']);
    fc.assert(fc.property(fc.string(), (raw) => void readRegistryEndpoints(raw)));
  });
});

describe('RegistryEndpointReader', () => {
  let server: PrivateRedis;
  let redis: Redis;

  beforeAll(async () => {
    server = await PrivateRedis.start();
    redis = server.client();
  }, 20_000);
  beforeEach(async () => {
    await redis.flushall();
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  it('parses a value once and again only when it changes; forgets expired entries', async () => {
    for (const i of ['0', '1', '2']) await registerInstance(redis, heartbeat(i, [`ipc:///p${i}`]), 60_000);
    const reader = new RegistryEndpointReader(redis);
    expect((await reader.read()).flatMap((e) => e.endpoints).sort()).toEqual(['ipc:///p0', 'ipc:///p1', 'ipc:///p2']);
    expect(reader.parsed).toBe(3);
    await reader.read();
    await reader.read();
    expect(reader.parsed).toBe(3);

    await registerInstance(redis, heartbeat('1', ['ipc:///p1b'], 2), 60_000); // its next heartbeat
    expect((await reader.read()).flatMap((e) => e.endpoints).sort()).toEqual(['ipc:///p0', 'ipc:///p1b', 'ipc:///p2']);
    expect(reader.parsed).toBe(4);

    await redis.del(registryKey('kalshi_monitor', '2'));
    expect((await reader.read()).flatMap((e) => e.endpoints).sort()).toEqual(['ipc:///p0', 'ipc:///p1b']);
    // Re-registered with the very same value after expiry: read again from Redis, and still right.
    await registerInstance(redis, heartbeat('2', ['ipc:///p2']), 60_000);
    expect((await reader.read()).length).toBe(3);
  });

  it('reports an unreadable entry once, skips it, and keeps reading the others', async () => {
    await redis.set(registryKey('junk', '0'), '{not json', 'PX', 60_000);
    await registerInstance(redis, heartbeat('0', ['ipc:///p0']), 60_000);
    const warnings: object[] = [];
    const reader = new RegistryEndpointReader(redis, { ...silentLogger, warn: (o: object) => void warnings.push(o) });
    for (let i = 0; i < 3; i++) expect((await reader.read()).map((e) => e.endpoints)).toEqual([['ipc:///p0']]);
    expect(warnings).toEqual([{ key: registryKey('junk', '0') }]);
  });
});
