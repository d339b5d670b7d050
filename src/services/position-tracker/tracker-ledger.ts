/**
 * The tracker's state machine: positions, cash and daily P&L, changed only by entries of the
 * ordered durable log (trades:completed entries and positions:settlements entries), one at a
 * time. Nothing here reads a clock or does I/O, so replaying the same log gives the same state
 * to the centi-cent: that is what makes a restart exact and the bankroll free of races (the
 * reference system re-read an absolute balance over its own and lost trades' P&L).
 *
 * Every fill is applied on its own: a fill the book refuses (selling more than held, a price
 * with more than 4 decimals, a market id that cannot name a topic) is counted and skipped, and
 * the other fills of the trade still apply. Replay refuses the same fills, so it stays exact.
 */
import { errorMessage } from '../../core/errors.js';
import type { TradeCompleted } from '../../core/messages.js';
import { Bankroll } from '../../core/positions/bankroll.js';
import { PositionBook, type PositionChange, type PositionSnapshot } from '../../core/positions/position-book.js';
import { DailyPnl } from '../../core/risk/daily-pnl.js';
import { isValidTopicId } from '../../core/topics.js';
import type { SettlementRecord } from './settlement-record.js';
import { compareStreamIds, STREAM_START } from './stream-ids.js';

export interface LedgerOptions {
  initialBankrollCc: number;
  timeZone: string;
}

export interface LedgerCounters {
  trades_applied: number;
  trades_duplicate: number;
  trades_malformed: number;
  fills_applied: number;
  fills_refused: number;
  settlements_applied: number;
  settlements_unmatched: number;
  settlements_malformed: number;
}

export interface TradeResult {
  readonly duplicate: boolean;
  readonly changes: readonly PositionChange[];
  /** Reasons of refused fills, for the log. */
  readonly refused: readonly string[];
}

export interface LedgerSummary {
  readonly tradeCursor: string;
  readonly settlementCursor: string;
  readonly cashCc: number;
  readonly realisedCc: number;
  readonly openBasisCc: number;
  readonly openPositions: number;
  /** Trading day of the last logged event, and realised P&L booked on that day. */
  readonly day: string;
  readonly dayRealisedCc: number;
  readonly tradesApplied: number;
}

export class TrackerLedger {
  readonly book = new PositionBook();
  readonly bankroll: Bankroll;
  readonly counters: LedgerCounters = {
    trades_applied: 0,
    trades_duplicate: 0,
    trades_malformed: 0,
    fills_applied: 0,
    fills_refused: 0,
    settlements_applied: 0,
    settlements_unmatched: 0,
    settlements_malformed: 0,
  };
  private readonly daily: DailyPnl;
  private readonly tradeIds = new Set<string>();
  /** Games settled at least once: a fill arriving after the final needs settling again. */
  private readonly settledGames = new Set<string>();
  private lastEventUs = 0;
  private trades = STREAM_START;
  private settlements = STREAM_START;

  constructor(private readonly options: Readonly<LedgerOptions>) {
    this.bankroll = new Bankroll(options.initialBankrollCc);
    this.daily = new DailyPnl(options.timeZone);
  }

  get tradeCursor(): string {
    return this.trades;
  }

  get settlementCursor(): string {
    return this.settlements;
  }

  hasTrade(tradeId: string): boolean {
    return this.tradeIds.has(tradeId);
  }

  isSettled(gameId: string): boolean {
    return this.settledGames.has(gameId);
  }

  /** Applies the trade of stream entry `streamId`; entries must come in stream order. */
  applyTrade(streamId: string, trade: TradeCompleted): TradeResult {
    this.advance('trades', streamId);
    if (this.tradeIds.has(trade.trade_id)) {
      this.counters.trades_duplicate++;
      return { duplicate: true, changes: [], refused: [] };
    }
    this.tradeIds.add(trade.trade_id);
    this.counters.trades_applied++;
    const meta = { gameId: trade.game_id, sport: trade.sport, team: null };
    const changes: PositionChange[] = [];
    const refused: string[] = [];
    for (const fill of trade.fills) {
      try {
        if (!isValidTopicId(fill.market_id)) throw new RangeError(`market id ${JSON.stringify(fill.market_id)} cannot name a topic`);
        const change = this.book.applyFill(fill, meta, trade.decided_ts);
        this.bookMoney(change, trade.decided_ts);
        changes.push(change);
        this.counters.fills_applied++;
      } catch (err) {
        this.counters.fills_refused++;
        refused.push(errorMessage(err));
      }
    }
    return { duplicate: false, changes, refused };
  }

  /** A trades:completed entry that did not parse: it still moves the cursor, once. */
  skipMalformedTrade(streamId: string): void {
    this.advance('trades', streamId);
    this.counters.trades_malformed++;
  }

  /** A positions:settlements entry that did not parse: it moves the cursor and changes nothing. */
  skipMalformedSettlement(streamId: string): void {
    this.advance('settlements', streamId);
    this.counters.settlements_malformed++;
  }

  applySettlement(streamId: string, record: SettlementRecord): PositionChange[] {
    this.advance('settlements', streamId);
    this.settledGames.add(record.game_id);
    const changes: PositionChange[] = [];
    for (const market of record.markets) {
      for (const change of this.book.settleMarket(market.venue, market.market_id, market.outcome_yes_price, record.ts)) {
        this.bookMoney(change, record.ts);
        changes.push(change);
      }
    }
    if (changes.length === 0) this.counters.settlements_unmatched++;
    else this.counters.settlements_applied++;
    return changes;
  }

  /** Open positions of one game. */
  openOfGame(gameId: string): PositionSnapshot[] {
    return this.book.openWhere((p) => p.gameId === gameId);
  }

  summary(): LedgerSummary {
    return {
      tradeCursor: this.trades,
      settlementCursor: this.settlements,
      cashCc: this.bankroll.cashCc,
      realisedCc: this.book.totalRealisedCc(),
      openBasisCc: this.book.openBasisCc(),
      openPositions: this.book.open().length,
      day: this.lastEventUs > 0 ? this.daily.dayOf(this.lastEventUs) : '',
      dayRealisedCc: this.lastEventUs > 0 ? this.daily.realisedTodayCc(this.lastEventUs) : 0,
      tradesApplied: this.counters.trades_applied,
    };
  }

  get initialBankrollCc(): number {
    return this.options.initialBankrollCc;
  }

  /**
   * Books one change's money: cash by its delta, realised P&L on the trading day of the log so
   * far (a trade stamped earlier than one already booked never moves the day backwards).
   */
  private bookMoney(change: PositionChange, tsUs: number): void {
    this.bankroll.applyCashDelta(change.cashDeltaCc);
    this.lastEventUs = Math.max(this.lastEventUs, tsUs);
    if (change.realisedDeltaCc !== 0) this.daily.record(change.realisedDeltaCc, this.lastEventUs);
  }

  private advance(log: 'trades' | 'settlements', streamId: string): void {
    const current = log === 'trades' ? this.trades : this.settlements;
    if (compareStreamIds(streamId, current) <= 0) {
      // An entry at or before the cursor was already applied: applying it again would double it.
      throw new RangeError(`${log} entry ${streamId} is not after the cursor ${current}`);
    }
    if (log === 'trades') this.trades = streamId;
    else this.settlements = streamId;
  }
}
