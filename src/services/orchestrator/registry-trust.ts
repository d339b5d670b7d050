/**
 * Whether the orchestrator's view of the registry is complete enough to call a missing entry
 * gone. After Redis failed, stalled or was slow, entries of live services may be missing only
 * because their heartbeats could not reach Redis either (a 20 s stall outlives a 6 s TTL); they
 * come back at those services' next beats. Until a full TTL plus a heartbeat interval of
 * reachable Redis has passed, a missing instance is "unknown": not dead, its games not moved,
 * no "no shard" alert.
 *
 * Trouble is what this process saw itself: a registry read that failed or took longer than
 * slowReadMs, or an outage of any of its Redis clients (RedisOutageTracker).
 */
import type { RedisOutageTracker } from '../../bus/redis-outage-tracker.js';

export interface RegistryTrustOptions {
  /** A registry TTL plus a heartbeat interval. */
  settleMs: number;
  /** A read slower than this is trouble too (a stall shorter than the command timeout). */
  slowReadMs?: number;
  outages?: RedisOutageTracker | null;
  now?: () => number;
}

export class RegistryTrust {
  private failing = false;
  private troubleEndMs = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;

  constructor(private readonly options: Readonly<RegistryTrustOptions>) {
    this.now = options.now ?? Date.now;
  }

  /** Runs one registry read, noting whether it failed or was slow; rethrows its error. */
  async read<T>(fn: () => Promise<T>): Promise<T> {
    const started = this.now();
    let result: T;
    try {
      result = await fn();
    } catch (err) {
      this.failing = true;
      throw err;
    }
    const ended = this.now();
    if (this.failing || ended - started > (this.options.slowReadMs ?? 1_000)) this.troubleEndMs = ended;
    this.failing = false;
    return result;
  }

  /** Whether an instance missing from the registry now is really gone. */
  complete(): boolean {
    const outages = this.options.outages;
    if (this.failing || outages?.down === true) return false;
    const lastTrouble = Math.max(this.troubleEndMs, outages?.lastTroubleMs() ?? Number.NEGATIVE_INFINITY);
    return this.now() - lastTrouble >= this.options.settleMs;
  }
}
