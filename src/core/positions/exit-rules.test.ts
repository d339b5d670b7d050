import { describe, expect, it } from 'vitest';
import { ExitSignalSchema } from '../messages.js';
import type { Side, TopOfBook } from '../execution/order-types.js';
import { resolveExitOptions } from './exit-options.js';
import { evaluateExit, exitSignalFor, type ExitContext } from './exit-rules.js';
import type { PositionSnapshot } from './position-book.js';

const T0 = 1_760_000_000_000_000;
const S = 1_000_000;
const RULES = resolveExitOptions();

function position(side: Side, entrySideCc = 5000, contracts = 10, sport: PositionSnapshot['sport'] = 'nba'): PositionSnapshot {
  return {
    positionId: `kalshi:KX:${side}:1`,
    venue: 'kalshi',
    marketId: 'KX',
    side,
    gameId: 'g1',
    sport,
    team: 'BOS',
    state: 'open',
    contracts,
    costCc: contracts * entrySideCc,
    openFeesCc: 0,
    realisedCc: 0,
    feesPaidCc: 0,
    boughtContracts: contracts,
    boughtCostCc: contracts * entrySideCc,
    openedUs: T0,
    updatedUs: T0,
  };
}

function ctx(p: PositionSnapshot, top: TopOfBook | null, overrides: Partial<ExitContext> = {}): ExitContext {
  const now = T0 + 60 * S;
  return { position: p, top, quoteUs: now - S, modelYesProb: null, secondsToEnd: null, gameFinal: false, nowUs: now, ...overrides };
}

const decide = (c: ExitContext) => evaluateExit(c, RULES[c.position.sport]);

describe('exit rules on a YES position (exit at the YES bid)', () => {
  it('takes profit at +5 points with a limit one cent under the bid', () => {
    expect(decide(ctx(position('yes'), { yesBid: 0.55, yesAsk: 0.56 }))).toMatchObject({ action: 'exit', reason: 'take_profit', contracts: 10, limitYesPrice: 0.54, exitSideCc: 5500 });
    expect(decide(ctx(position('yes'), { yesBid: 0.54, yesAsk: 0.56 }))).toMatchObject({ action: 'hold', why: 'no_rule' });
  });

  it('stops loss at the sport threshold: 3 points in the NBA, 5 in the NFL', () => {
    expect(decide(ctx(position('yes'), { yesBid: 0.47, yesAsk: 0.48 }))).toMatchObject({ action: 'exit', reason: 'stop_loss' });
    expect(decide(ctx(position('yes', 5000, 10, 'nfl'), { yesBid: 0.47, yesAsk: 0.48 }))).toMatchObject({ action: 'hold', why: 'no_rule' });
    expect(decide(ctx(position('yes', 5000, 10, 'nfl'), { yesBid: 0.45, yesAsk: 0.46 }))).toMatchObject({ action: 'exit', reason: 'stop_loss' });
  });

  it('exits when the edge is gone: the model no longer values YES above the bid', () => {
    expect(decide(ctx(position('yes'), { yesBid: 0.52, yesAsk: 0.53 }, { modelYesProb: 0.52 }))).toMatchObject({ action: 'exit', reason: 'edge_gone' });
    expect(decide(ctx(position('yes'), { yesBid: 0.52, yesAsk: 0.53 }, { modelYesProb: 0.53 }))).toMatchObject({ action: 'hold', why: 'no_rule' });
  });

  it('holds a near-certain winner to settlement instead of taking profit', () => {
    expect(decide(ctx(position('yes'), { yesBid: 0.91, yesAsk: 0.93 }))).toMatchObject({ action: 'hold', why: 'near_certain' });
  });
});

describe('exit rules on a NO position (exit at 1 - YES ask), never mixed with YES prices', () => {
  it('a falling YES price is a NO profit', () => {
    // YES ask 0.44: NO sells at 0.56, up 6 points from 0.50. Limit: NO at 0.55 = YES at 0.45.
    expect(decide(ctx(position('no'), { yesBid: 0.43, yesAsk: 0.44 }))).toMatchObject({ action: 'exit', reason: 'take_profit', exitSideCc: 5600, limitYesPrice: 0.45 });
  });

  it('a rising YES price is a NO loss, measured at the YES ask not the mid', () => {
    // bid 0.52 / ask 0.53: mid 0.525 would be a 2.5-point loss; the NO exit is 0.47, a 3-point loss -> stop.
    expect(decide(ctx(position('no'), { yesBid: 0.52, yesAsk: 0.53 }))).toMatchObject({ action: 'exit', reason: 'stop_loss', exitSideCc: 4700 });
  });

  it('edge gone in NO terms: model YES 0.48 is NO 0.52, equal to the NO exit at YES ask 0.48', () => {
    expect(decide(ctx(position('no'), { yesBid: 0.47, yesAsk: 0.48 }, { modelYesProb: 0.48 }))).toMatchObject({ action: 'exit', reason: 'edge_gone' });
  });

  it('near certainty of NO (YES ask 0.08 -> NO 0.92) holds to settlement', () => {
    expect(decide(ctx(position('no'), { yesBid: 0.07, yesAsk: 0.08 }))).toMatchObject({ action: 'hold', why: 'near_certain' });
  });
});

describe('stale market and time rules', () => {
  const p = position('yes');
  const top = { yesBid: 0.55, yesAsk: 0.56 };

  it('does not act on an old quote, and flattens once the market has been stale too long', () => {
    const now = T0 + 600 * S;
    expect(decide(ctx(p, top, { nowUs: now, quoteUs: now - 31 * S }))).toMatchObject({ action: 'hold', why: 'stale_quote' });
    expect(decide(ctx(p, top, { nowUs: now, quoteUs: now - 301 * S }))).toMatchObject({ action: 'exit', reason: 'stale_market', limitYesPrice: 0.54 });
    expect(decide(ctx(p, null, { nowUs: now, quoteUs: null }))).toMatchObject({ action: 'hold', why: 'stale_quote' });
  });

  it('treats a missing exit side, a crossed or a too-wide book as unusable', () => {
    expect(decide(ctx(p, { yesBid: null, yesAsk: 0.56 }))).toMatchObject({ action: 'hold', why: 'stale_quote' });
    expect(decide(ctx(p, { yesBid: 0.3, yesAsk: 0.55 }))).toMatchObject({ action: 'hold', why: 'stale_quote' });
    expect(decide(ctx(p, { yesBid: 0.57, yesAsk: 0.56 }))).toMatchObject({ action: 'hold', why: 'stale_quote' });
  });

  it('exits on game time left or holding time when configured, per sport', () => {
    const rules = resolveExitOptions({ sports: { nba: { exitBeforeEndS: 120 } }, all: { maxHoldUs: 3600 * S } });
    const flat = { yesBid: 0.51, yesAsk: 0.52 };
    expect(evaluateExit(ctx(p, flat, { secondsToEnd: 100 }), rules.nba)).toMatchObject({ action: 'exit', reason: 'time' });
    expect(evaluateExit(ctx(p, flat, { secondsToEnd: 100 }), rules.nhl)).toMatchObject({ action: 'hold' });
    const late = T0 + 3600 * S;
    expect(evaluateExit(ctx(p, flat, { nowUs: late, quoteUs: late }), rules.nhl)).toMatchObject({ action: 'exit', reason: 'time' });
  });

  it('holds during the minimum hold and once the game is final', () => {
    expect(decide(ctx(p, top, { nowUs: T0 + 5 * S, quoteUs: T0 + 5 * S }))).toMatchObject({ action: 'hold', why: 'min_hold' });
    expect(decide(ctx(p, { yesBid: 0.2, yesAsk: 0.21 }, { gameFinal: true }))).toMatchObject({ action: 'hold', why: 'game_final' });
  });
});

describe('exit signal and options', () => {
  it('builds a schema-valid ExitSignal from a decision', () => {
    const d = decide(ctx(position('no'), { yesBid: 0.43, yesAsk: 0.44 }));
    if (d.action !== 'exit') throw new Error('expected an exit');
    const signal = exitSignalFor(d, position('no'), 'exit-1', T0, 10 * S);
    expect(ExitSignalSchema.parse(signal)).toMatchObject({ side: 'no', yes_price: 0.45, reason: 'take_profit', contracts: 10, expires_ts: T0 + 10 * S });
  });

  it('resolves per-sport defaults and overrides, validates and freezes', () => {
    expect([RULES.nba.stopLossCc, RULES.nfl.stopLossCc, RULES.nhl.stopLossCc, RULES.mlb.stopLossCc, RULES.epl.stopLossCc]).toEqual([300, 500, 700, 600, 700]);
    const r = resolveExitOptions({ all: { stopLossCc: 800 }, sports: { nhl: { stopLossCc: 900 } } });
    expect([r.nba.stopLossCc, r.nhl.stopLossCc]).toEqual([800, 900]);
    expect(Object.isFrozen(r.nba)).toBe(true);
    expect(() => resolveExitOptions({ all: { takeProfitCc: -1 } })).toThrow(/ARB_CONFIG_INVALID/);
    expect(() => resolveExitOptions({ all: { staleQuoteUs: 10, staleExitUs: 5 } })).toThrow(/ARB_CONFIG_INVALID/);
  });
});

describe('exit size of a fractional Polymarket position', () => {
  const poly = (contracts: number, costCc: number): PositionSnapshot => ({ ...position('yes'), positionId: 'poly:tok:yes:1', venue: 'poly', marketId: 'tok', contracts, costCc, boughtContracts: contracts, boughtCostCc: costCc });

  it('sells what the venue can sell (shares to 2 decimals), never more than held', () => {
    // 9.8534 shares at an average of 0.5075 (the fee kept in shares): down 7.5 points at a 0.43 bid.
    const d = decide(ctx(poly(9.8534, 50_006), { yesBid: 0.43, yesAsk: 0.44 }));
    expect(d).toMatchObject({ action: 'exit', reason: 'stop_loss', contracts: 9.85 });
    const signal = exitSignalFor(d as Extract<typeof d, { action: 'exit' }>, poly(9.8534, 50_006), 'x1', T0, S);
    expect(ExitSignalSchema.parse(signal).contracts).toBe(9.85);
  });

  it('holds dust below the sell step to settlement instead of sending an order the venue refuses', () => {
    expect(decide(ctx(poly(0.0034, 17), { yesBid: 0.01, yesAsk: 0.02 }))).toMatchObject({ action: 'hold', why: 'dust' });
  });

  it('compares gains on micro-shares: a fraction of a cent per share decides exactly at the threshold', () => {
    // 0.5 shares bought for 2500 cc (0.50): at a 0.55 bid the gain is exactly 5 points (take profit), at 0.5499 not.
    expect(decide(ctx(poly(0.5, 2_500), { yesBid: 0.55, yesAsk: 0.56 }))).toMatchObject({ action: 'exit', reason: 'take_profit', contracts: 0.5 });
    expect(decide(ctx(poly(0.5, 2_500), { yesBid: 0.5499, yesAsk: 0.56 }))).toMatchObject({ action: 'hold' });
  });
});
