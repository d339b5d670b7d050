/**
 * Counters and gauges of one service instance; the heartbeat publishes a snapshot into the
 * registry, so `redis-cli GET registry:<service>:<instance>` shows how a service is doing.
 */
export type MetricsProvider = () => Record<string, number>;

export class Metrics {
  private readonly counters = new Map<string, number>();
  private readonly providers = new Map<string, MetricsProvider>();

  inc(name: string, by = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + by);
  }

  set(name: string, value: number): void {
    this.counters.set(name, value);
  }

  get(name: string): number {
    return this.counters.get(name) ?? 0;
  }

  /** Adds a source of metrics read at each snapshot, its keys prefixed with `prefix.`. */
  provide(prefix: string, provider: MetricsProvider): void {
    this.providers.set(prefix, provider);
  }

  snapshot(): Record<string, number> {
    const out: Record<string, number> = Object.fromEntries(this.counters);
    for (const [prefix, provider] of this.providers) {
      for (const [k, v] of Object.entries(provider())) out[`${prefix}.${k}`] = v;
    }
    const mem = process.memoryUsage();
    out['process.rss_mb'] = Math.round(mem.rss / 1048576);
    out['process.heap_mb'] = Math.round(mem.heapUsed / 1048576);
    return out;
  }
}
