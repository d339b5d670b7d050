/**
 * The shapes the execution service passes between its modules and keeps in its decision record
 * (one per signal or exit, in Redis, so a restart can finish what was in flight).
 */
import type { TradeCompleted } from '../../core/messages.js';
import type { LegReport, VenueOrder } from '../../core/execution/venue-order.js';
import type { OrderRequest } from '../../core/risk/risk-types.js';
import type { Sport, Venue } from '../../core/topics.js';

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
