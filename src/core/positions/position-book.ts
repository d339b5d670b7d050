/**
 * Positions per (venue, market, side), in contracts (whole on Kalshi, to the micro-share on
 * Polymarket: what the venue holds), with integer money. Quantities add and subtract as integer
 * micro-contracts (money.ts) and cost is released pro rata by micro-contracts.
 *
 * YES and NO on the same market are two separate positions and are never netted: each has its
 * own cost, fees and P&L, and each settles on its own (a NO position pays 1 per contract when the
 * YES outcome loses). Holding both is economically a locked payout of 1 per pair, and keeping
 * them apart makes that visible instead of hiding it inside one signed number.
 *
 * Money per position, all in centi-cents and in the held side's terms:
 * - costCc: what the contracts still held cost (the cash a buy moved, before fees: the fill's
 *   notional_cc when the venue reported it, else side price x contracts, rounded up);
 * - openFeesCc: entry fees attributed to the contracts still held;
 * - realisedCc: proceeds - released cost - released entry fees - exit fees, summed over closes.
 * Closing k of n contracts releases cost and entry fees pro rata (proRataQuantityCc), so any sequence of
 * partial closes realises exactly (proceeds - cost - all fees) once the position is flat.
 *
 * Cash effect of every change is returned (cashDeltaCc), so a bankroll applying those deltas
 * satisfies: cash + sum(costCc + openFeesCc over open positions) = start + sum(realisedCc).
 */
import type { Fill } from '../messages.js';
import { addContracts, CC_PER_DOLLAR, contractsToMicros, isMicroQuantity, priceToCc, quantityTimesCc, sidePriceCc, subContracts } from '../money.js';
import type { Sport, Venue } from '../topics.js';
import type { Side } from '../execution/order-types.js';
import { PositionError } from './position-error.js';
import { proRataQuantityCc } from './pro-rata.js';

export interface PositionMeta {
  readonly gameId: string;
  readonly sport: Sport;
  readonly team: string | null;
}

export type PositionState = 'open' | 'closed' | 'settled';

export interface PositionSnapshot extends PositionMeta {
  readonly positionId: string;
  readonly venue: Venue;
  readonly marketId: string;
  readonly side: Side;
  readonly state: PositionState;
  readonly contracts: number;
  readonly costCc: number;
  readonly openFeesCc: number;
  readonly realisedCc: number;
  /** Every fee paid on this position, entry and exit. */
  readonly feesPaidCc: number;
  /** All contracts ever bought into this position and what they cost (for the average entry). */
  readonly boughtContracts: number;
  readonly boughtCostCc: number;
  readonly openedUs: number;
  readonly updatedUs: number;
}

export interface PositionChange {
  readonly position: PositionSnapshot;
  /** Cash in (positive) or out (negative), fees included. */
  readonly cashDeltaCc: number;
  readonly realisedDeltaCc: number;
  /** Change of costCc: what risk exposure should move by. */
  readonly costDeltaCc: number;
}

export interface PositionBookOptions {
  /** Closed and settled positions kept in memory for queries (oldest dropped first). */
  maxClosedKept?: number;
}

const DEFAULTS: Required<PositionBookOptions> = { maxClosedKept: 10_000 };

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function positionKey(venue: Venue, marketId: string, side: Side): string {
  return `${venue}:${marketId}:${side}`;
}

export class PositionBook {
  private readonly options: Readonly<Required<PositionBookOptions>>;
  private readonly openPositions = new Map<string, Mutable<PositionSnapshot>>();
  private readonly closedPositions: PositionSnapshot[] = [];
  private readonly openedCount = new Map<string, number>();
  private realisedClosedCc = 0;

  constructor(options: PositionBookOptions = {}) {
    this.options = Object.freeze({ ...DEFAULTS, ...options });
  }

  /** Apply one fill. A buy opens or adds; a sell reduces and may close. */
  applyFill(fill: Fill, meta: PositionMeta, tsUs: number): PositionChange {
    checkFill(fill);
    return fill.action === 'buy' ? this.buy(fill, meta, tsUs) : this.sell(fill, tsUs);
  }

  /**
   * Settle every open position on a market at the outcome's YES price: 1 when YES won, 0 when it
   * lost (a NO position then gets 1 per contract), or a venue's fractional settlement value.
   */
  settleMarket(venue: Venue, marketId: string, outcomeYesPrice: number, tsUs: number, settlementFeeCc = 0): PositionChange[] {
    const changes: PositionChange[] = [];
    for (const side of ['yes', 'no'] as const) {
      const position = this.openPositions.get(positionKey(venue, marketId, side));
      if (!position) continue;
      // A fractional share's payout is rounded down, as the venue pays whole base units.
      const payout = quantityTimesCc(position.contracts, sidePriceCc(side, outcomeYesPrice), 'down');
      const released = position.costCc + position.openFeesCc;
      const realised = payout - released - settlementFeeCc;
      const costDelta = -position.costCc;
      position.realisedCc += realised;
      position.feesPaidCc += settlementFeeCc;
      position.costCc = 0;
      position.openFeesCc = 0;
      position.contracts = 0;
      position.updatedUs = tsUs;
      this.finish(position, 'settled');
      changes.push({ position: { ...position }, cashDeltaCc: payout - settlementFeeCc, realisedDeltaCc: realised, costDeltaCc: costDelta });
    }
    return changes;
  }

  get(venue: Venue, marketId: string, side: Side): PositionSnapshot | undefined {
    const p = this.openPositions.get(positionKey(venue, marketId, side));
    return p ? { ...p } : undefined;
  }

  /** The open position itself, not a copy: for readers on a hot path that keep no reference. */
  peek(venue: Venue, marketId: string, side: Side): Readonly<PositionSnapshot> | undefined {
    return this.openPositions.get(positionKey(venue, marketId, side));
  }

  /** Visits every open position without copying it (the visitor must not keep or change it). */
  forEachOpen(visit: (p: Readonly<PositionSnapshot>, key: string) => void): void {
    for (const [key, p] of this.openPositions) visit(p, key);
  }

  open(): PositionSnapshot[] {
    return [...this.openPositions.values()].map((p) => ({ ...p }));
  }

  /** Copies of the open positions that pass `keep` (filters before copying: runs per price). */
  openWhere(keep: (p: Readonly<PositionSnapshot>) => boolean): PositionSnapshot[] {
    const out: PositionSnapshot[] = [];
    for (const p of this.openPositions.values()) if (keep(p)) out.push({ ...p });
    return out;
  }

  closed(): readonly PositionSnapshot[] {
    return this.closedPositions;
  }

  /** Realised P&L of every position ever held (open ones included), in cc. */
  totalRealisedCc(): number {
    let open = 0;
    for (const p of this.openPositions.values()) open += p.realisedCc;
    return this.realisedClosedCc + open;
  }

  /** Cost plus attributed entry fees of everything still held: the cash tied up in positions. */
  openBasisCc(): number {
    let total = 0;
    for (const p of this.openPositions.values()) total += p.costCc + p.openFeesCc;
    return total;
  }

  /** Put back an open position saved earlier (service restart). */
  restore(snapshot: PositionSnapshot): void {
    if (snapshot.state !== 'open') throw new PositionError(`only open positions are restored, got ${snapshot.state}`);
    const key = positionKey(snapshot.venue, snapshot.marketId, snapshot.side);
    this.openPositions.set(key, { ...snapshot });
    this.openedCount.set(key, Math.max(this.openedCount.get(key) ?? 0, sequenceOf(snapshot.positionId)));
  }

  private buy(fill: Fill, meta: PositionMeta, tsUs: number): PositionChange {
    const key = positionKey(fill.venue, fill.market_id, fill.side);
    const position = this.openPositions.get(key) ?? this.create(key, fill, meta, tsUs);
    const notional = fillNotionalCc(fill);
    position.contracts = addContracts(position.contracts, fill.contracts);
    position.costCc += notional;
    position.boughtContracts = addContracts(position.boughtContracts, fill.contracts);
    position.boughtCostCc += notional;
    position.openFeesCc += fill.fee_cc;
    position.feesPaidCc += fill.fee_cc;
    position.updatedUs = tsUs;
    return { position: { ...position }, cashDeltaCc: -(notional + fill.fee_cc), realisedDeltaCc: 0, costDeltaCc: notional };
  }

  private sell(fill: Fill, tsUs: number): PositionChange {
    const key = positionKey(fill.venue, fill.market_id, fill.side);
    const position = this.openPositions.get(key);
    if (!position || contractsToMicros(position.contracts) < contractsToMicros(fill.contracts)) {
      // Never turn a sell into a short or into the other side: that is how NO and YES get mixed.
      throw new PositionError(`sell of ${fill.contracts} ${fill.side} on ${fill.venue}:${fill.market_id} exceeds the ${position?.contracts ?? 0} held`, {
        venue: fill.venue,
        marketId: fill.market_id,
        side: fill.side,
      });
    }
    const proceeds = fillNotionalCc(fill);
    const releasedCost = proRataQuantityCc(position.costCc, fill.contracts, position.contracts);
    const releasedFees = proRataQuantityCc(position.openFeesCc, fill.contracts, position.contracts);
    const realised = proceeds - releasedCost - releasedFees - fill.fee_cc;
    position.contracts = subContracts(position.contracts, fill.contracts);
    position.costCc -= releasedCost;
    position.openFeesCc -= releasedFees;
    position.realisedCc += realised;
    position.feesPaidCc += fill.fee_cc;
    position.updatedUs = tsUs;
    if (position.contracts === 0) this.finish(position, 'closed');
    return { position: { ...position }, cashDeltaCc: proceeds - fill.fee_cc, realisedDeltaCc: realised, costDeltaCc: -releasedCost };
  }

  private create(key: string, fill: Fill, meta: PositionMeta, tsUs: number): Mutable<PositionSnapshot> {
    const n = (this.openedCount.get(key) ?? 0) + 1;
    this.openedCount.set(key, n);
    const position: Mutable<PositionSnapshot> = {
      positionId: `${key}:${n}`,
      venue: fill.venue,
      marketId: fill.market_id,
      side: fill.side,
      gameId: meta.gameId,
      sport: meta.sport,
      team: meta.team,
      state: 'open',
      contracts: 0,
      costCc: 0,
      openFeesCc: 0,
      realisedCc: 0,
      feesPaidCc: 0,
      boughtContracts: 0,
      boughtCostCc: 0,
      openedUs: tsUs,
      updatedUs: tsUs,
    };
    this.openPositions.set(key, position);
    return position;
  }

  private finish(position: Mutable<PositionSnapshot>, state: 'closed' | 'settled'): void {
    position.state = state;
    this.openPositions.delete(positionKey(position.venue, position.marketId, position.side));
    this.realisedClosedCc += position.realisedCc;
    this.closedPositions.push({ ...position });
    if (this.closedPositions.length > this.options.maxClosedKept) this.closedPositions.shift();
  }
}

/**
 * Cash a fill moved before its fee: the venue's own figure when it reported one, else contracts
 * x side price (exact for whole contracts; a fraction is rounded against us: a buy up, a sell down).
 */
export function fillNotionalCc(fill: Fill): number {
  if (fill.notional_cc !== undefined) return fill.notional_cc;
  return quantityTimesCc(fill.contracts, sidePriceCc(fill.side, fill.yes_price), fill.action === 'buy' ? 'up' : 'down');
}

function checkFill(fill: Fill): void {
  if (!isMicroQuantity(fill.contracts) || fill.contracts <= 0) {
    throw new PositionError(`fill contracts ${fill.contracts} must be positive with at most 6 decimals`);
  }
  if (fill.notional_cc !== undefined && (!Number.isSafeInteger(fill.notional_cc) || fill.notional_cc < 0)) {
    throw new PositionError(`fill notional ${fill.notional_cc} must be a non-negative integer`);
  }
  if (!Number.isInteger(fill.fee_cc) || fill.fee_cc < 0) throw new PositionError(`fill fee ${fill.fee_cc} must be a non-negative integer`);
  // priceToCc throws on out-of-range; a price with more than 4 decimals would not be exact money.
  const cc = priceToCc(fill.yes_price);
  if (Math.abs(cc - fill.yes_price * CC_PER_DOLLAR) > 1e-6) throw new PositionError(`fill price ${fill.yes_price} has more than 4 decimals`);
}

function sequenceOf(positionId: string): number {
  const n = Number(positionId.slice(positionId.lastIndexOf(':') + 1));
  return Number.isInteger(n) ? n : 0;
}
