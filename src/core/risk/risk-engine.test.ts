import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FEES, feeCc } from '../fees.js';
import { checkOrder, requiredCashCc, RISK_CHECKS } from './risk-engine.js';
import { RISK_REASON_CODES } from './risk-codes.js';
import { resolveRiskLimits } from './risk-limits.js';
import type { OrderLegRequest, OrderRequest, RiskView } from './risk-types.js';

const NOW = 1_760_000_000_000_000;
const limits = resolveRiskLimits();

function leg(overrides: Partial<OrderLegRequest> = {}): OrderLegRequest {
  return {
    venue: 'kalshi',
    marketId: 'KX-BOS',
    side: 'yes',
    action: 'buy',
    contracts: 10,
    limitYesPrice: 0.52,
    signalLimitYesPrice: 0.53,
    top: { yesBid: 0.5, yesAsk: 0.52 },
    ...overrides,
  };
}

function request(overrides: Partial<OrderRequest> = {}, legs: OrderLegRequest[] = [leg()]): OrderRequest {
  return { requestId: 'sig-1', gameId: 'g1', sport: 'nba', expiresUs: NOW + 10_000_000, legs, ...overrides };
}

function view(overrides: Partial<RiskView> = {}): RiskView {
  return {
    killSwitch: false,
    availableBalanceCc: 10_000_000,
    hasSeen: () => false,
    isBlocked: () => false,
    heldContracts: () => 0,
    marketExposureCc: () => 0,
    gameExposureCc: () => 0,
    sportExposureCc: () => 0,
    totalExposureCc: () => 0,
    dailyPnlCc: () => 0,
    ordersInWindow: () => 0,
    ...overrides,
  };
}

const run = (r: OrderRequest, v: RiskView = view(), l = limits) => checkOrder(r, v, l, NOW);
const codeOf = (r: OrderRequest, v?: RiskView, l = limits) => {
  const d = run(r, v, l);
  return d.ok ? 'OK' : d.code;
};

describe('risk engine: the baseline order passes every check', () => {
  it('accepts a sane buy', () => {
    expect(run(request())).toEqual({ ok: true });
  });
});

describe('risk checks, each accepting and rejecting', () => {
  it('malformed: no legs, fractional size, bad price, empty id, garbage top', () => {
    expect(codeOf(request({}, []))).toBe('RISK_MALFORMED');
    expect(codeOf(request({}, [leg({ contracts: 2.5 })]))).toBe('RISK_MALFORMED');
    expect(codeOf(request({}, [leg({ contracts: 0 })]))).toBe('RISK_MALFORMED');
    expect(codeOf(request({}, [leg({ limitYesPrice: 1.2 })]))).toBe('RISK_MALFORMED');
    expect(codeOf(request({ requestId: '' }))).toBe('RISK_MALFORMED');
    expect(codeOf(request({}, [leg({ top: { yesBid: Number.NaN, yesAsk: 0.5 } })]))).toBe('RISK_MALFORMED');
  });

  it('kill switch: halts entries and exits; exits pass only when configured', () => {
    expect(codeOf(request(), view({ killSwitch: true }))).toBe('RISK_KILL_SWITCH');
    const exit = request({}, [leg({ action: 'sell', limitYesPrice: 0.5, signalLimitYesPrice: 0.5 })]);
    const held = view({ killSwitch: true, heldContracts: () => 10 });
    expect(codeOf(exit, held)).toBe('RISK_KILL_SWITCH');
    expect(codeOf(exit, held, resolveRiskLimits({ killSwitchAllowsExits: true }))).toBe('OK');
    expect(codeOf(request(), view({ killSwitch: true }), resolveRiskLimits({ killSwitchAllowsExits: true }))).toBe('RISK_KILL_SWITCH');
  });

  it('expiry: rejected at and after expires_ts, accepted before', () => {
    expect(codeOf(request({ expiresUs: NOW }))).toBe('RISK_EXPIRED');
    expect(codeOf(request({ expiresUs: NOW - 1 }))).toBe('RISK_EXPIRED');
    expect(codeOf(request({ expiresUs: NOW + 1 }))).toBe('OK');
  });

  it('idempotency: a request id already accepted is a duplicate', () => {
    const seen = new Set(['sig-1']);
    expect(codeOf(request(), view({ hasSeen: (id) => seen.has(id) }))).toBe('RISK_DUPLICATE');
    expect(codeOf(request({ requestId: 'sig-2' }), view({ hasSeen: (id) => seen.has(id) }))).toBe('OK');
  });

  it('reconciliation: a market blocked by an unknown outcome refuses any leg on it', () => {
    const blocked = view({ isBlocked: (venue, id) => venue === 'kalshi' && id === 'KX-BOS' });
    const d = run(request({}, [leg({ venue: 'poly', marketId: 'P1' }), leg()]), blocked);
    expect(d).toMatchObject({ ok: false, code: 'RISK_MARKET_UNRECONCILED', legIndex: 1 });
    expect(codeOf(request({}, [leg({ marketId: 'KX-OTHER' })]), blocked)).toBe('OK');
  });

  it('exit size: a sell may not exceed the contracts held on that side', () => {
    const sell = request({}, [leg({ action: 'sell', contracts: 10, limitYesPrice: 0.5, signalLimitYesPrice: 0.5 })]);
    expect(codeOf(sell, view({ heldContracts: () => 9 }))).toBe('RISK_EXIT_EXCEEDS_POSITION');
    expect(codeOf(sell, view({ heldContracts: () => 10 }))).toBe('OK');
  });

  it('price range: the side price of the limit stays within [1c, 99c] by default', () => {
    // Buying NO at yes 0.995 is NO at 0.5 cents.
    expect(codeOf(request({}, [leg({ side: 'no', limitYesPrice: 0.995, signalLimitYesPrice: 0.995, top: { yesBid: 0.995, yesAsk: 0.998 } })]))).toBe('RISK_PRICE_OUT_OF_RANGE');
    expect(codeOf(request({}, [leg({ limitYesPrice: 0.995, signalLimitYesPrice: 0.995, top: { yesBid: 0.99, yesAsk: 0.995 } })]))).toBe('RISK_PRICE_OUT_OF_RANGE');
    expect(codeOf(request({}, [leg({ limitYesPrice: 0.99, signalLimitYesPrice: 0.99, top: { yesBid: 0.98, yesAsk: 0.99 } })]))).toBe('OK');
  });

  it('signal limit: a buy may not pay more, in its own side, than the signal allowed', () => {
    expect(codeOf(request({}, [leg({ limitYesPrice: 0.54, top: { yesBid: 0.52, yesAsk: 0.54 } })]))).toBe('RISK_PRICE_WORSE_THAN_SIGNAL');
    // Buying NO: signal yes 0.48 = NO at most 0.52; an order at yes 0.47 pays NO 0.53, worse.
    const no = { side: 'no' as const, signalLimitYesPrice: 0.48, top: { yesBid: 0.47, yesAsk: 0.49 } };
    expect(codeOf(request({}, [leg({ ...no, limitYesPrice: 0.47 })]))).toBe('RISK_PRICE_WORSE_THAN_SIGNAL');
    expect(codeOf(request({}, [leg({ ...no, limitYesPrice: 0.48 })]))).toBe('OK');
    // Selling YES below the signal's limit is worse.
    const sell = { action: 'sell' as const, signalLimitYesPrice: 0.5 };
    expect(codeOf(request({}, [leg({ ...sell, limitYesPrice: 0.49 })]), view({ heldContracts: () => 10 }))).toBe('RISK_PRICE_WORSE_THAN_SIGNAL');
    expect(codeOf(request({}, [leg({ ...sell, limitYesPrice: 0.5 })]), view({ heldContracts: () => 10 }))).toBe('OK');
  });

  it('book sanity: no book, one-sided for an entry, crossed, too wide', () => {
    expect(codeOf(request({}, [leg({ top: null })]))).toBe('RISK_NO_BOOK');
    expect(codeOf(request({}, [leg({ top: { yesBid: 0.5, yesAsk: null } })]))).toBe('RISK_NO_BOOK');
    expect(codeOf(request({}, [leg({ top: { yesBid: null, yesAsk: 0.52 } })]))).toBe('RISK_NO_BOOK');
    expect(codeOf(request({}, [leg({ top: { yesBid: 0.53, yesAsk: 0.52 } })]))).toBe('RISK_BOOK_CROSSED');
    expect(codeOf(request({}, [leg({ top: { yesBid: 0.41, yesAsk: 0.52 } })]))).toBe('RISK_SPREAD_TOO_WIDE');
    expect(codeOf(request({}, [leg({ top: { yesBid: 0.42, yesAsk: 0.52 } })]))).toBe('OK');
    // An exit may use a one-sided book (near certainty there is often no ask).
    const exit = request({}, [leg({ action: 'sell', limitYesPrice: 0.97, signalLimitYesPrice: 0.97, top: { yesBid: 0.97, yesAsk: null } })]);
    expect(codeOf(exit, view({ heldContracts: () => 10 }))).toBe('OK');
  });

  it('fat finger: a limit far through the best price is refused', () => {
    expect(codeOf(request({}, [leg({ limitYesPrice: 0.56, signalLimitYesPrice: 0.56 })]))).toBe('RISK_LIMIT_THROUGH_BOOK');
    expect(codeOf(request({}, [leg({ limitYesPrice: 0.55, signalLimitYesPrice: 0.56 })]))).toBe('OK');
  });

  it('order size: contracts and notional per order', () => {
    expect(codeOf(request({}, [leg({ contracts: 501 })]), view(), resolveRiskLimits({ maxOrderNotionalCc: 100_000_000 }))).toBe('RISK_ORDER_CONTRACTS');
    // 200 x 0.52 = $104 > $100.
    expect(codeOf(request({}, [leg({ contracts: 193 })]))).toBe('RISK_ORDER_NOTIONAL');
    expect(codeOf(request({}, [leg({ contracts: 192 })]))).toBe('OK');
    // NO notional is counted at the NO price: 208 NO at yes 0.52 cost 208 x 0.48 = $99.84, 208 YES would be $108.16.
    expect(codeOf(request({}, [leg({ side: 'no', contracts: 208, limitYesPrice: 0.52, signalLimitYesPrice: 0.52 })]))).toBe('OK');
    expect(codeOf(request({}, [leg({ contracts: 208 })]))).toBe('RISK_ORDER_NOTIONAL');
  });

  it('exposure: per market, per game, per sport, total, with all legs of the request added', () => {
    const tight = resolveRiskLimits({ maxMarketExposureCc: 60_000, maxGameExposureCc: 100_000, maxSportExposureCc: 150_000, maxTotalExposureCc: 200_000 });
    // 10 x 0.52 = 52,000 cc per leg.
    expect(codeOf(request(), view({ marketExposureCc: () => 8_001 }), tight)).toBe('RISK_MARKET_EXPOSURE');
    expect(codeOf(request(), view({ marketExposureCc: () => 8_000 }), tight)).toBe('OK');
    // Two legs on one market add up.
    expect(codeOf(request({}, [leg(), leg({ contracts: 2 })]), view(), tight)).toBe('RISK_MARKET_EXPOSURE');
    const twoMarkets = request({}, [leg(), leg({ venue: 'poly', marketId: 'P1' })]);
    expect(codeOf(twoMarkets, view(), tight)).toBe('RISK_GAME_EXPOSURE');
    expect(codeOf(request(), view({ gameExposureCc: () => 48_001 }), tight)).toBe('RISK_GAME_EXPOSURE');
    expect(codeOf(request(), view({ sportExposureCc: () => 98_001 }), tight)).toBe('RISK_SPORT_EXPOSURE');
    expect(codeOf(request(), view({ totalExposureCc: () => 148_001 }), tight)).toBe('RISK_TOTAL_EXPOSURE');
    expect(codeOf(request(), view({ totalExposureCc: () => 148_000 }), tight)).toBe('OK');
    // Exits never add exposure.
    const exit = request({}, [leg({ action: 'sell', limitYesPrice: 0.5, signalLimitYesPrice: 0.5 })]);
    expect(codeOf(exit, view({ heldContracts: () => 10, totalExposureCc: () => 10_000_000 }), tight)).toBe('OK');
  });

  it('daily loss: realised plus marks at or below the limit stops entries, not exits', () => {
    expect(codeOf(request(), view({ dailyPnlCc: () => -1_000_000 }))).toBe('RISK_DAILY_LOSS');
    expect(codeOf(request(), view({ dailyPnlCc: () => -999_999 }))).toBe('OK');
    const exit = request({}, [leg({ action: 'sell', limitYesPrice: 0.5, signalLimitYesPrice: 0.5 })]);
    expect(codeOf(exit, view({ heldContracts: () => 10, dailyPnlCc: () => -5_000_000 }))).toBe('OK');
  });

  it('order rate: every leg counts against the sliding window', () => {
    expect(codeOf(request(), view({ ordersInWindow: () => 20 }))).toBe('RISK_RATE_LIMIT');
    expect(codeOf(request(), view({ ordersInWindow: () => 19 }))).toBe('OK');
    expect(codeOf(request({}, [leg(), leg({ venue: 'poly', marketId: 'P1' })]), view({ ordersInWindow: () => 19 }))).toBe('RISK_RATE_LIMIT');
  });

  it('order rate: a window full of entries still lets the sells that reduce a held position through, up to a second window', () => {
    const exit = request({}, [leg({ action: 'sell', limitYesPrice: 0.5, signalLimitYesPrice: 0.5 })]);
    const held = (sent: number) => view({ heldContracts: () => 10, ordersInWindow: () => sent });
    // Entries stop at the limit (20); reducing sells go on to twice it, then a runaway is stopped too.
    expect(codeOf(request(), held(20))).toBe('RISK_RATE_LIMIT');
    expect(codeOf(exit, held(20))).toBe('OK');
    expect(codeOf(exit, held(39))).toBe('OK');
    expect(codeOf(exit, held(40))).toBe('RISK_RATE_LIMIT');
    // A sell beyond what is held is refused whatever the window.
    const tooBig = request({}, [leg({ action: 'sell', contracts: 11, limitYesPrice: 0.5, signalLimitYesPrice: 0.5 })]);
    expect(codeOf(tooBig, held(0))).not.toBe('OK');
  });

  it('balance: cash minus reserved must cover notional plus the worst-case fee', () => {
    // 10 x 0.52 = 52,000 cc; Kalshi fee bound at p = 0.5: 0.07 x 10 x 0.25 = $0.175 -> 1,800 cc, plus one cent of rounding.
    const need = 52_000 + 1_800 + 100;
    expect(requiredCashCc(request(), limits)).toBe(need);
    expect(codeOf(request(), view({ availableBalanceCc: need - 1 }))).toBe('RISK_INSUFFICIENT_BALANCE');
    expect(codeOf(request(), view({ availableBalanceCc: need }))).toBe('OK');
    expect(feeCc(DEFAULT_FEES.kalshi, 10, 0.5)).toBe(1_800);
  });
});

describe('risk check order', () => {
  it('reports the earliest failing check, and every check is in the documented list', () => {
    // Expired AND killed AND over every limit: the kill switch comes first.
    const bad = view({ killSwitch: true, dailyPnlCc: () => -1e9, availableBalanceCc: 0 });
    expect(codeOf(request({ expiresUs: 0 }), bad)).toBe('RISK_KILL_SWITCH');
    expect(codeOf(request({ expiresUs: 0 }), view({ availableBalanceCc: 0 }))).toBe('RISK_EXPIRED');
    expect(codeOf(request(), view({ ordersInWindow: () => 99, availableBalanceCc: 0 }))).toBe('RISK_RATE_LIMIT');
    expect(RISK_CHECKS).toHaveLength(15);
    expect(RISK_REASON_CODES).toHaveLength(21);
  });

  it('never throws on garbage requests: malformed input gets RISK_MALFORMED', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (legA, top) => {
        const garbage = { requestId: 'x', gameId: 'g', sport: 'nba', expiresUs: NOW + 1, legs: [legA, { ...leg(), top }] } as unknown as OrderRequest;
        const d = run(garbage);
        expect(typeof d.ok).toBe('boolean');
        if (!d.ok) expect(RISK_REASON_CODES).toContain(d.code);
      }),
    );
  });
});

describe('risk limits options', () => {
  it('validates once and freezes', () => {
    expect(Object.isFrozen(limits)).toBe(true);
    expect(() => resolveRiskLimits({ maxDailyLossCc: -1 })).toThrow(/ARB_CONFIG_INVALID/);
    expect(() => resolveRiskLimits({ maxOrdersPerWindow: 0 })).toThrow(/ARB_CONFIG_INVALID/);
    expect(() => resolveRiskLimits({ minSidePriceCc: 0 })).toThrow(/ARB_CONFIG_INVALID/);
    expect(() => resolveRiskLimits({ dayTimeZone: 'Mars/Olympus' })).toThrow(/ARB_CONFIG_INVALID/);
    expect(resolveRiskLimits({ maxDailyLossCc: undefined }).maxDailyLossCc).toBe(1_000_000);
  });
});
