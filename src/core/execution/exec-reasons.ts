/**
 * Reason codes of execution outcomes that are not risk rejections (those are RISK_* from
 * src/core/risk/risk-codes.ts). TradeCompleted.reason is `<CODE>: <detail>`, so the dashboard
 * and the position tracker can group by the code without parsing prose.
 */
import type { RiskReasonCode } from '../risk/risk-codes.js';

export const ExecReasons = {
  EXEC_MALFORMED: 'the signal does not match its schema',
  EXEC_DUPLICATE: 'this signal or exit was already taken (idempotency across restarts)',
  EXEC_RECORD_UNAVAILABLE: 'the decision could not be claimed in Redis, so at-most-once could not be guaranteed',
  EXEC_SIZE_ZERO: 'sizing (fractional Kelly, depth, limits, balance) left no whole contract',
  EXEC_ARB_UNPROFITABLE: 'at the current books the arbitrage no longer pays after fees',
  EXEC_UNSUPPORTED_LEG: 'this leg cannot be sent to the venue (e.g. fractional contracts, an order worth less than a cent)',
  EXEC_VENUE_REJECTED: 'the venue refused the order',
  EXEC_NO_FILL: 'the order reached the venue but nothing filled at the limit',
  EXEC_ORDER_UNKNOWN: 'the venue did not answer in time; the outcome is reconciled from its orders and fills',
  EXEC_INTERRUPTED: 'the service stopped before the outcome was recorded; recovered at restart',
  EXEC_DRY_RUN: 'dry run: the order was logged, not signed or sent',
  EXEC_STATE: 'a fill could not be applied to the position book',
  EXEC_ENTRIES_PAUSED: 'new entries are paused (reduce-only mode, control:entries_paused); exits still run',
  EXEC_UNTRUSTED_SOURCE: 'the signal came from a publisher whose role may not send it (trades: game_shard; exits: position_tracker, api); never traded',
  EXEC_UNAUTHENTICATED: 'the signal carries no valid MAC under the bus key (unsigned, unknown key id, or altered); never traded',
} as const;

export type ExecReasonCode = keyof typeof ExecReasons;
/** Every code a TradeCompleted.reason may start with. */
export type ReasonCode = ExecReasonCode | RiskReasonCode;

export function reasonText(code: ReasonCode, detail: string): string {
  return `${code}: ${detail}`;
}
