/**
 * Paper fills: an order taken against a real book snapshot, level by level, the way a venue
 * matches an immediate-or-cancel limit order. Partial fills are normal (the book runs out or the
 * next level is beyond the limit); fees are the venue's, at the filled size.
 *
 * Fee rounding follows the venue's documented mechanics (the venues' published API documentation): each fill's fee is
 * rounded up to a centi-cent, and the order's total is then rounded up to the venue's unit
 * (Kalshi: the cent) once. So a Kalshi order that sweeps three levels pays one cent of rounding,
 * not three. The rounding remainder is booked on the last level, so level fees sum to the total.
 */
import { feeCc, MAX_CONTRACTS_PER_FILL, type VenueFeeRule } from '../fees.js';
import { CC_PER_DOLLAR, ceilDiv, priceToCc } from '../money.js';
import type { Fill } from '../messages.js';
import type { Venue } from '../topics.js';
import type { BookLevel } from '../book-level.js';
import { consumesAsks, type Action, type Side, type YesBook } from './order-types.js';

export interface PaperOrder {
  readonly side: Side;
  readonly action: Action;
  /** Whole contracts wanted. */
  readonly contracts: number;
  /**
   * Worst acceptable YES-side price: a buy of YES fills at or below it, a buy of NO at or above it
   * (NO costs 1 - yes). null takes any price (an unwind that must get out).
   */
  readonly limitYesPrice: number | null;
}

export interface LevelFill {
  readonly yesCc: number;
  /** Price of one contract of the traded side at this level. */
  readonly sideCc: number;
  readonly contracts: number;
  readonly feeCc: number;
}

export interface PaperFill {
  readonly status: 'filled' | 'partial' | 'none';
  readonly requested: number;
  readonly filled: number;
  readonly levels: readonly LevelFill[];
  /** Contracts times side price, summed: paid by a buy, received by a sell, before fees. */
  readonly notionalCc: number;
  readonly feeCc: number;
  /** Average YES-side price of the fill (informational; money uses notionalCc). */
  readonly avgYesPrice: number | null;
}

interface CleanLevel {
  readonly yesCc: number;
  readonly contracts: number;
}

/** Valid levels only (price strictly inside (0,1), at least one whole contract), best first. */
export function cleanLevels(levels: readonly BookLevel[], ascending: boolean): CleanLevel[] {
  const out: CleanLevel[] = [];
  for (const [price, size] of levels) {
    if (!Number.isFinite(price) || !(price > 0 && price < 1) || !Number.isFinite(size)) continue;
    const contracts = Math.floor(size);
    if (contracts < 1) continue;
    out.push({ yesCc: priceToCc(price), contracts });
  }
  // Never trust the feed's order: a mis-sorted book would fill at the wrong prices.
  return out.sort((a, b) => (ascending ? a.yesCc - b.yesCc : b.yesCc - a.yesCc));
}

function withinLimit(yesCc: number, limitCc: number | null, walkingAsks: boolean): boolean {
  if (limitCc === null) return true;
  return walkingAsks ? yesCc <= limitCc : yesCc >= limitCc;
}

function checkOrder(order: PaperOrder): void {
  if (!Number.isInteger(order.contracts) || order.contracts < 0 || order.contracts > MAX_CONTRACTS_PER_FILL) {
    throw new RangeError(`contracts ${order.contracts} must be an integer in [0, ${MAX_CONTRACTS_PER_FILL}]`);
  }
}

export function fillPaperOrder(order: PaperOrder, book: YesBook, rule: VenueFeeRule): PaperFill {
  checkOrder(order);
  const walkingAsks = consumesAsks(order.side, order.action);
  const levels = cleanLevels(walkingAsks ? book.yes_asks : book.yes_bids, walkingAsks);
  const limitCc = order.limitYesPrice === null ? null : priceToCc(order.limitYesPrice);
  const perLevelRule: VenueFeeRule = { ...rule, roundingCc: 1 };

  const taken: { yesCc: number; sideCc: number; contracts: number; feeCc: number }[] = [];
  let remaining = order.contracts;
  for (const level of levels) {
    if (remaining === 0 || !withinLimit(level.yesCc, limitCc, walkingAsks)) break;
    const contracts = Math.min(remaining, level.contracts);
    const sideCc = order.side === 'yes' ? level.yesCc : CC_PER_DOLLAR - level.yesCc;
    const fee = feeCc(perLevelRule, contracts, level.yesCc / CC_PER_DOLLAR);
    taken.push({ yesCc: level.yesCc, sideCc, contracts, feeCc: fee });
    remaining -= contracts;
  }
  return summarise(order.contracts, taken, rule.roundingCc);
}

function summarise(
  requested: number,
  taken: { yesCc: number; sideCc: number; contracts: number; feeCc: number }[],
  roundingCc: number,
): PaperFill {
  const filled = taken.reduce((s, l) => s + l.contracts, 0);
  const rawFee = taken.reduce((s, l) => s + l.feeCc, 0);
  const totalFee = ceilDiv(rawFee, roundingCc) * roundingCc;
  const last = taken.at(-1);
  if (last) last.feeCc += totalFee - rawFee;
  const notionalCc = taken.reduce((s, l) => s + l.contracts * l.sideCc, 0);
  const yesNotional = taken.reduce((s, l) => s + l.contracts * l.yesCc, 0);
  return {
    status: filled === 0 ? 'none' : filled === requested ? 'filled' : 'partial',
    requested,
    filled,
    levels: taken,
    notionalCc,
    feeCc: totalFee,
    avgYesPrice: filled === 0 ? null : yesNotional / filled / CC_PER_DOLLAR,
  };
}

/** Contracts an order could fill right now at its limit (the book depth it can reach). */
export function fillableContracts(side: Side, action: Action, limitYesPrice: number | null, book: YesBook): number {
  const walkingAsks = consumesAsks(side, action);
  const limitCc = limitYesPrice === null ? null : priceToCc(limitYesPrice);
  let total = 0;
  for (const level of cleanLevels(walkingAsks ? book.yes_asks : book.yes_bids, walkingAsks)) {
    if (!withinLimit(level.yesCc, limitCc, walkingAsks)) break;
    total += level.contracts;
  }
  return total;
}

/**
 * The fill as TradeCompleted `fills`: one Fill per level, so every price is an exact 4-decimal
 * YES price and the position tracker recomputes the same integer notional.
 */
export function paperFillMessages(
  fill: PaperFill,
  where: { venue: Venue; marketId: string; side: Side; action: Action; orderId: string | null },
): Fill[] {
  return fill.levels.map((level) => ({
    venue: where.venue,
    market_id: where.marketId,
    side: where.side,
    action: where.action,
    contracts: level.contracts,
    yes_price: level.yesCc / CC_PER_DOLLAR,
    fee_cc: level.feeCc,
    order_id: where.orderId,
  }));
}
