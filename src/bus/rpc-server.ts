/**
 * Server side of the reliable Redis RPC queue (see rpc-protocol.ts for the keys and the wire).
 *
 * Each request is moved atomically (BLMOVE) from the shared requests list into this server's own
 * processing list, so it is never only in this process's memory. The reply, the idempotency cache
 * entry and the removal from the processing list are written in one MULTI: a crash before it
 * leaves the request in the processing list, where the reaper of any server finds it once this
 * server's liveness key has expired and puts it back on the queue. Delivery is at least once;
 * the reply cache makes a redelivered request that was already answered cheap and side-effect
 * free.
 */
import type { Redis } from 'ioredis';
import { ArbeesError, errorMessage } from '../core/errors.js';
import { sleep } from '../core/time.js';
import { duplicateRedisClient, isRedisUnreachableError } from './redis-connection.js';

/** Periodic steps failing because Redis is away: counted; the outage is one line from its tracker. */
const quietIfAway = (err: unknown): 'debug' | 'warn' => (isRedisUnreachableError(err) ? 'debug' : 'warn');
import {
  errorReply,
  MOVE_IF_PRESENT_LUA,
  parseRequest,
  resolveServerOptions,
  RPC_WIRE_VERSION,
  RpcKey,
  serverIdOfProcessingKey,
  type ResolvedRpcServerOptions,
  type RpcDeadEntry,
  type RpcReply,
  type RpcRequest,
  type RpcServerOptions,
} from './rpc-protocol.js';

export interface RpcRequestContext {
  id: string;
  clientId: string;
  /** Earlier deliveries of this request (0 on the first). */
  attempts: number;
  /** Epoch ms after which the client no longer waits. */
  deadline: number;
}

export type RpcHandler<Req = unknown, Res = unknown> = (payload: Req, ctx: RpcRequestContext) => Promise<Res> | Res;

export type RpcServerMetrics = {
  taken: number;
  served: number;
  handler_errors: number;
  handler_timeouts: number;
  from_cache: number;
  expired_dropped: number;
  dead_lettered: number;
  malformed: number;
  reaped: number;
  redis_errors: number;
  in_flight: number;
};

/** What the handler race resolves with when the handler outlives handlerTimeoutMs. */
const HANDLER_TIMEOUT = Symbol('handler timeout');

export class RpcServer<Req = unknown, Res = unknown> {
  readonly options: ResolvedRpcServerOptions;
  private readonly keys: { requests: string; processing: string; liveness: string; dead: string };
  private readonly counters: Omit<RpcServerMetrics, 'in_flight'> = {
    taken: 0, served: 0, handler_errors: 0, handler_timeouts: 0, from_cache: 0, expired_dropped: 0,
    dead_lettered: 0, malformed: 0, reaped: 0, redis_errors: 0,
  };
  private readonly inFlight = new Set<Promise<void>>();
  private slotFreed: (() => void) | null = null;
  private blocking: Redis | null = null;
  private livenessTimer: NodeJS.Timeout | null = null;
  private reaperTimer: NodeJS.Timeout | null = null;
  private reaping: Promise<number> | null = null;
  private takeLoop: Promise<void> | null = null;
  private running = false;

  /** `redis` stays the caller's; the server duplicates it for its blocking BLMOVE. */
  constructor(
    private readonly redis: Redis,
    options: RpcServerOptions,
    private readonly handler: RpcHandler<Req, Res>,
  ) {
    this.options = resolveServerOptions(options);
    const { queue, serverId } = this.options;
    this.keys = {
      requests: RpcKey.requests(queue),
      processing: RpcKey.processing(queue, serverId),
      liveness: RpcKey.server(queue, serverId),
      dead: RpcKey.dead(queue),
    };
  }

  get serverId(): string {
    return this.options.serverId;
  }

  metrics(): RpcServerMetrics {
    return { ...this.counters, in_flight: this.inFlight.size };
  }

  async start(): Promise<void> {
    if (this.running) return;
    // Anything in our own processing list belongs to an earlier run with the same id: hand it back.
    await this.requeueList(this.keys.processing, this.options.serverId, true);
    await this.refreshLiveness();
    this.running = true;
    this.livenessTimer = setInterval(() => void this.refreshLiveness(), this.options.livenessRefreshMs);
    this.reaperTimer = setInterval(() => void this.reap(), this.options.reaperIntervalMs);
    this.livenessTimer.unref();
    this.reaperTimer.unref();
    await this.reap();
    this.blocking = duplicateRedisClient(this.redis, { blocking: true });
    this.takeLoop = this.runTakeLoop(this.blocking);
  }

  /**
   * Stops taking requests, lets in-flight handlers finish (up to drainTimeoutMs), then withdraws
   * the liveness key and hands back whatever is still in the processing list.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.livenessTimer !== null) clearInterval(this.livenessTimer);
    if (this.reaperTimer !== null) clearInterval(this.reaperTimer);
    this.slotFreed?.();
    // Disconnecting aborts a pending BLMOVE. If Redis had already moved an entry for it, the entry
    // waits in our processing list and is handed back below.
    this.blocking?.disconnect();
    await this.takeLoop;
    await Promise.race([Promise.allSettled([...this.inFlight]), sleep(this.options.drainTimeoutMs)]);
    await this.reaping;
    try {
      await this.redis.del(this.keys.liveness);
      await this.requeueList(this.keys.processing, this.options.serverId, true);
    } catch (err) {
      this.counters.redis_errors += 1;
      this.options.logger.warn({ err: errorMessage(err) }, 'ARB_REDIS_UNAVAILABLE: rpc server could not hand back its requests; the reaper will');
    }
  }

  /**
   * One reaper pass: every processing list of this queue whose server's liveness key is gone is
   * emptied back onto the requests list (attempts + 1). Returns the number of requests moved.
   */
  reap(): Promise<number> {
    this.reaping ??= this.reapOnce().finally(() => {
      this.reaping = null;
    });
    return this.reaping;
  }

  private async reapOnce(): Promise<number> {
    let moved = 0;
    try {
      let cursor = '0';
      do {
        const [next, keys] = await this.redis.scan(cursor, 'MATCH', RpcKey.processingPattern(this.options.queue), 'COUNT', 200);
        cursor = next;
        for (const key of keys) {
          const serverId = serverIdOfProcessingKey(this.options.queue, key);
          if (serverId === null || serverId === this.options.serverId) continue;
          if ((await this.redis.exists(RpcKey.server(this.options.queue, serverId))) === 1) continue;
          moved += await this.requeueList(key, serverId, false);
        }
      } while (cursor !== '0');
    } catch (err) {
      this.counters.redis_errors += 1;
      this.options.logger[quietIfAway(err)]({ err: errorMessage(err) }, 'ARB_REDIS_UNAVAILABLE: rpc reaper pass failed');
    }
    if (moved > 0) this.options.logger.info({ queue: this.options.queue, moved }, 'rpc reaper redelivered requests of a dead server');
    return moved;
  }

  /** Moves every entry of a processing list back to the queue (malformed ones to the dead list). */
  private async requeueList(key: string, ownerId: string, force: boolean): Promise<number> {
    const liveness = RpcKey.server(this.options.queue, ownerId);
    let moved = 0;
    for (const raw of await this.redis.lrange(key, 0, -1)) {
      const parsed = parseRequest(raw);
      const [dest, value, side] = parsed.ok
        ? [this.keys.requests, JSON.stringify({ ...parsed.request, attempts: parsed.request.attempts + 1 }), 'R']
        : [this.keys.dead, this.deadEntry('malformed', raw), 'L'];
      const result = await this.redis.eval(MOVE_IF_PRESENT_LUA, 3, key, dest, liveness, raw, value, force ? '1' : '0', side);
      if (result === -1) break; // the server came back to life: it keeps the rest
      if (result === 1 && parsed.ok) moved += 1;
      if (result === 1 && !parsed.ok) {
        this.counters.malformed += 1;
        await this.redis.ltrim(this.keys.dead, 0, this.options.deadMaxLen - 1);
      }
    }
    this.counters.reaped += moved;
    return moved;
  }

  private async refreshLiveness(): Promise<void> {
    try {
      const value = JSON.stringify({ serverId: this.options.serverId, pid: process.pid, at: Date.now() });
      await this.redis.set(this.keys.liveness, value, 'PX', this.options.livenessTtlMs);
    } catch (err) {
      this.counters.redis_errors += 1;
      this.options.logger[quietIfAway(err)]({ err: errorMessage(err) }, 'ARB_REDIS_UNAVAILABLE: rpc server liveness refresh failed');
    }
  }

  private async runTakeLoop(blocking: Redis): Promise<void> {
    while (this.running) {
      if (this.inFlight.size >= this.options.concurrency) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        this.slotFreed = null;
        continue;
      }
      let raw: string | null;
      try {
        raw = await blocking.blmove(this.keys.requests, this.keys.processing, 'RIGHT', 'LEFT', this.options.blockTimeoutS);
      } catch (err) {
        if (!this.running) break;
        this.counters.redis_errors += 1;
        // Counted here, logged once per outage by the connection's tracker.
        this.options.logger.debug({ err: errorMessage(err) }, 'ARB_REDIS_UNAVAILABLE: rpc take failed; retrying');
        await sleep(500);
        continue;
      }
      if (raw === null) continue;
      this.counters.taken += 1;
      const job: Promise<void> = this.process(raw)
        .catch((err: unknown) => {
          // Only Redis failures get here; the entry stays in processing and is handed back later.
          this.counters.redis_errors += 1;
          this.options.logger.warn({ err: errorMessage(err) }, 'ARB_REDIS_UNAVAILABLE: rpc reply could not be written');
        })
        .finally(() => {
          this.inFlight.delete(job);
          this.slotFreed?.();
        });
      this.inFlight.add(job);
    }
  }

  private async process(raw: string): Promise<void> {
    const parsed = parseRequest(raw);
    if (!parsed.ok) {
      this.counters.malformed += 1;
      this.options.logger.warn({ queue: this.options.queue, raw: raw.slice(0, 200) }, 'ARB_RPC_MALFORMED: request moved to the dead list');
      const reply = parsed.id !== undefined && parsed.clientId !== undefined
        ? { clientId: parsed.clientId, reply: errorReply(parsed.id, this.serverId, 'ARB_RPC_MALFORMED', 'request does not match the RPC request shape') }
        : null;
      return this.deadLetter(raw, 'malformed', reply);
    }
    const request = parsed.request;
    if (request.attempts >= this.options.maxAttempts) {
      this.counters.dead_lettered += 1;
      this.options.logger.warn({ queue: this.options.queue, id: request.id, attempts: request.attempts }, 'ARB_RPC_DEAD_LETTER: request moved to the dead list');
      const message = `request was delivered ${request.attempts} times without an answer (a server died on it each time)`;
      return this.deadLetter(raw, 'max_attempts', { clientId: request.clientId, reply: errorReply(request.id, this.serverId, 'ARB_RPC_DEAD_LETTER', message) });
    }
    if (Date.now() > request.deadline) {
      // The client stopped waiting: running the handler now would only spend a slot.
      this.counters.expired_dropped += 1;
      await this.redis.lrem(this.keys.processing, 1, raw);
      return;
    }
    const cached = await this.redis.get(RpcKey.result(this.options.queue, request.id));
    if (cached !== null) {
      this.counters.from_cache += 1;
      return this.finish(raw, request, cached, false);
    }
    const reply = await this.runHandler(request);
    await this.finish(raw, request, JSON.stringify(reply), reply.ok);
  }

  private async runHandler(request: RpcRequest): Promise<RpcReply> {
    const ctx: RpcRequestContext = { id: request.id, clientId: request.clientId, attempts: request.attempts, deadline: request.deadline };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof HANDLER_TIMEOUT>((resolve) => {
      timer = setTimeout(() => resolve(HANDLER_TIMEOUT), this.options.handlerTimeoutMs);
    });
    try {
      const result = await Promise.race([Promise.resolve().then(() => this.handler(request.payload as Req, ctx)), timeout]);
      if (result === HANDLER_TIMEOUT) {
        this.counters.handler_timeouts += 1;
        return errorReply(request.id, this.serverId, 'ARB_HANDLER_FAILED', `handler did not finish within ${this.options.handlerTimeoutMs} ms`);
      }
      JSON.stringify(result ?? null); // throws here (an error reply) when the result is not JSON-able
      this.counters.served += 1;
      return { v: RPC_WIRE_VERSION, id: request.id, ok: true, server: this.serverId, result: result ?? null };
    } catch (err) {
      this.counters.handler_errors += 1;
      const code = err instanceof ArbeesError ? err.code : 'ARB_HANDLER_FAILED';
      return errorReply(request.id, this.serverId, code, errorMessage(err));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Reply, cache (successes only) and removal from processing, in one transaction. */
  private async finish(raw: string, request: RpcRequest, replyJson: string, cache: boolean): Promise<void> {
    const repliesKey = RpcKey.replies(this.options.queue, request.clientId);
    const tx = this.redis.multi().lpush(repliesKey, replyJson).pexpire(repliesKey, this.options.replyTtlMs);
    // Errors are not cached: a retry of a failed call (venue down) should run the handler again.
    if (cache) tx.set(RpcKey.result(this.options.queue, request.id), replyJson, 'PX', this.options.resultTtlMs);
    tx.lrem(this.keys.processing, 1, raw);
    await execOrThrow(tx);
  }

  private async deadLetter(raw: string, reason: RpcDeadEntry['reason'], notify: { clientId: string; reply: RpcReply } | null): Promise<void> {
    const tx = this.redis.multi().lpush(this.keys.dead, this.deadEntry(reason, raw)).ltrim(this.keys.dead, 0, this.options.deadMaxLen - 1);
    if (notify !== null) {
      const repliesKey = RpcKey.replies(this.options.queue, notify.clientId);
      tx.lpush(repliesKey, JSON.stringify(notify.reply)).pexpire(repliesKey, this.options.replyTtlMs);
    }
    tx.lrem(this.keys.processing, 1, raw);
    await execOrThrow(tx);
  }

  private deadEntry(reason: RpcDeadEntry['reason'], raw: string): string {
    const entry: RpcDeadEntry = { reason, at: Date.now(), server: this.serverId, raw };
    return JSON.stringify(entry);
  }
}

async function execOrThrow(tx: ReturnType<Redis['multi']>): Promise<void> {
  const results = await tx.exec();
  const failed = results?.find(([err]) => err !== null);
  if (results === null || failed !== undefined) throw failed?.[0] ?? new Error('transaction aborted');
}
