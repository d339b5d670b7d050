/**
 * Client side of the reliable Redis RPC queue (see rpc-protocol.ts for the keys and the wire).
 *
 * `call` LPUSHes a request onto the queue and waits for its reply. Replies for every call of this
 * client arrive on one list, read by one blocking connection (BLPOP) and dispatched by request id.
 * A retry re-sends the same request id, so a server that already answered it replies from its
 * cache instead of running the handler twice. Replies that arrive after their call gave up are
 * dropped and counted.
 */
import type { Redis } from 'ioredis';
import { ArbeesError, errorMessage, RpcRemoteError, RpcTimeoutError } from '../core/errors.js';
import { sleep } from '../core/time.js';
import { duplicateRedisClient } from './redis-connection.js';
import {
  isValidRequestId,
  newRequestId,
  parseJsonSafe,
  resolveClientOptions,
  RPC_WIRE_VERSION,
  RpcKey,
  RpcReplySchema,
  type ResolvedRpcClientOptions,
  type RpcCallOptions,
  type RpcClientOptions,
  type RpcReply,
  type RpcRequest,
} from './rpc-protocol.js';

export type RpcClientMetrics = {
  calls: number;
  replies: number;
  timeouts: number;
  retries: number;
  remote_errors: number;
  late_replies: number;
  malformed_replies: number;
  redis_errors: number;
  pending: number;
};

interface Pending {
  settle(reply: RpcReply): void;
}

export class RpcClient<Req = unknown, Res = unknown> {
  readonly options: ResolvedRpcClientOptions;
  private readonly repliesKey: string;
  private readonly requestsKey: string;
  private readonly pending = new Map<string, Pending>();
  private readonly counters: Omit<RpcClientMetrics, 'pending'> = {
    calls: 0, replies: 0, timeouts: 0, retries: 0, remote_errors: 0, late_replies: 0, malformed_replies: 0, redis_errors: 0,
  };
  private readonly reader: Redis;
  private readonly readLoop: Promise<void>;
  private closed = false;

  /** `redis` stays the caller's; the client duplicates it for its blocking reply reader. */
  constructor(
    private readonly redis: Redis,
    options: RpcClientOptions,
  ) {
    this.options = resolveClientOptions(options);
    this.repliesKey = RpcKey.replies(this.options.queue, this.options.clientId);
    this.requestsKey = RpcKey.requests(this.options.queue);
    this.reader = duplicateRedisClient(redis, { blocking: true });
    this.readLoop = this.runReadLoop();
  }

  get clientId(): string {
    return this.options.clientId;
  }

  metrics(): RpcClientMetrics {
    return { ...this.counters, pending: this.pending.size };
  }

  /**
   * Sends `payload` and resolves with the server's result. Rejects with RpcTimeoutError when no
   * reply came within timeoutMs on every attempt, RpcRemoteError when the server answered with
   * an error (not retried: the server did answer).
   */
  async call(payload: Req, callOptions: RpcCallOptions = {}): Promise<Res> {
    if (this.closed) throw new ArbeesError('ARB_RPC_REMOTE', `rpc client of ${this.options.queue} is closed`);
    const timeoutMs = callOptions.timeoutMs ?? this.options.timeoutMs;
    const retries = callOptions.retries ?? this.options.retries;
    const id = callOptions.requestId ?? newRequestId();
    if (!isValidRequestId(id)) throw new ArbeesError('ARB_RPC_MALFORMED', `request id ${JSON.stringify(id)} must match [A-Za-z0-9_.:-]{1,128}`);
    if (this.pending.has(id)) throw new ArbeesError('ARB_RPC_MALFORMED', `request id ${id} is already in flight`);
    this.counters.calls += 1;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) this.counters.retries += 1;
      const reply = await this.attempt(id, payload, timeoutMs);
      if (reply === null) continue;
      if (reply.ok) return reply.result as Res;
      this.counters.remote_errors += 1;
      throw new RpcRemoteError(this.options.queue, id, reply.error.message, reply.error.code);
    }
    this.counters.timeouts += 1;
    throw new RpcTimeoutError(this.options.queue, id, timeoutMs * (retries + 1));
  }

  /** Stops the reply reader; calls still waiting reject with their timeout. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.reader.disconnect();
    await this.readLoop;
  }

  /** One send and wait; null on timeout. */
  private async attempt(id: string, payload: Req, timeoutMs: number): Promise<RpcReply | null> {
    const request: RpcRequest = {
      v: RPC_WIRE_VERSION,
      id,
      clientId: this.options.clientId,
      attempts: 0,
      deadline: Date.now() + timeoutMs,
      payload: payload ?? null,
    };
    let json: string;
    try {
      json = JSON.stringify(request);
    } catch (err) {
      throw new ArbeesError('ARB_RPC_MALFORMED', `payload is not JSON-able: ${errorMessage(err)}`);
    }
    let timer: NodeJS.Timeout | undefined;
    const replied = new Promise<RpcReply | null>((resolve) => {
      this.pending.set(id, { settle: resolve });
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    try {
      await this.redis.lpush(this.requestsKey, json);
      return await replied;
    } finally {
      clearTimeout(timer);
      this.pending.delete(id);
    }
  }

  private async runReadLoop(): Promise<void> {
    while (!this.closed) {
      let popped: [string, string] | null;
      try {
        popped = await this.reader.blpop(this.repliesKey, this.options.blockTimeoutS);
      } catch (err) {
        if (this.closed) break;
        this.counters.redis_errors += 1;
        // Counted here, logged once per outage by the connection's tracker.
        this.options.logger.debug({ err: errorMessage(err) }, 'ARB_REDIS_UNAVAILABLE: rpc reply read failed; retrying');
        await sleep(500);
        continue;
      }
      if (popped !== null) this.dispatch(popped[1]);
    }
  }

  private dispatch(raw: string): void {
    const parsed = RpcReplySchema.safeParse(parseJsonSafe(raw));
    if (!parsed.success) {
      this.counters.malformed_replies += 1;
      this.options.logger.warn({ queue: this.options.queue, raw: raw.slice(0, 200) }, 'ARB_RPC_MALFORMED: reply dropped');
      return;
    }
    const pending = this.pending.get(parsed.data.id);
    if (pending === undefined) {
      this.counters.late_replies += 1;
      return;
    }
    this.counters.replies += 1;
    this.pending.delete(parsed.data.id);
    pending.settle(parsed.data);
  }
}
