/**
 * Request ids seen recently, for idempotency: an id is remembered for `ttlUs` and at most
 * `capacity` ids are kept (the oldest are forgotten first). Insertion order is age order, so
 * expiry and eviction only ever look at the front of the map.
 */
export class RecentIds {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlUs: number,
    private readonly capacity: number,
  ) {}

  add(id: string, nowUs: number): void {
    this.prune(nowUs);
    this.seen.delete(id);
    this.seen.set(id, nowUs);
    while (this.seen.size > this.capacity) {
      const oldest = this.seen.keys().next().value as string;
      this.seen.delete(oldest);
    }
  }

  has(id: string, nowUs: number): boolean {
    const at = this.seen.get(id);
    return at !== undefined && nowUs - at < this.ttlUs;
  }

  get size(): number {
    return this.seen.size;
  }

  private prune(nowUs: number): void {
    for (const [id, at] of this.seen) {
      if (nowUs - at < this.ttlUs) break;
      this.seen.delete(id);
    }
  }
}
