/**
 * Counts sequence gaps per publisher and sequence key (see core/topics.ts `sequenceKey`). A seq
 * that goes backwards means the publisher restarted (its counters start again), which is counted
 * apart and is not a gap.
 */
export class GapTracker {
  private readonly last = new Map<string, number>();
  gaps = 0;
  restarts = 0;

  /** Returns how many messages were missed before this one (0 when in order). */
  observe(stream: string, seq: number): number {
    const previous = this.last.get(stream);
    this.last.set(stream, seq);
    if (previous === undefined) return 0;
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
    return this.last.size;
  }
}
