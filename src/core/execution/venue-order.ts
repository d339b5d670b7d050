/**
 * One order as a venue executor gets it, and the report of what the venue did with it: the
 * contract between execution_service and every venue's executor (src/venues/<venue>/executor.ts).
 */
import type { Fill } from '../messages.js';
import type { Sport, Venue } from '../topics.js';
import type { Action, Side } from './order-types.js';

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

export const emptyReport = (status: LegReport['status'], detail: string): LegReport => ({
  status,
  filled: 0,
  notionalCc: 0,
  feeCc: 0,
  fills: [],
  orderId: null,
  detail,
});
