/**
 * Kalshi Trade API v2 constants and the internal shapes the parsers produce. Wire JSON never
 * leaves parse.ts: everything else sees YES-side probabilities in [0,1], contracts, and money in
 * integer centi-cents (src/core/money.ts).
 */

export type KalshiEnv = 'prod' | 'demo';

/** The REST root every signed path starts with, whatever the host. */
export const KALSHI_REST_PREFIX = '/trade-api/v2';
export const KALSHI_WS_PATH = '/trade-api/ws/v2';

export const KALSHI_HOSTS: Readonly<Record<KalshiEnv, { restUrl: string; wsUrl: string }>> = Object.freeze({
  prod: {
    restUrl: 'https://external-api.kalshi.com/trade-api/v2',
    wsUrl: 'wss://external-api-ws.kalshi.com/trade-api/ws/v2',
  },
  demo: {
    restUrl: 'https://external-api.demo.kalshi.co/trade-api/v2',
    wsUrl: 'wss://external-api-ws.demo.kalshi.co/trade-api/ws/v2',
  },
});

/** Header names of a signed request. */
export const KalshiHeader = {
  key: 'KALSHI-ACCESS-KEY',
  timestamp: 'KALSHI-ACCESS-TIMESTAMP',
  signature: 'KALSHI-ACCESS-SIGNATURE',
} as const;

/** A price level: [YES-leg or NO-leg price as a probability, contracts]. */
export type KalshiLevel = [price: number, size: number];

export type KalshiOutcomeSide = 'yes' | 'no';
export type KalshiBookSide = 'bid' | 'ask';

export interface KalshiPriceRange {
  start: number;
  end: number;
  step: number;
}

export interface KalshiMarket {
  ticker: string;
  eventTicker: string;
  marketType: 'binary' | 'scalar';
  title: string | null;
  yesSubTitle: string;
  noSubTitle: string;
  /** Response vocabulary: initialized, inactive, active, closed, determined, disputed, amended, finalized. */
  status: string;
  result: 'yes' | 'no' | 'scalar' | null;
  /** Best YES bid/ask; null when there is no size at the top (Kalshi still sends "0.0000"/"1.0000"). */
  yesBid: number | null;
  yesAsk: number | null;
  yesBidSize: number;
  yesAskSize: number;
  lastPrice: number;
  volume: number;
  volume24h: number;
  openInterest: number;
  openTime: string;
  closeTime: string;
  expectedExpirationTime: string | null;
  priceLevelStructure: string;
  priceRanges: KalshiPriceRange[];
  fractionalTradingEnabled: boolean;
  canCloseEarly: boolean;
}

export interface KalshiMarketsPage {
  markets: KalshiMarket[];
  /** null when there is no next page. */
  cursor: string | null;
}

export interface KalshiEvent {
  eventTicker: string;
  seriesTicker: string;
  title: string;
  subTitle: string;
  mutuallyExclusive: boolean;
  strikeDate: string | null;
  /** Per-event fee overrides of the series' schedule (null = the series' own). */
  feeTypeOverride: string | null;
  feeMultiplierOverride: number | null;
  /** Only with `with_nested_markets=true`. */
  markets: KalshiMarket[] | null;
}

export interface KalshiEventsPage {
  events: KalshiEvent[];
  cursor: string | null;
}

/** A series' fee schedule (`GET /series/{ticker}`), with the event's overrides applied by the caller. */
export interface KalshiSeriesFee {
  seriesTicker: string;
  /** quadratic | quadratic_with_maker_fees | quadratic_with_combo_maker_fees | flat | anything newer. */
  feeType: string;
  feeMultiplier: number;
}

export interface KalshiEventDetail {
  event: KalshiEvent;
  markets: KalshiMarket[];
}

/** REST order book: bids only, both legs in their own pricing, ascending (best last) as on the wire. */
export interface KalshiOrderbook {
  yes: KalshiLevel[];
  no: KalshiLevel[];
}

export interface KalshiBalance {
  balanceCc: number;
  portfolioValueCc: number;
  updatedTs: number | null;
}

export interface KalshiMarketPosition {
  ticker: string;
  /** Signed contracts: positive YES, negative NO. */
  position: number;
  totalTradedCc: number;
  marketExposureCc: number;
  realizedPnlCc: number;
  feesPaidCc: number;
  lastUpdated: string | null;
}

export interface KalshiEventPosition {
  eventTicker: string;
  totalCostCc: number;
  eventExposureCc: number;
  realizedPnlCc: number;
  feesPaidCc: number;
}

export interface KalshiPositionsPage {
  marketPositions: KalshiMarketPosition[];
  eventPositions: KalshiEventPosition[];
  cursor: string | null;
}

export interface KalshiFill {
  fillId: string;
  orderId: string;
  ticker: string;
  outcomeSide: KalshiOutcomeSide;
  bookSide: KalshiBookSide;
  count: number;
  yesPrice: number;
  isTaker: boolean;
  feeCc: number;
  /** Optional in the fills schema. */
  createdTime: string | null;
}

export interface KalshiFillsPage {
  fills: KalshiFill[];
  cursor: string | null;
}

export type KalshiOrderStatus = 'resting' | 'canceled' | 'executed';

export interface KalshiOrder {
  orderId: string;
  clientOrderId: string | null;
  ticker: string;
  outcomeSide: KalshiOutcomeSide;
  bookSide: KalshiBookSide;
  status: KalshiOrderStatus;
  yesPrice: number;
  fillCount: number;
  remainingCount: number;
  initialCount: number;
  takerFeesCc: number;
  makerFeesCc: number;
  createdTime: string | null;
}

export interface KalshiOrdersPage {
  orders: KalshiOrder[];
  cursor: string | null;
}

export type KalshiTimeInForce = 'fill_or_kill' | 'good_till_canceled' | 'immediate_or_cancel';

/** V2 create (single book): every price is the YES price; `bid` buys YES, `ask` sells YES. */
export interface KalshiCreateOrderRequest {
  ticker: string;
  side: KalshiBookSide;
  /** Contracts; whole numbers unless the market allows fractional trading. */
  count: number;
  /** YES price as a probability, on the market's tick grid. */
  yesPrice: number;
  timeInForce: KalshiTimeInForce;
  selfTradePrevention?: 'taker_at_cross' | 'maker';
  clientOrderId?: string;
  postOnly?: boolean;
  reduceOnly?: boolean;
  /** Unix seconds, with good_till_canceled. */
  expirationTs?: number;
}

export interface KalshiCreateOrderResult {
  orderId: string;
  clientOrderId: string | null;
  fillCount: number;
  remainingCount: number;
  averageFillPrice: number | null;
  /** Average fee per contract in dollars, as the venue reports it. */
  averageFeePaid: number | null;
  tsMs: number;
}

export interface KalshiCancelOrderResult {
  orderId: string;
  clientOrderId: string | null;
  reducedBy: number;
  tsMs: number | null;
}

// ---- WebSocket messages ----------------------------------------------------------------------

export interface KalshiWsSnapshot {
  type: 'orderbook_snapshot';
  sid: number;
  seq: number;
  ticker: string;
  marketId: string | null;
  /** Both legs in their own (bid) pricing unless the subscription asked for use_yes_price. */
  yes: KalshiLevel[];
  no: KalshiLevel[];
}

export interface KalshiWsDelta {
  type: 'orderbook_delta';
  sid: number;
  seq: number;
  ticker: string;
  side: KalshiOutcomeSide;
  price: number;
  /** Signed contracts added to the level. */
  delta: number;
  clientOrderId: string | null;
  tsMs: number | null;
}

export interface KalshiWsTicker {
  type: 'ticker';
  sid: number;
  ticker: string;
  /** Last trade price; null for a market that never traded. */
  lastPrice: number | null;
  yesBid: number | null;
  yesAsk: number | null;
  yesBidSize: number;
  yesAskSize: number;
  volume: number;
  openInterest: number;
  tsMs: number | null;
}

export interface KalshiWsTrade {
  type: 'trade';
  sid: number;
  tradeId: string;
  ticker: string;
  yesPrice: number;
  count: number;
  takerOutcomeSide: KalshiOutcomeSide;
  takerBookSide: KalshiBookSide;
  tsMs: number;
}

export interface KalshiWsSubscribed {
  type: 'subscribed';
  id: number | null;
  channel: string;
  sid: number;
}

export interface KalshiWsOk {
  type: 'ok';
  id: number | null;
  sid: number | null;
  marketTickers: string[] | null;
  subscriptions: { channel: string; sid: number }[] | null;
}

export interface KalshiWsUnsubscribed {
  type: 'unsubscribed';
  id: number | null;
  sid: number;
}

export interface KalshiWsErrorMsg {
  type: 'error';
  id: number | null;
  code: number;
  message: string;
}

/**
 * `market_lifecycle_v2`: a market's status changed. `determined`/`settled` carry the result,
 * which is how a Kalshi market's settlement is read (not inferred from prices).
 */
export interface KalshiWsLifecycle {
  type: 'market_lifecycle';
  ticker: string;
  eventType: string;
  /** 'yes' / 'no' once determined; null otherwise (or a scalar result, which arbees does not trade). */
  result: 'yes' | 'no' | null;
}

/** A well-formed message of a type this client does not act on (fill, ...). */
export interface KalshiWsOther {
  type: 'other';
  rawType: string;
}

export type KalshiWsMessage =
  | KalshiWsSnapshot
  | KalshiWsDelta
  | KalshiWsTicker
  | KalshiWsTrade
  | KalshiWsSubscribed
  | KalshiWsOk
  | KalshiWsUnsubscribed
  | KalshiWsErrorMsg
  | KalshiWsLifecycle
  | KalshiWsOther;
