/**
 * The chaos run's own redis-server (loopback, a free port, AOF everysec in the run's dir): the
 * one server the faults are done to. Stall = SIGSTOP/SIGCONT (the process is alive, sockets stay
 * open, nothing answers); stop = a clean SIGTERM and a start later on the same data; restart
 * empty = SIGKILL, the data dir wiped, a start on the same port (what a server without
 * persistence, or a failover to an empty replica, looks like to the services).
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort, signalPid } from '../src/launcher/process-utils.js';
import { PrivateRedisServer } from '../src/launcher/redis-server.js';

const RESTART = { initialMs: 200, maxMs: 1_000, stableMs: 10_000 };

export class ChaosRedis {
  private constructor(
    private readonly server: PrivateRedisServer,
    private readonly dir: string,
  ) {}

  static async start(runDir: string): Promise<ChaosRedis> {
    const dir = path.join(runDir, 'redis');
    mkdirSync(dir, { recursive: true });
    const server = new PrivateRedisServer({
      bin: 'redis-server',
      dir,
      port: await freePort(),
      persistence: 'aof',
      restart: RESTART,
      onLine: () => {},
    });
    await server.start();
    return new ChaosRedis(server, dir);
  }

  get url(): string {
    return this.server.url;
  }

  private get pid(): number {
    const pid = this.server.pid;
    if (pid === null) throw new Error('the chaos redis-server is not running');
    return pid;
  }

  /** Freezes the server: connections stay open and every command hangs. */
  pause(): void {
    signalPid(this.pid, 'SIGSTOP');
  }

  resume(): void {
    signalPid(this.pid, 'SIGCONT');
  }

  /** SIGTERM: Redis writes its AOF and exits; start() brings the same data back. */
  stop(): Promise<void> {
    return this.server.stop(10_000);
  }

  start(): Promise<void> {
    return this.server.start();
  }

  /** SIGKILL, the data wiped, started again on the same port: a Redis that came back empty. */
  async restartEmpty(): Promise<void> {
    await this.server.kill();
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
    await this.server.start();
  }

  /** A client for the run's own checks: quick timeouts, quiet about the outages it causes. */
  client(): Redis {
    const client = new Redis(this.url, { maxRetriesPerRequest: 1, connectTimeout: 2_000, commandTimeout: 3_000 });
    client.on('error', () => {});
    return client;
  }

  async close(): Promise<void> {
    try {
      this.resume();
    } catch {
      // not running
    }
    await this.server.stop(5_000);
  }
}
