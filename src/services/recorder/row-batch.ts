/**
 * One batch of history rows, gathered from stream entries and written in one transaction. Rows
 * keyed by an entity (games, signals, positions) keep only their latest version within a batch:
 * an upsert may not touch the same row twice in one statement.
 */
export interface PriceRow { msg_id: string; ts: number; venue: string; market_id: string; game_id: string | null; yes_bid: number | null; yes_ask: number | null; last_price: number | null; status: string }
export interface GameRow { game_id: string; sport: string; name: string; home_abbr: string; away_abbr: string; start_time: string; status: string; markets: unknown; first_seen_ts: number; updated_ts: number }
export interface GameStateRow { msg_id: string; ts: number; game_id: string; sport: string; status: string; period: number; clock_s: number; home_score: number; away_score: number; model_home_prob: number | null; espn_home_prob: number | null }
export interface GameFinalRow { game_id: string; home_score: number; away_score: number; final_ts: number }
export interface SignalRow { signal_id: string; msg_id: string; kind: string; game_id: string; sport: string; model_prob: number | null; net_edge: number; gross_edge: number; confidence: number; reason: string; high_edge: boolean; legs: unknown; created_ts: number }
export interface ExitSignalRow { exit_id: string; msg_id: string; position_id: string; game_id: string; venue: string; market_id: string; side: string; contracts: number; yes_price: number; reason: string; created_ts: number }
export interface TradeRow { trade_id: string; msg_id: string; stream_id: string; source: string; source_id: string; game_id: string; sport: string; mode: string; status: string; reason: string | null; fees_cc: number; decided_ts: number }
export interface FillRow { trade_id: string; leg: number; venue: string; market_id: string; side: string; action: string; contracts: number; yes_price: number; fee_cc: number; order_id: string | null; decided_ts: number; notional_cc: number | null }
export interface PositionRow { position_id: string; game_id: string; sport: string; venue: string; market_id: string; team: string | null; side: string; state: string; contracts: number; avg_yes_price: number; mark_yes_price: number | null; cost_cc: number; fees_cc: number; realized_pnl_cc: number; unrealized_pnl_cc: number; opened_ts: number; updated_ts: number }
export interface PositionEventRow { msg_id: string; ts: number; position_id: string; state: string; contracts: number; mark_yes_price: number | null; cost_cc: number; realized_pnl_cc: number; unrealized_pnl_cc: number }
export interface SettlementRow { settlement_id: string; game_id: string; sport: string; home_score: number; away_score: number; markets: unknown; ts: number }
export interface IncidentRow { incident_id: string; kind: string; source: string; severity: string; message: string; detail: unknown; ts: number }
export interface NotificationRow { notification_id: string; channel: string; kind: string; title: string; body: string; status: string; ts: number }
export interface DeadLetterRow { stream: string; entry_id: string; fields: unknown; problem: string; ts: number }

export class RowBatch {
  readonly prices: PriceRow[] = [];
  readonly games = new Map<string, GameRow>();
  readonly gameStates: GameStateRow[] = [];
  readonly finals = new Map<string, GameFinalRow>();
  readonly signals = new Map<string, SignalRow>();
  readonly exitSignals: ExitSignalRow[] = [];
  readonly trades: TradeRow[] = [];
  readonly fills: FillRow[] = [];
  readonly positions = new Map<string, PositionRow>();
  readonly positionEvents: PositionEventRow[] = [];
  readonly settlements: SettlementRow[] = [];
  readonly incidents: IncidentRow[] = [];
  readonly deadLetters: DeadLetterRow[] = [];
  /** Latest delivery status per (channel, notification). */
  readonly notifications = new Map<string, NotificationRow>();

  addGame(row: GameRow): void {
    const held = this.games.get(row.game_id);
    if (held === undefined) this.games.set(row.game_id, row);
    else if (held.updated_ts <= row.updated_ts) this.games.set(row.game_id, { ...row, first_seen_ts: Math.min(held.first_seen_ts, row.first_seen_ts) });
  }

  addSignal(row: SignalRow): void {
    const held = this.signals.get(row.signal_id);
    this.signals.set(row.signal_id, held === undefined ? row : { ...held, high_edge: held.high_edge || row.high_edge });
  }

  addPosition(row: PositionRow): void {
    const held = this.positions.get(row.position_id);
    if (held === undefined || held.updated_ts <= row.updated_ts) this.positions.set(row.position_id, row);
  }

  addNotification(row: NotificationRow): void {
    const held = this.notifications.get(row.notification_id);
    if (held === undefined || held.ts <= row.ts) this.notifications.set(row.notification_id, row);
  }

  addFinal(row: GameFinalRow): void {
    const held = this.finals.get(row.game_id);
    if (held === undefined || held.final_ts <= row.final_ts) this.finals.set(row.game_id, row);
  }

  /** Rows of every table (a measure of the batch, for metrics). */
  get size(): number {
    return (
      this.prices.length + this.games.size + this.gameStates.length + this.finals.size + this.signals.size +
      this.exitSignals.length + this.trades.length + this.fills.length + this.positions.size +
      this.positionEvents.length + this.settlements.length + this.incidents.length + this.deadLetters.length + this.notifications.size
    );
  }
}
