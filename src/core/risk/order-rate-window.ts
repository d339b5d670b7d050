/**
 * Sliding-window order counter: timestamps of orders sent, oldest first. Counting is exact for
 * any window up to `maxWindowUs` (no fixed buckets that would let 2x the limit through across a
 * bucket edge).
 */
export class OrderRateWindow {
  private readonly times: number[] = [];
  private head = 0;

  constructor(private readonly maxWindowUs: number) {}

  record(nowUs: number, orders = 1): void {
    for (let i = 0; i < orders; i++) this.times.push(nowUs);
    this.prune(nowUs);
  }

  /** Takes back up to `orders` orders recorded at exactly `atUs` (they were never sent). */
  remove(atUs: number, orders = 1): void {
    let left = orders;
    for (let i = this.times.length - 1; i >= this.head && left > 0; i--) {
      if (this.times[i] !== atUs) continue;
      this.times.splice(i, 1);
      left--;
    }
  }

  /** Orders recorded in (nowUs - windowUs, nowUs]. */
  countIn(nowUs: number, windowUs: number): number {
    let count = 0;
    for (let i = this.times.length - 1; i >= this.head; i--) {
      const t = this.times[i]!;
      if (t <= nowUs - windowUs) break;
      if (t <= nowUs) count++;
    }
    return count;
  }

  private prune(nowUs: number): void {
    while (this.head < this.times.length && this.times[this.head]! <= nowUs - this.maxWindowUs) this.head++;
    // Compact now and then so the array does not grow for ever.
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times.splice(0, this.head);
      this.head = 0;
    }
  }
}
