/**
 * Finds the Redis `arbees up` should use, in this order: REDIS_URL when set; a server already
 * answering on 127.0.0.1:6379; else a private `redis-server` started in the data dir (AOF on,
 * appendfsync everysec, bound to loopback) and stopped with the supervisor. Without any of them it fails with
 * ARB_REDIS_NOT_INSTALLED and tells the user how to install Redis.
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { ArbeesError } from '../core/errors.js';
import { scrubString } from '../runtime/logger.js';
import { ManagedChild } from './managed-child.js';
import { freePort, portIsFree, sleep } from './process-utils.js';
import type { RestartBackoffOptions } from './restart-backoff.js';

export type RedisSource = 'env' | 'local' | 'private';

export interface RedisEndpoint {
  readonly url: string;
  readonly source: RedisSource;
  /** The private server, when this supervisor started one. */
  readonly server: PrivateRedisServer | null;
}

export interface FindRedisOptions {
  redisUrl: string | undefined;
  redisProbeUrl: string;
  redisServerBin: string;
  privateRedisPort: number;
  redisWaitMs: number;
  dataDir: string;
  restart: RestartBackoffOptions;
  onLine: (line: string) => void;
  say: (message: string) => void;
  /** Told when the private server dies on its own and when it is back (pid). */
  onServerExit?: (code: number | null, signal: NodeJS.Signals | null, restartInMs: number | null) => void;
  onServerSpawn?: (pid: number, restarts: number) => void;
}

const INSTALL_REDIS_HELP = [
  'Install Redis, then run again:',
  '  Debian/Ubuntu:  sudo apt-get install redis-server',
  '  macOS:          brew install redis',
  'or set REDIS_URL to a Redis server you already run.',
].join('\n');

/** True when a Redis at `url` answers PING within `timeoutMs`. */
export async function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** The absolute path of an executable named `bin` (searched on PATH unless it has a slash). */
function findExecutable(bin: string, envPath = process.env.PATH ?? ''): string | null {
  const candidates = bin.includes('/') ? [bin] : envPath.split(path.delimiter).filter(Boolean).map((d) => path.join(d, bin));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return path.resolve(candidate);
    } catch {
      // not here
    }
  }
  return null;
}

export async function findOrStartRedis(options: FindRedisOptions): Promise<RedisEndpoint> {
  if (options.redisUrl !== undefined) {
    if (!(await waitForRedis(options.redisUrl, options.redisWaitMs))) {
      throw new ArbeesError(
        'ARB_REDIS_UNAVAILABLE',
        `REDIS_URL ${scrubString(options.redisUrl, [])} did not answer within ${options.redisWaitMs} ms; start that server or unset REDIS_URL`,
      );
    }
    return { url: options.redisUrl, source: 'env', server: null };
  }
  if (await redisAnswers(options.redisProbeUrl)) return { url: options.redisProbeUrl, source: 'local', server: null };
  const bin = findExecutable(options.redisServerBin);
  if (bin === null) {
    throw new ArbeesError(
      'ARB_REDIS_NOT_INSTALLED',
      `no Redis to use: REDIS_URL is not set, nothing answers on ${options.redisProbeUrl}, and ${options.redisServerBin} is not installed.\n${INSTALL_REDIS_HELP}`,
    );
  }
  const server = new PrivateRedisServer({
    bin,
    dir: path.join(options.dataDir, 'redis'),
    port: await choosePort(options.privateRedisPort),
    restart: options.restart,
    onLine: options.onLine,
    ...(options.onServerExit ? { onExit: options.onServerExit } : {}),
    ...(options.onServerSpawn ? { onSpawn: options.onServerSpawn } : {}),
  });
  options.say(`no Redis on ${options.redisProbeUrl} and REDIS_URL unset: starting a private redis-server on ${server.url} (AOF appendfsync everysec in ${server.dir})`);
  await server.start();
  return { url: server.url, source: 'private', server };
}

async function waitForRedis(url: string, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (await redisAnswers(url)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(250);
  }
}

async function choosePort(preferred: number): Promise<number> {
  if (preferred !== 0 && (await portIsFree(preferred))) return preferred;
  return freePort();
}

/**
 * How the server keeps data: `aof` (what `arbees up` uses), `aof-always` (fsync on every write,
 * so even a SIGKILL loses nothing acknowledged; tests of crash recovery), `none` (memory only:
 * a restart comes back empty; tests and benches).
 */
export type RedisPersistence = 'aof' | 'aof-always' | 'none';

const PERSISTENCE_ARGS: Record<RedisPersistence, readonly string[]> = {
  // everysec: at most one second of writes lost on a crash, and the ledger guard sees that loss.
  aof: ['--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction'],
  'aof-always': ['--save', '', '--appendonly', 'yes', '--appendfsync', 'always'],
  none: ['--save', '', '--appendonly', 'no'],
};

export interface PrivateRedisServerOptions {
  bin: string;
  /** Working dir: the AOF and RDB files live here. */
  dir: string;
  port: number;
  /** Default `aof`. */
  persistence?: RedisPersistence;
  restart: RestartBackoffOptions;
  onLine: (line: string) => void;
  readyTimeoutMs?: number;
  onExit?: (code: number | null, signal: NodeJS.Signals | null, restartInMs: number | null) => void;
  onSpawn?: (pid: number, restarts: number) => void;
}

/**
 * A redis-server owned by the supervisor. It is restarted like any child when it crashes, on the
 * same port and data, so services reconnect by themselves.
 */
export class PrivateRedisServer {
  readonly url: string;
  private readonly child: ManagedChild;

  constructor(private readonly options: PrivateRedisServerOptions) {
    this.url = `redis://127.0.0.1:${options.port}`;
    const redisArgs = [
      '--port', String(options.port),
      '--bind', '127.0.0.1',
      ...PERSISTENCE_ARGS[options.persistence ?? 'aof'],
      '--dir', options.dir,
      '--daemonize', 'no',
      '--protected-mode', 'yes',
      // Warnings and errors only: its start-up banner would drown the services' lines.
      '--loglevel', 'warning',
    ];
    // On Linux, setpriv asks the kernel to SIGTERM redis-server when the supervisor dies, even by
    // kill -9, so a crashed supervisor never leaves a server holding the data dir. Elsewhere a
    // stale server is reclaimed at the next start from the run file.
    const setpriv = process.platform === 'linux' ? findExecutable('setpriv') : null;
    this.child = new ManagedChild({
      name: 'redis',
      command: setpriv ?? options.bin,
      args: setpriv !== null ? ['--pdeathsig', 'TERM', '--', options.bin, ...redisArgs] : redisArgs,
      env: process.env,
      ipc: false,
      restart: options.restart,
      onLine: (line) => options.onLine(line),
    });
    if (options.onExit) this.child.on('exit', options.onExit);
    const onSpawn = options.onSpawn;
    if (onSpawn) this.child.on('spawn', (pid) => onSpawn(pid, this.child.restarts));
  }

  get dir(): string {
    return this.options.dir;
  }

  get port(): number {
    return this.options.port;
  }

  get pid(): number | null {
    return this.child.pid;
  }

  get restarts(): number {
    return this.child.restarts;
  }

  async start(): Promise<void> {
    mkdirSync(this.options.dir, { recursive: true });
    let exitedEarly: string | null = null;
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      exitedEarly = `redis-server exited (${signal ?? `code ${code}`}) before answering; see its output above`;
    };
    const onFailed = (reason: string) => {
      exitedEarly = reason;
    };
    this.child.once('exit', onExit);
    this.child.once('failed', onFailed);
    this.child.start();
    const deadline = Date.now() + (this.options.readyTimeoutMs ?? 10_000);
    try {
      while (!(await redisAnswers(this.url, 500))) {
        if (exitedEarly !== null) throw new ArbeesError('ARB_REDIS_UNAVAILABLE', exitedEarly);
        if (Date.now() >= deadline) throw new ArbeesError('ARB_REDIS_UNAVAILABLE', `private redis-server did not answer on ${this.url}`);
        await sleep(50);
      }
    } catch (err) {
      await this.child.kill();
      throw err;
    } finally {
      this.child.off('exit', onExit);
      this.child.off('failed', onFailed);
    }
  }

  /** SIGTERM: redis-server flushes the AOF and exits; SIGKILL after the timeout. */
  async stop(timeoutMs = 10_000): Promise<void> {
    await this.child.stop(timeoutMs);
  }

  kill(): Promise<void> {
    return this.child.kill();
  }
}
