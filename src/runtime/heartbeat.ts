/**
 * Keeps an instance's registry entry alive: every interval it rewrites the entry (TTL a few
 * intervals long) with status, endpoints and metrics. A missed beat is logged, never fatal.
 * Through a Redis outage the writes fail after the client's command timeout (redis-connection.ts)
 * and a beat is skipped while the previous one is still waiting, so nothing piles up; the first
 * failure and the recovery are one line each.
 */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { errorMessage } from '../core/errors.js';
import type { Heartbeat } from '../core/messages.js';
import { nowMicros } from '../core/time.js';
import { registerInstance } from '../bus/registry.js';
import type { Metrics } from './metrics.js';

export interface HeartbeatOptions {
  service: string;
  instance: string;
  intervalMs: number;
  ttlMs: number;
  /** What the instance may send (its service definition's name): readers trust signals by role. */
  role?: string;
  /** Id of the bus key it signs with (runtime/bus-key.ts), so a key rotation can be followed. */
  keyId?: string;
}

export class HeartbeatLoop {
  private status: Heartbeat['status'] = 'starting';
  private detail: string | undefined;
  private readonly endpoints = new Set<string>();
  private readonly startedTs = nowMicros();
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  private inFlight = 0;
  /** Beats skipped because the previous one was still waiting for Redis. */
  skipped = 0;

  constructor(
    private readonly redis: Redis,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly options: HeartbeatOptions,
  ) {}

  addEndpoint(endpoint: string): void {
    this.endpoints.add(endpoint);
  }

  setStatus(status: Heartbeat['status'], detail?: string): void {
    this.status = status;
    this.detail = detail;
  }

  current(): Heartbeat {
    return {
      service: this.options.service,
      instance: this.options.instance,
      ...(this.options.role !== undefined ? { role: this.options.role } : {}),
      ...(this.options.keyId !== undefined ? { key_id: this.options.keyId } : {}),
      status: this.status,
      pid: process.pid,
      host: hostname(),
      started_ts: this.startedTs,
      endpoints: [...this.endpoints],
      metrics: this.metrics.snapshot(),
      ...(this.detail !== undefined ? { detail: this.detail } : {}),
      ts: nowMicros(),
    };
  }

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => {
      if (this.inFlight > 0) this.skipped++;
      else void this.beat();
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async beat(): Promise<void> {
    this.inFlight++;
    try {
      await registerInstance(this.redis, this.current(), this.options.ttlMs);
      if (this.failures > 0) this.log.info({ missed: this.failures, skipped: this.skipped }, 'heartbeat restored');
      this.failures = 0;
    } catch (err) {
      if (this.failures++ === 0) this.log.warn({ err: errorMessage(err) }, 'ARB_REDIS_UNAVAILABLE: heartbeat failed');
    } finally {
      this.inFlight--;
    }
  }

  /**
   * Leaves a last entry with status `stopping` for one TTL instead of deleting it: subscribers
   * disconnect at once (they skip stopping instances) and the orchestrator can tell a clean stop
   * from a death, which a vanished key cannot say.
   */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.status = 'stopping';
    try {
      await registerInstance(this.redis, this.current(), this.options.ttlMs);
    } catch (err) {
      this.log.warn({ err: errorMessage(err) }, 'could not mark the registry entry stopping');
    }
  }
}
