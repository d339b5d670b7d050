/**
 * Upper bounds of what an order can cost, used to reserve cash and check limits before the fill
 * is known. A buy with a side limit s fills at side prices in (0, s], so its notional is at most
 * contracts * s. Its fee rate * C * p * (1 - p) is largest where p(1-p) is, which is at 0.5 when
 * 0.5 is reachable and at the limit otherwise. One extra rounding unit covers per-level rounding
 * (paper-fill.ts rounds each level to a centi-cent before rounding the order once).
 */
import { feeCc, type VenueFeeRule } from '../fees.js';
import { CC_PER_DOLLAR, sidePriceCc } from '../money.js';
import type { Side } from './order-types.js';

const HALF_CC = CC_PER_DOLLAR / 2;

function feeBoundCc(rule: VenueFeeRule, contracts: number, sideLimitCc: number): number {
  const worst = Math.min(sideLimitCc, HALF_CC);
  const fee = feeCc(rule, contracts, worst / CC_PER_DOLLAR);
  return fee === 0 ? 0 : fee + rule.roundingCc;
}

/** Most a buy of `contracts` of `side` at a YES-side limit can take from cash, fees included. */
export function buyCostBoundCc(rule: VenueFeeRule, side: Side, contracts: number, limitYesPrice: number): number {
  const sideLimitCc = sidePriceCc(side, limitYesPrice);
  return contracts * sideLimitCc + feeBoundCc(rule, contracts, sideLimitCc);
}
