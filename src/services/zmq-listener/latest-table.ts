/**
 * Pending latest-state writes (price hashes, game keys), one per key: a newer message for the
 * same key replaces the pending one (last wins), so a flush writes each key once however many
 * updates arrived, and an outage costs one slot per market or game, not one per update.
 */
import type { RawEnvelope } from '../../core/envelope.js';
import type { LatestTarget } from './mirror-rules.js';

export interface LatestEntry {
  target: LatestTarget;
  topic: string;
  envelope: RawEnvelope;
  /** Its slow-track entry fields once encoded (shared with its stream append; see entryFieldsOf). */
  fields?: string[] | undefined;
}

export class LatestTable {
  private readonly pending = new Map<string, LatestEntry>();
  /** Updates replaced by a newer one before they were written. */
  coalesced = 0;
  /** Keys dropped at the bound (the least recently updated first). */
  dropped = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.pending.size;
  }

  put(entry: LatestEntry): void {
    const key = entry.target.key;
    if (this.pending.delete(key)) this.coalesced++;
    else if (this.pending.size >= this.capacity) this.dropOldest();
    // Re-inserting moves the key to the end, so the map stays ordered by last update.
    this.pending.set(key, entry);
  }

  /** Removes and returns up to `max` pending writes. */
  take(max: number): LatestEntry[] {
    const out: LatestEntry[] = [];
    for (const [key, entry] of this.pending) {
      if (out.length >= max) break;
      out.push(entry);
      this.pending.delete(key);
    }
    return out;
  }

  /**
   * Puts back writes that failed, unless a newer update for the key arrived meanwhile. Safe only
   * because the bridge never has two latest-state writes in flight at once.
   */
  restore(entries: readonly LatestEntry[]): void {
    for (const entry of entries) {
      if (this.pending.has(entry.target.key)) continue;
      if (this.pending.size >= this.capacity) this.dropOldest();
      this.pending.set(entry.target.key, entry);
    }
  }

  private dropOldest(): void {
    const oldest = this.pending.keys().next();
    if (oldest.done === true) return;
    this.pending.delete(oldest.value);
    this.dropped++;
  }
}
