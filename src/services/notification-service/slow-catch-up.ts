/**
 * The durable streams behind the hot path, read after it: `trades:completed` (execution's log,
 * never trimmed) and `alerts:health` (the orchestrator's alerts). Whatever the hot path missed
 * (the service was down or restarting, a subscriber queue overflowed) is accepted from here; the
 * outbox's dedupe makes everything the hot path already delivered a no-op. The cursor of each
 * stream is kept in `notify:watch`. The first start begins at the end of `trades:completed`, so an
 * install does not replay history, but reads the health alerts of the last
 * FIRST_START_ALERTS_MS: under `arbees up` the orchestrator can raise one (a dead feed, a ledger
 * that lost data) before this service has ever run, and nobody would hear of it.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { parseEntryFields } from '../../bus/slow-track.js';
import type { Metrics } from '../../runtime/metrics.js';
import { PeriodicCheck } from './periodic-check.js';

export interface CaughtMessage {
  readonly type: string;
  readonly data: unknown;
}

interface Source {
  readonly key: string;
  readonly cursorField: string;
  /** How far back the very first read goes (0: only what comes after it). */
  readonly firstStartLookbackMs: number;
  /** The message of one entry, or null to skip it. */
  readonly read: (fields: Record<string, string>) => CaughtMessage | null;
}

export interface SlowCatchUpOptions {
  readonly redis: Redis;
  readonly watchKey: string;
  readonly tradesKey: string;
  readonly healthAlertsKey: string;
  /** Alerts raised by this service itself are not read back (a dead-letter alert must not loop). */
  readonly ownService: string;
  readonly pollMs: number;
  readonly onMessage: (message: CaughtMessage) => Promise<unknown>;
  readonly metrics: Metrics;
  readonly log: Logger;
}

const BATCH = 500;
/** How far back the first start reads health alerts. */
export const FIRST_START_ALERTS_MS = 15 * 60_000;

export class SlowCatchUp {
  readonly #sources: readonly Source[];
  readonly #check: PeriodicCheck;

  constructor(private readonly o: SlowCatchUpOptions) {
    this.#sources = [
      { key: o.tradesKey, cursorField: 'trades_cursor', firstStartLookbackMs: 0, read: readTrade },
      { key: o.healthAlertsKey, cursorField: 'alerts_cursor', firstStartLookbackMs: FIRST_START_ALERTS_MS, read: (f) => readAlert(f, o.ownService) },
    ];
    this.#check = new PeriodicCheck({
      everyMs: o.pollMs,
      run: async () => {
        for (const source of this.#sources) await this.drain(source);
      },
      errorMetric: 'notify.catch_up_errors',
      failureMessage: 'ARB_REDIS_UNAVAILABLE: cannot read the durable streams; retrying',
      metrics: o.metrics,
      log: o.log,
    });
  }

  start(): Promise<void> {
    return this.#check.start();
  }

  stop(): Promise<void> {
    return this.#check.stop();
  }

  private async drain(source: Source): Promise<void> {
    const saved = await this.o.redis.hget(this.o.watchKey, source.cursorField);
    if (saved === null && source.firstStartLookbackMs === 0) {
      const last = await this.o.redis.xrevrange(source.key, '+', '-', 'COUNT', 1);
      await this.o.redis.hset(this.o.watchKey, source.cursorField, last[0]?.[0] ?? '0-0');
      return;
    }
    // Stream ids start with their ms timestamp: an exclusive range from (now - lookback)-0 on.
    let cursor: string = saved ?? `${Math.max(0, Date.now() - source.firstStartLookbackMs)}-0`;
    for (;;) {
      const entries: [string, string[]][] = await this.o.redis.xrange(source.key, `(${cursor}`, '+', 'COUNT', BATCH);
      if (entries.length === 0) return;
      for (const [, flat] of entries) {
        const message = source.read(fieldMap(flat));
        if (message === null) continue;
        this.o.metrics.inc('notify.catch_up_read');
        await this.o.onMessage(message);
      }
      cursor = entries[entries.length - 1]![0];
      await this.o.redis.hset(this.o.watchKey, source.cursorField, cursor);
      if (entries.length < BATCH) return;
    }
  }
}

function fieldMap(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}

/** A trades:completed entry (the slow-track envelope layout). */
function readTrade(fields: Record<string, string>): CaughtMessage | null {
  const entry = parseEntryFields(fields);
  return entry === null ? null : { type: entry.envelope.type, data: entry.envelope.data };
}

/** An alerts:health entry: the HealthAlert JSON in `data`. */
function readAlert(fields: Record<string, string>, ownService: string): CaughtMessage | null {
  if (fields.service === ownService || fields.data === undefined) return null;
  try {
    return { type: 'health_alert', data: JSON.parse(fields.data) as unknown };
  } catch {
    return { type: 'health_alert', data: null };
  }
}
