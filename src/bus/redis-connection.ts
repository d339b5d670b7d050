/**
 * The one place Redis clients are made. Every client gets a connect timeout, a command timeout
 * (a stalled Redis makes commands fail after it instead of hanging), an 'error' listener (no
 * `[ioredis] Unhandled error event` stack traces), and reports to its process's
 * RedisOutageTracker, which logs one line when Redis becomes unreachable and one when it is back.
 *
 * Blocking readers (BLPOP, BLMOVE, XREAD(GROUP) BLOCK) get a duplicate without a command
 * timeout: a client-side timeout on a command that moves data (BLMOVE into a processing list,
 * XREADGROUP into a pending list, BLPOP of a reply) would give up on it while Redis, once it
 * resumes, still completes it, and the data would sit where no one reads it. Their loops already
 * retry on errors, and a stall only makes them wait.
 *
 * A command that timed out is not sent again when the client reconnects (ioredis replays its
 * offline queue): its caller has been told it failed and may already have retried it.
 */
import { Redis, type Command, type RedisOptions } from 'ioredis';
import { silentLogger, type BusLogger } from './bus-options.js';
import { RedisOutageTracker } from './redis-outage-tracker.js';

export interface RedisTimeouts {
  /** Longest wait for a TCP connection (and its handshake) to Redis. */
  connectTimeoutMs: number;
  /** Longest wait for the reply to a non-blocking command. */
  commandTimeoutMs: number;
}

export const REDIS_TIMEOUT_DEFAULTS: Readonly<RedisTimeouts> = { connectTimeoutMs: 2_000, commandTimeoutMs: 2_000 };

export interface CreateRedisOptions extends Partial<RedisTimeouts> {
  /** Gets the outage lines; clients of one URL sharing a logger share one tracker. */
  logger?: BusLogger;
  /** Further ioredis options (retry policy, pipelining, lazyConnect...); the timeouts above win. */
  ioredis?: RedisOptions;
}

export interface DuplicateRedisOptions {
  /** For a client that runs blocking commands: no command timeout (see the file comment). */
  blocking?: boolean;
  ioredis?: RedisOptions;
}

const trackerOfClient = new WeakMap<Redis, RedisOutageTracker>();
const trackersByLogger = new WeakMap<BusLogger, Map<string, RedisOutageTracker>>();

export function createRedisClient(url: string, options: CreateRedisOptions = {}): Redis {
  const client = new Redis(url, {
    // CLIENT SETINFO at every connect: an unknown command before Redis 7.2, a package.json read
    // and two round trips that lengthen the handshake window.
    disableClientInfo: true,
    ...options.ioredis,
    connectTimeout: options.connectTimeoutMs ?? REDIS_TIMEOUT_DEFAULTS.connectTimeoutMs,
    commandTimeout: options.commandTimeoutMs ?? REDIS_TIMEOUT_DEFAULTS.commandTimeoutMs,
  });
  instrument(client, trackerFor(url, options.logger ?? silentLogger));
  return client;
}

/** A second connection with the same settings, reporting to the same tracker. */
export function duplicateRedisClient(client: Redis, options: DuplicateRedisOptions = {}): Redis {
  const copy = client.duplicate({ ...options.ioredis, ...(options.blocking === true ? { commandTimeout: undefined } : {}) });
  instrument(copy, trackerOfClient.get(client) ?? trackerFor(describeTarget(client), silentLogger));
  return copy;
}

/** The tracker a client made here reports to (null for clients made elsewhere). */
export function redisOutageTrackerOf(client: Redis): RedisOutageTracker | null {
  return trackerOfClient.get(client) ?? null;
}

/**
 * Whether a failed command failed because Redis could not be reached (and may succeed later),
 * as opposed to Redis answering with an error.
 */
export function isRedisUnreachableError(err: unknown): boolean {
  if (!(err instanceof Error) || err.name === 'ReplyError') return false;
  return UNREACHABLE.test(err.message) || err.name === 'MaxRetriesPerRequestError';
}

const UNREACHABLE = /timed out|connection is closed|isn't writeable|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN/i;

function trackerFor(url: string, log: BusLogger): RedisOutageTracker {
  const target = redisTarget(url);
  let byTarget = trackersByLogger.get(log);
  if (byTarget === undefined) trackersByLogger.set(log, (byTarget = new Map()));
  let tracker = byTarget.get(target);
  if (tracker === undefined) byTarget.set(target, (tracker = new RedisOutageTracker(target, log)));
  return tracker;
}

/** host:port/db of a Redis URL; never its user or password (they end up in logs). */
export function redisTarget(url: string): string {
  try {
    const u = new URL(url);
    const db = u.pathname.replace(/^\//, '') || '0';
    return `${u.hostname}:${u.port || '6379'}/${db}`;
  } catch {
    return 'redis';
  }
}

function describeTarget(client: Redis): string {
  const { host, port, db } = client.options;
  return `redis://${host ?? '127.0.0.1'}:${port ?? 6379}/${db ?? 0}`;
}

function instrument(client: Redis, tracker: RedisOutageTracker): void {
  trackerOfClient.set(client, tracker);
  client.on('error', (err: Error) => tracker.connectionError(err.message));
  client.on('reconnecting', () => tracker.reconnecting());
  client.on('ready', () => tracker.reachable());
  const watched = new WeakSet<Command>();
  const gaveUp = new WeakSet<Command>();
  const send = client.sendCommand.bind(client);
  const reachable = () => tracker.reachable();
  client.sendCommand = (command: Command, stream?: Parameters<Redis['sendCommand']>[1]) => {
    // A timed-out command replayed from the offline queue after a reconnect: its caller gave up.
    if (stream === undefined && gaveUp.has(command)) return command.promise;
    const result = send(command, stream);
    if (!watched.has(command)) {
      watched.add(command);
      command.promise.then(reachable, (err: unknown) => {
        if (err instanceof Error && err.name === 'ReplyError') return reachable();
        if (!isRedisUnreachableError(err)) return;
        gaveUp.add(command);
        if (client.status !== 'end') tracker.commandFailed((err as Error).message);
      });
    }
    return result;
  };
}
