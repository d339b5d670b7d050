/**
 * What the risk engine is asked and what it looks at. The request is plain data built by the
 * execution service from a TradeSignal (entries) or an ExitSignal (sells); the view is a
 * read-only window onto state owned elsewhere (RiskState, the bankroll, the position book and
 * the kill switch), so checkOrder itself stays a pure function.
 */
import type { Sport, Venue } from '../topics.js';
import type { Action, Side, TopOfBook } from '../execution/order-types.js';
import type { RiskReasonCode } from './risk-codes.js';

export interface OrderLegRequest {
  readonly venue: Venue;
  readonly marketId: string;
  readonly side: Side;
  readonly action: Action;
  readonly contracts: number;
  /** The order's limit, YES-side. */
  readonly limitYesPrice: number;
  /** The signal's limit, YES-side: the order may be better, never worse. */
  readonly signalLimitYesPrice: number;
  /** Latest top of book of this market, or null when none is known. */
  readonly top: TopOfBook | null;
}

export interface OrderRequest {
  /** Idempotency key: the signal or exit id. */
  readonly requestId: string;
  readonly gameId: string;
  readonly sport: Sport;
  readonly expiresUs: number;
  /** Legs accepted or rejected together (an arbitrage has two). */
  readonly legs: readonly OrderLegRequest[];
}

export interface RiskView {
  readonly killSwitch: boolean;
  /** Cash minus cash reserved for orders in flight. */
  readonly availableBalanceCc: number;
  hasSeen(requestId: string): boolean;
  isBlocked(venue: Venue, marketId: string): boolean;
  heldContracts(venue: Venue, marketId: string, side: Side): number;
  marketExposureCc(venue: Venue, marketId: string): number;
  gameExposureCc(gameId: string): number;
  sportExposureCc(sport: Sport): number;
  totalExposureCc(): number;
  /** Today's realised P&L plus the marked unrealised P&L of open positions. */
  dailyPnlCc(): number;
  /** Orders (legs) sent in the window ending now. */
  ordersInWindow(windowUs: number): number;
}

export type RiskDecision =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: RiskReasonCode; readonly detail: string; readonly legIndex: number | null };

export const ACCEPT: RiskDecision = Object.freeze({ ok: true });

export function reject(code: RiskReasonCode, detail: string, legIndex: number | null = null): RiskDecision {
  return { ok: false, code, detail, legIndex };
}
