/**
 * The largest size a set of buy legs (n contracts each) can have and still pass the risk
 * engine's size, exposure and balance checks. Sizing uses it so an order is made to fit rather
 * than rejected; the risk engine still checks the result (sizing is advice, risk is the gate).
 */
import { buyCostBoundCc } from '../execution/order-cost.js';
import { marketKey, type Side } from '../execution/order-types.js';
import { sidePriceCc } from '../money.js';
import type { Sport, Venue } from '../topics.js';
import type { RiskLimits } from '../risk/risk-limits.js';
import type { RiskView } from '../risk/risk-types.js';

export interface CapLeg {
  readonly venue: Venue;
  readonly marketId: string;
  readonly side: Side;
  /** YES-side limit the order will carry. */
  readonly limitYesPrice: number;
}

export interface CapContext {
  readonly gameId: string;
  readonly sport: Sport;
  readonly limits: RiskLimits;
  readonly view: RiskView;
}

const headroom = (max: number, used: number) => Math.max(0, max - used);
const perContract = (cc: number, room: number) => (cc <= 0 ? Number.MAX_SAFE_INTEGER : Math.floor(room / cc));

export function maxContractsWithinRisk(legs: readonly CapLeg[], ctx: CapContext): number {
  const { limits, view } = ctx;
  if (legs.length === 0) return 0;
  const legCc = legs.map((l) => sidePriceCc(l.side, l.limitYesPrice));
  let n = limits.maxContractsPerOrder;
  for (const cc of legCc) n = Math.min(n, perContract(cc, limits.maxOrderNotionalCc));

  const perMarket = new Map<string, { leg: CapLeg; cc: number }>();
  legs.forEach((leg, i) => {
    const key = marketKey(leg.venue, leg.marketId);
    const entry = perMarket.get(key) ?? { leg, cc: 0 };
    entry.cc += legCc[i]!;
    perMarket.set(key, entry);
  });
  for (const { leg, cc } of perMarket.values()) {
    n = Math.min(n, perContract(cc, headroom(limits.maxMarketExposureCc, view.marketExposureCc(leg.venue, leg.marketId))));
  }
  const sum = legCc.reduce((s, cc) => s + cc, 0);
  n = Math.min(
    n,
    perContract(sum, headroom(limits.maxGameExposureCc, view.gameExposureCc(ctx.gameId))),
    perContract(sum, headroom(limits.maxSportExposureCc, view.sportExposureCc(ctx.sport))),
    perContract(sum, headroom(limits.maxTotalExposureCc, view.totalExposureCc())),
  );
  return largestAffordable(legs, n, limits, view.availableBalanceCc);
}

/** Largest k <= n whose worst-case cash need fits the available balance (the need grows with k). */
function largestAffordable(legs: readonly CapLeg[], n: number, limits: RiskLimits, availableCc: number): number {
  const need = (k: number) => legs.reduce((s, l) => s + buyCostBoundCc(limits.fees[l.venue], l.side, k, l.limitYesPrice), 0);
  if (n <= 0) return 0;
  if (need(n) <= availableCc) return n;
  let lo = 0;
  let hi = n;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (need(mid) <= availableCc) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Arbitrage legs are sized in contracts already (equal on both legs): cap by limits and balance. */
export function sizeArbitrage(requestedContracts: number, legs: readonly CapLeg[], ctx: CapContext): number {
  if (!Number.isInteger(requestedContracts) || requestedContracts <= 0) return 0;
  return Math.min(requestedContracts, maxContractsWithinRisk(legs, ctx));
}
