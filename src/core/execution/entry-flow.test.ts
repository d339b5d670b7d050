/**
 * The pure pieces wired the way execution_service and position_tracker will use them: size with
 * Kelly inside the risk caps, gate with checkOrder, reserve cash, fill on paper, book the fills
 * into positions, bankroll and risk state, mark, exit, settle.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_FEES } from '../fees.js';
import { Bankroll } from '../positions/bankroll.js';
import { resolveExitOptions } from '../positions/exit-options.js';
import { evaluateExit } from '../positions/exit-rules.js';
import { PositionBook } from '../positions/position-book.js';
import { totalUnrealisedCc } from '../positions/position-marks.js';
import { checkOrder, requiredCashCc } from '../risk/risk-engine.js';
import { resolveRiskLimits } from '../risk/risk-limits.js';
import { RiskState } from '../risk/risk-state.js';
import type { OrderRequest } from '../risk/risk-types.js';
import { kellySize } from '../sizing/kelly.js';
import { maxContractsWithinRisk } from '../sizing/risk-caps.js';
import type { YesBook } from './order-types.js';
import { fillPaperOrder, paperFillMessages } from './paper-fill.js';
import type { Venue } from '../topics.js';

const T0 = Date.UTC(2026, 2, 10, 23) * 1000;
const S = 1_000_000;

describe('entry to settlement with the pure modules', () => {
  it('sizes, gates, fills, books, marks and settles with every ledger agreeing', () => {
    const limits = resolveRiskLimits();
    const risk = new RiskState(limits);
    const bank = new Bankroll(10_000_000); // $1000
    const book = new PositionBook();
    const market: YesBook = { yes_bids: [[0.4, 50]], yes_asks: [[0.42, 40], [0.44, 200]] };
    const top = { yesBid: 0.4, yesAsk: 0.42 };
    const inputs = () => ({
      killSwitch: false,
      availableBalanceCc: bank.availableCc,
      unrealisedCc: totalUnrealisedCc(book.open(), () => top, DEFAULT_FEES),
      heldContracts: (v: Venue, m: string, side: 'yes' | 'no') => book.get(v, m, side)?.contracts ?? 0,
    });

    // Model says YES 0.55; sizing walks the asks within the signal's limit 0.44 and the risk caps.
    const view = risk.view(inputs(), T0);
    const cap = maxContractsWithinRisk([{ venue: 'kalshi', marketId: 'KX', side: 'yes', limitYesPrice: 0.44 }], { gameId: 'g1', sport: 'nba', limits, view });
    const size = kellySize({ side: 'yes', modelYesProb: 0.55, book: market, entryFee: DEFAULT_FEES.kalshi, exitFee: DEFAULT_FEES.kalshi, bankrollCc: bank.cashCc, limitYesPrice: 0.44, maxContracts: cap });
    expect(size.reason).toBe('sized');
    expect(size.contracts).toBeGreaterThan(40); // uses the second level too

    const request: OrderRequest = {
      requestId: 'sig-1',
      gameId: 'g1',
      sport: 'nba',
      expiresUs: T0 + 10 * S,
      legs: [{ venue: 'kalshi', marketId: 'KX', side: 'yes', action: 'buy', contracts: size.contracts, limitYesPrice: size.limitYesPrice!, signalLimitYesPrice: 0.44, top }],
    };
    expect(checkOrder(request, view, limits, T0)).toEqual({ ok: true });
    risk.recordAccepted(request, T0);
    bank.reserve(request.requestId, requiredCashCc(request, limits));

    const fill = fillPaperOrder({ side: 'yes', action: 'buy', contracts: size.contracts, limitYesPrice: size.limitYesPrice }, market, DEFAULT_FEES.kalshi);
    expect(fill.status).toBe('filled');
    risk.releasePending(request.requestId);
    const ref = { venue: 'kalshi' as const, marketId: 'KX', gameId: 'g1', sport: 'nba' as const };
    let cash = 0;
    for (const f of paperFillMessages(fill, { venue: 'kalshi', marketId: 'KX', side: 'yes', action: 'buy', orderId: 'paper-1' })) {
      const change = book.applyFill(f, { gameId: 'g1', sport: 'nba', team: 'BOS' }, T0);
      cash += change.cashDeltaCc;
      risk.applyPositionCost(ref, change.costDeltaCc);
    }
    bank.applyCashDelta(cash, request.requestId);
    expect(bank.reservedCc).toBe(0);
    expect(bank.cashCc).toBe(10_000_000 - fill.notionalCc - fill.feeCc);
    expect(risk.exposureOf().totalCc()).toBe(fill.notionalCc);

    // A replay of the same signal is refused; marks feed the daily loss.
    expect(checkOrder(request, risk.view(inputs(), T0 + S), limits, T0 + S)).toMatchObject({ code: 'RISK_DUPLICATE' });
    expect(inputs().unrealisedCc).toBeLessThan(0); // bought at the ask, marked at the bid, after the exit fee

    // The exit rules hold (no rule fires at the bid 0.40: 2-3 points down, NBA stop is 3 on the average).
    const position = book.get('kalshi', 'KX', 'yes')!;
    const decision = evaluateExit({ position, top, quoteUs: T0 + 60 * S, modelYesProb: 0.55, secondsToEnd: 600, gameFinal: false, nowUs: T0 + 60 * S }, resolveExitOptions().nba);
    expect(decision.action).toBe('hold');

    // YES wins: settlement pays 1 per contract; realised flows to the bankroll, risk and the daily P&L.
    const [settled] = book.settleMarket('kalshi', 'KX', 1, T0 + 3600 * S);
    bank.applyCashDelta(settled!.cashDeltaCc);
    risk.applyPositionCost(ref, settled!.costDeltaCc);
    risk.recordRealised(settled!.realisedDeltaCc, T0 + 3600 * S);
    expect(settled!.realisedDeltaCc).toBe(size.contracts * 10_000 - fill.notionalCc - fill.feeCc);
    expect(bank.cashCc).toBe(10_000_000 + settled!.realisedDeltaCc);
    expect(risk.exposureOf().totalCc()).toBe(0);
    expect(risk.realisedTodayCc(T0 + 3600 * S)).toBe(settled!.realisedDeltaCc);
  });
});
