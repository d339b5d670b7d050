/**
 * Dry run: every order stops here, before any signing or sending. What would have been sent is
 * logged (venue, market, side, size, limit, client order id; never a key) and the leg reports
 * EXEC_DRY_RUN, so the whole pipeline runs without touching a venue.
 */
import type { Logger } from 'pino';
import { emptyReport, type LegReport, type VenueOrder } from '../../core/execution/venue-order.js';
import { reasonText } from '../../core/execution/exec-reasons.js';
import type { VenueExecutor } from '../../venues/venue-executor.js';

export class DryRunExecutor implements VenueExecutor {
  readonly venue: VenueExecutor['venue'];
  orders = 0;

  /** `rules` says which orders the real venue could not take (no keys are loaded in a dry run). */
  constructor(
    private readonly rules: Pick<VenueExecutor, 'venue' | 'unsupported'>,
    private readonly log: Pick<Logger, 'info'>,
  ) {
    this.venue = rules.venue;
  }

  unsupported(order: VenueOrder): string | null {
    return this.rules.unsupported(order);
  }

  place(order: VenueOrder): Promise<LegReport> {
    this.orders++;
    this.log.info({ dryRun: true, order }, 'dry run: order not signed, not sent');
    return Promise.resolve(emptyReport('rejected', reasonText('EXEC_DRY_RUN', `would send ${order.action} ${order.contracts} ${order.side} ${order.venue}:${order.marketId}`)));
  }

  reconcile(): Promise<LegReport | null> {
    return Promise.resolve(emptyReport('none', reasonText('EXEC_DRY_RUN', 'nothing was sent')));
  }
}
