/**
 * How `arbees up` finds its Redis: REDIS_URL first, then a server answering on the probe URL
 * (127.0.0.1:6379 by default), else a private redis-server with AOF in the data dir, stopped on
 * exit; with none of them, a clear ARB_REDIS_NOT_INSTALLED telling the user how to install it.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { PrivateRedis } from './helpers/private-redis.js';
import { eventually } from './helpers/redis.js';
import { alivePids, cleanUpAll, DEAD_REDIS_URL, startUp, waitForOutput, waitUntilRunning } from './supervisor-harness.js';
import { registryKey } from '../src/bus/registry.js';
import { ArbeesError } from '../src/core/errors.js';
import { pidAlive } from '../src/launcher/process-utils.js';
import { findOrStartRedis, redisAnswers, type FindRedisOptions } from '../src/launcher/redis-server.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await cleanUpAll();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'arb-redis-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const restart = { initialMs: 200, maxMs: 1_000, stableMs: 10_000 };

function findOptions(dataDir: string, over: Partial<FindRedisOptions> = {}): FindRedisOptions & { said: string[] } {
  const said: string[] = [];
  return {
    redisUrl: undefined,
    redisProbeUrl: DEAD_REDIS_URL,
    redisServerBin: 'redis-server',
    privateRedisPort: 0,
    redisWaitMs: 300,
    dataDir,
    restart,
    onLine: () => undefined,
    say: (m) => said.push(m),
    said,
    ...over,
  };
}

/** A redis-server of this test's own, standing in for "the user's Redis". */
async function ownRedis(): Promise<PrivateRedis> {
  const server = await PrivateRedis.start();
  cleanups.push(() => server.stop());
  return server;
}

describe('finding Redis', () => {
  it('tells a live server from a dead port', async () => {
    const server = await ownRedis();
    expect(await redisAnswers(server.url)).toBe(true);
    expect(await redisAnswers(DEAD_REDIS_URL, 300)).toBe(false);
  });

  it('uses REDIS_URL when set, and nothing else', async () => {
    const server = await ownRedis();
    const found = await findOrStartRedis(findOptions(tempDir(), { redisUrl: server.url, redisServerBin: '/nonexistent/redis-server' }));
    expect(found).toMatchObject({ url: server.url, source: 'env', server: null });
  });

  it('fails with ARB_REDIS_UNAVAILABLE when REDIS_URL does not answer', async () => {
    const err = await findOrStartRedis(findOptions(tempDir(), { redisUrl: DEAD_REDIS_URL })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArbeesError);
    expect((err as ArbeesError).code).toBe('ARB_REDIS_UNAVAILABLE');
    expect((err as Error).message).toContain('did not answer within 300 ms');
  });

  it('uses a server already answering on the probe URL', async () => {
    const server = await ownRedis();
    const found = await findOrStartRedis(findOptions(tempDir(), { redisProbeUrl: server.url }));
    expect(found).toMatchObject({ url: server.url, source: 'local', server: null });
  });

  it('starts a private redis-server with AOF (everysec, noeviction) in the data dir, keeps data across restarts, stops it', async () => {
    const dataDir = tempDir();
    const opts = findOptions(dataDir);
    const found = await findOrStartRedis(opts);
    expect(found.source).toBe('private');
    const server = found.server!;
    cleanups.push(() => server.stop());
    expect(opts.said.join('\n')).toMatch(/starting a private redis-server on redis:\/\/127\.0\.0\.1:\d+ \(AOF appendfsync everysec in .*\/redis\)/);
    expect(found.url).toBe(`redis://127.0.0.1:${server.port}`);

    const redis = new Redis(found.url);
    await redis.set('arb:aof', 'kept');
    expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    expect(await redis.config('GET', 'appendfsync')).toEqual(['appendfsync', 'everysec']);
    expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    expect(await redis.config('GET', 'bind')).toEqual(['bind', '127.0.0.1']);
    redis.disconnect();
    const pid = server.pid!;
    await server.stop();
    expect(pidAlive(pid)).toBe(false);
    expect(await redisAnswers(found.url, 300)).toBe(false);
    expect(readdirSync(path.join(dataDir, 'redis'))).toContain('appendonlydir');

    const again = await findOrStartRedis(findOptions(dataDir));
    cleanups.push(() => again.server!.stop());
    const redis2 = new Redis(again.url);
    expect(await redis2.get('arb:aof')).toBe('kept');
    redis2.disconnect();
  });

  it('takes a free port when the preferred one is busy', async () => {
    const busy = await ownRedis();
    const found = await findOrStartRedis(findOptions(tempDir(), { privateRedisPort: busy.port }));
    cleanups.push(() => found.server!.stop());
    expect(found.server!.port).not.toBe(busy.port);
    expect(await redisAnswers(found.url)).toBe(true);
  });

  it('without redis-server installed, fails with ARB_REDIS_NOT_INSTALLED and says how to install it', async () => {
    const err = await findOrStartRedis(findOptions(tempDir(), { redisServerBin: '/nonexistent/redis-server' })).catch((e: unknown) => e);
    expect((err as ArbeesError).code).toBe('ARB_REDIS_NOT_INSTALLED');
    expect((err as Error).message).toContain('apt-get install redis-server');
    expect((err as Error).message).toContain('brew install redis');
  });
});

describe('arbees up and Redis', () => {
  it('starts its own redis-server (AOF in the data dir) when 6379 is unavailable, and stops it on exit', async () => {
    const up = startUp({ ARBEES_SERVICES: 'demo_publisher' });
    const state = await waitUntilRunning(up, 1);
    expect(state.redis!.source).toBe('private');
    const redisPid = state.redis!.pid!;
    expect(pidAlive(redisPid)).toBe(true);
    expect(up.output()).toMatch(/starting a private redis-server on redis:\/\/127\.0\.0\.1:\d+/);
    await waitForOutput(up, new RegExp(`Slow track redis-cli -p ${new URL(state.redis!.url).port} XLEN prices:kalshi`));
    const redis = new Redis(state.redis!.url);
    try {
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    expect(await redis.config('GET', 'appendfsync')).toEqual(['appendfsync', 'everysec']);
    expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      expect(await redis.config('GET', 'dir')).toEqual(['dir', path.join(up.dataDir, 'redis')]);
      const key = registryKey('demo_publisher', state.children[0]!.instance);
      await eventually(async () => (await redis.exists(key)) === 1, 10_000, 'the registry entry in the private Redis');
    } finally {
      redis.disconnect();
    }
    expect(existsSync(path.join(up.dataDir, 'redis', 'appendonlydir'))).toBe(true);

    up.proc.kill('SIGTERM');
    expect(await up.exited).toBe(0);
    expect(pidAlive(redisPid)).toBe(false);
    expect(await redisAnswers(state.redis!.url, 300)).toBe(false);
    expect(alivePids(up.knownPids())).toEqual([]);
  }, 60_000);

  it('restarts its private redis-server after a crash, on the same port with the AOF data; services recover', async () => {
    const up = startUp({ ARBEES_SERVICES: 'demo_publisher', ARBEES_REDIS_PORT: '0' });
    const state = await waitUntilRunning(up, 1);
    const firstPid = state.redis!.pid!;
    const key = registryKey('demo_publisher', state.children[0]!.instance);
    const redis = new Redis(state.redis!.url, { maxRetriesPerRequest: null });
    redis.on('error', () => undefined);
    try {
      await redis.set('arb:before-crash', 'kept');
      await new Promise((r) => setTimeout(r, 1_500)); // appendfsync everysec
      process.kill(firstPid, 'SIGKILL');
      await eventually(() => {
        const pid = up.state()?.redis?.pid;
        return pid != null && pid !== firstPid;
      }, 15_000, 'a new redis-server pid');
      expect(up.state()!.redis!.url).toBe(state.redis!.url);
      await eventually(() => redisAnswers(state.redis!.url, 300), 10_000, 'redis back');
      expect(await redis.get('arb:before-crash')).toBe('kept');
      await redis.del(key);
      await eventually(async () => (await redis.exists(key)) === 1, 15_000, 'the service to heartbeat into the restarted Redis');
      await waitForOutput(up, /redis-server exited \(SIGKILL\); restarting it in 0\.5 s/);
    } finally {
      redis.disconnect();
    }
    up.proc.kill('SIGTERM');
    expect(await up.exited).toBe(0);
    expect(alivePids(up.knownPids())).toEqual([]);
  }, 60_000);

  it('uses REDIS_URL when given: children register there, no private server is started', async () => {
    const server = await ownRedis();
    const up = startUp({ ARBEES_SERVICES: 'demo_publisher', REDIS_URL: server.url });
    const state = await waitUntilRunning(up, 1);
    expect(state.redis).toMatchObject({ url: server.url, source: 'env', pid: null });
    const redis = new Redis(server.url);
    try {
      const key = registryKey('demo_publisher', state.children[0]!.instance);
      await eventually(async () => (await redis.exists(key)) === 1, 10_000, 'the registry entry in REDIS_URL');
    } finally {
      redis.disconnect();
    }
    up.proc.kill('SIGTERM');
    expect(await up.exited).toBe(0);
    expect(await redisAnswers(server.url)).toBe(true); // not ours to stop
  }, 60_000);

  it('uses a Redis already answering on the probe URL', async () => {
    const server = await ownRedis();
    const up = startUp({ ARBEES_SERVICES: 'demo_publisher', ARBEES_REDIS_PROBE_URL: server.url });
    const state = await waitUntilRunning(up, 1);
    expect(state.redis).toMatchObject({ url: server.url, source: 'local', pid: null });
    up.proc.kill('SIGTERM');
    expect(await up.exited).toBe(0);
    expect(await redisAnswers(server.url)).toBe(true);
  }, 60_000);

  it('exits with ARB_REDIS_NOT_INSTALLED and install instructions when there is no Redis at all', async () => {
    const up = startUp({ ARBEES_SERVICES: 'demo_publisher', ARBEES_REDIS_SERVER_BIN: '/nonexistent/redis-server' });
    expect(await up.exited).toBe(1);
    const out = up.output();
    expect(out).toContain('ARB_REDIS_NOT_INSTALLED');
    expect(out).toContain('sudo apt-get install redis-server');
    expect(out).toContain('brew install redis');
    expect(existsSync(path.join(up.dataDir, 'run', 'up.json'))).toBe(false);
  }, 30_000);
});
