/**
 * What the trade runner needs from a venue: send one immediate-or-cancel order and say what
 * happened, and later resolve an order whose outcome was unknown. Implemented by the paper book
 * (paper mode) and by the Kalshi and Polymarket clients (sim and live: only URLs and keys differ).
 */
import { createHash } from 'node:crypto';
import type { Venue } from '../core/topics.js';
import type { LegReport, VenueOrder } from '../core/execution/venue-order.js';

export interface VenueExecutor {
  readonly venue: Venue;
  /** Why this order cannot be sent at all (checked before any leg of a decision goes out), or null. */
  unsupported(order: VenueOrder): string | null;
  /** Never throws: every failure is a report (rejected, or unknown when the venue may have acted). */
  place(order: VenueOrder): Promise<LegReport>;
  /** The final report of an order whose outcome was unknown, or null while it still cannot be told. */
  reconcile(order: VenueOrder, sentAtMs: number): Promise<LegReport | null>;
}

export type VenueExecutors = Readonly<Record<Venue, VenueExecutor>>;

/** A stable UUID-shaped id per decision, leg and purpose (venues dedupe on it). */
export function clientOrderId(sourceId: string, legIndex: number, purpose: VenueOrder['purpose']): string {
  const h = createHash('sha256').update(`${sourceId}|${legIndex}|${purpose}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
