/**
 * A stream entry in, history rows out (into a RowBatch, through the sampler), or a problem that
 * sends the entry to the dead-letter table. Never throws: a malformed entry is the writer's
 * input like any other. The layout is chosen by the stream's role: the bridge's and
 * execution_service's slow-track layout (`topic, id, src, seq, ts, type, origin_ts, data`), the
 * position tracker's closed-position and settlement records, the orchestrator's health alerts.
 */
import { z } from 'zod';
import {
  HealthAlertSchema, MessageSchemas, PositionSchema, isMessageType,
  type ExitSignal, type GameInfo, type GameState, type Position, type PriceUpdate, type TradeCompleted, type TradeSignal,
} from '../../core/messages.js';
import { parseEntryFields } from '../../bus/slow-track.js';
import type { HistorySampler } from './history-sampler.js';
import type { ExitSignalRow, PositionEventRow, PositionRow, PriceRow, RowBatch, SignalRow } from './row-batch.js';

export type StreamRole = 'slow' | 'positions_closed' | 'settlements' | 'alerts' | 'notifications';

export interface StreamEntry {
  readonly stream: string;
  readonly role: StreamRole;
  readonly id: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** The settlement record as position_tracker writes it (the fields the history needs). */
const SettlementSchema = z.object({
  settlement_id: z.string().min(1),
  game_id: z.string().min(1),
  sport: z.string(),
  home_score: z.number().int(),
  away_score: z.number().int(),
  markets: z.array(z.unknown()),
  ts: z.number().int().nonnegative(),
});

/** Adds the entry's rows to `batch`; returns null, or the problem when it is unusable. */
export function decodeEntry(entry: StreamEntry, batch: RowBatch, sampler: HistorySampler): string | null {
  switch (entry.role) {
    case 'positions_closed':
      return decodeClosed(entry, batch);
    case 'settlements':
      return decodeSettlement(entry, batch);
    case 'alerts':
      return decodeAlert(entry, batch);
    case 'notifications':
      return decodeNotification(entry, batch);
    default:
      return decodeSlow(entry, batch, sampler);
  }
}

function parseData(fields: Readonly<Record<string, string>>): unknown {
  if (fields.data === undefined) return undefined;
  try {
    return JSON.parse(fields.data) as unknown;
  } catch {
    return undefined;
  }
}

function issues(error: z.ZodError): string {
  return error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

function decodeSlow(entry: StreamEntry, batch: RowBatch, sampler: HistorySampler): string | null {
  const slow = parseEntryFields(entry.fields);
  if (slow === null) return 'not a slow-track entry (topic, id, src, seq, ts, type, origin_ts, data)';
  const { envelope } = slow;
  if (!isMessageType(envelope.type)) return `unknown message type ${JSON.stringify(envelope.type).slice(0, 60)}`;
  const checked = MessageSchemas[envelope.type].safeParse(envelope.data);
  if (!checked.success) return `${envelope.type}: ${issues(checked.error)}`;
  const msgId = envelope.id;
  const ts = envelope.origin_ts > 0 ? envelope.origin_ts : envelope.ts;
  switch (envelope.type) {
    case 'price': {
      const row = priceRow(msgId, ts, checked.data as PriceUpdate);
      const kept = sampler.price(row);
      if (kept !== null) batch.prices.push(kept);
      return null;
    }
    case 'game_info':
      addGameInfo(batch, checked.data as GameInfo, envelope.ts);
      return null;
    case 'game_state':
      addGameState(batch, sampler, msgId, checked.data as GameState);
      return null;
    case 'trade_signal':
    case 'high_edge_signal':
      batch.addSignal(signalRow(msgId, checked.data as TradeSignal, envelope.type === 'high_edge_signal'));
      return null;
    case 'exit_signal':
      batch.exitSignals.push(exitRow(msgId, checked.data as ExitSignal));
      return null;
    case 'trade_completed':
      addTrade(batch, msgId, entry.id, checked.data as TradeCompleted);
      return null;
    case 'position': {
      const p = checked.data as Position;
      batch.addPosition(positionRow(p));
      const event = sampler.positionEvent(positionEventRow(msgId, p));
      if (event !== null) batch.positionEvents.push(event);
      return null;
    }
    case 'health_alert':
      return decodeAlertData(envelope.data, batch, entry);
    default:
      // orderbook, heartbeat: not history (the books are sampled as prices).
      return null;
  }
}

function priceRow(msgId: string, ts: number, p: PriceUpdate): PriceRow {
  return { msg_id: msgId, ts, venue: p.venue, market_id: p.market_id, game_id: p.game_id, yes_bid: p.yes_bid, yes_ask: p.yes_ask, last_price: p.last_price ?? null, status: p.status };
}

function addGameInfo(batch: RowBatch, g: GameInfo, ts: number): void {
  batch.addGame({
    game_id: g.game_id, sport: g.sport, name: g.name, home_abbr: g.home.abbr, away_abbr: g.away.abbr,
    start_time: g.start_time, status: g.status, markets: g.markets, first_seen_ts: ts, updated_ts: ts,
  });
}

function addGameState(batch: RowBatch, sampler: HistorySampler, msgId: string, s: GameState): void {
  const row = {
    msg_id: msgId, ts: s.updated_ts, game_id: s.game_id, sport: s.sport, status: s.status, period: s.period, clock_s: s.clock_s,
    home_score: s.home_score, away_score: s.away_score, model_home_prob: s.model_home_prob, espn_home_prob: s.espn_home_prob,
  };
  const kept = sampler.gameState(row);
  if (kept !== null) batch.gameStates.push(kept);
  if (s.status === 'final') {
    batch.addFinal({ game_id: s.game_id, home_score: s.home_score, away_score: s.away_score, final_ts: s.updated_ts });
    sampler.forgetGame(s.game_id);
  }
}

function signalRow(msgId: string, s: TradeSignal, highEdge: boolean): SignalRow {
  return {
    signal_id: s.signal_id, msg_id: msgId, kind: s.kind, game_id: s.game_id, sport: s.sport, model_prob: s.model_prob,
    net_edge: s.net_edge, gross_edge: s.gross_edge, confidence: s.confidence, reason: s.reason, high_edge: highEdge, legs: s.legs, created_ts: s.created_ts,
  };
}

function exitRow(msgId: string, e: ExitSignal): ExitSignalRow {
  return {
    exit_id: e.exit_id, msg_id: msgId, position_id: e.position_id, game_id: e.game_id, venue: e.venue, market_id: e.market_id,
    side: e.side, contracts: e.contracts, yes_price: e.yes_price, reason: e.reason, created_ts: e.created_ts,
  };
}

function addTrade(batch: RowBatch, msgId: string, streamId: string, t: TradeCompleted): void {
  const fees = t.fills.reduce((sum, f) => sum + f.fee_cc, 0);
  batch.trades.push({
    trade_id: t.trade_id, msg_id: msgId, stream_id: streamId, source: t.source, source_id: t.source_id, game_id: t.game_id,
    sport: t.sport, mode: t.mode, status: t.status, reason: t.reason, fees_cc: fees, decided_ts: t.decided_ts,
  });
  t.fills.forEach((f, leg) => {
    batch.fills.push({
      trade_id: t.trade_id, leg, venue: f.venue, market_id: f.market_id, side: f.side, action: f.action, contracts: f.contracts,
      yes_price: f.yes_price, fee_cc: f.fee_cc, order_id: f.order_id, decided_ts: t.decided_ts, notional_cc: f.notional_cc ?? null,
    });
  });
}

function positionRow(p: Position): PositionRow {
  return {
    position_id: p.position_id, game_id: p.game_id, sport: p.sport, venue: p.venue, market_id: p.market_id, team: p.team, side: p.side,
    state: p.state, contracts: p.contracts, avg_yes_price: p.avg_yes_price, mark_yes_price: p.mark_yes_price, cost_cc: p.cost_cc,
    fees_cc: p.fees_cc, realized_pnl_cc: p.realized_pnl_cc, unrealized_pnl_cc: p.unrealized_pnl_cc, opened_ts: p.opened_ts, updated_ts: p.updated_ts,
  };
}

function positionEventRow(msgId: string, p: Position): PositionEventRow {
  return {
    msg_id: msgId, ts: p.updated_ts, position_id: p.position_id, state: p.state, contracts: p.contracts, mark_yes_price: p.mark_yes_price,
    cost_cc: p.cost_cc, realized_pnl_cc: p.realized_pnl_cc, unrealized_pnl_cc: p.unrealized_pnl_cc,
  };
}

/** positions:closed: `position_id, state, ts, data` (the Position as JSON), `book`. */
function decodeClosed(entry: StreamEntry, batch: RowBatch): string | null {
  const checked = PositionSchema.safeParse(parseData(entry.fields));
  if (!checked.success) return `closed position: ${issues(checked.error)}`;
  const p = checked.data;
  batch.addPosition(positionRow(p));
  // Keyed by what it says, not by the stream entry: the same close written twice is one event.
  batch.positionEvents.push(positionEventRow(`closed:${p.position_id}:${p.state}:${p.updated_ts}`, p));
  return null;
}

function decodeSettlement(entry: StreamEntry, batch: RowBatch): string | null {
  const checked = SettlementSchema.safeParse(parseData(entry.fields));
  if (!checked.success) return `settlement: ${issues(checked.error)}`;
  const s = checked.data;
  batch.settlements.push({ settlement_id: s.settlement_id, game_id: s.game_id, sport: s.sport, home_score: s.home_score, away_score: s.away_score, markets: s.markets, ts: s.ts });
  batch.addFinal({ game_id: s.game_id, home_score: s.home_score, away_score: s.away_score, final_ts: s.ts });
  return null;
}

/**
 * notifications:log, as notification_service writes it: `channel, id, status` and, for a delivery
 * attempt, `type, severity, mode, events, attempts, detail`. Keyed by channel and id: the row
 * holds the latest status; the time is the entry's.
 */
function decodeNotification(entry: StreamEntry, batch: RowBatch): string | null {
  const { channel, id, status } = entry.fields;
  if (!channel || !id || !status) return 'notification log entry without channel, id or status';
  const f = entry.fields;
  batch.addNotification({
    notification_id: `${channel}:${id}`, channel, kind: f.type ?? status, status,
    title: f.type === undefined ? status : `${f.type} (${f.severity ?? 'info'}, ${f.mode ?? '?'}, ${f.events ?? '?'} events)`,
    body: `${f.detail ?? ''}${f.attempts === undefined ? '' : ` [attempts ${f.attempts}]`}`,
    ts: Number(entry.id.split('-')[0]) * 1_000,
  });
  return null;
}

function decodeAlert(entry: StreamEntry, batch: RowBatch): string | null {
  return decodeAlertData(parseData(entry.fields), batch, entry);
}

function decodeAlertData(data: unknown, batch: RowBatch, entry: StreamEntry): string | null {
  const checked = HealthAlertSchema.safeParse(data);
  if (!checked.success) return `health alert: ${issues(checked.error)}`;
  const a = checked.data;
  batch.incidents.push({
    incident_id: `alert:${a.alert_id}`, kind: `health_${a.kind}`, source: a.instance === null ? a.service : `${a.service}.${a.instance}`,
    severity: a.severity, message: a.message, detail: { stream: entry.stream, entry_id: entry.id }, ts: a.ts,
  });
  return null;
}
