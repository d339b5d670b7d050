/**
 * Orders on the Polymarket CLOB (simulated or real) through the real client: a V2 order signed
 * with the wallet key (EIP-712), posted as FAK (fill-and-kill: immediate or cancel). A market
 * here is one outcome token, YES is holding it: buying YES is BUY of the token, selling YES is
 * SELL. NO is holding the market's other token (the complement, read from the CLOB market):
 * buying NO at a YES limit p is BUY of the complement at 1 - p, selling NO is SELL of it.
 *
 * The CLOB treats FAK as a market order, so the amounts follow the market-order precision
 * (market-order-amounts.ts), not the limit-order one. The salt and timestamp derive from the
 * decision, so a re-signed order after a restart has the same hash, and that hash is the
 * venue's order id: an order whose reply was lost or unreadable is looked up by it
 * (`GET /data/order/{hash}`) and reconciled without an operator.
 *
 * Fees: the market's own (`fd` of `GET /clob-markets/{condition_id}`), checked against the
 * configured rate the edge was computed with. By default a BUY's fee is charged in collateral on
 * top of its amount (the official V2 client's fee helper), so the shares credited are the shares
 * bought; with `buyFeeInShares` the venue keeps the fee out of the shares instead and the reply's
 * shares are net of it (which of the two the live venue does is for the first live session to
 * confirm: both are booked exactly).
 *
 * Shares: the venue credits fractional shares (a BUY spends whole cents; price improvement and a
 * fee taken in shares leave fractions). They are booked exactly as the venue reports them, to
 * the base unit (1e-6 share; core positions count micro-contracts), with the collateral that
 * moved as the fill's `notional_cc` (rounded to the centi-cent against us: a buy's cost up, a
 * sell's proceeds down). A sell takes shares to 2 decimals (sell-size.ts): a held remainder
 * below that is dust, kept on the position and paid at settlement.
 */
import { createHash } from 'node:crypto';
import type { LocalAccount } from 'viem';
import { errorMessage } from '../../core/errors.js';
import { feeCc, type VenueFeeRule } from '../../core/fees.js';
import type { Fill } from '../../core/messages.js';
import { CC_PER_DOLLAR, divRound, microsToContracts } from '../../core/money.js';
import { onSellStep } from '../../core/execution/sell-size.js';
import type { PolySide, TickSize } from './common.js';
import { PolymarketAuthError, PolymarketHttpError, PolymarketOrderInvalidError, PolymarketOrderRejectedError, PolymarketParseError, PolymarketTimeoutError } from './errors.js';
import type { PolymarketClobClient } from './http.js';
import { marketOrderAmounts, priceBaseUnits } from './market-order-amounts.js';
import { movedAmounts, type MovedAmounts } from './order-reply.js';
import { buildOrder, orderHash, signOrder } from './order-signing.js';
import type { PolyClobMarket, PolyOpenOrder } from './parse.js';
import { emptyReport, type LegReport, type VenueOrder } from '../../core/execution/venue-order.js';
import { reasonText } from '../../core/execution/exec-reasons.js';
import type { VenueExecutor } from '../venue-executor.js';

export interface PolyOrderExecutorOptions {
  client: PolymarketClobClient;
  account: LocalAccount;
  fee: VenueFeeRule;
  funder?: `0x${string}` | undefined;
  signatureType?: number;
  /** The venue takes a BUY's fee out of the shares credited (the reply's shares are net of it), not in collateral on top. */
  buyFeeInShares?: boolean;
  /** Age after which a token's tick size and market info are re-read in the background (the venue changes the tick near 0.04/0.96). */
  tokenInfoTtlMs?: number;
  /** An order the venue still does not know this long after it was sent was never placed. */
  notFoundAfterMs?: number;
  now?: () => number;
}

interface TokenInfo {
  tickSize: TickSize;
  negRisk: boolean;
  conditionId: string;
}

/** What was signed for one order: the token it went to and the amounts, for reading the reply and the lookup. */
interface SentOrder {
  hash: `0x${string}`;
  tokenId: string;
  side: PolySide;
  makerAmount: bigint;
  takerAmount: bigint;
}

const ONE = 1_000_000n;
const BASE_UNITS_PER_CC = 100n; // 1e6 base units per dollar, 1e4 cc per dollar

export class PolyOrderExecutor implements VenueExecutor {
  readonly venue = 'poly' as const;
  readonly #tokens = new Map<string, { value: TokenInfo; readMs: number }>();
  readonly #markets = new Map<string, { value: PolyClobMarket; readMs: number }>();
  readonly #refreshing = new Set<string>();
  readonly #sent = new Map<string, SentOrder>();
  readonly #now: () => number;

  constructor(private readonly o: PolyOrderExecutorOptions) {
    this.#now = o.now ?? Date.now;
  }

  unsupported(order: VenueOrder): string | null {
    if (order.action === 'sell') return order.contracts > 0 && onSellStep('poly', order.contracts) ? null : `a sell takes shares to 2 decimals, got ${order.contracts}`;
    return Number.isInteger(order.contracts) && order.contracts > 0 ? null : `whole shares only for a buy, got ${order.contracts}`;
  }

  async place(order: VenueOrder): Promise<LegReport> {
    const refused = this.unsupported(order);
    if (refused) return emptyReport('rejected', reasonText('EXEC_UNSUPPORTED_LEG', refused));
    let sent: SentOrder;
    let signed;
    let fee: VenueFeeRule;
    try {
      const market = await this.#market(order.marketId);
      fee = marketFeeRule(market, this.o.fee);
      const tokenId = tokenOf(order, market);
      const token = await this.#token(tokenId);
      ({ sent, signed } = await this.#sign(order, tokenId, token));
    } catch (err) {
      if (err instanceof PolymarketOrderInvalidError) return emptyReport('rejected', reasonText('EXEC_UNSUPPORTED_LEG', err.message));
      return emptyReport('rejected', reasonText('EXEC_VENUE_REJECTED', `market ${order.marketId}: ${errorMessage(err)}`));
    }
    this.#sent.set(order.clientOrderId, sent);
    let res;
    try {
      res = await this.o.client.postOrder(signed, 'FAK');
    } catch (err) {
      if (err instanceof PolymarketOrderRejectedError && err.reason.includes('TICK_SIZE')) this.#tokens.delete(sent.tokenId);
      if (err instanceof PolymarketOrderRejectedError && /accuracy|decimals/.test(err.reason)) this.#tokens.delete(sent.tokenId);
      return { ...failureReport(err), orderId: sent.hash };
    }
    if (res.status === 'delayed' || res.status === 'live') {
      return { ...emptyReport('unknown', reasonText('EXEC_ORDER_UNKNOWN', `the venue answered status ${res.status}`)), orderId: res.orderId || sent.hash };
    }
    const moved = movedAmounts(sent, res.makingAmount, res.takingAmount);
    if ('problem' in moved) return { ...emptyReport('unknown', reasonText('EXEC_ORDER_UNKNOWN', moved.problem)), orderId: res.orderId || sent.hash };
    return this.#report(order, res.orderId || sent.hash, moved, fee, sent);
  }

  /**
   * Looks the order up by the hash it was signed with. Null while the venue may still act on it
   * (not found yet, or delayed); 'none' once it has not been found for `notFoundAfterMs`.
   * The lookup gives the matched size at the order's price, not the shares credited: with
   * `buyFeeInShares` a reconciled BUY is booked gross of the fee kept in shares (a known gap
   * until the account's trades, which carry each match's fee, are read here).
   */
  async reconcile(order: VenueOrder, sentAtMs: number): Promise<LegReport | null> {
    const sent = this.#sent.get(order.clientOrderId) ?? (await this.#resign(order));
    const found = await this.o.client.getOrder(sent.hash);
    if (found === null) {
      if (this.#now() - sentAtMs < (this.o.notFoundAfterMs ?? 60_000)) return null;
      return { ...emptyReport('none', reasonText('EXEC_NO_FILL', `the venue has no order ${sent.hash}: it was never placed`)), orderId: sent.hash };
    }
    if (found.status === 'LIVE' || found.status === 'DELAYED') return null;
    let fee = this.o.fee;
    try {
      fee = marketFeeRule(await this.#market(order.marketId), this.o.fee);
    } catch {
      // The order already executed: book it with the configured fee rather than never.
    }
    return this.#report(order, found.orderId, movedOfLookup(found), fee, sent);
  }

  async #sign(order: VenueOrder, tokenId: string, token: TokenInfo) {
    const side: PolySide = order.action === 'buy' ? 'BUY' : 'SELL';
    const price = tickPrice(tokenLimit(order), side, token.tickSize);
    const amounts = marketOrderAmounts(side, price, order.contracts, token.tickSize);
    const built = buildOrder({
      tokenId,
      side,
      price,
      size: order.contracts,
      amounts,
      tickSize: token.tickSize,
      signer: this.o.account.address,
      ...(this.o.funder ? { maker: this.o.funder } : {}),
      signatureType: (this.o.signatureType ?? 0) as 0,
      salt: saltOf(order.clientOrderId),
      timestampMs: order.createdMs,
    });
    const signed = await signOrder(this.o.account, built, { negRisk: token.negRisk });
    const sent: SentOrder = { hash: orderHash(built.order, { negRisk: token.negRisk }), tokenId, side, ...amounts };
    return { sent, signed };
  }

  /** After a restart the order is signed again from the decision: the same hash unless the tick changed. */
  async #resign(order: VenueOrder): Promise<SentOrder> {
    const tokenId = tokenOf(order, await this.#market(order.marketId));
    return (await this.#sign(order, tokenId, await this.#token(tokenId))).sent;
  }

  #report(order: VenueOrder, orderId: string, moved: MovedAmounts, fee: VenueFeeRule, sent: SentOrder): LegReport {
    if (moved.shares === 0n) return { ...emptyReport('none', reasonText('EXEC_NO_FILL', 'nothing filled within the limit')), orderId };
    const filled = microsToContracts(Number(moved.shares));
    // Cash in cc, against us where the venue moved a fraction of a centi-cent.
    const cashCc = Number(divRound(moved.collateral, BASE_UNITS_PER_CC, order.action === 'buy' ? 'up' : 'down'));
    const fill = exactFill(order, orderId, filled, cashCc, fee, order.action === 'buy' && this.o.buyFeeInShares === true);
    // Filled: the venue did what was signed (a BUY spent its collateral or got its shares, a SELL sold its shares).
    const complete = sent.side === 'BUY' ? moved.collateral >= sent.makerAmount || moved.shares >= sent.takerAmount : moved.shares >= sent.makerAmount;
    return {
      status: complete ? 'filled' : 'partial',
      filled,
      notionalCc: fill.notional_cc!,
      feeCc: fill.fee_cc,
      fills: [fill],
      orderId,
      detail: '',
    };
  }

  /** The CLOB market of a token (its two tokens, tick, fee), re-read like the tick size. */
  #market(tokenId: string): Promise<PolyClobMarket> {
    return this.#cached(this.#markets, `m:${tokenId}`, async () => {
      const { conditionId } = await this.#token(tokenId);
      const info = await this.o.client.getClobMarket(conditionId);
      if (!info.tokens.some((t) => t.tokenId === tokenId)) throw new PolymarketOrderInvalidError(`market ${conditionId} does not list token ${tokenId}`);
      return info;
    });
  }

  #token(tokenId: string): Promise<TokenInfo> {
    return this.#cached(this.#tokens, tokenId, async () => {
      const book = await this.o.client.getBook(tokenId);
      return { tickSize: book.tickSize, negRisk: book.negRisk, conditionId: book.market };
    });
  }

  /**
   * Read once, then served from memory and re-read in the background once older than the TTL,
   * so an order never waits on these reads except the first on a token (or after the venue
   * refused our tick, which drops the entry).
   */
  async #cached<T>(map: Map<string, { value: T; readMs: number }>, key: string, read: () => Promise<T>): Promise<T> {
    const known = map.get(key);
    if (known) {
      if (this.#now() - known.readMs >= (this.o.tokenInfoTtlMs ?? 5_000) && !this.#refreshing.has(key)) {
        this.#refreshing.add(key);
        void read()
          .then((value) => map.set(key, { value, readMs: this.#now() }))
          .catch(() => undefined) // kept the old value; the next order tries again
          .finally(() => this.#refreshing.delete(key));
      }
      return known.value;
    }
    const value = await read();
    map.set(key, { value, readMs: this.#now() });
    return value;
  }
}

/** The token an order trades: the market's own for YES, the other token of its CLOB market for NO. */
function tokenOf(order: VenueOrder, market: PolyClobMarket): string {
  if (order.side === 'yes') return order.marketId;
  const others = market.tokens.filter((t) => t.tokenId !== order.marketId);
  if (market.tokens.length !== 2 || others.length !== 1) {
    throw new PolymarketOrderInvalidError(`market ${market.conditionId} has ${market.tokens.length} tokens: no single complement for NO`);
  }
  return others[0]!.tokenId;
}

/**
 * The market's own taker fee (`fd`: rate x (p(1-p))^exponent, charged in collateral on top of a
 * BUY's amount and out of a SELL's proceeds, as the official V2 client computes it). Refused when
 * arbees cannot compute it exactly (an exponent other than 1, a rate off whole basis points) or
 * when it is above the configured rate the signal's edge was computed with.
 */
function marketFeeRule(market: PolyClobMarket, assumed: VenueFeeRule): VenueFeeRule {
  const fee = market.fee ?? { rate: 0, exponent: 1, takerOnly: true };
  const bp = fee.rate * 10_000;
  if (fee.rate > 0 && fee.exponent !== 1) throw new PolymarketOrderInvalidError(`market ${market.conditionId} charges rate x (p(1-p))^${fee.exponent}: only exponent 1 is supported`);
  if (Math.abs(bp - Math.round(bp)) > 1e-6) throw new PolymarketOrderInvalidError(`market ${market.conditionId} fee rate ${fee.rate} is not whole basis points`);
  if (Math.round(bp) > assumed.takerRateBp) {
    throw new PolymarketOrderInvalidError(`market ${market.conditionId} charges ${Math.round(bp)} bp, above the ${assumed.takerRateBp} bp the edge was computed with`);
  }
  return { ...assumed, takerRateBp: Math.round(bp), makerRateBp: fee.takerOnly ? 0 : Math.round(bp) };
}

/** The limit on the traded token: the YES limit for YES, its complement for NO; null = any price. */
function tokenLimit(order: VenueOrder): number | null {
  if (order.limitYesPrice === null) return null;
  return order.side === 'yes' ? order.limitYesPrice : Math.round((1 - order.limitYesPrice) * 1e6) / 1e6;
}

/** Shares and collateral of a looked-up order: matched size at the order's price (the venue's bound on what moved). */
function movedOfLookup(found: PolyOpenOrder): MovedAmounts {
  const price = priceBaseUnitsLoose(found.price);
  const exact = found.sizeMatched * price;
  // A BUY paid at most this, a SELL received at least this (fills are at the price or better).
  const collateral = found.side === 'BUY' ? (exact + ONE - 1n) / ONE : exact / ONE;
  return { shares: found.sizeMatched, collateral };
}

function priceBaseUnitsLoose(price: number): bigint {
  return BigInt(Math.round(price * 1e6));
}

/**
 * The venue reports totals only: one fill with the exact shares and the cash that moved
 * (notional_cc), at the average side price (4 decimals, for display: the book uses notional_cc).
 * The fee is not reported either; it is computed from the market's schedule at the average price.
 * A fee taken in shares was paid out of the cash already moved: it is split off the notional so
 * notional + fee is still exactly that cash.
 */
function exactFill(order: VenueOrder, orderId: string, filled: number, cashCc: number, fee: VenueFeeRule, feeInShares: boolean): Fill {
  const avgSideCc = Math.min(Math.max(Math.round(cashCc / filled), 1), CC_PER_DOLLAR - 1);
  const feeCcOfFill = Math.min(feeCc(fee, filled, avgSideCc / CC_PER_DOLLAR), feeInShares ? cashCc : Number.MAX_SAFE_INTEGER);
  return {
    venue: 'poly',
    market_id: order.marketId,
    side: order.side,
    action: order.action,
    contracts: filled,
    yes_price: (order.side === 'yes' ? avgSideCc : CC_PER_DOLLAR - avgSideCc) / CC_PER_DOLLAR,
    fee_cc: feeCcOfFill,
    order_id: orderId,
    notional_cc: feeInShares ? cashCc - feeCcOfFill : cashCc,
  };
}

/** A limit on the token's tick grid, never better for us than asked: buys round down, sells up. */
function tickPrice(limit: number | null, side: PolySide, tick: TickSize): number {
  const t = Number(tick);
  const steps = Math.round(1 / t);
  if (limit === null) return side === 'SELL' ? t : 1 - t;
  const raw = limit * steps;
  const n = side === 'BUY' ? Math.floor(raw + 1e-9) : Math.ceil(raw - 1e-9);
  const clamped = Math.min(Math.max(n, 1), steps - 1);
  const price = Math.round(clamped * t * 10_000) / 10_000;
  priceBaseUnits(price, tick); // throws PolymarketOrderInvalidError if the grid arithmetic ever drifts
  return price;
}

function saltOf(clientOrderId: string): bigint {
  return BigInt('0x' + createHash('sha256').update(clientOrderId).digest('hex').slice(0, 12));
}

/** After an order was sent, anything but a refusal we are sure of leaves its outcome unknown. */
function failureReport(err: unknown): LegReport {
  if (err instanceof PolymarketTimeoutError) return emptyReport('unknown', reasonText('EXEC_ORDER_UNKNOWN', err.message));
  if (err instanceof PolymarketParseError) return emptyReport('unknown', reasonText('EXEC_ORDER_UNKNOWN', `unreadable reply: ${err.message}`));
  if (err instanceof PolymarketOrderRejectedError) {
    if (err.reason.includes('DUPLICATED')) return emptyReport('unknown', reasonText('EXEC_ORDER_UNKNOWN', `already posted: ${err.reason}`));
    return emptyReport('rejected', reasonText('EXEC_VENUE_REJECTED', err.reason));
  }
  if (err instanceof PolymarketHttpError && (err.status === null || err.status >= 500)) {
    return emptyReport('unknown', reasonText('EXEC_ORDER_UNKNOWN', err.message));
  }
  if (err instanceof PolymarketAuthError) return emptyReport('rejected', reasonText('EXEC_VENUE_REJECTED', err.message));
  if (err instanceof PolymarketHttpError) return emptyReport('rejected', reasonText('EXEC_VENUE_REJECTED', err.message));
  return emptyReport('unknown', reasonText('EXEC_ORDER_UNKNOWN', errorMessage(err)));
}
