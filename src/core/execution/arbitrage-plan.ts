/**
 * Cross-venue arbitrage as one unit: buy YES on one venue and NO on the other for the same
 * outcome, the same number of contracts on both legs, so each pair pays exactly 1 at settlement
 * whoever wins. (The reference system sent only one leg, which is a naked bet, not an arb.)
 *
 * Legs are planned together (size = what both books can fill at their limits). If at execution
 * one leg fills short, the other leg's excess is a naked position: it is unwound at once by
 * selling it back at the best available price, fees paid, and the result states exactly what
 * happened: both filled / one short and unwound / one short and the unwind incomplete (residual
 * contracts left open, explicit) / failed (nothing filled). Money is split between the matched
 * pairs and the excess pro rata (average price), in integer centi-cents.
 */
import type { FeeSchedule } from '../fees.js';
import { CC_PER_DOLLAR, quantityTimesCc, subContracts } from '../money.js';
import type { Venue } from '../topics.js';
import { proRataQuantityCc } from '../positions/pro-rata.js';
import type { Side, YesBook } from './order-types.js';
import { fillableContracts, fillPaperOrder, type PaperFill, type PaperOrder } from './paper-fill.js';

export interface ArbLeg {
  readonly venue: Venue;
  readonly marketId: string;
  readonly side: Side;
  /** Worst YES-side price this leg may buy at. */
  readonly limitYesPrice: number;
}

export type ArbPair<T> = readonly [T, T];

export interface ArbitragePlan {
  readonly legs: ArbPair<ArbLeg>;
  /** Contracts per leg. */
  readonly contracts: number;
  /** At the books the plan was made from: cost of both legs, their fees, and payout minus both. */
  readonly expectedCostCc: number;
  readonly expectedFeeCc: number;
  readonly expectedProfitCc: number;
  readonly status: 'planned' | 'no_depth' | 'unprofitable';
}

/** What one leg did: a PaperFill, or the same three numbers from a venue's order report. */
export interface LegResult {
  readonly filled: number;
  readonly notionalCc: number;
  readonly feeCc: number;
}

const buyOrder = (leg: ArbLeg, contracts: number): PaperOrder => ({ side: leg.side, action: 'buy', contracts, limitYesPrice: leg.limitYesPrice });

export function planArbitrage(legs: ArbPair<ArbLeg>, books: ArbPair<YesBook>, maxContracts: number, fees: FeeSchedule): ArbitragePlan {
  const depth = Math.min(...legs.map((leg, i) => fillableContracts(leg.side, 'buy', leg.limitYesPrice, books[i]!)));
  const contracts = Math.max(0, Math.min(Math.floor(maxContracts), depth));
  if (contracts === 0) return { legs, contracts: 0, expectedCostCc: 0, expectedFeeCc: 0, expectedProfitCc: 0, status: 'no_depth' };
  const fills = legs.map((leg, i) => fillPaperOrder(buyOrder(leg, contracts), books[i]!, fees[leg.venue]));
  const cost = fills.reduce((s, f) => s + f.notionalCc, 0);
  const fee = fills.reduce((s, f) => s + f.feeCc, 0);
  const profit = contracts * CC_PER_DOLLAR - cost - fee;
  return { legs, contracts, expectedCostCc: cost, expectedFeeCc: fee, expectedProfitCc: profit, status: profit > 0 ? 'planned' : 'unprofitable' };
}

export interface UnwindNeed {
  readonly legIndex: 0 | 1;
  readonly contracts: number;
}

/** The leg that filled more, and by how much; null when the legs match. */
export function unwindNeeded(results: ArbPair<LegResult>): UnwindNeed | null {
  const [a, b] = results;
  if (a.filled === b.filled) return null;
  return a.filled > b.filled ? { legIndex: 0, contracts: subContracts(a.filled, b.filled) } : { legIndex: 1, contracts: subContracts(b.filled, a.filled) };
}

/**
 * The order that sells the excess back. No limit by default: a naked leg is the bigger risk,
 * so it takes whatever the book pays; a floor can be given (YES-side, in the leg's sell terms).
 */
function unwindOrder(plan: ArbitragePlan, need: UnwindNeed, limitYesPrice: number | null = null): PaperOrder {
  const leg = plan.legs[need.legIndex];
  return { side: leg.side, action: 'sell', contracts: need.contracts, limitYesPrice };
}

export interface ArbitrageOutcome {
  readonly state: 'both_filled' | 'one_short_unwound' | 'one_short_unwind_incomplete' | 'failed';
  /** Complete pairs held: they pay matched x 1 at settlement. */
  readonly matched: number;
  readonly longLeg: 0 | 1 | null;
  readonly excess: number;
  readonly unwound: number;
  /** Excess contracts still held after the unwind (a naked position on the long leg). */
  readonly residual: number;
  /** Settlement payout of the pairs minus their cost and fees (realised when they settle). */
  readonly lockedProfitCc: number;
  /** Unwind proceeds minus unwind fee minus the cost and entry fees of the contracts sold (realised now). */
  readonly unwindRealisedCc: number;
  /** Cost and entry fees still tied up in the residual contracts. */
  readonly residualBasisCc: number;
  /** All cash spent (negative: received) by the legs and the unwind, fees included. */
  readonly cashOutCc: number;
}

export function arbitrageOutcome(results: ArbPair<LegResult>, unwind: LegResult | null): ArbitrageOutcome {
  const need = unwindNeeded(results);
  const matched = Math.min(results[0].filled, results[1].filled);
  const legCash = results.reduce((s, r) => s + r.notionalCc + r.feeCc, 0);
  const unwindCash = unwind ? unwind.notionalCc - unwind.feeCc : 0;
  if (need === null) {
    const cost = results.reduce((s, r) => s + r.notionalCc + r.feeCc, 0);
    return {
      state: matched === 0 ? 'failed' : 'both_filled',
      matched,
      longLeg: null,
      excess: 0,
      unwound: 0,
      residual: 0,
      lockedProfitCc: quantityTimesCc(matched, CC_PER_DOLLAR, 'down') - cost,
      unwindRealisedCc: 0,
      residualBasisCc: 0,
      cashOutCc: legCash,
    };
  }
  const long = results[need.legIndex];
  const short = results[need.legIndex === 0 ? 1 : 0];
  const excessCost = long.notionalCc - proRataQuantityCc(long.notionalCc, matched, long.filled);
  const excessFee = long.feeCc - proRataQuantityCc(long.feeCc, matched, long.filled);
  const matchedBasis = long.notionalCc - excessCost + long.feeCc - excessFee + short.notionalCc + short.feeCc;
  const unwound = Math.min(unwind?.filled ?? 0, need.contracts);
  const soldBasis = proRataQuantityCc(excessCost, unwound, need.contracts) + proRataQuantityCc(excessFee, unwound, need.contracts);
  const residual = subContracts(need.contracts, unwound);
  return {
    state: residual === 0 ? 'one_short_unwound' : 'one_short_unwind_incomplete',
    matched,
    longLeg: need.legIndex,
    excess: need.contracts,
    unwound,
    residual,
    lockedProfitCc: quantityTimesCc(matched, CC_PER_DOLLAR, 'down') - matchedBasis,
    unwindRealisedCc: unwindCash - soldBasis,
    residualBasisCc: excessCost + excessFee - soldBasis,
    cashOutCc: legCash - unwindCash,
  };
}

export interface PaperArbitrage {
  readonly legs: ArbPair<PaperFill>;
  readonly unwind: PaperFill | null;
  readonly outcome: ArbitrageOutcome;
}

/** Paper execution of a plan against the books as they are now (they may have moved since planning). */
export function paperExecuteArbitrage(plan: ArbitragePlan, books: ArbPair<YesBook>, fees: FeeSchedule): PaperArbitrage {
  const legs = [0, 1].map((i) => fillPaperOrder(buyOrder(plan.legs[i]!, plan.contracts), books[i]!, fees[plan.legs[i]!.venue])) as unknown as ArbPair<PaperFill>;
  const need = unwindNeeded(legs);
  const unwind = need ? fillPaperOrder(unwindOrder(plan, need), books[need.legIndex], fees[plan.legs[need.legIndex].venue]) : null;
  return { legs, unwind, outcome: arbitrageOutcome(legs, unwind) };
}
