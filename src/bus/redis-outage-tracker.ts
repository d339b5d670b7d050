/**
 * One process's view of whether Redis is reachable, fed by every client made in
 * redis-connection.ts: connection errors, reconnects and commands that failed for want of a
 * server (timeouts, closed connections) mark an outage; the next command Redis answers ends it.
 * An outage is two log lines, one when it starts and one when it ends (with how long it lasted
 * and what failed meanwhile), instead of a line or a stack trace per failure.
 *
 * Readers that judge liveness from Redis (the registry watcher, the orchestrator) ask it whether
 * their view can be trusted: entries may be missing for a while after an outage only because
 * their writers could not reach Redis either.
 */
import { EventEmitter } from 'node:events';
import { silentLogger, type BusLogger } from './bus-options.js';

export interface RedisOutageCounts {
  /** Commands that failed because Redis could not be reached (timed out, connection closed). */
  failed_commands: number;
  /** Connection-level errors the clients reported (refused, reset, connect timeout). */
  connection_errors: number;
  /** Reconnect attempts the clients made. */
  reconnects: number;
}

export interface RedisOutage extends RedisOutageCounts {
  startedMs: number;
  endedMs: number;
  firstError: string;
}

const zeroCounts = (): RedisOutageCounts => ({ failed_commands: 0, connection_errors: 0, reconnects: 0 });

export class RedisOutageTracker extends EventEmitter<{ down: [string]; up: [RedisOutage] }> {
  private downSince: number | null = null;
  private lastEndMs: number | null = null;
  private firstError = '';
  private counts = zeroCounts();
  /** Outages seen since start. */
  outages = 0;

  constructor(
    /** Where Redis is, without credentials (host:port/db), for the log lines. */
    readonly target: string,
    private readonly log: BusLogger = silentLogger,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  get down(): boolean {
    return this.downSince !== null;
  }

  /**
   * When Redis was last unreachable: now while it is down, the end of the last outage after it,
   * null if it never was. A view read from Redis is complete only some time after this.
   */
  lastTroubleMs(): number | null {
    return this.downSince !== null ? this.now() : this.lastEndMs;
  }

  commandFailed(err: string): void {
    this.startIfUp(err);
    this.counts.failed_commands++;
  }

  connectionError(err: string): void {
    this.startIfUp(err);
    this.counts.connection_errors++;
  }

  reconnecting(): void {
    this.startIfUp('connection lost; reconnecting');
    this.counts.reconnects++;
  }

  /** Redis answered something: the outage, if any, is over. */
  reachable(): void {
    if (this.downSince === null) return;
    const outage: RedisOutage = { startedMs: this.downSince, endedMs: this.now(), firstError: this.firstError, ...this.counts };
    this.downSince = null;
    this.lastEndMs = outage.endedMs;
    this.counts = zeroCounts();
    this.log.warn(
      {
        code: 'ARB_REDIS_UNAVAILABLE',
        redis: this.target,
        down_ms: outage.endedMs - outage.startedMs,
        failed_commands: outage.failed_commands,
        connection_errors: outage.connection_errors,
        reconnects: outage.reconnects,
      },
      `Redis reachable again after ${outage.endedMs - outage.startedMs} ms (ARB_REDIS_UNAVAILABLE ended: ${outage.failed_commands} commands failed meanwhile)`,
    );
    this.emit('up', outage);
  }

  private startIfUp(err: string): void {
    if (this.downSince !== null) return;
    this.downSince = this.now();
    this.firstError = err;
    this.outages++;
    this.log.warn(
      { code: 'ARB_REDIS_UNAVAILABLE', redis: this.target, err },
      'ARB_REDIS_UNAVAILABLE: Redis unreachable; the hot path goes on, Redis work is retried (one line when it is back)',
    );
    this.emit('down', err);
  }
}
