import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, RpcRemoteError, RpcTimeoutError } from '../src/core/errors.js';
import { sleep } from '../src/core/time.js';
import { RpcClient } from '../src/bus/rpc-client.js';
import { MOVE_IF_PRESENT_LUA, resolveServerOptions, RpcKey, type RpcDeadEntry, type RpcServerOptions } from '../src/bus/rpc-protocol.js';
import { RpcServer, type RpcHandler } from '../src/bus/rpc-server.js';
import { eventually, testRedis } from './helpers/redis.js';

let redis: Redis;
let queue: string;
let servers: RpcServer[] = [];
let clients: RpcClient[] = [];

beforeEach(() => {
  redis = testRedis().redis;
  queue = `t${randomBytes(4).toString('hex')}`;
});

afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.stop()));
  clients = [];
  servers = [];
  const keys = await redis.keys(`rpc:${queue}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const FAST = { livenessTtlMs: 600, reaperIntervalMs: 150, drainTimeoutMs: 2_000 } satisfies Partial<RpcServerOptions>;

async function startServer<Req, Res>(handler: RpcHandler<Req, Res>, options: Partial<RpcServerOptions> = {}): Promise<RpcServer<Req, Res>> {
  const server = new RpcServer<Req, Res>(redis, { queue, ...FAST, ...options }, handler);
  await server.start();
  servers.push(server as RpcServer);
  return server;
}

function client<Req = unknown, Res = unknown>(timeoutMs = 5_000): RpcClient<Req, Res> {
  const c = new RpcClient<Req, Res>(redis, { queue, timeoutMs });
  clients.push(c as RpcClient);
  return c;
}

/** A request exactly as a client would put it on the queue. */
function rawRequest(id: string, clientId: string, payload: unknown, attempts = 0, deadline = Date.now() + 10_000): string {
  return JSON.stringify({ v: 1, id, clientId, attempts, deadline, payload });
}

const deadEntries = async (): Promise<RpcDeadEntry[]> =>
  (await redis.lrange(RpcKey.dead(queue), 0, -1)).map((s) => JSON.parse(s) as RpcDeadEntry);

describe('rpc queue round trip', () => {
  it('answers a call and leaves nothing behind but the cached result', async () => {
    const seen: number[] = [];
    const server = await startServer<{ a: number; b: number }, { sum: number }>(({ a, b }, ctx) => {
      seen.push(ctx.attempts);
      return { sum: a + b };
    });
    const c = client<{ a: number; b: number }, { sum: number }>();
    await expect(c.call({ a: 2, b: 40 }, { requestId: 'sum-1' })).resolves.toEqual({ sum: 42 });
    expect(seen).toEqual([0]);
    expect(await redis.llen(RpcKey.requests(queue))).toBe(0);
    expect(await redis.llen(RpcKey.processing(queue, server.serverId))).toBe(0);
    expect(JSON.parse((await redis.get(RpcKey.result(queue, 'sum-1')))!)).toMatchObject({ id: 'sum-1', ok: true, result: { sum: 42 } });
    expect(await redis.pttl(RpcKey.result(queue, 'sum-1'))).toBeGreaterThan(60_000);
    expect(await redis.pttl(RpcKey.replies(queue, c.clientId))).toBe(-2); // reply consumed, list gone
    expect(await redis.pttl(RpcKey.server(queue, server.serverId))).toBeGreaterThan(0);
    expect(server.metrics()).toMatchObject({ taken: 1, served: 1, from_cache: 0 });
    expect(c.metrics()).toMatchObject({ calls: 1, replies: 1, pending: 0 });
  });

  it('serves many concurrent calls across two servers within each one\'s concurrency', async () => {
    const active = new Map<string, number>();
    const peak = new Map<string, number>();
    const handlerFor = (name: string): RpcHandler<{ n: number }, { n: number; by: string }> => async ({ n }) => {
      const now = (active.get(name) ?? 0) + 1;
      active.set(name, now);
      peak.set(name, Math.max(peak.get(name) ?? 0, now));
      await sleep(5 + (n % 7));
      active.set(name, (active.get(name) ?? 1) - 1);
      return { n: n * 10, by: name };
    };
    const s1 = await startServer(handlerFor('s1'), { concurrency: 3 });
    const s2 = await startServer(handlerFor('s2'), { concurrency: 3 });
    const c = client<{ n: number }, { n: number; by: string }>(10_000);
    const results = await Promise.all(Array.from({ length: 120 }, (_, n) => c.call({ n })));
    expect(results.map((r) => r.n)).toEqual(Array.from({ length: 120 }, (_, n) => n * 10));
    expect(s1.metrics().served + s2.metrics().served).toBe(120);
    expect(Math.max(...peak.values())).toBeLessThanOrEqual(3);
    expect(peak.get('s1')).toBeGreaterThan(1); // really concurrent, not one at a time
  });

  it('turns handler errors into RpcRemoteError and keeps serving', async () => {
    let calls = 0;
    const server = await startServer<{ fail: boolean }, string>(({ fail }) => {
      calls += 1;
      if (fail) throw new Error('venue said no');
      return 'fine';
    });
    const c = client<{ fail: boolean }, string>();
    const err = await c.call({ fail: true }, { requestId: 'f-1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcRemoteError);
    expect((err as RpcRemoteError).remoteCode).toBe('ARB_HANDLER_FAILED');
    expect((err as RpcRemoteError).message).toContain('venue said no');
    expect(await redis.exists(RpcKey.result(queue, 'f-1'))).toBe(0); // errors are not cached: a retry runs again
    await expect(c.call({ fail: true }, { requestId: 'f-1' })).rejects.toBeInstanceOf(RpcRemoteError);
    expect(calls).toBe(2);
    await expect(c.call({ fail: false })).resolves.toBe('fine');
    expect(server.metrics()).toMatchObject({ handler_errors: 2, served: 1 });
  });

  it('answers a hung handler with an error after handlerTimeoutMs and frees its slot', async () => {
    await startServer<string, string>((p) => (p === 'hang' ? new Promise<string>(() => {}) : p), { concurrency: 1, handlerTimeoutMs: 300 });
    const c = client<string, string>();
    const err = await c.call('hang').catch((e: unknown) => e);
    expect((err as RpcRemoteError).remoteCode).toBe('ARB_HANDLER_FAILED');
    await expect(c.call('next')).resolves.toBe('next');
  });
});

describe('rpc queue failures', () => {
  it('times out with RpcTimeoutError when no server runs, and the server drops the expired requests', async () => {
    const c = client();
    const started = Date.now();
    const err = await c.call({ q: 1 }, { timeoutMs: 250, retries: 1, requestId: 'lonely' }).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(RpcTimeoutError);
    expect((err as RpcTimeoutError).code).toBe('ARB_RPC_TIMEOUT');
    expect(elapsed).toBeGreaterThanOrEqual(490);
    expect(elapsed).toBeLessThan(2_000);
    expect(c.metrics()).toMatchObject({ timeouts: 1, retries: 1, pending: 0 });
    expect(await redis.llen(RpcKey.requests(queue))).toBe(2); // both attempts are durable

    let ran = 0;
    const server = await startServer(() => {
      ran += 1;
    });
    await eventually(() => server.metrics().expired_dropped === 2, 5_000, 'expired requests dropped');
    expect(ran).toBe(0);
    expect(await redis.llen(RpcKey.requests(queue))).toBe(0);
    expect(await redis.llen(RpcKey.processing(queue, server.serverId))).toBe(0);
  });

  it('moves malformed entries pushed by hand to the dead list and keeps serving', async () => {
    const server = await startServer<string, string>((p) => p.toUpperCase());
    const c = client<string, string>();
    const requests = RpcKey.requests(queue);
    await redis.lpush(requests, 'not json at all');
    await redis.lpush(requests, '{"v":1}');
    await redis.lpush(requests, '[1,2,3]');
    // Names its id and client, so the client hears about it (and drops it: it never sent it).
    await redis.lpush(requests, JSON.stringify({ v: 1, id: 'bad-1', clientId: c.clientId, attempts: -1, deadline: 'soon' }));
    await redis.lpush(RpcKey.replies(queue, c.clientId), '{"reply": "garbage"}');

    await expect(c.call('still works')).resolves.toBe('STILL WORKS');
    await eventually(() => server.metrics().malformed === 4, 5_000, 'malformed entries counted');
    const dead = await deadEntries();
    expect(dead.map((d) => d.reason)).toEqual(['malformed', 'malformed', 'malformed', 'malformed']);
    expect(dead.map((d) => d.raw)).toContain('not json at all');
    await eventually(() => c.metrics().late_replies === 1 && c.metrics().malformed_replies === 1, 5_000, 'client counters');
    expect(await redis.llen(RpcKey.processing(queue, server.serverId))).toBe(0);
  });

  it('dead-letters a request delivered maxAttempts times and tells the client', async () => {
    let ran = 0;
    const c = client<unknown, unknown>();
    const pending = c.call({ poison: true }, { requestId: 'poison-1', timeoutMs: 5_000 });
    await eventually(async () => (await redis.llen(RpcKey.requests(queue))) === 1, 2_000, 'request queued');
    // Simulate a request that already killed three servers: the reaper bumped attempts each time.
    const [queued] = await redis.lrange(RpcKey.requests(queue), 0, -1);
    const request = JSON.parse(queued!) as { attempts: number };
    await redis.lset(RpcKey.requests(queue), 0, JSON.stringify({ ...request, attempts: 3 }));

    const server = await startServer(() => {
      ran += 1;
    }, { maxAttempts: 3 });
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcRemoteError);
    expect((err as RpcRemoteError).remoteCode).toBe('ARB_RPC_DEAD_LETTER');
    expect(ran).toBe(0);
    const dead = await deadEntries();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ reason: 'max_attempts', server: server.serverId });
    expect(JSON.parse(dead[0]!.raw)).toMatchObject({ id: 'poison-1', attempts: 3 });
    expect(server.metrics().dead_lettered).toBe(1);
  });

  it('caps the dead list at deadMaxLen', async () => {
    const server = await startServer(() => null, { deadMaxLen: 5 });
    const pipeline = redis.pipeline();
    for (let i = 0; i < 20; i++) pipeline.lpush(RpcKey.requests(queue), `junk ${i}`);
    await pipeline.exec();
    await eventually(() => server.metrics().malformed === 20, 5_000, 'junk consumed');
    expect(await redis.llen(RpcKey.dead(queue))).toBe(5);
    expect((await deadEntries())[0]!.raw).toBe('junk 19');
  });
});

describe('rpc queue redelivery', () => {
  it('answers a redelivered, already-answered request from the cache without re-running it', async () => {
    let ran = 0;
    const server = await startServer<{ order: number }, { filled: number }>(({ order }) => {
      ran += 1;
      return { filled: order };
    });
    const c = client<{ order: number }, { filled: number }>();
    await expect(c.call({ order: 5 }, { requestId: 'order-5' })).resolves.toEqual({ filled: 5 });

    // The same request again, as a reaper would put it back (attempts + 1).
    await redis.lpush(RpcKey.requests(queue), rawRequest('order-5', c.clientId, { order: 5 }, 1));
    await eventually(() => server.metrics().from_cache === 1, 5_000, 'answered from cache');
    await eventually(() => c.metrics().late_replies === 1, 5_000, 'late reply dropped');

    // And a client retry with the same idempotency key gets the cached answer too.
    await expect(c.call({ order: 5 }, { requestId: 'order-5' })).resolves.toEqual({ filled: 5 });
    expect(ran).toBe(1);
    expect(server.metrics().from_cache).toBe(2);
  });

  it('reaps the processing list of a server whose liveness key is gone', async () => {
    const c = client<string, { attempts: number; payload: string }>(10_000);
    const pending = c.call('taken by a ghost', { requestId: 'ghost-1' });
    const ghostList = RpcKey.processing(queue, 'ghost');
    await eventually(async () => (await redis.lmove(RpcKey.requests(queue), ghostList, 'RIGHT', 'LEFT')) !== null, 2_000, 'ghost took it');

    const server = await startServer<string, { attempts: number; payload: string }>((payload, ctx) => ({ attempts: ctx.attempts, payload }));
    await expect(pending).resolves.toEqual({ attempts: 1, payload: 'taken by a ghost' });
    expect(server.metrics().reaped).toBe(1);
    expect(await redis.exists(ghostList)).toBe(0);
  });

  it('leaves alone the processing list of a server that is alive', async () => {
    const aliveList = RpcKey.processing(queue, 'alive');
    await redis.set(RpcKey.server(queue, 'alive'), '{}', 'PX', 10_000);
    await redis.lpush(aliveList, rawRequest('busy-1', 'someone', 1));
    const server = await startServer(() => null);
    expect(await server.reap()).toBe(0);
    expect(await redis.llen(aliveList)).toBe(1);
    await redis.del(RpcKey.server(queue, 'alive'));
    expect(await server.reap()).toBe(1);
    expect(await redis.llen(aliveList)).toBe(0);
  });

  it('moves an entry only while its server is dead and only once (the reaper race guard)', async () => {
    const list = RpcKey.processing(queue, 'racer');
    const liveness = RpcKey.server(queue, 'racer');
    const move = (force: string) => redis.eval(MOVE_IF_PRESENT_LUA, 3, list, RpcKey.requests(queue), liveness, 'old', 'new', force, 'R');
    await redis.lpush(list, 'old');
    await redis.set(liveness, '{}', 'PX', 10_000);
    expect(await move('0')).toBe(-1); // alive: untouched
    expect(await move('1')).toBe(1); // forced (a server taking its own list back)
    await redis.lpush(list, 'old');
    await redis.del(liveness);
    expect(await move('0')).toBe(1);
    expect(await move('0')).toBe(0); // a second reaper finds nothing to move
    expect(await redis.lrange(RpcKey.requests(queue), 0, -1)).toEqual(['new', 'new']);
  });

  it('hands unfinished requests back on a stop that outlasts the drain, and another server answers', async () => {
    let release: () => void = () => {};
    const first = await startServer<string, string>(
      (p) => new Promise<string>((resolve) => (release = () => resolve(`first:${p}`))),
      { drainTimeoutMs: 100 },
    );
    const c = client<string, string>(10_000);
    const pending = c.call('job', { requestId: 'job-1' });
    await eventually(() => first.metrics().in_flight === 1, 2_000, 'first took the job');
    await first.stop();
    expect(JSON.parse((await redis.lrange(RpcKey.requests(queue), 0, -1))[0]!)).toMatchObject({ id: 'job-1', attempts: 1 });

    await startServer<string, string>((p, ctx) => `second:${p}:${ctx.attempts}`);
    await expect(pending).resolves.toBe('second:job:1');
    release(); // the first handler finishing late must not break anything
  });

  it('lets in-flight handlers finish on a graceful stop', async () => {
    const server = await startServer<string, string>(async (p) => {
      await sleep(200);
      return `done:${p}`;
    });
    const c = client<string, string>();
    const pending = c.call('x');
    await eventually(() => server.metrics().in_flight === 1, 2_000, 'taken');
    await server.stop();
    await expect(pending).resolves.toBe('done:x');
    expect(await redis.exists(RpcKey.server(queue, server.serverId))).toBe(0);
  });
});

describe('rpc options', () => {
  it('validates once and freezes', () => {
    expect(() => resolveServerOptions({ queue: 'has:colon' })).toThrow(ConfigError);
    expect(() => resolveServerOptions({ queue: 'q', concurrency: 0 })).toThrow(/concurrency/);
    expect(() => resolveServerOptions({ queue: 'q', livenessTtlMs: 1000, livenessRefreshMs: 1000 })).toThrow(/livenessRefreshMs/);
    expect(() => new RpcClient(redis, { queue: 'q', clientId: 'a:b' })).toThrow(ConfigError);
    const o = resolveServerOptions({ queue: 'q', livenessTtlMs: 3000 });
    expect(o.livenessRefreshMs).toBe(1000);
    expect(Object.isFrozen(o)).toBe(true);
  });
});
