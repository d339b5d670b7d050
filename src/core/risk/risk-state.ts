/**
 * The risk bookkeeping the execution service keeps between orders: exposure (held cost plus the
 * worst cost of orders in flight), accepted request ids, the order-rate window, today's
 * realised P&L, and markets blocked until reconciled. Pure data and arithmetic; the service
 * feeds it events and asks checkOrder with riskView().
 *
 * Exposure of an accepted buy is booked at its worst cost at once (contracts x side limit), so
 * two orders in flight can never both fit under a limit that only one of them fits. When the
 * outcome is known the pending amount is released and the filled cost is booked from the
 * position change. When the outcome is unknown (timeout, lost reply), the market is blocked and
 * the pending exposure is kept until someone reconciles with the venue.
 */
import type { Sport, Venue } from '../topics.js';
import { quantityTimesCc, sidePriceCc } from '../money.js';
import { marketKey, type MarketRef, type Side } from '../execution/order-types.js';
import { DailyPnl } from './daily-pnl.js';
import { ExposureLedger } from './exposure-ledger.js';
import { OrderRateWindow } from './order-rate-window.js';
import { RecentIds } from './recent-ids.js';
import type { RiskLimits } from './risk-limits.js';
import type { OrderRequest, RiskView } from './risk-types.js';

interface Pending {
  readonly ref: MarketRef;
  readonly cc: number;
}

/** Inputs owned by others: the kill switch, the bankroll, the position book's marks. */
export interface RiskViewInputs {
  readonly killSwitch: boolean;
  readonly availableBalanceCc: number;
  readonly unrealisedCc: number;
  heldContracts(venue: Venue, marketId: string, side: Side): number;
}

export class RiskState {
  private readonly exposure = new ExposureLedger();
  private readonly ids: RecentIds;
  private readonly rate: OrderRateWindow;
  private readonly daily: DailyPnl;
  private readonly pending = new Map<string, Pending[]>();
  private readonly blocked = new Map<string, string>();

  constructor(limits: RiskLimits) {
    this.ids = new RecentIds(limits.idempotencyTtlUs, limits.idempotencyCapacity);
    this.rate = new OrderRateWindow(limits.orderRateWindowUs);
    this.daily = new DailyPnl(limits.dayTimeZone);
  }

  /** Book an accepted request: its id, its legs in the rate window, and its buys' worst cost. */
  recordAccepted(request: OrderRequest, nowUs: number): void {
    this.ids.add(request.requestId, nowUs);
    this.rate.record(nowUs, request.legs.length);
    const booked: Pending[] = [];
    for (const leg of request.legs) {
      if (leg.action !== 'buy') continue;
      const ref = { venue: leg.venue, marketId: leg.marketId, gameId: request.gameId, sport: request.sport };
      const cc = quantityTimesCc(leg.contracts, sidePriceCc(leg.side, leg.limitYesPrice), 'up');
      this.exposure.adjust(ref, cc);
      booked.push({ ref, cc });
    }
    if (booked.length > 0) this.pending.set(request.requestId, booked);
  }

  /** The request's outcome is known: drop its worst-case booking (fills are booked separately). */
  /** An accepted request that sent nothing leaves the order-rate window (its id stays seen). */
  withdrawRate(request: OrderRequest, acceptedUs: number): void {
    this.rate.remove(acceptedUs, request.legs.length);
  }

  releasePending(requestId: string): void {
    for (const p of this.pending.get(requestId) ?? []) this.exposure.adjust(p.ref, -p.cc);
    this.pending.delete(requestId);
  }

  /** A position's cost moved (PositionChange.costDeltaCc): fills add, sells and settlements release. */
  applyPositionCost(ref: MarketRef, costDeltaCc: number): void {
    this.exposure.adjust(ref, costDeltaCc);
  }

  /** An order's outcome is unknown: no further orders on its market until reconciled. */
  blockMarket(venue: Venue, marketId: string, reason: string): void {
    this.blocked.set(marketKey(venue, marketId), reason);
  }

  markReconciled(venue: Venue, marketId: string): void {
    this.blocked.delete(marketKey(venue, marketId));
  }

  blockedMarkets(): ReadonlyMap<string, string> {
    return this.blocked;
  }

  /** Realised P&L (net of all fees) of a close or settlement, booked on the day it happened. */
  recordRealised(realisedCc: number, nowUs: number): void {
    this.daily.record(realisedCc, nowUs);
  }

  realisedTodayCc(nowUs: number): number {
    return this.daily.realisedTodayCc(nowUs);
  }

  exposureOf(): ExposureLedger {
    return this.exposure;
  }

  view(inputs: RiskViewInputs, nowUs: number): RiskView {
    const exposure = this.exposure;
    return {
      killSwitch: inputs.killSwitch,
      availableBalanceCc: inputs.availableBalanceCc,
      hasSeen: (id) => this.ids.has(id, nowUs),
      isBlocked: (venue, marketId) => this.blocked.has(marketKey(venue, marketId)),
      heldContracts: inputs.heldContracts,
      marketExposureCc: (venue, marketId) => exposure.market(venue, marketId),
      gameExposureCc: (gameId) => exposure.game(gameId),
      sportExposureCc: (sport: Sport) => exposure.sport(sport),
      totalExposureCc: () => exposure.totalCc(),
      dailyPnlCc: () => this.daily.realisedTodayCc(nowUs) + inputs.unrealisedCc,
      ordersInWindow: (windowUs) => this.rate.countIn(nowUs, windowUs),
    };
  }
}
