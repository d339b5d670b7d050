/**
 * Hot path versus durable stream. Every trade heard on `trades.completed.*` should show up in
 * trades:completed within moments; one that does not was filled at a venue but is missing from
 * the log positions are built from: a reconciliation problem a human must see, so it is counted
 * and logged (ARB_TRADE_NOT_DURABLE) rather than silently applied from the hot path.
 */
export class DurableWatch {
  readonly counters = { hot_trades: 0, hot_duplicates: 0, trades_not_durable: 0 };
  private readonly pending = new Map<string, number>();
  /** Hot-to-applied delay of the last trade heard on the hot path first, microseconds. */
  lastHotLeadUs = 0;

  constructor(private readonly waitUs: number) {}

  /** A trade heard on the hot path; `applied` says whether the stream already brought it. */
  noteHot(tradeId: string, applied: boolean, nowUs: number): void {
    this.counters.hot_trades++;
    if (applied || this.pending.has(tradeId)) {
      this.counters.hot_duplicates++;
      return;
    }
    this.pending.set(tradeId, nowUs);
  }

  /** The stream brought this trade. */
  noteDurable(tradeId: string, nowUs: number): void {
    const heard = this.pending.get(tradeId);
    if (heard === undefined) return;
    this.pending.delete(tradeId);
    this.lastHotLeadUs = nowUs - heard;
  }

  /**
   * Trade ids heard on the hot path longer ago than the wait and still not durable (reported
   * once). `applied` covers trades the stream brought without a noteDurable (start-up replay).
   */
  overdue(nowUs: number, applied: (tradeId: string) => boolean): string[] {
    const out: string[] = [];
    for (const [id, heard] of this.pending) {
      if (nowUs - heard < this.waitUs) continue;
      this.pending.delete(id);
      if (!applied(id)) out.push(id);
    }
    this.counters.trades_not_durable += out.length;
    return out;
  }

  pendingCount(): number {
    return this.pending.size;
  }
}
