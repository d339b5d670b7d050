/**
 * Counts sequence gaps per publisher and sequence key (see core/topics.ts `sequenceKey`). A seq
 * that goes backwards means the publisher restarted (its counters start again), which is counted
 * apart and is not a gap.
 *
 * Streams are kept per publisher, then per key (two map lookups), not under one `src|key`
 * string: that string would be built, flattened and hashed for every message a subscriber hears.
 */
export class GapTracker {
  private readonly bySource = new Map<string, Map<string, number>>();
  private streamCount = 0;
  gaps = 0;
  restarts = 0;

  /** Returns how many messages were missed before this one (0 when in order). */
  observe(stream: string, seq: number): number {
    return this.observeFrom('', stream, seq);
  }

  /** observe() for the stream `key` of publisher `source`. */
  observeFrom(source: string, key: string, seq: number): number {
    let last = this.bySource.get(source);
    if (last === undefined) {
      last = new Map<string, number>();
      this.bySource.set(source, last);
    }
    const previous = last.get(key);
    last.set(key, seq);
    if (previous === undefined) {
      this.streamCount++;
      return 0;
    }
    if (seq === previous + 1) return 0;
    if (seq > previous + 1) {
      const missed = seq - previous - 1;
      this.gaps += missed;
      return missed;
    }
    this.restarts++;
    return 0;
  }

  streams(): number {
    return this.streamCount;
  }
}
