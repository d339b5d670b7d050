/**
 * The signal funnel (signals -> decided -> filled / rejected by reason, per signal kind) from
 * counts, whichever store they come from: the Redis streams (counted here from decoded entries)
 * or the recorder's Postgres (counted by the database).
 */
import type { FunnelRow } from '../../core/api-protocol.js';

export interface TradeOutcomeCount {
  kind: string;
  status: string;
  /** The stable code of the rejection reason (reasonCode), null without a reason. */
  code: string | null;
  count: number;
}

export function funnelRows(signalsByKind: Iterable<[kind: string, count: number]>, outcomes: Iterable<TradeOutcomeCount>): FunnelRow[] {
  const rows = new Map<string, FunnelRow>();
  const row = (kind: string) => {
    let r = rows.get(kind);
    if (!r) rows.set(kind, (r = { kind, signals: 0, decided: 0, filled: 0, rejected: 0, rejected_by_reason: {} }));
    return r;
  };
  for (const [kind, count] of signalsByKind) row(kind).signals += count;
  for (const o of outcomes) {
    const r = row(o.kind);
    r.decided += o.count;
    if (o.status === 'filled' || o.status === 'partial') r.filled += o.count;
    else {
      r.rejected += o.count;
      const code = o.code ?? o.status.toUpperCase();
      r.rejected_by_reason[code] = (r.rejected_by_reason[code] ?? 0) + o.count;
    }
  }
  return [...rows.values()].sort((a, b) => b.signals + b.decided - (a.signals + a.decided));
}
