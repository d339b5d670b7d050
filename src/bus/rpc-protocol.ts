/**
 * The reliable request/reply queue on Redis (docs/architecture.md section 3): key names, wire shapes and
 * options shared by RpcServer and RpcClient.
 *
 *   rpc:<queue>:requests                  list; clients LPUSH, servers BLMOVE from the right
 *   rpc:<queue>:processing:<serverId>     list; what one server has taken and not yet answered
 *   rpc:<queue>:server:<serverId>         liveness key with a short TTL, refreshed on an interval
 *   rpc:<queue>:replies:<clientId>        list; one per client, EXPIREd so dead clients leave nothing
 *   rpc:<queue>:result:<requestId>        cached successful reply (idempotent redelivery)
 *   rpc:<queue>:dead                      capped list of malformed and poison requests
 *
 * A request is JSON (RPC is off the hot path; `redis-cli LRANGE` must be readable):
 *   { v: 1, id, clientId, attempts, deadline, payload }
 * `attempts` counts earlier deliveries (the reaper bumps it when it takes a request back from a
 * dead server); `deadline` is epoch milliseconds, after which the client has given up.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ConfigError, type ErrorCode } from '../core/errors.js';
import { silentLogger, type BusLogger } from './bus-options.js';

export const RPC_WIRE_VERSION = 1;

const QUEUE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Server and client ids end a key that the reaper parses, so no ':' and no glob characters. */
const NODE_ID_PATTERN = /^[A-Za-z0-9_.-]{1,100}$/;
const REQUEST_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

export const RpcKey = {
  requests: (queue: string) => `rpc:${queue}:requests`,
  processing: (queue: string, serverId: string) => `rpc:${queue}:processing:${serverId}`,
  processingPattern: (queue: string) => `rpc:${queue}:processing:*`,
  server: (queue: string, serverId: string) => `rpc:${queue}:server:${serverId}`,
  replies: (queue: string, clientId: string) => `rpc:${queue}:replies:${clientId}`,
  result: (queue: string, requestId: string) => `rpc:${queue}:result:${requestId}`,
  dead: (queue: string) => `rpc:${queue}:dead`,
} as const;

/** The server id at the end of a processing key, or null when the key is not one of `queue`. */
export function serverIdOfProcessingKey(queue: string, key: string): string | null {
  const prefix = RpcKey.processing(queue, '');
  if (!key.startsWith(prefix)) return null;
  const id = key.slice(prefix.length);
  return NODE_ID_PATTERN.test(id) ? id : null;
}

// ---------------------------------------------------------------------------------------------
// Wire shapes.

export const RpcRequestSchema = z.object({
  v: z.literal(RPC_WIRE_VERSION),
  id: z.string().regex(REQUEST_ID_PATTERN),
  clientId: z.string().regex(NODE_ID_PATTERN),
  attempts: z.number().int().nonnegative(),
  deadline: z.number().int().positive(),
  payload: z.unknown(),
});
export type RpcRequest = z.infer<typeof RpcRequestSchema>;

export const RpcErrorBodySchema = z.object({ code: z.string(), message: z.string() });

export const RpcReplySchema = z.discriminatedUnion('ok', [
  z.object({ v: z.literal(RPC_WIRE_VERSION), id: z.string(), ok: z.literal(true), server: z.string(), result: z.unknown() }),
  z.object({ v: z.literal(RPC_WIRE_VERSION), id: z.string(), ok: z.literal(false), server: z.string(), error: RpcErrorBodySchema }),
]);
export type RpcReply = z.infer<typeof RpcReplySchema>;

/** What lands on the dead list: the raw entry as it was, and why. */
export interface RpcDeadEntry {
  reason: 'malformed' | 'max_attempts';
  at: number;
  server: string;
  raw: string;
}

export function parseJsonSafe(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The request in `raw`, or the id and client it names (to send an error back) when it is invalid. */
export function parseRequest(raw: string): { ok: true; request: RpcRequest } | { ok: false; id?: string; clientId?: string } {
  const value = parseJsonSafe(raw);
  const parsed = RpcRequestSchema.safeParse(value);
  if (parsed.success) return { ok: true, request: parsed.data };
  const o = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const id = typeof o.id === 'string' && REQUEST_ID_PATTERN.test(o.id) ? o.id : undefined;
  const clientId = typeof o.clientId === 'string' && NODE_ID_PATTERN.test(o.clientId) ? o.clientId : undefined;
  return { ok: false, ...(id !== undefined && { id }), ...(clientId !== undefined && { clientId }) };
}

export function errorReply(id: string, server: string, code: ErrorCode | string, message: string): RpcReply {
  return { v: RPC_WIRE_VERSION, id, ok: false, server, error: { code, message } };
}

// ---------------------------------------------------------------------------------------------
// Lua: move one entry from a list to another only if it is still there (and, unless forced, only
// if its server is dead). Two reapers racing over the same processing list therefore never
// redeliver an entry twice, and a server that comes back to life keeps what it still holds.
//   KEYS: source, destination, liveness key    ARGV: old value, new value, force ('1'), side ('R'|'L')

export const MOVE_IF_PRESENT_LUA = `
if ARGV[3] ~= '1' and redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then return 0 end
if ARGV[4] == 'R' then redis.call('RPUSH', KEYS[2], ARGV[2]) else redis.call('LPUSH', KEYS[2], ARGV[2]) end
return 1
`;

// ---------------------------------------------------------------------------------------------
// Options, with their defaults in one place.

export interface RpcServerOptions {
  queue: string;
  /** Unique per running server; defaults to `<host>-<pid>-<random>`. A stable id lets a restarted
   *  server take its own unfinished requests back at once instead of after the liveness TTL. */
  serverId?: string;
  /** Requests handled at the same time. */
  concurrency?: number;
  /** TTL of the liveness key; a crashed server's requests are redelivered after about this long. */
  livenessTtlMs?: number;
  /** How often the liveness key is refreshed (default: a third of its TTL). */
  livenessRefreshMs?: number;
  /** How often this server looks for dead servers' processing lists (also once at start). */
  reaperIntervalMs?: number;
  /** Deliveries after which a request goes to the dead list instead of the handler. */
  maxAttempts?: number;
  /** How long a successful reply is kept to answer a redelivered request without re-running it. */
  resultTtlMs?: number;
  /** TTL of a client's reply list, refreshed by every reply. */
  replyTtlMs?: number;
  /** A handler still running after this long gets an error reply and frees its slot. */
  handlerTimeoutMs?: number;
  /** BLMOVE timeout: how often the take loop wakes up with nothing to do. */
  blockTimeoutS?: number;
  /** Entries kept on the dead list (LTRIM). */
  deadMaxLen?: number;
  /** On stop, how long in-flight handlers may finish before their requests are handed back. */
  drainTimeoutMs?: number;
  logger?: BusLogger;
}

export interface RpcClientOptions {
  queue: string;
  /** Unique per running client; defaults to `<host>-<pid>-<random>`. */
  clientId?: string;
  /** Default time each attempt waits for its reply. */
  timeoutMs?: number;
  /** Default number of re-sends (same request id) after a timeout. */
  retries?: number;
  /** BLPOP timeout of the reply reader. */
  blockTimeoutS?: number;
  logger?: BusLogger;
}

export interface RpcCallOptions {
  timeoutMs?: number;
  retries?: number;
  /** Idempotency key; the same id is answered from the server's cache within its result TTL. */
  requestId?: string;
}

export const RPC_SERVER_DEFAULTS = {
  concurrency: 4,
  livenessTtlMs: 5_000,
  reaperIntervalMs: 2_000,
  maxAttempts: 3,
  resultTtlMs: 10 * 60_000,
  replyTtlMs: 60_000,
  handlerTimeoutMs: 30_000,
  blockTimeoutS: 1,
  deadMaxLen: 10_000,
  drainTimeoutMs: 5_000,
} as const;

export const RPC_CLIENT_DEFAULTS = {
  timeoutMs: 5_000,
  retries: 0,
  blockTimeoutS: 1,
} as const;

export type ResolvedRpcServerOptions = Readonly<
  Required<Omit<RpcServerOptions, 'logger'>> & { logger: BusLogger }
>;
export type ResolvedRpcClientOptions = Readonly<Required<Omit<RpcClientOptions, 'logger'>> & { logger: BusLogger }>;

export function defaultNodeId(): string {
  const host = hostname().replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 60) || 'host';
  return `${host}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export function newRequestId(): string {
  return `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
}

export function isValidRequestId(id: string): boolean {
  return REQUEST_ID_PATTERN.test(id);
}

function check(ok: boolean, variable: string, problem: string): void {
  if (!ok) throw new ConfigError(variable, problem);
}

const positiveInt = (v: number) => Number.isSafeInteger(v) && v > 0;
const nonNegativeInt = (v: number) => Number.isSafeInteger(v) && v >= 0;

export function resolveServerOptions(options: RpcServerOptions): ResolvedRpcServerOptions {
  const o = { ...RPC_SERVER_DEFAULTS, serverId: defaultNodeId(), logger: silentLogger, ...stripUndefined(options) };
  const livenessRefreshMs = options.livenessRefreshMs ?? Math.max(1, Math.floor(o.livenessTtlMs / 3));
  check(QUEUE_PATTERN.test(o.queue), 'RpcServerOptions.queue', 'must match [A-Za-z0-9_-]{1,64}');
  check(NODE_ID_PATTERN.test(o.serverId), 'RpcServerOptions.serverId', 'must match [A-Za-z0-9_.-]{1,100}');
  for (const name of ['concurrency', 'livenessTtlMs', 'reaperIntervalMs', 'maxAttempts', 'resultTtlMs', 'replyTtlMs', 'handlerTimeoutMs', 'blockTimeoutS', 'deadMaxLen'] as const) {
    check(positiveInt(o[name]), `RpcServerOptions.${name}`, 'must be a positive integer');
  }
  check(nonNegativeInt(o.drainTimeoutMs), 'RpcServerOptions.drainTimeoutMs', 'must be a non-negative integer');
  check(positiveInt(livenessRefreshMs) && livenessRefreshMs < o.livenessTtlMs, 'RpcServerOptions.livenessRefreshMs', 'must be a positive integer below livenessTtlMs');
  return Object.freeze({ ...o, livenessRefreshMs });
}

export function resolveClientOptions(options: RpcClientOptions): ResolvedRpcClientOptions {
  const o = { ...RPC_CLIENT_DEFAULTS, clientId: defaultNodeId(), logger: silentLogger, ...stripUndefined(options) };
  check(QUEUE_PATTERN.test(o.queue), 'RpcClientOptions.queue', 'must match [A-Za-z0-9_-]{1,64}');
  check(NODE_ID_PATTERN.test(o.clientId), 'RpcClientOptions.clientId', 'must match [A-Za-z0-9_.-]{1,100}');
  check(positiveInt(o.timeoutMs), 'RpcClientOptions.timeoutMs', 'must be a positive integer');
  check(nonNegativeInt(o.retries), 'RpcClientOptions.retries', 'must be a non-negative integer');
  check(positiveInt(o.blockTimeoutS), 'RpcClientOptions.blockTimeoutS', 'must be a positive integer');
  return Object.freeze(o);
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
