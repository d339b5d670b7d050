/**
 * One registry of errors with stable codes (Fastify style). Every error a service reports to a
 * log, a counter or an API carries one of these codes, so operators can grep and alert on them.
 */
export const ErrorCodes = {
  ARB_CONFIG_INVALID: 'a configuration value is missing or malformed',
  ARB_FRAME_DECODE: 'a hot-path frame could not be decoded',
  ARB_FRAME_SCHEMA: 'a hot-path message does not match its schema',
  ARB_TOPIC_INVALID: 'a topic or topic id is malformed',
  ARB_HANDLER_FAILED: 'a message handler threw',
  ARB_PUBLISH_DROPPED: 'a message was dropped at the publisher high-water mark',
  ARB_BUS_LINK_DROPPED: 'libzmq dropped a publisher link for a protocol error (most often a frame over the 16 MiB limit); it was re-dialed at once and the frames in flight were lost',
  ARB_REDIS_UNAVAILABLE: 'Redis is not reachable',
  ARB_REDIS_NOT_INSTALLED: 'redis-server is not installed',
  ARB_RPC_TIMEOUT: 'an RPC reply did not arrive in time',
  ARB_RPC_REMOTE: 'an RPC server reported an error',
  ARB_RPC_EXPIRED: 'an RPC request expired before it was served',
  ARB_RPC_DEAD_LETTER: 'an RPC request was delivered too many times and moved to the dead list',
  ARB_RPC_MALFORMED: 'an RPC request or reply on a Redis queue is malformed',
  ARB_SERVICE_UNKNOWN: 'no service by that name',
  ARB_SUPERVISOR: 'the supervisor could not start or stop a child',
  ARB_BRIDGE_BUFFER_FULL: 'the slow-track bridge buffer is full; the oldest mirrored entries were dropped',
  ARB_BRIDGE_WRITE_FAILED: 'Redis rejected a mirrored write for good (not retried)',
  ARB_POLY_PAYLOAD: 'a Polymarket payload (REST, Gamma or WebSocket) is malformed',
  ARB_POLY_HTTP: 'a Polymarket HTTP request failed',
  ARB_POLY_TIMEOUT: 'a Polymarket request timed out',
  ARB_POLY_REJECTED: 'Polymarket rejected an order or a cancel',
  ARB_POLY_WS: 'the Polymarket market WebSocket dropped or went silent',
  ARB_POLY_AUTH: 'Polymarket credentials are missing or invalid',
  ARB_POLY_ORDER_INVALID: 'a Polymarket order cannot be built (price, size or tick size out of range)',
  ARB_KALSHI_PAYLOAD: 'a Kalshi payload (REST or WebSocket) is malformed or in a legacy format',
  ARB_KALSHI_HTTP: 'a Kalshi HTTP request failed',
  ARB_KALSHI_TIMEOUT: 'a Kalshi request timed out',
  ARB_KALSHI_AUTH: 'Kalshi credentials are missing or were rejected',
  ARB_KALSHI_RATE_LIMITED: 'Kalshi answered 429 too many requests',
  ARB_KALSHI_NOT_FOUND: 'a Kalshi market, event or order does not exist',
  ARB_KALSHI_REJECTED: 'Kalshi rejected an order or a cancel',
  ARB_KALSHI_WS: 'the Kalshi WebSocket reported an error or dropped',
  ARB_KALSHI_BOOK_GAP: 'a Kalshi order book sequence gap; the book was invalidated and resynced',
  ARB_ESPN_PAYLOAD: 'an ESPN scoreboard or summary is not JSON or not the observed shape',
  ARB_ESPN_HTTP: 'an ESPN HTTP request failed',
  ARB_ESPN_THROTTLED: 'ESPN (Akamai) answered 403: throttled, backing off',
  ARB_ESPN_TIMEOUT: 'an ESPN request timed out',
  ARB_ORCH_FEED_DOWN: 'the ESPN feed failed repeatedly; the circuit breaker is open and the last good state is kept',
  ARB_ORCH_DISCOVERY: 'a market_discovery request for a game failed or timed out; it is retried with backoff',
  ARB_ORCH_ASSIGN_CONFLICT: 'a shard assignment changed under the orchestrator (compare-and-set failed); re-read next tick',
  ARB_ORCH_NO_SHARD: 'no healthy game_shard can take a live or imminent game',
  ARB_ORCH_STATE: 'a stored orchestrator record in Redis is unreadable and was skipped',
  ARB_SIM_INVALID: 'a simulator was given an invalid option or request',
  ARB_EVAL_DATA: 'an evaluation data file (CSV, gzip) is missing or malformed',
  ARB_DISCOVERY_INVALID_REQUEST: 'a market_discovery request is malformed (game id, sport, teams or start time)',
  ARB_DISCOVERY_VENUE_FAILED: 'a market_discovery venue search failed (venue unreachable or answered badly); nothing was cached',
  ARB_MONITOR_ASSIGNMENT: 'a game in games:active or on games.* has an unusable market assignment; it was skipped',
  ARB_MONITOR_BOOK_INCONSISTENT: 'a venue book disagreed with the venue (crossed, or its stated best price differs); halted and resynced',
  ARB_SIGNAL_INPUT: 'a signal detector input (book level, probability, time or id) is malformed; that input was skipped',
  ARB_POSITION_INVALID: 'a fill or settlement cannot apply to the position book (e.g. selling more than is held); it was refused',
  ARB_BANKROLL_INVALID: 'a bankroll movement was refused (insufficient available cash, unknown or duplicate reservation)',
  ARB_TRADE_MALFORMED: 'a trades:completed entry or trades.completed message is malformed; it was counted and skipped',
  ARB_TRADE_NOT_DURABLE: 'a trade heard on the hot path never reached the durable trades:completed stream',
  ARB_SETTLEMENT_UNRESOLVED: 'a final game could not be settled (tie in a sport without draws, or a market with no known outcome); positions left open',
  ARB_LEDGER_LOST: 'Redis lost part of the durable ledger (empty restart, FLUSHALL, stale replica): trading halted, nothing rebuilt until `arbees ledger confirm`',
  ARB_LEDGER_FENCED: 'a durable write or a claim found no ledger epoch in Redis (it came back empty): nothing was written; the write waits for the ledger to be restored or confirmed',
  ARB_POSITION_SNAPSHOT_MISMATCH: 'the positions:open snapshot disagreed with the positions rebuilt from the durable streams; the streams win',
  ARB_EXEC_SIGNAL_INVALID: 'a trade or exit signal is malformed; it was rejected and recorded',
  ARB_EXEC_SIGNAL_UNTRUSTED: 'a trade or exit signal came from a publisher not allowed to send it, or failed authentication; it was rejected, counted and audited',
  ARB_EXEC_ORDER_UNKNOWN: 'a venue order has an unknown outcome (timeout, lost reply); its market is blocked until reconciled',
  ARB_EXEC_VENUE_REJECTED: 'a venue refused an execution order',
  ARB_EXEC_RECORD_FAILED: 'an execution record (decision, trades:completed, audit) could not be written; it is retried',
  ARB_EXEC_STATE: 'execution state is inconsistent (a fill or cash movement could not be applied); audited',
  ARB_API_BAD_REQUEST: 'an api request has a malformed path, query or body',
  ARB_API_NOT_FOUND: 'no api route or no such resource',
  ARB_API_UNAUTHORIZED: 'an api control request has no or a wrong bearer token',
  ARB_API_RATE_LIMITED: 'too many api control requests; retry later',
  ARB_API_BODY_TOO_LARGE: 'an api request body is larger than allowed',
  ARB_API_UNAVAILABLE: 'the api cannot reach Redis or the hot path right now',
  ARB_API_NO_HISTORY: 'stored reports need the history database (DATABASE_URL), which is not configured or not reachable',
  ARB_API_WS_PROTOCOL: 'a WebSocket client sent a malformed message or an unknown topic prefix',
  ARB_API_WS_SLOW_CLIENT: 'a WebSocket client read too slowly; its queue overflowed and it was disconnected',
  ARB_RECORDER_DEAD_LETTER: 'a stream entry the recorder cannot read was parked in the dead_letters table and acknowledged',
  ARB_RECORDER_GAP: 'a stream was trimmed past what the recorder had read; the gap is recorded as an incident',
  ARB_STORE_UNAVAILABLE: 'PostgreSQL is not reachable; the writer waits and retries, nothing is acknowledged meanwhile',
  ARB_REPORT_INPUT: 'a report was asked for with an invalid period, format or output file',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class ArbeesError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(`${code}: ${message}`);
    this.name = 'ArbeesError';
    this.code = code;
    this.details = details;
  }
}

export class ConfigError extends ArbeesError {
  readonly variable: string;
  constructor(variable: string, problem: string) {
    super('ARB_CONFIG_INVALID', `${variable} ${problem}`, { variable });
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

export class DecodeError extends ArbeesError {
  constructor(code: 'ARB_FRAME_DECODE' | 'ARB_FRAME_SCHEMA' | 'ARB_TOPIC_INVALID', message: string) {
    super(code, message);
    this.name = 'DecodeError';
  }
}

export class RpcTimeoutError extends ArbeesError {
  constructor(queue: string, requestId: string, timeoutMs: number) {
    super('ARB_RPC_TIMEOUT', `no reply on ${queue} for ${requestId} within ${timeoutMs} ms`, {
      queue,
      requestId,
    });
    this.name = 'RpcTimeoutError';
  }
}

export class RpcRemoteError extends ArbeesError {
  /** The code the server reported (e.g. ARB_RPC_DEAD_LETTER), when it sent one. */
  readonly remoteCode: string | undefined;
  constructor(queue: string, requestId: string, remoteMessage: string, remoteCode?: string) {
    super('ARB_RPC_REMOTE', `${queue} ${requestId}: ${remoteMessage}`, { queue, requestId, remoteCode });
    this.name = 'RpcRemoteError';
    this.remoteCode = remoteCode;
  }
}

/**
 * A write or claim refused because Redis holds no ledger epoch: it restarted empty or was flushed
 * under a running service, and the ledger guard (runtime/ledger-guard.ts) has not halted it yet.
 */
export class LedgerFencedError extends ArbeesError {
  constructor(what: string, epochKey: string) {
    super('ARB_LEDGER_FENCED', `${what} not written: ${epochKey} is gone`, { epochKey });
    this.name = 'LedgerFencedError';
  }
}

/** Best-effort message of anything thrown, for log lines. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : JSON.stringify(err);
}
