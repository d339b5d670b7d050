/**
 * A short-lived in-memory cache of venue listings (one Kalshi series, one Polymarket league),
 * so discovering the fifteen games of a slate reads each listing once, and concurrent reads of
 * one listing share a single request. Failures are not cached.
 */
export class ListingCache<T> {
  private readonly entries = new Map<string, { value: T; at: number }>();
  private readonly inFlight = new Map<string, Promise<T>>();
  private loads = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Venue listings actually fetched (cache misses). */
  get fetches(): number {
    return this.loads;
  }

  /** The cached value when younger than the TTL (or than `maxAgeMs`), else a fresh load. */
  get(key: string, load: () => Promise<T>, maxAgeMs = this.ttlMs): Promise<T> {
    const hit = this.entries.get(key);
    if (hit !== undefined && this.now() - hit.at < maxAgeMs) return Promise.resolve(hit.value);
    const pending = this.inFlight.get(key);
    if (pending !== undefined) return pending;
    this.loads += 1;
    const started = this.now();
    const p = load()
      .then((value) => {
        this.entries.set(key, { value, at: started });
        return value;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  /** Age of the cached value in ms, or null when there is none. */
  age(key: string): number | null {
    const hit = this.entries.get(key);
    return hit === undefined ? null : this.now() - hit.at;
  }
}
