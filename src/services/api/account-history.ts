/**
 * What the account summary and the signal funnel need from the history: closed-position totals,
 * the trading mode, the funnel. From the recorder's Postgres when there is one (postgres-history.ts,
 * over every closed position), else from the Redis streams (RedisAccountHistory, over the newest
 * entries the streams hold); history-router.ts chooses.
 */
import type { AccountView, FunnelRow } from '../../core/api-protocol.js';
import type { ClosedStats } from '../../store/history-reader.js';
import { equityCurve, maxDrawdownCc } from '../../core/analytics.js';
import type { HistoryReader } from './history-reader.js';
import { funnelRows, type TradeOutcomeCount } from './signal-funnel.js';

export type { ClosedStats };

export interface AccountHistory {
  closedStats(): Promise<ClosedStats>;
  /** The mode of the newest trade ('unknown' before the first). */
  mode(): Promise<AccountView['mode']>;
  funnel(window: number): Promise<FunnelRow[]>;
}

/** Closed positions the Redis fallback reads for the win rate and drawdown. */
const REDIS_CLOSED_WINDOW = 500;

export class RedisAccountHistory implements AccountHistory {
  constructor(private readonly streams: HistoryReader) {}

  async closedStats(): Promise<ClosedStats> {
    const closed = (await this.streams.closedPositions({ limit: REDIS_CLOSED_WINDOW })).items.map((c) => c.position);
    const curve = equityCurve(closed.map((p) => ({ ts: p.updated_ts, pnlCc: p.realized_pnl_cc })));
    return { count: closed.length, wins: closed.filter((p) => p.realized_pnl_cc > 0).length, maxDrawdownCc: maxDrawdownCc(curve) };
  }

  async mode(): Promise<AccountView['mode']> {
    return (await this.streams.trades({ limit: 1 })).items[0]?.trade.mode ?? 'unknown';
  }

  /** Over the newest `window` signals and trades of the streams; a trade whose signal is older than the window counts as `unknown`. */
  async funnel(window: number): Promise<FunnelRow[]> {
    const [signals, trades] = await Promise.all([this.streams.signals({ limit: window }), this.streams.trades({ limit: window })]);
    const kindOf = new Map<string, string>();
    const signalCounts = new Map<string, number>();
    for (const s of signals.items) {
      if (s.type !== 'trade_signal') continue;
      kindOf.set(s.signal.signal_id, s.signal.kind);
      signalCounts.set(s.signal.kind, (signalCounts.get(s.signal.kind) ?? 0) + 1);
    }
    const outcomes: TradeOutcomeCount[] = trades.items.map((t) => ({
      kind: t.trade.source === 'exit' ? 'exit' : (kindOf.get(t.trade.source_id) ?? 'unknown'),
      status: t.trade.status,
      code: t.reason_code,
      count: 1,
    }));
    return funnelRows(signalCounts, outcomes);
  }
}
