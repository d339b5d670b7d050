/**
 * Test harness of the zmq_listener tests: a private redis-server per test (so the registry and
 * every slow-track key belong to that test alone), the listener started in-process with
 * startService, and a publisher service that registers its endpoint in the private registry.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { HotPublisher } from '../src/bus/hot-publisher.js';
import { defineService, startService, type RunningService } from '../src/runtime/service.js';
import { zmqListener } from '../src/services/zmq-listener/zmq-listener.js';
import { eventually } from './helpers/redis.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A redis-server of our own on a free loopback port, no persistence, stoppable and restartable. */
export class PrivateRedis {
  private child: ChildProcess | null = null;
  readonly dir = mkdtempSync(path.join(tmpdir(), 'arb-zl-redis-'));

  /** `durable`: AOF with fsync on every write, so a SIGKILL loses nothing Redis acknowledged. */
  private constructor(
    readonly port: number,
    private readonly durable: boolean,
  ) {}

  static async start(options: { durable?: boolean } = {}): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), options.durable ?? false);
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  async restart(): Promise<void> {
    if (this.child !== null) throw new Error('redis-server already running');
    const child = spawn(
      'redis-server',
      [
        '--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--dir', this.dir,
        ...(this.durable ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
      ],
      { stdio: 'ignore' },
    );
    this.child = child;
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {});
    try {
      await eventually(async () => {
        try {
          if (probe.status !== 'ready') await probe.connect();
          return (await probe.ping()) === 'PONG';
        } catch {
          probe.disconnect();
          return false;
        }
      }, 10_000, `redis-server on ${this.port}`);
    } finally {
      probe.disconnect();
    }
  }

  /** SIGKILL: a crash, not a clean shutdown. */
  async kill(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    this.child = null;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  client(): Redis {
    const client = new Redis(this.url, { maxRetriesPerRequest: 1 });
    client.on('error', () => {});
    return client;
  }
}

export interface TestNode {
  running: RunningService;
  dataDir: string;
}

function baseEnv(redisUrl: string, dataDir: string, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    REDIS_URL: redisUrl,
    ARBEES_DATA_DIR: dataDir,
    ARBEES_INSTANCE: `t${randomBytes(3).toString('hex')}`,
    // The default registry TTL (6 s): a shorter one expires entries during the Redis outages
    // these tests cause, and the registry watcher then drops live publishers (see the report).
    ARBEES_HEARTBEAT_MS: '500',
    ARBEES_REGISTRY_POLL_MS: '100',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...extra,
  };
}

export async function startListener(redisUrl: string, extra: NodeJS.ProcessEnv = {}): Promise<TestNode> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'arb-zl-'));
  const running = await startService(zmqListener, baseEnv(redisUrl, dataDir, { LISTENER_STATUS_MS: '200', ...extra }));
  return { running, dataDir };
}

const testPublisherService = defineService({
  name: 'zl_test_pub',
  description: 'a publisher that only exists in the zmq_listener tests',
  async start(ctx) {
    await ctx.publisher();
  },
});

export interface TestPublisher extends TestNode {
  publisher: HotPublisher;
}

/** A publisher service: binds its own ipc endpoint and registers it in the registry. */
export async function startPublisher(redisUrl: string, extra: NodeJS.ProcessEnv = {}): Promise<TestPublisher> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'arb-zl-'));
  const running = await startService(testPublisherService, baseEnv(redisUrl, dataDir, extra));
  return { running, dataDir, publisher: await running.ctx.publisher() };
}

export async function stopNode(node: TestNode | null | undefined): Promise<void> {
  if (!node) return;
  await node.running.stop();
  rmSync(node.dataDir, { recursive: true, force: true });
}

/** PUB/SUB drops what is sent before the subscription joins: publish until the listener mirrors one. */
export async function warmUp(publisher: HotPublisher, redis: Redis, tag = 'a'): Promise<void> {
  let n = 0;
  const stream = `mirror:warmup:${tag}`;
  await eventually(async () => {
    publisher.publishRaw(`warmup.${tag}.w${n++}`, 'warmup', { n });
    return (await redis.xlen(stream).catch(() => 0)) > 0;
  }, 15_000, 'the listener to hear the publisher');
}

/** Metrics of a running service, as its heartbeat would publish them. */
export const metricsOf = (node: TestNode): Record<string, number> => node.running.ctx.metrics.snapshot();

export function fieldsOf(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) out[pairs[i]!] = pairs[i + 1]!;
  return out;
}
