/**
 * The message catalogue: one schema per hot-path message (docs/architecture.md section 1), shared by every
 * service, the API and the dashboard. Types are inferred from the schemas, so the runtime check
 * and the compile-time type can never drift apart.
 *
 * Conventions: prices are YES-side probabilities in [0,1] with an explicit `side` wherever a
 * side matters; quantities are contracts, whole on Kalshi and with up to 6 decimals on Polymarket
 * (its shares to the millionth; arithmetic on them in money.ts, never in floats); money is integer centi-cents (`*_cc`, 1/10000 dollar,
 * see money.ts); timestamps ending in `_ts` are integer microseconds since the epoch.
 */
import { z } from 'zod';
import { isMicroQuantity } from './money.js';
import { SPORTS, VENUES } from './topics.js';

const lower = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v);

export const VenueSchema = z.enum(VENUES);
/** Venues and feeds disagree on casing (the reference system used NBA on the bus, nba in SQL). */
export const SportSchema = z.preprocess(lower, z.enum(SPORTS));
export const SideSchema = z.enum(['yes', 'no']);
export const ActionSchema = z.enum(['buy', 'sell']);
export const YesPrice = z.number().min(0).max(1);
export const Contracts = z.number().nonnegative();
/** A held or traded quantity: contracts with at most 6 decimals (micro-contracts, money.ts). */
export const Quantity = z.number().nonnegative().refine(isMicroQuantity, 'a quantity has at most 6 decimals');
export const Micros = z.number().int().nonnegative();
export const MoneyCc = z.number().int();
const Id = z.string().min(1).max(128);

export const PriceUpdateSchema = z.object({
  venue: VenueSchema,
  market_id: Id,
  game_id: Id.nullable(),
  /** The team the YES contract pays on (abbreviation), when known. */
  team: z.string().nullable(),
  yes_bid: YesPrice.nullable(),
  yes_ask: YesPrice.nullable(),
  yes_bid_size: Contracts,
  yes_ask_size: Contracts,
  last_price: YesPrice.nullable().optional(),
  status: z.enum(['open', 'closed', 'halted', 'settled']),
  venue_ts: Micros.nullable().optional(),
});

/**
 * One market's top of book in a quote snapshot: the PriceUpdate last published for it, with the
 * `origin_ts` of that price message (the monitor's receipt of the venue frame).
 */
export const QuoteSchema = PriceUpdateSchema.extend({ origin_ts: Micros });

/** Most quotes in one snapshot message; a monitor with more changed markets sends several. */
export const MAX_QUOTES_PER_SNAPSHOT = 1_000;

/**
 * `quotes.<venue>.<instance>`: every `MONITOR_QUOTES_INTERVAL_MS` (and at once on a halt, close or
 * settlement), a monitor's markets whose top changed since its last snapshot, latest only. For
 * consumers that need the current state of many markets, not every tick (marks, exits, risk):
 * one message an interval instead of one per venue update (issue 13).
 */
export const QuoteSnapshotSchema = z.object({
  venue: VenueSchema,
  quotes: z.array(QuoteSchema).max(MAX_QUOTES_PER_SNAPSHOT),
});

/** A BookLevel (core/book-level.ts): [YES price, contracts]. */
const Level = z.tuple([YesPrice, Contracts]).readonly();
export const OrderBookSchema = z.object({
  venue: VenueSchema,
  market_id: Id,
  game_id: Id.nullable(),
  /** The venue's own book sequence number, when it has one. */
  book_seq: z.number().int().nullable(),
  /** Best first. Both sides in YES terms: a NO bid at p is a YES ask at 1-p. */
  yes_bids: z.array(Level),
  yes_asks: z.array(Level),
});

/**
 * The levels a signal leg was priced on (at most 10 a side, best first), with where they came
 * from: `origin_ts` of the price message (the monitor's receipt of the venue frame, our clock),
 * that message's `seq` on its topic, and the venue's own book sequence when known.
 */
export const LegBookSchema = z.object({
  yes_bids: z.array(Level).max(10),
  yes_asks: z.array(Level).max(10),
  origin_ts: Micros,
  seq: z.number().int().nonnegative(),
  book_seq: z.number().int().nullable(),
});

export const TeamSchema = z.object({
  name: z.string(),
  abbr: z.string(),
  espn_id: z.string().nullable().optional(),
});

export const MarketRefSchema = z.object({
  venue: VenueSchema,
  market_id: Id,
  /** Abbreviation of the team the YES contract pays on; null for a draw contract. */
  team: z.string().nullable(),
  outcome: z.enum(['home', 'away', 'draw']),
  title: z.string().optional(),
});

export const GameStatusSchema = z.enum([
  'scheduled',
  'live',
  'halftime',
  'final',
  'postponed',
  'cancelled',
  'delayed',
]);

export const GameInfoSchema = z.object({
  event: z.enum(['discovered', 'updated', 'final']),
  game_id: Id,
  sport: SportSchema,
  name: z.string(),
  home: TeamSchema,
  away: TeamSchema,
  start_time: z.string(),
  status: GameStatusSchema,
  markets: z.array(MarketRefSchema),
  shard: z.string().nullable(),
});

export const GameStateSchema = z.object({
  game_id: Id,
  sport: SportSchema,
  status: GameStatusSchema,
  period: z.number().int().nonnegative(),
  /** Seconds left in the current period (0 where the sport has no clock). */
  clock_s: z.number().nonnegative(),
  home_score: z.number().int().nonnegative(),
  away_score: z.number().int().nonnegative(),
  possession: z.enum(['home', 'away']).nullable(),
  /** Sport-specific detail (down and distance, outs and bases, power play...). */
  situation: z.record(z.string(), z.unknown()).nullable(),
  model_home_prob: YesPrice.nullable(),
  espn_home_prob: YesPrice.nullable(),
  /** Best executable YES prices per market, as the shard saw them. */
  markets: z.array(
    z.object({ venue: VenueSchema, market_id: Id, yes_bid: YesPrice.nullable(), yes_ask: YesPrice.nullable() }),
  ),
  updated_ts: Micros,
});

export const SignalLegSchema = z.object({
  venue: VenueSchema,
  market_id: Id,
  team: z.string().nullable(),
  side: SideSchema,
  action: ActionSchema,
  /** Limit as a YES-side price: buying NO at 0.40 is yes_price 0.60 with side "no". */
  yes_price: YesPrice,
  contracts: Contracts,
  /** Fee the venue charges on this leg at this size. */
  fee_cc: MoneyCc,
  /** The book this leg was priced on (issue 13): execution fills paper orders against it, or a fresher one. */
  book: LegBookSchema.optional(),
});

export const TradeSignalSchema = z.object({
  signal_id: Id,
  kind: z.enum(['arbitrage', 'model_edge', 'score_change']),
  game_id: Id,
  sport: SportSchema,
  /** Every leg executes together or not at all (an arbitrage has two). */
  legs: z.array(SignalLegSchema).min(1).max(4),
  model_prob: YesPrice.nullable(),
  /** SD of model_prob (the model's own doubt, see core/win-probability/uncertainty.ts); Kelly shrinks by it. */
  model_prob_sd: z.number().min(0).max(1).nullable().optional(),
  /** Expected edge per contract net of fees, in probability points (0.05 = 5 cents). */
  net_edge: z.number(),
  gross_edge: z.number(),
  confidence: z.number().min(0).max(1),
  reason: z.string(),
  created_ts: Micros,
  expires_ts: Micros,
});

export const ExitSignalSchema = z.object({
  exit_id: Id,
  position_id: Id,
  game_id: Id,
  venue: VenueSchema,
  market_id: Id,
  side: SideSchema,
  /** What the venue can sell of the position: at most what is held, on the venue's size step. */
  contracts: Quantity,
  /** Worst acceptable YES-side price for the closing order. */
  yes_price: YesPrice,
  reason: z.enum(['take_profit', 'stop_loss', 'edge_gone', 'stale_market', 'time', 'manual']),
  created_ts: Micros,
  expires_ts: Micros,
});

export const FillSchema = z.object({
  venue: VenueSchema,
  market_id: Id,
  side: SideSchema,
  action: ActionSchema,
  contracts: Quantity,
  /** Average fill as a YES-side price. */
  yes_price: YesPrice,
  fee_cc: MoneyCc,
  order_id: z.string().nullable(),
  /**
   * Cash that moved for the contracts, before fee_cc (paid by a buy, received by a sell), when the
   * venue reported it and it is not exactly contracts x side price (fractional shares, a fee taken
   * in shares). Absent in older records and for whole-contract fills: contracts x side price.
   */
  notional_cc: MoneyCc.nonnegative().optional(),
});

export const TradeCompletedSchema = z.object({
  trade_id: Id,
  source: z.enum(['signal', 'exit']),
  source_id: Id,
  game_id: Id,
  sport: SportSchema,
  mode: z.enum(['paper', 'sim', 'live']),
  status: z.enum(['filled', 'partial', 'rejected', 'failed', 'unknown']),
  reason: z.string().nullable(),
  fills: z.array(FillSchema),
  decided_ts: Micros,
});

export const PositionSchema = z.object({
  position_id: Id,
  game_id: Id,
  sport: SportSchema,
  venue: VenueSchema,
  market_id: Id,
  team: z.string().nullable(),
  side: SideSchema,
  state: z.enum(['open', 'closed', 'settled']),
  contracts: Quantity,
  /** Average entry as a YES-side price. */
  avg_yes_price: YesPrice,
  mark_yes_price: YesPrice.nullable(),
  cost_cc: MoneyCc,
  fees_cc: MoneyCc,
  realized_pnl_cc: MoneyCc,
  unrealized_pnl_cc: MoneyCc,
  opened_ts: Micros,
  updated_ts: Micros,
});

export const HeartbeatSchema = z.object({
  service: z.string(),
  instance: z.string(),
  /** The service definition the instance runs (what it may publish); absent in older entries. */
  role: z.string().optional(),
  /** Id of the bus key it signs signals with (bus/envelope-signer.ts); absent in older entries. */
  key_id: z.string().optional(),
  status: z.enum(['starting', 'healthy', 'degraded', 'stopping']),
  pid: z.number().int(),
  host: z.string(),
  started_ts: Micros,
  /** Hot-path endpoints this instance publishes on (empty for subscribers only). */
  endpoints: z.array(z.string()),
  metrics: z.record(z.string(), z.number()),
  detail: z.string().optional(),
  ts: Micros,
});

export const HealthAlertSchema = z.object({
  alert_id: Id,
  service: z.string(),
  instance: z.string().nullable(),
  severity: z.enum(['info', 'warning', 'critical']),
  kind: z.enum(['dead', 'restarted', 'degraded', 'recovered', 'feed_down', 'feed_up', 'other']),
  message: z.string(),
  ts: Micros,
});

/** The envelope `type` field names one of these; the schema validates its `data`. */
export const MessageSchemas = {
  price: PriceUpdateSchema,
  orderbook: OrderBookSchema,
  quotes: QuoteSnapshotSchema,
  game_info: GameInfoSchema,
  game_state: GameStateSchema,
  trade_signal: TradeSignalSchema,
  high_edge_signal: TradeSignalSchema,
  exit_signal: ExitSignalSchema,
  trade_completed: TradeCompletedSchema,
  position: PositionSchema,
  heartbeat: HeartbeatSchema,
  health_alert: HealthAlertSchema,
} as const;

export type MessageType = keyof typeof MessageSchemas;
export type MessageData<T extends MessageType> = z.infer<(typeof MessageSchemas)[T]>;

export type PriceUpdate = z.infer<typeof PriceUpdateSchema>;
export type OrderBook = z.infer<typeof OrderBookSchema>;
export type Quote = z.infer<typeof QuoteSchema>;
export type QuoteSnapshot = z.infer<typeof QuoteSnapshotSchema>;
export type Team = z.infer<typeof TeamSchema>;
export type MarketRef = z.infer<typeof MarketRefSchema>;
export type GameStatus = z.infer<typeof GameStatusSchema>;
export type GameInfo = z.infer<typeof GameInfoSchema>;
export type GameState = z.infer<typeof GameStateSchema>;
export type SignalLeg = z.infer<typeof SignalLegSchema>;
export type LegBook = z.infer<typeof LegBookSchema>;
export type TradeSignal = z.infer<typeof TradeSignalSchema>;
export type ExitSignal = z.infer<typeof ExitSignalSchema>;
export type Fill = z.infer<typeof FillSchema>;
export type TradeCompleted = z.infer<typeof TradeCompletedSchema>;
export type Position = z.infer<typeof PositionSchema>;
export type Heartbeat = z.infer<typeof HeartbeatSchema>;
export type HealthAlert = z.infer<typeof HealthAlertSchema>;

export function isMessageType(t: unknown): t is MessageType {
  return typeof t === 'string' && Object.prototype.hasOwnProperty.call(MessageSchemas, t);
}
