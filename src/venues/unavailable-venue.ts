/**
 * The executor of a venue that cannot trade (no credentials, no API key): refuses each of its
 * orders with the reason, so the other venues can still trade.
 */
import { reasonText } from '../core/execution/exec-reasons.js';
import { emptyReport, type LegReport } from '../core/execution/venue-order.js';
import type { Venue } from '../core/topics.js';
import type { VenueExecutor } from './venue-executor.js';

export class UnavailableVenue implements VenueExecutor {
  constructor(
    readonly venue: Venue,
    private readonly why: string,
  ) {}

  unsupported(): string | null {
    return this.why;
  }

  place(): Promise<LegReport> {
    return Promise.resolve(emptyReport('rejected', reasonText('EXEC_UNSUPPORTED_LEG', this.why)));
  }

  reconcile(): Promise<LegReport | null> {
    return Promise.resolve(null);
  }
}
