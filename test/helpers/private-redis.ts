/**
 * A redis-server of a test's or a bench's own: a free loopback port and a temp dir, so the
 * registry, the streams and the memory they take belong to that run alone. Built on the server
 * `arbees up` starts (src/launcher/redis-server.ts); benches import it from here too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../src/launcher/process-utils.js';
import { PrivateRedisServer } from '../../src/launcher/redis-server.js';

export interface PrivateRedisOptions {
  /** AOF with fsync on every write, so a SIGKILL loses nothing Redis acknowledged; else memory only. */
  durable?: boolean;
}

/** Restarts after a crash nobody asked for are quick; kill() and stop() never restart it. */
const RESTART = { initialMs: 200, maxMs: 1_000, stableMs: 10_000 };

export class PrivateRedis {
  private constructor(private readonly server: PrivateRedisServer) {}

  static async start(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
    // Its output is noise while it runs, but says why it did not start (not installed, ...).
    const output: string[] = [];
    const server = new PrivateRedisServer({
      bin: 'redis-server',
      dir: mkdtempSync(path.join(tmpdir(), 'arb-redis-')),
      port: await freePort(),
      persistence: options.durable === true ? 'aof-always' : 'none',
      restart: RESTART,
      onLine: (line) => {
        output.push(line);
        if (output.length > 10) output.shift();
      },
    });
    const redis = new PrivateRedis(server);
    try {
      await server.start();
    } catch (err) {
      redis.removeDir();
      throw new Error(`${(err as Error).message}\n${output.join('\n')}`, { cause: err });
    }
    return redis;
  }

  get url(): string {
    return this.server.url;
  }

  get port(): number {
    return this.server.port;
  }

  get pid(): number | null {
    return this.server.pid;
  }

  /** SIGKILL: a crash, not a clean shutdown. The port and dir stay, for restart(). */
  kill(): Promise<void> {
    return this.server.kill();
  }

  /** Starts it again on the same port and dir: empty unless durable. */
  restart(): Promise<void> {
    return this.server.start();
  }

  /** SIGTERM (SIGKILL after 5 s), then removes the dir. */
  async stop(): Promise<void> {
    await this.server.stop(5_000);
    this.removeDir();
  }

  /** A client that retries one command and keeps quiet about the outages tests cause. */
  client(): Redis {
    const client = new Redis(this.url, { maxRetriesPerRequest: 1 });
    client.on('error', () => {});
    return client;
  }

  private removeDir(): void {
    rmSync(this.server.dir, { recursive: true, force: true });
  }
}
