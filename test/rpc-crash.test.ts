/**
 * The RPC queue survives `kill -9` of the server process that took a request. Servers run as real
 * child processes (test/fixtures/rpc-server-child.mjs) on the RpcServer compiled from src by tsc
 * into a private folder, so this file depends on no one else's build.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RpcRemoteError } from '../src/core/errors.js';
import { RpcClient } from '../src/bus/rpc-client.js';
import { RpcKey } from '../src/bus/rpc-protocol.js';
import { RpcServer } from '../src/bus/rpc-server.js';
import { eventually, TEST_REDIS_URL, testRedis } from './helpers/redis.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURE = path.join(ROOT, 'test/fixtures/rpc-server-child.mjs');
// Inside the repo (under the ignored dist/) so the compiled files resolve ioredis and zod.
const BUILD_DIR = path.join(ROOT, 'dist', `.rpc-crash-test-${randomBytes(4).toString('hex')}`);
const LIVENESS_TTL_MS = 1_000;

beforeAll(() => {
  const tsc = path.join(ROOT, 'node_modules/.bin/tsc');
  const args = [
    '--outDir', BUILD_DIR, '--rootDir', ROOT, '--module', 'nodenext', '--moduleResolution', 'nodenext',
    '--target', 'es2022', '--lib', 'es2023', '--types', 'node', '--skipLibCheck', '--esModuleInterop', '--strict',
    path.join(ROOT, 'src/bus/rpc-server.ts'),
  ];
  // Type errors elsewhere in the project (parallel work) still emit; what matters is the output.
  const result = spawnSync(tsc, args, { cwd: ROOT, encoding: 'utf8' });
  if (!existsSync(path.join(BUILD_DIR, 'src/bus/rpc-server.js'))) {
    throw new Error(`tsc did not emit rpc-server.js:\n${result.stdout}\n${result.stderr}`);
  }
}, 120_000);

afterAll(() => {
  rmSync(BUILD_DIR, { recursive: true, force: true });
});

interface Child {
  proc: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

let redis: Redis;
let queue: string;
let children: Child[] = [];
let servers: RpcServer[] = [];
let clients: RpcClient[] = [];

beforeEach(() => {
  redis = testRedis().redis;
  queue = `t${randomBytes(4).toString('hex')}`;
});

afterEach(async () => {
  for (const child of children) {
    if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
    await child.exited;
  }
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.stop()));
  children = [];
  clients = [];
  servers = [];
  const keys = await redis.keys(`rpc:${queue}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

async function spawnServer(serverId: string, mode: 'slow' | 'fast' | 'poison'): Promise<Child> {
  const proc = spawn(process.execPath, [FIXTURE], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      RPC_DIST: BUILD_DIR,
      REDIS_URL: TEST_REDIS_URL,
      RPC_QUEUE: queue,
      RPC_SERVER_ID: serverId,
      RPC_MODE: mode,
      RPC_LIVENESS_TTL_MS: String(LIVENESS_TTL_MS),
      RPC_REAPER_MS: '200',
      RPC_MAX_ATTEMPTS: '3',
    },
  });
  const lines: string[] = [];
  createInterface({ input: proc.stdout! }).on('line', (line) => lines.push(line));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const child = { proc, lines, exited };
  children.push(child);
  await eventually(() => lines.includes(`READY ${serverId}`), 15_000, `${serverId} ready`);
  return child;
}

async function kill9(child: Child): Promise<void> {
  child.proc.kill('SIGKILL');
  await child.exited;
}

const taken = (child: Child, id: string): string | undefined => child.lines.find((l) => l.startsWith(`TAKEN ${id} `));

interface Echo {
  by: string;
  attempts: number;
  echo: unknown;
}

describe('rpc queue across a server crash (kill -9)', () => {
  it('redelivers a request whose server was killed mid-request to another server, within the client timeout', async () => {
    const a = await spawnServer(`a-${queue}`, 'slow');
    const client = new RpcClient<{ n: number }, Echo>(redis, { queue, timeoutMs: 20_000 });
    clients.push(client as RpcClient);
    const started = Date.now();
    const reply = client.call({ n: 7 }, { requestId: 'crash-1' });

    await eventually(() => taken(a, 'crash-1') === 'TAKEN crash-1 0', 10_000, 'child A took the request');
    expect(await redis.llen(RpcKey.processing(queue, `a-${queue}`))).toBe(1);
    await kill9(a);
    const killedAt = Date.now();

    // B starts right away: A's liveness key is still alive, so B must wait for it to expire.
    const b = new RpcServer<{ n: number }, Echo>(
      redis,
      { queue, serverId: `b-${queue}`, livenessTtlMs: LIVENESS_TTL_MS, reaperIntervalMs: 200 },
      (payload, ctx) => ({ by: `b-${queue}`, attempts: ctx.attempts, echo: payload }),
    );
    await b.start();
    servers.push(b as RpcServer);

    await expect(reply).resolves.toEqual({ by: `b-${queue}`, attempts: 1, echo: { n: 7 } });
    const recoveredAfter = Date.now() - killedAt;
    if (process.env.RPC_CRASH_VERBOSE) console.info(`recovered ${recoveredAfter} ms after kill -9`);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(recoveredAfter).toBeLessThan(LIVENESS_TTL_MS + 2_000);
    expect(b.metrics()).toMatchObject({ reaped: 1, served: 1 });
    expect(await redis.exists(RpcKey.processing(queue, `a-${queue}`))).toBe(0);
    expect(await redis.llen(RpcKey.requests(queue))).toBe(0);
    expect(client.metrics()).toMatchObject({ replies: 1, timeouts: 0 });
  }, 60_000);

  it('a server restarted with the same id takes its own unfinished request back at once', async () => {
    const id = `same-${queue}`;
    const first = await spawnServer(id, 'slow');
    const client = new RpcClient<{ n: number }, Echo>(redis, { queue, timeoutMs: 20_000 });
    clients.push(client as RpcClient);
    const reply = client.call({ n: 8 }, { requestId: 'restart-1' });
    await eventually(() => taken(first, 'restart-1') !== undefined, 10_000, 'first run took the request');
    await kill9(first);

    const again = await spawnServer(id, 'fast');
    await expect(reply).resolves.toEqual({ by: id, attempts: 1, echo: { n: 8 } });
    expect(taken(again, 'restart-1')).toBe('TAKEN restart-1 1');
  }, 60_000);

  it('a request that kills every server that takes it ends on the dead list after maxAttempts', async () => {
    const client = new RpcClient<{ poison: boolean }, unknown>(redis, { queue, timeoutMs: 30_000 });
    clients.push(client as RpcClient);
    const reply = client.call({ poison: true }, { requestId: 'poison-1' });
    const outcome = reply.catch((e: unknown) => e);

    for (let attempt = 0; attempt < 3; attempt++) {
      const child = await spawnServer(`p${attempt}-${queue}`, 'poison');
      await eventually(() => taken(child, 'poison-1') === `TAKEN poison-1 ${attempt}`, 10_000, `delivery ${attempt}`);
      await child.exited; // it SIGKILLed itself inside the handler
      expect(child.proc.signalCode).toBe('SIGKILL');
    }

    let ran = 0;
    const last = new RpcServer(redis, { queue, livenessTtlMs: LIVENESS_TTL_MS, reaperIntervalMs: 200, maxAttempts: 3 }, () => {
      ran += 1;
      return null;
    });
    await last.start();
    servers.push(last);

    const err = await outcome;
    expect(err).toBeInstanceOf(RpcRemoteError);
    expect((err as RpcRemoteError).remoteCode).toBe('ARB_RPC_DEAD_LETTER');
    expect(ran).toBe(0);
    const dead = (await redis.lrange(RpcKey.dead(queue), 0, -1)).map((s) => JSON.parse(s) as { reason: string; raw: string });
    expect(dead).toHaveLength(1);
    expect(dead[0]!.reason).toBe('max_attempts');
    expect(JSON.parse(dead[0]!.raw)).toMatchObject({ id: 'poison-1', attempts: 3 });
    expect(await redis.llen(RpcKey.requests(queue))).toBe(0);
  }, 90_000);
});
