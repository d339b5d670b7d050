/**
 * A bounded FIFO of entries waiting for Redis. When full, the OLDEST entry goes (a trader wants
 * the freshest market on the slow track after an outage, and the oldest entries are also the
 * ones the capped streams would trim first); every drop is counted. Backed by a ring that grows
 * on demand up to the bound, so a large bound costs nothing until an outage uses it.
 */
export class MirrorBuffer<T> {
  private slots: (T | undefined)[] = new Array<T | undefined>(1024);
  private head = 0;
  private count = 0;
  /** Entries dropped at the bound since start. */
  dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  get size(): number {
    return this.count;
  }

  /** Appends at the tail; returns how many old entries were dropped to make room (0 or 1). */
  push(item: T): number {
    let droppedNow = 0;
    if (this.count === this.capacity) {
      this.slots[this.head] = undefined;
      this.head = (this.head + 1) % this.slots.length;
      this.count--;
      droppedNow = 1;
    } else this.ensureRoom(this.count + 1);
    this.slots[(this.head + this.count) % this.slots.length] = item;
    this.count++;
    this.dropped += droppedNow;
    return droppedNow;
  }

  /** Removes and returns up to `max` entries from the head, oldest first. */
  take(max: number): T[] {
    const n = Math.min(max, this.count);
    const out = new Array<T>(n);
    const len = this.slots.length;
    for (let i = 0; i < n; i++) {
      out[i] = this.slots[this.head] as T;
      this.slots[this.head] = undefined;
      this.head = (this.head + 1) % len;
    }
    this.count -= n;
    if (this.count === 0) this.head = 0;
    return out;
  }

  /**
   * Puts entries that could not be written back at the head, in their original order, ahead of
   * everything that arrived since. If that overflows the bound, the oldest (the front of
   * `items`) are dropped; returns how many.
   */
  requeueFront(items: readonly T[]): number {
    const room = this.capacity - this.count;
    const skip = Math.max(0, items.length - room);
    this.ensureRoom(this.count + items.length - skip);
    const len = this.slots.length;
    for (let i = items.length - 1; i >= skip; i--) {
      this.head = (this.head - 1 + len) % len;
      this.slots[this.head] = items[i];
      this.count++;
    }
    this.dropped += skip;
    return skip;
  }

  /** Grows the ring (doubling, capped at the bound) so `needed` entries fit, keeping order. */
  private ensureRoom(needed: number): void {
    if (needed <= this.slots.length) return;
    let size = this.slots.length;
    while (size < needed) size *= 2;
    size = Math.min(Math.max(size, needed), this.capacity);
    const next = new Array<T | undefined>(size);
    for (let i = 0; i < this.count; i++) next[i] = this.slots[(this.head + i) % this.slots.length];
    this.slots = next;
    this.head = 0;
  }
}
