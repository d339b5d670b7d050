/**
 * Venue fees, per leg, charged on entry and on exit alike. Both venues charge
 * `rate * C * P * (1 - P)` on the taker (Kalshi rounds the fill up to the cent, Polymarket
 * charges to the hundredth of a cent), so one integer formula with a rate and a rounding unit
 * covers both. Rates are configurable because venues change them (see the venues' published API documentation).
 */
import { CC_PER_CENT, ceilDiv, contractsToMicros, divRound, MICROS_PER_CONTRACT, priceToCc } from './money.js';
import type { Venue } from './topics.js';

export interface VenueFeeRule {
  /** Taker rate in basis points of C * P * (1 - P): Kalshi 700 (0.07), Polymarket sports 300 (0.03). */
  takerRateBp: number;
  makerRateBp: number;
  /** Fees are rounded up to a multiple of this many centi-cents. */
  roundingCc: number;
}

export type FeeSchedule = Readonly<Record<Venue, VenueFeeRule>>;

export const DEFAULT_FEES: FeeSchedule = Object.freeze({
  kalshi: Object.freeze({ takerRateBp: 700, makerRateBp: 0, roundingCc: CC_PER_CENT }),
  poly: Object.freeze({ takerRateBp: 300, makerRateBp: 0, roundingCc: 1 }),
});

/** Integer exactness holds while rate * C * p * (1 - p) stays below 2^53. */
export const MAX_CONTRACTS_PER_FILL = 100_000;

/** Fee in centi-cents for one fill of `contracts` at a YES-side price (the fee is symmetric in side). */
export function feeCc(rule: VenueFeeRule, contracts: number, yesPrice: number, role: 'taker' | 'maker' = 'taker'): number {
  if (!(contracts >= 0 && contracts <= MAX_CONTRACTS_PER_FILL)) {
    throw new RangeError(`contracts ${contracts} must be in [0, ${MAX_CONTRACTS_PER_FILL}]`);
  }
  const rate = role === 'taker' ? rule.takerRateBp : rule.makerRateBp;
  if (rate === 0 || contracts === 0) return 0;
  const p = priceToCc(yesPrice);
  const unit = 100_000_000 * rule.roundingCc;
  if (!Number.isInteger(contracts)) {
    // Fractional shares (Polymarket): the same formula on micro-shares, in bigint (it passes 2^53).
    const micros = BigInt(contractsToMicros(contracts));
    const exact = BigInt(rate) * micros * BigInt(p) * BigInt(10_000 - p);
    return Number(divRound(exact, BigInt(unit) * BigInt(MICROS_PER_CONTRACT), 'up')) * rule.roundingCc;
  }
  // rate/1e4 * C * (p/1e4) * ((1e4-p)/1e4) dollars = rate * C * p * (1e4-p) / 1e8 centi-cents.
  const numerator = rate * contracts * p * (10_000 - p);
  return ceilDiv(numerator, unit) * rule.roundingCc;
}

export function venueFeeCc(schedule: FeeSchedule, venue: Venue, contracts: number, yesPrice: number): number {
  return feeCc(schedule[venue], contracts, yesPrice);
}
