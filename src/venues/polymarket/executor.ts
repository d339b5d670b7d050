/**
 * Orders on the Polymarket CLOB (simulated or real) through the real client: a V2 order signed
 * with the wallet key (EIP-712), posted as FAK (fill-and-kill: immediate or cancel). A market
 * here is one outcome token, YES is holding it: buying YES is BUY and selling YES is SELL. A NO
 * leg on a token would mean selling shares we do not hold, so it is refused before anything is
 * sent (the reference system sold the YES token instead and failed).
 *
 * The salt and timestamp derive from the decision, so a re-signed order after a restart has the
 * same hash and the venue refuses it as INVALID_ORDER_DUPLICATED. The CLOB client has no order
 * or trade lookup, so an order with an unknown outcome cannot be reconciled automatically: its
 * market stays blocked until an operator resolves it (known gap, see README).
 */
import { createHash } from 'node:crypto';
import type { LocalAccount } from 'viem';
import { errorMessage } from '../../core/errors.js';
import { feeCc, type VenueFeeRule } from '../../core/fees.js';
import type { Fill } from '../../core/messages.js';
import { CC_PER_DOLLAR } from '../../core/money.js';
import type { PolySide, TickSize } from './common.js';
import { PolymarketHttpError, PolymarketOrderRejectedError, PolymarketTimeoutError } from './errors.js';
import type { PolymarketClobClient } from './http.js';
import { buildOrder, signOrder } from './order-signing.js';
import { emptyReport, type LegReport, type VenueOrder } from '../../core/execution/venue-order.js';
import { reasonText } from '../../core/execution/exec-reasons.js';
import type { VenueExecutor } from '../venue-executor.js';

export interface PolyOrderExecutorOptions {
  client: PolymarketClobClient;
  account: LocalAccount;
  fee: VenueFeeRule;
  funder?: `0x${string}` | undefined;
  signatureType?: number;
}

interface TokenInfo {
  tickSize: TickSize;
  negRisk: boolean;
}

const BASE_UNITS_PER_CC = 100n; // 1e6 base units per dollar, 1e4 cc per dollar

export class PolyOrderExecutor implements VenueExecutor {
  readonly venue = 'poly' as const;
  readonly #tokens = new Map<string, TokenInfo>();

  constructor(private readonly o: PolyOrderExecutorOptions) {}

  unsupported(order: VenueOrder): string | null {
    if (order.side === 'no') return 'a Polymarket market is one outcome token: NO on it would sell shares not held';
    return Number.isInteger(order.contracts) && order.contracts > 0 ? null : `whole shares only, got ${order.contracts}`;
  }

  async place(order: VenueOrder): Promise<LegReport> {
    const refused = this.unsupported(order);
    if (refused) return emptyReport('rejected', reasonText('EXEC_UNSUPPORTED_LEG', refused));
    let token: TokenInfo;
    try {
      token = await this.#token(order.marketId);
    } catch (err) {
      return emptyReport('rejected', reasonText('EXEC_VENUE_REJECTED', `token ${order.marketId}: ${errorMessage(err)}`));
    }
    const side: PolySide = order.action === 'buy' ? 'BUY' : 'SELL';
    const price = tickPrice(order.limitYesPrice, side, token.tickSize);
    let res;
    try {
      const built = buildOrder({
        tokenId: order.marketId,
        side,
        price,
        size: order.contracts,
        tickSize: token.tickSize,
        signer: this.o.account.address,
        ...(this.o.funder ? { maker: this.o.funder } : {}),
        signatureType: (this.o.signatureType ?? 0) as 0,
        salt: saltOf(order.clientOrderId),
        timestampMs: order.createdMs,
      });
      const signed = await signOrder(this.o.account, built, { negRisk: token.negRisk });
      res = await this.o.client.postOrder(signed, 'FAK');
    } catch (err) {
      return failureReport(err);
    }
    // BUY: making = collateral paid, taking = shares got; SELL the other way round.
    const shares = side === 'BUY' ? res.takingAmount : res.makingAmount;
    const collateral = side === 'BUY' ? res.makingAmount : res.takingAmount;
    return this.#report(order, res.orderId, shares, collateral);
  }

  reconcile(): Promise<LegReport | null> {
    return Promise.resolve(null);
  }

  #report(order: VenueOrder, orderId: string, shares: bigint, collateral: bigint): LegReport {
    const filled = Number(shares / 1_000_000n);
    if (filled === 0) return { ...emptyReport('none', reasonText('EXEC_NO_FILL', 'nothing filled within the limit')), orderId };
    const notionalCc = Number(collateral / BASE_UNITS_PER_CC);
    const fills = exactFills(order, orderId, filled, notionalCc, this.o.fee);
    return {
      status: filled >= order.contracts ? 'filled' : 'partial',
      filled,
      notionalCc,
      feeCc: fills.reduce((s, f) => s + f.fee_cc, 0),
      fills,
      orderId,
      detail: '',
    };
  }

  async #token(tokenId: string): Promise<TokenInfo> {
    const known = this.#tokens.get(tokenId);
    if (known) return known;
    const book = await this.o.client.getBook(tokenId);
    const info = { tickSize: book.tickSize, negRisk: book.negRisk };
    this.#tokens.set(tokenId, info);
    return info;
  }
}

/**
 * The venue reports totals only. Split them into at most two fills at adjacent centi-cent prices
 * so the position book recomputes exactly the collateral that moved; the fee (charged by the
 * venue at match time, not reported) is computed from the schedule at the average price.
 */
function exactFills(order: VenueOrder, orderId: string, filled: number, notionalCc: number, fee: VenueFeeRule): Fill[] {
  const base = Math.floor(notionalCc / filled);
  const extra = notionalCc - base * filled;
  const avgYes = Math.min(Math.max(Math.round(notionalCc / filled), 1), CC_PER_DOLLAR - 1) / CC_PER_DOLLAR;
  const totalFee = feeCc(fee, filled, avgYes);
  const parts: [number, number][] = [];
  if (filled - extra > 0) parts.push([filled - extra, base]);
  if (extra > 0) parts.push([extra, base + 1]);
  return parts.map(([contracts, priceCc], i) => ({
    venue: 'poly',
    market_id: order.marketId,
    side: order.side,
    action: order.action,
    contracts,
    yes_price: priceCc / CC_PER_DOLLAR,
    fee_cc: i === 0 ? totalFee : 0,
    order_id: orderId,
  }));
}

/** A limit on the token's tick grid, never better for us than asked: buys round down, sells up. */
function tickPrice(limit: number | null, side: PolySide, tick: TickSize): number {
  const t = Number(tick);
  const steps = 1 / t;
  if (limit === null) return side === 'SELL' ? t : 1 - t;
  const raw = limit * steps;
  const n = side === 'BUY' ? Math.floor(raw + 1e-9) : Math.ceil(raw - 1e-9);
  const clamped = Math.min(Math.max(n, 1), steps - 1);
  return Math.round(clamped * t * 10_000) / 10_000;
}

function saltOf(clientOrderId: string): bigint {
  return BigInt('0x' + createHash('sha256').update(clientOrderId).digest('hex').slice(0, 12));
}

function failureReport(err: unknown): LegReport {
  if (err instanceof PolymarketTimeoutError) return emptyReport('unknown', reasonText('EXEC_ORDER_UNKNOWN', err.message));
  if (err instanceof PolymarketOrderRejectedError) {
    if (err.reason.includes('DUPLICATED')) return emptyReport('unknown', reasonText('EXEC_ORDER_UNKNOWN', `already posted: ${err.reason}`));
    return emptyReport('rejected', reasonText('EXEC_VENUE_REJECTED', err.reason));
  }
  if (err instanceof PolymarketHttpError && (err.status === null || err.status >= 500)) {
    return emptyReport('unknown', reasonText('EXEC_ORDER_UNKNOWN', err.message));
  }
  return emptyReport('rejected', reasonText('EXEC_VENUE_REJECTED', errorMessage(err)));
}
