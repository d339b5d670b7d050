/**
 * Paper trading: an order fills against the latest book the monitors published, level by level
 * up to its limit (partial fills when the book runs out), with the venue's fees
 * (src/core/execution/paper-fill.ts). The levels it takes are removed from the cached book.
 */
import { consumesAsks } from '../../core/execution/order-types.js';
import { fillPaperOrder, paperFillMessages } from '../../core/execution/paper-fill.js';
import type { FeeSchedule } from '../../core/fees.js';
import { nowMicros } from '../../core/time.js';
import type { Venue } from '../../core/topics.js';
import type { BookCache } from './book-cache.js';
import { emptyReport, type LegReport, type VenueOrder } from '../../core/execution/venue-order.js';
import { reasonText } from '../../core/execution/exec-reasons.js';
import type { VenueExecutor } from '../../venues/venue-executor.js';

export class PaperVenue implements VenueExecutor {
  constructor(
    readonly venue: Venue,
    private readonly books: BookCache,
    private readonly fees: FeeSchedule,
  ) {}

  unsupported(): string | null {
    return null;
  }

  place(order: VenueOrder): Promise<LegReport> {
    return Promise.resolve(this.fill(order));
  }

  /** Paper orders are never in doubt. */
  reconcile(): Promise<LegReport | null> {
    return Promise.resolve(emptyReport('none', reasonText('EXEC_INTERRUPTED', 'paper order had no recorded outcome; nothing filled')));
  }

  private fill(order: VenueOrder): LegReport {
    const found = this.books.get(order.venue, order.marketId, nowMicros());
    if (!found.ok) return emptyReport('none', reasonText('EXEC_NO_FILL', found.why));
    const fill = fillPaperOrder(
      { side: order.side, action: order.action, contracts: order.contracts, limitYesPrice: order.limitYesPrice },
      found.book,
      this.fees[order.venue],
    );
    this.books.consume(order.venue, order.marketId, consumesAsks(order.side, order.action), fill.levels);
    const orderId = `paper-${order.clientOrderId}`;
    return {
      status: fill.status,
      filled: fill.filled,
      notionalCc: fill.notionalCc,
      feeCc: fill.feeCc,
      fills: paperFillMessages(fill, { venue: order.venue, marketId: order.marketId, side: order.side, action: order.action, orderId }),
      orderId,
      detail: fill.status === 'none' ? reasonText('EXEC_NO_FILL', `no ${order.side} liquidity within the limit`) : '',
    };
  }
}
