/**
 * The Redis side of the ledger check: the `ledger:epoch` hash, the end of each durable stream
 * (XINFO STREAM: last generated id, entries ever added, length) and Redis's own clock. Shared by
 * the services' guard (ledger-guard.ts) and `arbees ledger status|confirm`.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { EMPTY_MARK, type EpochOrigin, type LedgerEpoch, type StreamMark } from '../core/ledger-continuity.js';

export class LedgerProbe {
  constructor(
    private readonly redis: Redis,
    /** The full key of `ledger:epoch` (with the service's key prefix). */
    readonly epochKey: string,
  ) {}

  /** The epoch, or null when there is none (or it is unreadable: treated as gone). */
  async epoch(): Promise<LedgerEpoch | null> {
    const h = await this.redis.hgetall(this.epochKey);
    const createdUs = Number(h.created_us);
    if (typeof h.id !== 'string' || h.id === '' || !Number.isFinite(createdUs)) return null;
    const origin = (['fresh', 'adopted', 'confirmed', 'restored'] as const).find((o) => o === h.origin) ?? 'adopted';
    return { id: h.id, createdUs, origin, note: h.note ?? '' };
  }

  /** The end of each stream; a stream that does not exist is all zero. */
  async marks(keys: readonly string[]): Promise<Record<string, StreamMark>> {
    const out: Record<string, StreamMark> = {};
    for (const key of keys) out[key] = await this.mark(key);
    return out;
  }

  async mark(key: string): Promise<StreamMark> {
    let info: unknown[];
    try {
      info = (await this.redis.xinfo('STREAM', key)) as unknown[];
    } catch (err) {
      if (/no such key/i.test((err as Error).message)) return EMPTY_MARK;
      throw err;
    }
    const field = (name: string): unknown => {
      const i = info.indexOf(name);
      return i >= 0 ? info[i + 1] : undefined;
    };
    const length = Number(field('length'));
    // entries-added is Redis 7+; before it, the length is the best lower bound there is.
    const added = Number(field('entries-added'));
    return {
      lastId: String(field('last-generated-id') ?? '0-0'),
      entriesAdded: Number.isFinite(added) ? added : length,
      length: Number.isFinite(length) ? length : 0,
    };
  }

  /** Redis's clock in microseconds (one clock for every host comparing epochs and records). */
  async nowUs(): Promise<number> {
    const [s, us] = await this.redis.time();
    return Number(s) * 1_000_000 + Number(us);
  }

  /**
   * Writes a first epoch unless one exists (two services starting on an empty Redis agree on
   * whichever wrote first) and returns the epoch now in Redis.
   */
  async ensureEpoch(origin: EpochOrigin, note: string): Promise<LedgerEpoch> {
    const now = await this.nowUs();
    await this.redis
      .multi()
      .hsetnx(this.epochKey, 'id', newEpochId())
      .hsetnx(this.epochKey, 'created_us', String(now))
      .hsetnx(this.epochKey, 'origin', origin)
      .hsetnx(this.epochKey, 'note', note)
      .exec();
    const epoch = await this.epoch();
    if (epoch === null) throw new Error(`${this.epochKey} could not be written`);
    return epoch;
  }

  /** Replaces the epoch (an operator accepted the ledger as it is now, or restored it). */
  async replaceEpoch(origin: Extract<EpochOrigin, 'confirmed' | 'restored'>, note: string): Promise<LedgerEpoch> {
    const epoch: LedgerEpoch = { id: newEpochId(), createdUs: await this.nowUs(), origin, note };
    await this.redis
      .multi()
      .del(this.epochKey)
      .hset(this.epochKey, { id: epoch.id, created_us: String(epoch.createdUs), origin, note })
      .exec();
    return epoch;
  }
}

function newEpochId(): string {
  return `${new Date().toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(4).toString('hex')}`;
}
