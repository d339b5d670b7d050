/**
 * The api's contract (REST responses, control bodies, the /ws protocol), shared by the api
 * service and the dashboard. The dashboard imports only types from here (and from messages.ts),
 * never server code. Request shapes are zod schemas, so the api validates exactly what it documents.
 */
import { z } from 'zod';
import type { GameInfo, GameState, Heartbeat, OrderBook, Position, PriceUpdate, TradeCompleted, TradeSignal } from './messages.js';
import { TopicPrefix, VENUES } from './topics.js';

// ---- paging ----------------------------------------------------------------------------------

export const MAX_PAGE = 500;
const Limit = z.coerce.number().int().min(1).max(MAX_PAGE).default(50);
/** A Redis stream id cursor (`<ms>-<n>`): the page holds entries strictly older. */
const StreamCursor = z.string().regex(/^\d{1,16}-\d{1,10}$/, 'must be a stream id like 1700000000000-0');

/**
 * A Postgres keyset cursor (`<ts>~<id>`), for history with no stream id (closed positions, reports
 * read from the database). A reader handed the other kind of cursor maps it by time.
 */
const KeysetCursor = z.string().regex(/^\d{1,17}~[A-Za-z0-9_:\-]{1,128}$/, 'must be a cursor like 1700000000000000~id');
const HistoryCursor = z.union([StreamCursor, KeysetCursor]);

export const StreamPageQuery = z.object({ limit: Limit, before: StreamCursor.optional() }).strict();
export const TradesQuery = StreamPageQuery.extend({ status: z.enum(['filled', 'partial', 'rejected', 'failed', 'unknown']).optional() }).strict();
export const PositionsQuery = z.object({ limit: Limit, before: HistoryCursor.optional(), state: z.enum(['open', 'closed']).default('open') }).strict();
export const ReportsQuery = z.object({ limit: Limit, before: KeysetCursor.optional(), kind: z.string().regex(/^[a-z_]{1,20}$/).optional() }).strict();
export const GamesQuery = z
  .object({
    limit: Limit,
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
    status: z.enum(['scheduled', 'live', 'halftime', 'final', 'postponed', 'cancelled', 'delayed']).optional(),
    sport: z.string().regex(/^[a-z]{2,8}$/).optional(),
  })
  .strict();
export const FunnelQuery = z.object({ window: z.coerce.number().int().min(10).max(10_000).default(1_000) }).strict();
const IdParam = z.string().regex(/^[A-Za-z0-9_:\-]{1,128}$/, 'must be an id of letters, digits, _ : -');
export const GameParams = z.object({ gameId: IdParam }).strict();
export const ReportParams = z.object({ reportId: IdParam }).strict();
export const MarketParams = z.object({ venue: z.enum(VENUES), marketId: IdParam }).strict();

export interface Page<T> {
  items: T[];
  /** Pass as `before` for the next (older) page; null at the end. */
  next_before: string | null;
  /** Where a history list came from: the recorder's Postgres, or the Redis streams (no database, or it is down). */
  source?: HistorySource;
}

export type HistorySource = 'postgres' | 'redis';
/** Response header naming the HistorySource of a history read. */
export const HISTORY_SOURCE_HEADER = 'x-arbees-history-source';

/** A stored report as listed (`summary` is the report's totals). */
export interface ReportSummaryView {
  report_id: string;
  kind: string;
  since_ts: number;
  until_ts: number;
  created_ts: number;
  time_zone: string;
  summary: unknown;
}

export interface ReportView extends ReportSummaryView {
  body: unknown;
  markdown: string;
}

// ---- controls ---------------------------------------------------------------------------------

export const KillSwitchBody = z.object({ on: z.boolean(), reason: z.string().max(200).optional() }).strict();
export const EntriesBody = z.object({ paused: z.boolean(), reason: z.string().max(200).optional() }).strict();
export const FlattenPositionBody = z.object({ position_id: IdParam }).strict();
export const FlattenGameBody = z.object({ game_id: IdParam }).strict();
/** Close all also pauses new entries unless told not to: a trader who closes everything wants to stay flat. */
export const CloseAllBody = z.object({ confirm: z.literal(true), pause_entries: z.boolean().default(true) }).strict();

export interface ControlResult {
  ok: boolean;
  action: string;
  /** Id of the audit:api entry that records this request. */
  audit_id: string | null;
  detail: string;
  /** Exit signals sent (flatten / close all). */
  exits?: { exit_id: string; position_id: string; contracts: number; yes_price: number }[];
  state?: ControlState;
}

export interface ControlState {
  kill_switch: boolean;
  kill_switch_value: string | null;
  entries_paused: boolean;
}

export interface AuditEntryView {
  id: string;
  ts: number;
  who: string;
  action: string;
  params: string;
  result: string;
  detail: string;
}

export interface ApiErrorBody {
  error: { code: string; message: string };
}

// ---- read models ------------------------------------------------------------------------------

export interface ServiceView extends Heartbeat {
  /** Milliseconds since the last heartbeat and since the instance started. */
  age_ms: number;
  uptime_ms: number;
}

export interface GameView {
  info: GameInfo;
  state: GameState | null;
  prices: PriceUpdate[];
}

export interface MarketView {
  price: PriceUpdate | null;
  price_ts: number | null;
  book: OrderBook | null;
}

export interface SignalView {
  stream_id: string;
  ts: number;
  type: string;
  signal: TradeSignal;
}

export interface TradeView {
  stream_id: string;
  ts: number;
  origin_ts: number;
  trade: TradeCompleted;
  /** The code part of `reason` (`RISK_MAX_EXPOSURE: ...` -> `RISK_MAX_EXPOSURE`). */
  reason_code: string | null;
}

export interface PositionView {
  position: Position;
  stream_id: string | null;
}

export interface LimitUse {
  name: string;
  used_cc: number;
  limit_cc: number;
  /** used / limit, 0..1+ */
  use: number;
}

export interface AccountView {
  mode: 'paper' | 'sim' | 'live' | 'unknown';
  initial_bankroll_cc: number | null;
  cash_cc: number | null;
  realised_cc: number | null;
  day: string | null;
  day_realised_cc: number | null;
  unrealised_cc: number;
  open_exposure_cc: number;
  open_positions: number;
  exposure_by_sport: Record<string, number>;
  exposure_by_game: Record<string, number>;
  closed_count: number;
  win_rate: number | null;
  max_drawdown_cc: number;
  limits: LimitUse[];
  control: ControlState;
}

export interface FunnelRow {
  kind: string;
  signals: number;
  decided: number;
  filled: number;
  rejected: number;
  rejected_by_reason: Record<string, number>;
}

export interface HealthView {
  ok: boolean;
  redis: boolean;
  services_healthy: number;
  services_total: number;
  ws_clients: number;
  ts: number;
}

// ---- /ws ----------------------------------------------------------------------------------------

/** Prefixes a client may subscribe to: every family of the hot path, or narrower (`prices.kalshi.`). */
export const WS_ROOT_PREFIXES: readonly string[] = [
  TopicPrefix.prices,
  TopicPrefix.orderbooks,
  TopicPrefix.games,
  TopicPrefix.signals,
  TopicPrefix.tradesCompleted,
  TopicPrefix.positions,
  TopicPrefix.health,
];

export const WsClientMessage = z.union([
  z.object({ subscribe: z.array(z.string().max(200)).min(1).max(50) }).strict(),
  z.object({ unsubscribe: z.array(z.string().max(200)).min(1).max(50) }).strict(),
  z.object({ ping: z.number().optional() }).strict(),
]);
export type WsClientMessage = z.infer<typeof WsClientMessage>;

/** A hot-path message as a client receives it. */
export interface WsEvent {
  topic: string;
  type: string;
  /** Publish time and the causing event's time, microseconds since the epoch. */
  ts: number;
  origin_ts: number;
  src: string;
  data: unknown;
}

/**
 * Not a hot-path topic: the api itself pushes a `status` message (services, account, funnel,
 * controls) every few seconds to clients subscribed to this prefix, so the dashboard never polls.
 */
export const WS_STATUS_PREFIX = 'status.';

export interface StatusPush {
  services: ServiceView[];
  account: AccountView;
  funnel: FunnelRow[];
}

export type WsServerMessage =
  | ({ kind: 'status' } & StatusPush)
  | ({ kind: 'event' } & WsEvent)
  | { kind: 'snapshot'; prefix: string; events: WsEvent[] }
  | { kind: 'subscribed'; prefixes: string[] }
  | { kind: 'unsubscribed'; prefixes: string[] }
  | { kind: 'pong'; ping: number | null; ts: number }
  | { kind: 'error'; code: string; message: string }
  | { kind: 'dropped'; count: number };

/** Close codes: 1008 policy (bad protocol, repeatedly), 1013 try again later (too slow / too many). */
export const WsCloseCode = { protocol: 1008, slowClient: 1013, tooMany: 1013, shutdown: 1001 } as const;

/** Whether `prefix` lies within one of the hot path's families (so it can ever match). */
export function isKnownWsPrefix(prefix: string): boolean {
  return prefix === WS_STATUS_PREFIX || WS_ROOT_PREFIXES.some((root) => prefix.startsWith(root));
}
