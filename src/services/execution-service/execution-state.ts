/**
 * The money and risk state the decisions are made on, owned by one decision loop (no locks, no
 * races: every check-and-reserve happens synchronously before the first await of a decision).
 *
 * - Bankroll: cash in integer centi-cents; an accepted decision reserves its worst-case cost
 *   before any order goes out, and the reservation is released when its outcome is booked.
 * - PositionBook: what was bought and sold, per venue/market/side (for exits and exposure).
 * - RiskState: worst-case exposure of orders in flight, rate window, daily P&L, blocked markets.
 *
 * A restart rebuilds all of it by replaying the durable `trades:completed` stream (every fill ever
 * booked) and the settlements this service saw, then re-books decisions still in flight.
 */
import { positionKey, PositionBook, type PositionChange, type PositionSnapshot } from '../../core/positions/position-book.js';
import { Bankroll } from '../../core/positions/bankroll.js';
import { unrealisedCc } from '../../core/positions/position-marks.js';
import type { Fill, TradeCompleted } from '../../core/messages.js';
import { RiskState } from '../../core/risk/risk-state.js';
import type { RiskLimits } from '../../core/risk/risk-limits.js';
import type { OrderRequest, RiskView } from '../../core/risk/risk-types.js';
import type { Sport, Venue } from '../../core/topics.js';
import type { Side } from '../../core/execution/order-types.js';
import type { BookCache } from './book-cache.js';

export interface FillMeta {
  readonly gameId: string;
  readonly sport: Sport;
  readonly team: string | null;
}

/**
 * How long the marks of positions that did not change are reused for risk views (they feed the
 * daily loss limit, which a falling market must trip within a moment); a position a fill or
 * settlement changed is re-marked at the next view.
 */
const UNREALISED_REUSE_US = 100_000;

/** The unrealised P&L of each open position as last marked, and their sum. */
interface Marks {
  readonly byPosition: Map<string, number>;
  totalCc: number;
  readonly atUs: number;
}

export class ExecutionState {
  readonly positions = new PositionBook();
  readonly bankroll: Bankroll;
  readonly risk: RiskState;
  readonly #settled = new Set<string>();
  #marks: Marks | null = null;
  /** Positions changed since they were marked: position key -> where it is. */
  readonly #changed = new Map<string, { venue: Venue; marketId: string; side: Side }>();

  constructor(
    private readonly limits: RiskLimits,
    startCc: number,
  ) {
    this.bankroll = new Bankroll(startCc);
    this.risk = new RiskState(limits);
  }

  view(killSwitch: boolean, books: BookCache, nowUs: number): RiskView {
    return this.risk.view(
      {
        killSwitch,
        availableBalanceCc: this.bankroll.availableCc,
        unrealisedCc: this.unrealisedCc(books, nowUs),
        heldContracts: (venue, marketId, side) => this.positions.get(venue, marketId, side)?.contracts ?? 0,
      },
      nowUs,
    );
  }

  /**
   * Marked P&L of open positions at their exit side; markets without a usable book count 0.
   * Every position is marked at most once per UNREALISED_REUSE_US; in between, only those a fill
   * or settlement changed are marked again. A fill used to throw all marks away, so with 400
   * positions held in bench:pipeline and every decision a fill, each decision walked them all:
   * most of execution_service's decision time.
   */
  unrealisedCc(books: BookCache, nowUs: number): number {
    const marks = this.#marks;
    if (marks === null || nowUs < marks.atUs || nowUs - marks.atUs >= UNREALISED_REUSE_US) return this.#markAll(books, nowUs);
    for (const [key, where] of this.#changed) {
      const held = this.positions.peek(where.venue, where.marketId, where.side);
      const value = held === undefined ? 0 : this.#markOne(held, books, nowUs);
      marks.totalCc += value - (marks.byPosition.get(key) ?? 0);
      if (held === undefined) marks.byPosition.delete(key);
      else marks.byPosition.set(key, value);
    }
    this.#changed.clear();
    return marks.totalCc;
  }

  #markAll(books: BookCache, nowUs: number): number {
    const byPosition = new Map<string, number>();
    let totalCc = 0;
    this.positions.forEachOpen((p, key) => {
      const value = this.#markOne(p, books, nowUs);
      byPosition.set(key, value);
      totalCc += value;
    });
    this.#marks = { byPosition, totalCc, atUs: nowUs };
    this.#changed.clear();
    return totalCc;
  }

  #markOne(p: Readonly<PositionSnapshot>, books: BookCache, nowUs: number): number {
    const found = books.get(p.venue, p.marketId, nowUs);
    return found.ok ? (unrealisedCc(p, found.top, this.limits.fees[p.venue]) ?? 0) : 0;
  }

  #noteChanged(venue: Venue, marketId: string, side: Side): void {
    this.#changed.set(positionKey(venue, marketId, side), { venue, marketId, side });
  }

  /** Books an accepted decision: risk (id, rate, worst-case exposure) and the cash reservation. */
  reserve(request: OrderRequest, requiredCc: number, nowUs: number): void {
    this.risk.recordAccepted(request, nowUs);
    this.bankroll.reserve(request.requestId, Math.min(requiredCc, Math.max(0, this.bankroll.availableCc)));
  }

  /** An accepted decision that will not go ahead (its id was claimed elsewhere): reservation, exposure and rate window given back. */
  withdraw(request: OrderRequest, acceptedUs: number): void {
    this.release(request.requestId);
    this.risk.withdrawRate(request, acceptedUs);
  }

  /** Applies one fill that happened: position, cash, exposure, realised P&L. Throws PositionError on an impossible sell. */
  applyFill(fill: Fill, meta: FillMeta, tsUs: number): PositionChange {
    const change = this.positions.applyFill(fill, meta, tsUs);
    this.#noteChanged(fill.venue, fill.market_id, fill.side);
    this.bankroll.applyCashDelta(change.cashDeltaCc);
    this.risk.applyPositionCost({ venue: fill.venue, marketId: fill.market_id, gameId: meta.gameId, sport: meta.sport }, change.costDeltaCc);
    if (change.realisedDeltaCc !== 0) this.risk.recordRealised(change.realisedDeltaCc, tsUs);
    return change;
  }

  /** The decision's outcome is fully known: drop its reservation and worst-case exposure. */
  release(requestId: string): void {
    this.bankroll.release(requestId);
    this.risk.releasePending(requestId);
  }

  /** A market settled (the monitor's `settled` price): positions pay out at the YES value. */
  settle(venue: Venue, marketId: string, yesValue: number, tsUs: number): PositionChange[] {
    const key = `${venue}:${marketId}`;
    if (this.#settled.has(key)) return [];
    const changes = this.positions.settleMarket(venue, marketId, yesValue, tsUs);
    for (const c of changes) {
      this.#noteChanged(venue, marketId, c.position.side);
      this.bankroll.applyCashDelta(c.cashDeltaCc);
      this.risk.applyPositionCost({ venue, marketId, gameId: c.position.gameId, sport: c.position.sport }, c.costDeltaCc);
      this.risk.recordRealised(c.realisedDeltaCc, tsUs);
    }
    if (changes.length > 0) this.#settled.add(key);
    return changes;
  }

  hasPosition(venue: Venue, marketId: string): boolean {
    return this.positions.get(venue, marketId, 'yes') !== undefined || this.positions.get(venue, marketId, 'no') !== undefined;
  }

  /** Replays one durable trade (restart). Returns the fills that could not be applied. */
  replay(trade: TradeCompleted, teamOf: (fill: Fill) => string | null = () => null): { applied: number; failed: string[] } {
    let applied = 0;
    const failed: string[] = [];
    for (const fill of trade.fills) {
      try {
        this.applyFill(fill, { gameId: trade.game_id, sport: trade.sport, team: teamOf(fill) }, trade.decided_ts);
        applied++;
      } catch (err) {
        failed.push(`${positionKey(fill.venue, fill.market_id, fill.side)}: ${(err as Error).message}`);
      }
    }
    return { applied, failed };
  }
}
