/**
 * Redis with a password or an ACL user, end to end (issue 15, point 4): REDIS_URL with
 * credentials and a database number (`redis://user:pass@127.0.0.1:port/3`) reaches every client
 * a service makes, including those ioredis `duplicate()`s (RPC) and those of the Redis hot
 * transport. On private redis-servers that refuse unauthenticated clients: a publisher and a
 * subscriber find each other through the registry (in database 3, nothing in database 0) and
 * messages flow over ZMQ and over Redis pub/sub; an RPC round trip works; execution_service
 * starts as a real process and registers; nothing it prints holds the password.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcClient } from '../src/bus/rpc-client.js';
import { RpcServer } from '../src/bus/rpc-server.js';
import { registryKey } from '../src/bus/registry.js';
import { Topic, TopicPrefix } from '../src/core/topics.js';
import { freePort, sleep } from '../src/launcher/process-utils.js';
import { redisCli } from '../src/launcher/supervisor.js';
import { scrubString } from '../src/runtime/logger.js';
import { defineService, startService, type RunningService } from '../src/runtime/service.js';
import { ROOT } from './execution-harness.js';
import { bidOnlyPrice } from './helpers/prices.js';
import { eventually } from './helpers/redis.js';

const PASSWORD = `pw-${randomBytes(12).toString('hex')}`;

/** A redis-server of this test's own that answers only authenticated clients. */
class LockedRedis {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {}

  /** `requirepass`: the default user's password; `acl`: user alice, the default user disabled. */
  static async start(kind: 'requirepass' | 'acl'): Promise<LockedRedis> {
    const port = await freePort();
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'];
    if (kind === 'requirepass') args.push('--requirepass', PASSWORD);
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    const server = new LockedRedis(port, child);
    const admin = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, ...(kind === 'requirepass' ? { password: PASSWORD } : {}) });
    admin.on('error', () => {});
    await eventually(async () => (await admin.ping().catch(() => null)) === 'PONG', 10_000, 'redis-server up');
    if (kind === 'acl') {
      await admin.call('ACL', 'SETUSER', 'alice', 'on', `>${PASSWORD}`, '~*', '&*', '+@all');
      await admin.call('ACL', 'SETUSER', 'default', 'off');
    }
    admin.disconnect();
    return server;
  }

  url(kind: 'requirepass' | 'acl', db = 3): string {
    return `redis://${kind === 'acl' ? 'alice' : ''}:${PASSWORD}@127.0.0.1:${this.port}/${db}`;
  }

  async stop(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}

const uid = () => randomBytes(4).toString('hex');

describe.each(['requirepass', 'acl'] as const)('Redis with credentials (%s)', (kind) => {
  let server: LockedRedis;
  let url: string;
  let admin: Redis;
  let dataDir: string;
  const running: RunningService[] = [];

  beforeAll(async () => {
    server = await LockedRedis.start(kind);
    url = server.url(kind);
    admin = new Redis(url);
    dataDir = mkdtempSync(path.join(tmpdir(), 'arb-redisauth-'));
  }, 30_000);

  afterAll(async () => {
    for (const r of running.reverse()) await r.stop();
    admin?.disconnect();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('really refuses a client without them', async () => {
    // Raw RESP on a socket: what any client without credentials is told.
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(server.port, '127.0.0.1', () => socket.write('PING\r\n'));
      socket.once('data', (d) => {
        resolve(d.toString());
        socket.destroy();
      });
      socket.once('error', reject);
    });
    expect(reply).toMatch(/^-NOAUTH/);
  });

  it.each(['zmq', 'redis'] as const)('a publisher and a subscriber find each other in the registry of database 3 and messages flow (%s transport)', async (transport) => {
    const env = (name: string) => ({ REDIS_URL: url, ARBEES_DATA_DIR: dataDir, ARBEES_ZMQ_TRANSPORT: 'tcp', ARBEES_HOT_TRANSPORT: transport, ARBEES_INSTANCE: name, ARBEES_HEARTBEAT_MS: '100', ARBEES_REGISTRY_TTL_MS: '1000', ARBEES_REGISTRY_POLL_MS: '50', LOG_LEVEL: 'silent' });
    const pubName = `credpub_${uid()}`;
    const heard: number[] = [];
    const pub = await startService(defineService({ name: pubName, description: 'publisher', start: async (ctx) => void (await ctx.publisher()) }), env('p'));
    running.push(pub);
    const sub = await startService(
      defineService({ name: `credsub_${uid()}`, description: 'subscriber', start: async (ctx) => void (await ctx.subscribe([TopicPrefix.prices], (_t, e) => void heard.push((e.data as { yes_bid: number }).yes_bid), { services: [pubName] })) }),
      env('s'),
    );
    running.push(sub);
    const publisher = await pub.ctx.publisher();
    await eventually(
      () => {
        publisher.publish(Topic.price('kalshi', 'CRED'), 'price', bidOnlyPrice('CRED', 0.41));
        return heard.length > 0;
      },
      10_000,
      'a message through the hot path',
    );
    expect(heard[0]).toBe(0.41);
    expect(await admin.exists(registryKey(pubName, 'p'))).toBe(1);
    const db0 = new Redis(server.url(kind, 0));
    expect(await db0.keys('registry:*')).toEqual([]);
    db0.disconnect();
  });

  it('RPC (whose clients duplicate() the connection) keeps the credentials and the database', async () => {
    const queue = `credq_${uid()}`;
    const redis = new Redis(url);
    const server = new RpcServer<{ n: number }, { twice: number }>(redis, { queue }, async (req) => ({ twice: req.n * 2 }));
    await server.start();
    const client = new RpcClient<{ n: number }, { twice: number }>(redis, { queue });
    try {
      expect(await client.call({ n: 21 }, { timeoutMs: 5_000 })).toEqual({ twice: 42 });
    } finally {
      await client.close();
      await server.stop();
      redis.disconnect();
    }
  });

  it('execution_service starts as a real process on it and registers; nothing it prints holds the password', async () => {
    const cli = bundledCli();
    const instance = `cred${uid()}`;
    const out: string[] = [];
    const child = spawn(process.execPath, [cli.file, 'run', 'execution_service'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, REDIS_URL: url, ARBEES_DATA_DIR: dataDir, ARBEES_INSTANCE: instance, ARBEES_ZMQ_TRANSPORT: 'tcp', LOG_LEVEL: 'debug', EXEC_KEY_PREFIX: `cred${uid()}:` },
    });
    child.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
    try {
      await eventually(async () => {
        const raw = await admin.get(registryKey('execution_service', instance));
        // The start line too: a SIGTERM before the service installs its handlers would kill it mid-line.
        return raw !== null && (JSON.parse(raw) as { status: string }).status === 'healthy' && out.join('').includes('execution_service started');
      }, 30_000, 'execution_service healthy in the registry');
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      cli.remove();
    }
    const printed = out.join('');
    expect(printed).toContain('execution_service started');
    expect(printed).not.toContain(PASSWORD);
  }, 60_000);

  it('printed hints redact the password and keep the user and database', () => {
    expect(scrubString(url, [])).toBe(url.replace(PASSWORD, '[redacted]'));
    expect(scrubString(url, [])).toMatch(/\/3$/);
    const cli = redisCli(url);
    expect(cli).not.toContain(PASSWORD);
    expect(cli).toBe(`redis-cli -p ${server.port}${kind === 'acl' ? ' --user alice' : ''} --askpass -n 3`);
  });
});

/** src/cli.ts bundled by esbuild (packages stay in node_modules): a real process without a full tsc build. */
function bundledCli(): { file: string; remove(): void } {
  const dir = path.join(ROOT, 'dist', `.cred-test-${randomBytes(4).toString('hex')}`);
  const file = path.join(dir, 'cli.mjs');
  buildSync({ entryPoints: [path.join(ROOT, 'src/cli.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: file, logLevel: 'silent' });
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
