/**
 * Stable reason codes of the risk engine, in the order the checks run (risk-engine.ts). Logs,
 * counters, TradeCompleted.reason and the dashboard all carry these strings; never rename one.
 */
export const RiskReasonCodes = {
  RISK_MALFORMED: 'the order request is malformed (no legs, bad size or price, empty id)',
  RISK_KILL_SWITCH: 'the kill switch is on: trading is halted',
  RISK_EXPIRED: 'the signal expired before the order could be sent',
  RISK_DUPLICATE: 'this request id was already accepted (idempotency)',
  RISK_MARKET_UNRECONCILED: 'an earlier order on this market has an unknown outcome; blocked until reconciled',
  RISK_EXIT_EXCEEDS_POSITION: 'a sell is larger than the position held on that side',
  RISK_PRICE_OUT_OF_RANGE: 'the limit price is outside the allowed range',
  RISK_PRICE_WORSE_THAN_SIGNAL: "the order's limit is worse than the signal's limit",
  RISK_NO_BOOK: 'no usable book for the market (side to trade against is empty)',
  RISK_BOOK_CROSSED: 'the book is crossed (bid above ask)',
  RISK_SPREAD_TOO_WIDE: 'the bid-ask spread is wider than allowed',
  RISK_LIMIT_THROUGH_BOOK: 'the limit is too far through the best price (fat finger)',
  RISK_ORDER_CONTRACTS: 'too many contracts in one order',
  RISK_ORDER_NOTIONAL: 'order notional above the per-order maximum',
  RISK_MARKET_EXPOSURE: 'exposure on this market would exceed its limit',
  RISK_GAME_EXPOSURE: 'exposure on this game would exceed its limit',
  RISK_SPORT_EXPOSURE: 'exposure on this sport would exceed its limit',
  RISK_TOTAL_EXPOSURE: 'total exposure would exceed its limit',
  RISK_DAILY_LOSS: "today's loss (realised plus marked unrealised) reached the daily limit",
  RISK_RATE_LIMIT: 'too many orders in the rate window',
  RISK_INSUFFICIENT_BALANCE: 'available cash (cash minus reserved) does not cover the order',
} as const;

export type RiskReasonCode = keyof typeof RiskReasonCodes;
export const RISK_REASON_CODES = Object.keys(RiskReasonCodes) as RiskReasonCode[];
