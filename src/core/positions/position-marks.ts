/**
 * Marking positions to the market. A position is worth what it could be sold for now: a YES
 * position sells at the YES bid, a NO position sells at the NO bid, which is 1 - YES ask. The
 * mid would flatter every position by half the spread, so it is not used. Unrealised P&L is the
 * liquidation value (after the exit fee) minus what is still tied up (cost plus entry fees).
 */
import { feeCc, type FeeSchedule, type VenueFeeRule } from '../fees.js';
import type { Position } from '../messages.js';
import { CC_PER_DOLLAR, priceToCc, quantityTimesCc } from '../money.js';
import type { Side, TopOfBook } from '../execution/order-types.js';
import type { PositionSnapshot } from './position-book.js';

/** Price one held contract of `side` sells at now, in cc; null when that side of the book is empty. */
export function exitMarkSideCc(side: Side, top: TopOfBook): number | null {
  if (side === 'yes') return top.yesBid === null ? null : priceToCc(top.yesBid);
  return top.yesAsk === null ? null : CC_PER_DOLLAR - priceToCc(top.yesAsk);
}

/** The YES price an exit of `side` trades at: the bid for YES, the ask for NO. */
function exitMarkYesPrice(side: Side, top: TopOfBook): number | null {
  return side === 'yes' ? top.yesBid : top.yesAsk;
}

export function liquidationValueCc(position: PositionSnapshot, top: TopOfBook, rule: VenueFeeRule): number | null {
  const markCc = exitMarkSideCc(position.side, top);
  if (markCc === null) return null;
  const exitFee = feeCc(rule, position.contracts, markCc / CC_PER_DOLLAR);
  return quantityTimesCc(position.contracts, markCc, 'down') - exitFee;
}

export function unrealisedCc(position: PositionSnapshot, top: TopOfBook, rule: VenueFeeRule): number | null {
  const value = liquidationValueCc(position, top, rule);
  return value === null ? null : value - position.costCc - position.openFeesCc;
}

/** Average entry as a YES-side price (a NO bought at 0.40 is yes 0.60), 4 decimals. */
export function avgEntryYesPrice(position: PositionSnapshot): number {
  if (position.boughtContracts === 0) return 0;
  const sideCc = Math.round(position.boughtCostCc / position.boughtContracts);
  const yesCc = position.side === 'yes' ? sideCc : CC_PER_DOLLAR - sideCc;
  return yesCc / CC_PER_DOLLAR;
}

export function positionMessage(position: PositionSnapshot, top: TopOfBook | null, rule: VenueFeeRule): Position {
  const unrealised = top && position.state === 'open' ? unrealisedCc(position, top, rule) : null;
  return {
    position_id: position.positionId,
    game_id: position.gameId,
    sport: position.sport,
    venue: position.venue,
    market_id: position.marketId,
    team: position.team,
    side: position.side,
    state: position.state,
    contracts: position.contracts,
    avg_yes_price: avgEntryYesPrice(position),
    mark_yes_price: top ? exitMarkYesPrice(position.side, top) : null,
    cost_cc: position.costCc,
    fees_cc: position.feesPaidCc,
    realized_pnl_cc: position.realisedCc,
    unrealized_pnl_cc: unrealised ?? 0,
    opened_ts: position.openedUs,
    updated_ts: position.updatedUs,
  };
}

/**
 * Unrealised P&L of many positions, for the daily loss limit. A position with no exit price
 * (empty side, no book) is counted as worth nothing: the limit should trip on what cannot be
 * sold, not ignore it.
 */
export function totalUnrealisedCc(
  positions: readonly PositionSnapshot[],
  topOf: (position: PositionSnapshot) => TopOfBook | null,
  fees: FeeSchedule,
): number {
  let total = 0;
  for (const p of positions) {
    const top = topOf(p);
    const u = top ? unrealisedCc(p, top, fees[p.venue]) : null;
    total += u ?? -(p.costCc + p.openFeesCc);
  }
  return total;
}
