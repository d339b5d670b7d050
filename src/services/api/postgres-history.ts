/**
 * The api's lists that grow, and the account's and funnel's totals, read from the recorder's Postgres through the store's read module
 * (src/store/history-reader.ts) and shaped like the Redis reader's pages: trades paged by their
 * trades:completed id (so a cursor works whichever source served the previous page), closed
 * positions and reports by a `<ts>~<id>` keyset.
 */
import type { AccountView, FunnelRow, Page, PositionView, ReportSummaryView, ReportView, TradeView } from '../../core/api-protocol.js';
import type { Position, TradeCompleted } from '../../core/messages.js';
import type { ClosedStats, HistoryReader as StoreHistoryReader, PositionRecord, ReportSummary, TradeRecord } from '../../store/history-reader.js';
import { funnelRows } from './signal-funnel.js';
import { reasonCode, type PageRequest } from './history-reader.js';

const STREAM_ID = /^\d{1,16}-\d{1,10}$/;

/** `<ts>~<id>` -> its parts; null for anything else. */
export function parseKeyset(cursor: string | undefined): { ts: number; id: string } | null {
  if (cursor === undefined) return null;
  const cut = cursor.indexOf('~');
  if (cut <= 0) return null;
  return { ts: Number(cursor.slice(0, cut)), id: cursor.slice(cut + 1) };
}

export class PostgresHistory {
  constructor(private readonly store: StoreHistoryReader) {}

  async trades(page: PageRequest & { status?: TradeCompleted['status'] | undefined }): Promise<Page<TradeView>> {
    const rows = await this.store.trades({
      byStream: true,
      limit: page.limit,
      ...(page.before !== undefined && STREAM_ID.test(page.before) ? { beforeStreamId: page.before } : {}),
      ...(page.status !== undefined ? { status: page.status } : {}),
    });
    return { items: rows.map(tradeView), next_before: rows.length === page.limit ? rows[rows.length - 1]!.streamId : null };
  }

  async closedPositions(page: PageRequest): Promise<Page<PositionView>> {
    const keyset = parseKeyset(page.before);
    // A stream-id cursor (from a page the Redis reader served): everything closed before that millisecond.
    const before = keyset !== null ? { closedTs: keyset.ts, positionId: keyset.id }
      : page.before !== undefined ? { closedTs: Number(page.before.split('-')[0]) * 1_000, positionId: '' } : undefined;
    const rows = await this.store.closedPositions({ limit: page.limit, ...(before !== undefined ? { before } : {}) });
    const last = rows[rows.length - 1];
    return { items: rows.map((r) => ({ position: positionOf(r), stream_id: null })), next_before: rows.length === page.limit && last ? `${last.closedTs}~${last.positionId}` : null };
  }

  async reports(q: PageRequest & { kind?: string | undefined }): Promise<Page<ReportSummaryView>> {
    const keyset = parseKeyset(q.before);
    const rows = await this.store.reports({
      limit: q.limit,
      ...(q.kind !== undefined ? { kind: q.kind } : {}),
      ...(keyset !== null ? { before: { createdTs: keyset.ts, reportId: keyset.id } } : {}),
    });
    const last = rows[rows.length - 1];
    return { items: rows.map(reportSummaryView), next_before: rows.length === q.limit && last ? `${last.createdTs}~${last.reportId}` : null };
  }

  /** Over every closed position the recorder holds (the Redis fallback sees the newest 500). */
  closedStats(): Promise<ClosedStats> {
    return this.store.closedStats();
  }

  async mode(): Promise<AccountView['mode']> {
    const [newest] = await this.store.trades({ limit: 1 });
    return (newest?.mode as AccountView['mode'] | undefined) ?? 'unknown';
  }

  /** Counted by the database over the newest `window` signals and trades; a trade's kind is its recorded signal's. */
  async funnel(window: number): Promise<FunnelRow[]> {
    const [kinds, outcomes] = await Promise.all([this.store.signalKinds(window), this.store.tradeOutcomes(window)]);
    // reasonCode reads the code before the first colon: the head the database split off, colon restored.
    return funnelRows(kinds, outcomes.map((o) => ({ kind: o.kind, status: o.status, code: o.reasonHead === null ? null : reasonCode(`${o.reasonHead}:`), count: o.count })));
  }

  async report(id: string): Promise<ReportView | null> {
    const r = await this.store.report(id);
    return r === null ? null : { ...reportSummaryView(r), body: r.body, markdown: r.markdown };
  }
}

function tradeView(r: TradeRecord): TradeView {
  const trade: TradeCompleted = {
    trade_id: r.tradeId, source: r.source as TradeCompleted['source'], source_id: r.sourceId, game_id: r.gameId,
    sport: r.sport as TradeCompleted['sport'], mode: r.mode as TradeCompleted['mode'], status: r.status as TradeCompleted['status'], reason: r.reason,
    fills: r.fills.map((f) => ({
      venue: f.venue as TradeCompleted['fills'][number]['venue'], market_id: f.marketId, side: f.side as TradeCompleted['fills'][number]['side'],
      action: f.action as TradeCompleted['fills'][number]['action'], contracts: f.contracts, yes_price: f.yesPrice, fee_cc: f.feeCc, order_id: f.orderId,
      ...(f.notionalCc === null ? {} : { notional_cc: f.notionalCc }),
    })),
    decided_ts: r.decidedTs,
  };
  // ts: when the entry was written (its stream id, in µs like an envelope's ts); origin_ts: the decision.
  return { stream_id: r.streamId, ts: Number(r.streamId.split('-')[0]) * 1_000, origin_ts: r.decidedTs, trade, reason_code: reasonCode(r.reason) };
}

function positionOf(r: PositionRecord): Position {
  return {
    position_id: r.positionId, game_id: r.gameId, sport: r.sport as Position['sport'], venue: r.venue as Position['venue'], market_id: r.marketId,
    team: r.team, side: r.side as Position['side'], state: r.state as Position['state'], contracts: r.contracts, avg_yes_price: r.avgYesPrice,
    mark_yes_price: r.markYesPrice, cost_cc: r.costCc, fees_cc: r.feesCc, realized_pnl_cc: r.realizedPnlCc, unrealized_pnl_cc: r.unrealizedPnlCc,
    opened_ts: r.openedTs, updated_ts: r.updatedTs,
  };
}

function reportSummaryView(r: ReportSummary): ReportSummaryView {
  return { report_id: r.reportId, kind: r.kind, since_ts: r.sinceTs, until_ts: r.untilTs, created_ts: r.createdTs, time_zone: r.timeZone, summary: r.summary };
}
