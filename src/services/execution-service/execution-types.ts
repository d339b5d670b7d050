/**
 * The shapes the execution service passes between its modules and keeps in its decision record
 * (one per signal or exit, in Redis, so a restart can finish what was in flight).
 */
import type { Fill, TradeCompleted } from '../../core/messages.js';
import type { Action, Side } from '../../core/execution/order-types.js';
import type { OrderRequest } from '../../core/risk/risk-types.js';
import type { Sport, Venue } from '../../core/topics.js';

/** One order as a venue gets it. */
export interface VenueOrder {
  readonly venue: Venue;
  readonly marketId: string;
  readonly side: Side;
  readonly action: Action;
  readonly contracts: number;
  /** Worst YES-side price; null sells at any price (an unwind that must get out). */
  readonly limitYesPrice: number | null;
  /** Deterministic per decision and leg, so a re-send after a restart is refused as a duplicate by the venue. */
  readonly clientOrderId: string;
  readonly purpose: 'entry' | 'exit' | 'unwind';
  /** When the order was decided (ms); signed into venue orders so a re-sign is byte-identical. */
  readonly createdMs: number;
  /** Team of the contract (position meta). */
  readonly team: string | null;
}

/** What a venue (or the paper book) did with one order. */
export interface LegReport {
  readonly status: 'filled' | 'partial' | 'none' | 'rejected' | 'unknown';
  readonly filled: number;
  /** Contracts x side price summed, cc: paid by a buy, received by a sell, before fees. */
  readonly notionalCc: number;
  readonly feeCc: number;
  readonly fills: readonly Fill[];
  readonly orderId: string | null;
  /** Reason code and detail when rejected, none or unknown. */
  readonly detail: string;
}

export interface TradeLeg {
  readonly order: VenueOrder;
  state: 'pending' | 'done' | 'unknown';
  report: LegReport | null;
  /** Wall-clock ms when the order was handed to the venue client (for the reconcile grace). */
  sentAtMs: number | null;
  /** Whether this leg's fills were already published in a TradeCompleted. */
  published: boolean;
}

export type SourceKind = TradeCompleted['source'];

export interface TradeRecord {
  readonly source: SourceKind;
  readonly sourceId: string;
  readonly kind: 'arbitrage' | 'model_edge' | 'score_change' | 'exit';
  readonly gameId: string;
  readonly sport: Sport;
  readonly originTs: number;
  /** Envelope id of the signal (TradeCompleted `cause`). */
  readonly cause: string;
  state: 'claimed' | 'executing' | 'unknown' | 'done';
  /** The accepted risk request (restored into the risk state after a restart). */
  request: OrderRequest | null;
  reservedCc: number;
  legs: TradeLeg[];
  unwinds: TradeLeg[];
  /** How many TradeCompleted messages this decision produced so far. */
  publications: number;
  /** Status and reason of the last publication. */
  status: TradeCompleted['status'] | null;
  reason: string | null;
  notes: string[];
  updatedMs: number;
}

export const emptyReport = (status: LegReport['status'], detail: string): LegReport => ({
  status,
  filled: 0,
  notionalCc: 0,
  feeCc: 0,
  fills: [],
  orderId: null,
  detail,
});
