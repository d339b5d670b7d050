/**
 * Orders on Kalshi (simulated or real: the base URL decides) through the V2 create endpoint:
 * single book, every price the YES price; `bid` buys YES, `ask` sells YES. So buying NO is an
 * `ask` at the YES limit, and closing NO is a `bid`. Every order is immediate-or-cancel with a
 * deterministic client_order_id, so the exchange refuses a re-send after a restart (409) and
 * the order can be found again by that id.
 *
 * Exact fills come from GET /portfolio/fills?order_id (per-fill YES price and fee). A timeout,
 * a network error or a 5xx means the order may have executed: the outcome is `unknown` and is
 * reconciled later from the venue's own orders and fills, never guessed.
 */
import { sidePriceCc } from '../../core/money.js';
import type { Fill } from '../../core/messages.js';
import type { KalshiHttpClient } from './http.js';
import type { KalshiFill, KalshiOrder } from './common.js';
import { KalshiHttpError, KalshiTimeoutError } from './errors.js';
import { errorMessage } from '../../core/errors.js';
import { emptyReport, type LegReport, type VenueOrder } from '../../core/execution/venue-order.js';
import { reasonText } from '../../core/execution/exec-reasons.js';
import type { VenueExecutor } from '../venue-executor.js';
import type { KalshiSeriesFees } from './series-fees.js';

const MIN_YES = 0.01;
const MAX_YES = 0.99;

export interface KalshiOrderExecutorOptions {
  client: KalshiHttpClient;
  reconcileGraceMs: number;
  now?: () => number;
  /** The series fee check (series-fees.ts); none = every market's fee is taken as configured. */
  fees?: Pick<KalshiSeriesFees, 'verdict'> | null;
}

export class KalshiOrderExecutor implements VenueExecutor {
  readonly venue = 'kalshi' as const;
  readonly #o: Required<KalshiOrderExecutorOptions>;

  constructor(options: KalshiOrderExecutorOptions) {
    this.#o = { now: Date.now, fees: null, ...options };
  }

  unsupported(order: VenueOrder): string | null {
    if (!Number.isInteger(order.contracts) || order.contracts <= 0) return `Kalshi orders need whole contracts, got ${order.contracts}`;
    return this.#o.fees?.verdict(order.marketId) ?? null;
  }

  async place(order: VenueOrder): Promise<LegReport> {
    const bookSide = (order.side === 'yes') === (order.action === 'buy') ? 'bid' : 'ask';
    // An unwind with no limit takes any price: the far end of the YES range on its side.
    const yesPrice = order.limitYesPrice ?? (bookSide === 'bid' ? MAX_YES : MIN_YES);
    let orderId: string;
    let fillCount: number;
    try {
      const res = await this.#o.client.createOrder({
        ticker: order.marketId,
        side: bookSide,
        count: order.contracts,
        yesPrice,
        timeInForce: 'immediate_or_cancel',
        clientOrderId: order.clientOrderId,
      });
      orderId = res.orderId;
      fillCount = res.fillCount;
    } catch (err) {
      return failureReport(err);
    }
    if (fillCount === 0) return { ...emptyReport('none', reasonText('EXEC_NO_FILL', 'nothing filled within the limit')), orderId };
    try {
      const fills = await this.#fillsOf(orderId);
      return reportFromFills(order, orderId, fills);
    } catch (err) {
      // The order executed but its fills could not be read: reconcile instead of guessing prices.
      return { ...emptyReport('unknown', reasonText('EXEC_ORDER_UNKNOWN', `filled ${fillCount}, fills unreadable: ${errorMessage(err)}`)), orderId };
    }
  }

  async reconcile(order: VenueOrder, sentAtMs: number): Promise<LegReport | null> {
    const found = await this.#findOrder(order);
    if (found === null) {
      if (this.#o.now() - sentAtMs < this.#o.reconcileGraceMs) return null;
      return emptyReport('none', reasonText('EXEC_NO_FILL', `order ${order.clientOrderId} never reached Kalshi`));
    }
    if (found.status === 'resting') {
      // An IOC order should never rest; if one does, take it off before booking what filled.
      await this.#o.client.cancelOrder(found.orderId);
      return null;
    }
    if (found.fillCount === 0) return { ...emptyReport('none', reasonText('EXEC_NO_FILL', 'reconciled: nothing filled')), orderId: found.orderId };
    return reportFromFills(order, found.orderId, await this.#fillsOf(found.orderId));
  }

  async #findOrder(order: VenueOrder): Promise<KalshiOrder | null> {
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const res = await this.#o.client.getOrders({ ticker: order.marketId, limit: 200, ...(cursor ? { cursor } : {}) });
      const hit = res.orders.find((o) => o.clientOrderId === order.clientOrderId);
      if (hit) return hit;
      if (!res.cursor) return null;
      cursor = res.cursor;
    }
    return null;
  }

  async #fillsOf(orderId: string): Promise<KalshiFill[]> {
    const out: KalshiFill[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const res = await this.#o.client.getFills({ orderId, limit: 200, ...(cursor ? { cursor } : {}) });
      out.push(...res.fills.filter((f) => f.orderId === orderId));
      if (!res.cursor) break;
      cursor = res.cursor;
    }
    return out;
  }
}

function reportFromFills(order: VenueOrder, orderId: string, fills: readonly KalshiFill[]): LegReport {
  const messages: Fill[] = fills
    .filter((f) => Number.isInteger(f.count) && f.count > 0)
    .map((f) => ({
      venue: 'kalshi',
      market_id: order.marketId,
      side: order.side,
      action: order.action,
      contracts: f.count,
      yes_price: f.yesPrice,
      fee_cc: f.feeCc,
      order_id: orderId,
    }));
  const filled = messages.reduce((s, f) => s + f.contracts, 0);
  if (filled === 0) return { ...emptyReport('unknown', reasonText('EXEC_ORDER_UNKNOWN', 'the venue reported a fill but listed no fills yet')), orderId };
  return {
    status: filled >= order.contracts ? 'filled' : 'partial',
    filled,
    notionalCc: messages.reduce((s, f) => s + f.contracts * sidePriceCc(order.side, f.yes_price), 0),
    feeCc: messages.reduce((s, f) => s + f.fee_cc, 0),
    fills: messages,
    orderId,
    detail: '',
  };
}

/** A refusal we are sure of is `rejected`; anything where the venue may have acted is `unknown`. */
function failureReport(err: unknown): LegReport {
  if (err instanceof KalshiTimeoutError) return emptyReport('unknown', reasonText('EXEC_ORDER_UNKNOWN', err.message));
  if (err instanceof KalshiHttpError) {
    if (err.status === 0 || err.status >= 500) return emptyReport('unknown', reasonText('EXEC_ORDER_UNKNOWN', err.message));
    if (err.status === 409) return emptyReport('unknown', reasonText('EXEC_ORDER_UNKNOWN', `client order id already used: ${err.message}`));
    return emptyReport('rejected', reasonText('EXEC_VENUE_REJECTED', err.message));
  }
  return emptyReport('rejected', reasonText('EXEC_VENUE_REJECTED', errorMessage(err)));
}
