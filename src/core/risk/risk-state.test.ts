import { describe, expect, it } from 'vitest';
import { checkOrder } from './risk-engine.js';
import { resolveRiskLimits } from './risk-limits.js';
import { RiskState, type RiskViewInputs } from './risk-state.js';
import { DailyPnl } from './daily-pnl.js';
import { OrderRateWindow } from './order-rate-window.js';
import { RecentIds } from './recent-ids.js';
import { ExposureLedger } from './exposure-ledger.js';
import type { OrderRequest } from './risk-types.js';

const S = 1_000_000;
// 2026-03-10 12:00:00 UTC (08:00 in New York, EDT).
const NOON_UTC = Date.UTC(2026, 2, 10, 12) * 1000;

const inputs: RiskViewInputs = { killSwitch: false, availableBalanceCc: 100_000_000, unrealisedCc: 0, heldContracts: () => 0 };

function buy(requestId: string, contracts = 10, marketId = 'KX-BOS', gameId = 'g1'): OrderRequest {
  return {
    requestId,
    gameId,
    sport: 'nba',
    expiresUs: Number.MAX_SAFE_INTEGER,
    legs: [{ venue: 'kalshi', marketId, side: 'no', action: 'buy', contracts, limitYesPrice: 0.4, signalLimitYesPrice: 0.4, top: { yesBid: 0.4, yesAsk: 0.42 } }],
  };
}

describe('risk state: exposure bookkeeping', () => {
  it('books an accepted buy at its worst cost at once, so a second order in flight cannot overshoot the limit', () => {
    const limits = resolveRiskLimits({ maxMarketExposureCc: 100_000 });
    const state = new RiskState(limits);
    // 10 NO at yes 0.40 = 10 x 0.60 = 60,000 cc.
    expect(checkOrder(buy('a'), state.view(inputs, NOON_UTC), limits, NOON_UTC)).toEqual({ ok: true });
    state.recordAccepted(buy('a'), NOON_UTC);
    expect(state.exposureOf().market('kalshi', 'KX-BOS')).toBe(60_000);
    expect(checkOrder(buy('b'), state.view(inputs, NOON_UTC), limits, NOON_UTC)).toMatchObject({ code: 'RISK_MARKET_EXPOSURE' });
    // Filled 7 at NO 0.58: release the pending booking, book the real cost.
    state.releasePending('a');
    const ref = { venue: 'kalshi' as const, marketId: 'KX-BOS', gameId: 'g1', sport: 'nba' as const };
    state.applyPositionCost(ref, 7 * 5_800);
    expect(state.exposureOf().market('kalshi', 'KX-BOS')).toBe(40_600);
    expect(state.exposureOf().game('g1')).toBe(40_600);
    expect(state.exposureOf().sport('nba')).toBe(40_600);
    expect(state.exposureOf().totalCc()).toBe(40_600);
    state.releasePending('a'); // idempotent
    state.applyPositionCost(ref, -40_600); // closed
    expect(state.exposureOf().totalCc()).toBe(0);
  });

  it('aggregates markets into games and sports and never goes negative', () => {
    const ledger = new ExposureLedger();
    ledger.adjust({ venue: 'kalshi', marketId: 'A', gameId: 'g1', sport: 'nba' }, 100);
    ledger.adjust({ venue: 'poly', marketId: 'B', gameId: 'g1', sport: 'nba' }, 50);
    ledger.adjust({ venue: 'poly', marketId: 'C', gameId: 'g2', sport: 'nhl' }, 30);
    expect([ledger.game('g1'), ledger.sport('nba'), ledger.sport('nhl'), ledger.totalCc()]).toEqual([150, 150, 30, 180]);
    ledger.adjust({ venue: 'kalshi', marketId: 'A', gameId: 'g1', sport: 'nba' }, -500);
    expect([ledger.market('kalshi', 'A'), ledger.game('g1'), ledger.totalCc()]).toEqual([0, 50, 80]);
    expect(() => ledger.adjust({ venue: 'kalshi', marketId: 'A', gameId: 'g1', sport: 'nba' }, 0.5)).toThrow(RangeError);
  });
});

describe('risk state: idempotency, rate, reconciliation', () => {
  it('remembers accepted ids for the TTL and evicts the oldest past capacity', () => {
    const ids = new RecentIds(10 * S, 2);
    ids.add('a', 0);
    expect(ids.has('a', 9 * S)).toBe(true);
    expect(ids.has('a', 10 * S)).toBe(false);
    ids.add('b', 1);
    ids.add('c', 2);
    ids.add('d', 3);
    expect([ids.has('b', 4), ids.has('c', 4), ids.has('d', 4), ids.size]).toEqual([false, true, true, 2]);
    const state = new RiskState(resolveRiskLimits());
    state.recordAccepted(buy('sig-9'), NOON_UTC);
    expect(checkOrder(buy('sig-9'), state.view(inputs, NOON_UTC + S), resolveRiskLimits(), NOON_UTC + S)).toMatchObject({ code: 'RISK_DUPLICATE' });
  });

  it('counts orders in an exact sliding window', () => {
    const w = new OrderRateWindow(60 * S);
    w.record(0, 3);
    w.record(30 * S, 2);
    expect(w.countIn(59 * S, 60 * S)).toBe(5);
    expect(w.countIn(60 * S, 60 * S)).toBe(2); // the three at t=0 left the window
    expect(w.countIn(90 * S, 60 * S)).toBe(0);
    for (let i = 0; i < 5000; i++) w.record(100 * S + i, 1);
    expect(w.countIn(100 * S + 4999, 60 * S)).toBe(5000);
    const limits = resolveRiskLimits({ maxOrdersPerWindow: 2 });
    const state = new RiskState(limits);
    state.recordAccepted(buy('a'), NOON_UTC);
    state.recordAccepted(buy('b'), NOON_UTC + S);
    expect(checkOrder(buy('c'), state.view(inputs, NOON_UTC + 2 * S), limits, NOON_UTC + 2 * S)).toMatchObject({ code: 'RISK_RATE_LIMIT' });
    const later = NOON_UTC + 61 * S;
    expect(checkOrder(buy('c'), state.view(inputs, later), limits, later)).toEqual({ ok: true });
  });

  it('gives back the rate window and pending exposure of an accepted request that sent nothing; its id stays seen', () => {
    const limits = resolveRiskLimits({ maxOrdersPerWindow: 2 });
    const state = new RiskState(limits);
    state.recordAccepted(buy('a'), NOON_UTC);
    state.recordAccepted(buy('b', 10, 'KX-NYK'), NOON_UTC + 1);
    expect(checkOrder(buy('c', 10, 'KX-LAL'), state.view(inputs, NOON_UTC + 2), limits, NOON_UTC + 2)).toMatchObject({ code: 'RISK_RATE_LIMIT' });
    // 'b' was a duplicate claimed elsewhere: nothing went out.
    state.withdrawRate(buy('b', 10, 'KX-NYK'), NOON_UTC + 1);
    state.releasePending('b');
    expect(state.exposureOf().market('kalshi', 'KX-NYK')).toBe(0);
    expect(state.exposureOf().market('kalshi', 'KX-BOS')).toBe(60_000);
    expect(checkOrder(buy('c', 10, 'KX-LAL'), state.view(inputs, NOON_UTC + 2), limits, NOON_UTC + 2)).toEqual({ ok: true });
    expect(checkOrder(buy('b', 10, 'KX-NYK'), state.view(inputs, NOON_UTC + 2), limits, NOON_UTC + 2)).toMatchObject({ code: 'RISK_DUPLICATE' });
    // Only orders recorded at that exact time are taken back.
    const w = new OrderRateWindow(60 * S);
    w.record(5, 2);
    w.record(6, 1);
    w.remove(5, 3);
    expect(w.countIn(10, 60 * S)).toBe(1);
  });

  it('blocks a market whose order outcome is unknown until reconciled', () => {
    const limits = resolveRiskLimits();
    const state = new RiskState(limits);
    state.blockMarket('kalshi', 'KX-BOS', 'order timed out');
    expect(checkOrder(buy('a'), state.view(inputs, NOON_UTC), limits, NOON_UTC)).toMatchObject({ code: 'RISK_MARKET_UNRECONCILED' });
    expect(checkOrder(buy('a', 10, 'KX-NYK'), state.view(inputs, NOON_UTC), limits, NOON_UTC)).toEqual({ ok: true });
    state.markReconciled('kalshi', 'KX-BOS');
    expect(checkOrder(buy('a'), state.view(inputs, NOON_UTC), limits, NOON_UTC)).toEqual({ ok: true });
  });
});

describe('risk state: daily P&L', () => {
  it('counts realised losses (fees included) plus marks, and resets at midnight in the trading time zone', () => {
    const limits = resolveRiskLimits({ maxDailyLossCc: 500_000 });
    const state = new RiskState(limits);
    state.recordRealised(-300_000, NOON_UTC);
    state.recordRealised(50_000, NOON_UTC + S);
    expect(state.realisedTodayCc(NOON_UTC + S)).toBe(-250_000);
    // Realised alone is within the limit; with marks it is not.
    expect(checkOrder(buy('a'), state.view({ ...inputs, unrealisedCc: -249_999 }, NOON_UTC), limits, NOON_UTC)).toEqual({ ok: true });
    expect(checkOrder(buy('a'), state.view({ ...inputs, unrealisedCc: -250_000 }, NOON_UTC), limits, NOON_UTC)).toMatchObject({ code: 'RISK_DAILY_LOSS' });
    // 03:59 UTC next day is 23:59 in New York: same trading day. 04:00 UTC is a new day.
    const nyLate = Date.UTC(2026, 2, 11, 3, 59) * 1000;
    const nyMidnight = Date.UTC(2026, 2, 11, 4, 0) * 1000;
    expect(state.realisedTodayCc(nyLate)).toBe(-250_000);
    expect(state.realisedTodayCc(nyMidnight)).toBe(0);
    state.recordRealised(-10, nyMidnight);
    expect(state.realisedTodayCc(nyMidnight)).toBe(-10);
  });

  it('uses the configured zone for the boundary', () => {
    const utc = new DailyPnl('UTC');
    utc.record(-5, Date.UTC(2026, 0, 1, 23, 59) * 1000);
    expect(utc.realisedTodayCc(Date.UTC(2026, 0, 2, 0, 0) * 1000)).toBe(0);
    expect(utc.dayOf(Date.UTC(2026, 0, 2, 0, 0) * 1000)).toBe('2026-01-02');
  });
});
