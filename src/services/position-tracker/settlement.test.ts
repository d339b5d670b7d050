import { describe, expect, it } from 'vitest';
import type { GameState, MarketRef } from '../../core/messages.js';
import type { PositionSnapshot } from '../../core/positions/position-book.js';
import { GameCatalogue } from './game-catalogue.js';
import { outcomeYesPrice, planSettlement } from './settlement.js';

const NOW = 1_760_000_000_000_000;

function position(marketId: string, side: 'yes' | 'no', gameId = 'g1'): PositionSnapshot {
  return {
    positionId: `kalshi:${marketId}:${side}:1`, venue: 'kalshi', marketId, side, gameId, sport: 'nba', team: null, state: 'open',
    contracts: 5, costCc: 25_000, openFeesCc: 100, realisedCc: 0, feesPaidCc: 100, boughtContracts: 5, boughtCostCc: 25_000, openedUs: NOW, updatedUs: NOW,
  };
}

function catalogue(sport: 'nba' | 'epl', markets: MarketRef[]): GameCatalogue {
  const c = new GameCatalogue();
  c.applyInfo({ event: 'discovered', game_id: 'g1', sport, name: 'A at B', home: { name: 'Home', abbr: 'HOM' }, away: { name: 'Away', abbr: 'AWY' }, start_time: '2026-01-01T00:00:00Z', status: 'live', markets, shard: null }, NOW);
  return c;
}

function state(status: GameState['status'], home: number, away: number, sport: 'nba' | 'epl' = 'nba', ts = NOW): GameState {
  return { game_id: 'g1', sport, status, period: 4, clock_s: 0, home_score: home, away_score: away, possession: null, situation: null, model_home_prob: null, espn_home_prob: null, markets: [], updated_ts: ts };
}

const HOME: MarketRef = { venue: 'kalshi', market_id: 'KH', team: 'HOM', outcome: 'home' };
const AWAY: MarketRef = { venue: 'kalshi', market_id: 'KA', team: 'AWY', outcome: 'away' };
const DRAW: MarketRef = { venue: 'kalshi', market_id: 'KD', team: null, outcome: 'draw' };
const ctx = { settlementId: 'stl-1', afterTradeId: '7-0', nowUs: NOW, finalGraceUs: 30_000_000 };

describe('settlement outcome per contract', () => {
  it('pays the YES of the outcome that happened, with draws only where a sport has them', () => {
    expect([outcomeYesPrice('home', 3, 1, false), outcomeYesPrice('away', 3, 1, false), outcomeYesPrice('draw', 3, 1, true)]).toEqual([1, 0, 0]);
    expect([outcomeYesPrice('home', 1, 1, true), outcomeYesPrice('away', 1, 1, true), outcomeYesPrice('draw', 1, 1, true)]).toEqual([0, 0, 1]);
    // A level NBA score is not a result: never guessed.
    expect(outcomeYesPrice('home', 100, 100, false)).toBeNull();
  });
});

describe('planning a settlement from a final', () => {
  it('settles every held market of the game from a final game_state, recording the trade cursor', () => {
    const c = catalogue('nba', [HOME, AWAY]);
    const game = c.applyState(state('final', 99, 101), NOW);
    const plan = planSettlement(game, [position('KH', 'yes'), position('KA', 'no'), position('KA', 'yes'), position('X', 'yes', 'g2')], ctx);
    expect(plan).toEqual({
      kind: 'settle',
      unresolved: [],
      record: {
        settlement_id: 'stl-1', game_id: 'g1', sport: 'nba', home_score: 99, away_score: 101, after_trade_id: '7-0', ts: NOW,
        markets: [
          { venue: 'kalshi', market_id: 'KH', outcome: 'home', outcome_yes_price: 0 },
          { venue: 'kalshi', market_id: 'KA', outcome: 'away', outcome_yes_price: 1 },
        ],
      },
    });
  });

  it('a game_info final waits for the final score, then uses the last state after the grace', () => {
    const c = catalogue('nba', [HOME]);
    c.applyState(state('live', 80, 70), NOW - 5_000_000);
    const game = c.applyInfo({ event: 'final', game_id: 'g1', sport: 'nba', name: 'A at B', home: { name: 'Home', abbr: 'HOM' }, away: { name: 'Away', abbr: 'AWY' }, start_time: '', status: 'final', markets: [HOME], shard: null }, NOW);
    expect(planSettlement(game, [position('KH', 'yes')], ctx)).toEqual({ kind: 'wait' });
    const later = planSettlement(game, [position('KH', 'yes')], { ...ctx, nowUs: NOW + 31_000_000 });
    expect(later).toMatchObject({ kind: 'settle', record: { home_score: 80, away_score: 70, markets: [{ outcome_yes_price: 1 }] } });
  });

  it('leaves a level score without draws and an unknown market open, and names why', () => {
    const c = catalogue('nba', [HOME]);
    const game = c.applyState(state('final', 100, 100), NOW);
    const plan = planSettlement(game, [position('KH', 'yes'), position('UNLISTED', 'yes')], ctx);
    expect(plan.kind).toBe('settle');
    if (plan.kind !== 'settle') return;
    expect(plan.record).toBeNull();
    expect(plan.unresolved).toHaveLength(2);
    expect(plan.unresolved.join(' ')).toMatch(/level.*no draws/);
    expect(plan.unresolved.join(' ')).toMatch(/UNLISTED.*outcome is unknown/);
  });

  it('settles soccer draws: the draw contract pays, home and away lose', () => {
    const c = catalogue('epl', [HOME, AWAY, DRAW]);
    const game = c.applyState(state('final', 2, 2, 'epl'), NOW);
    const plan = planSettlement(game, [position('KH', 'yes'), position('KA', 'yes'), position('KD', 'no')], ctx);
    expect(plan.kind === 'settle' && plan.record?.markets.map((m) => m.outcome_yes_price)).toEqual([0, 0, 1]);
  });

  it('does nothing without a held position or without a final, and a reordered old state cannot undo a final', () => {
    const c = catalogue('nba', [HOME]);
    const game = c.applyState(state('final', 1, 0), NOW);
    c.applyState(state('live', 0, 0, 'nba', NOW - 1), NOW);
    expect(game.state?.status).toBe('final');
    expect(planSettlement(game, [], ctx)).toEqual({ kind: 'nothing' });
    const live = catalogue('nba', [HOME]).applyState(state('live', 1, 0), NOW);
    expect(planSettlement(live, [position('KH', 'yes')], ctx)).toEqual({ kind: 'nothing' });
  });
});

describe('model probability per market', () => {
  it('maps model_home_prob to the market YES: home as is, away as 1 - p, unknown with draws', () => {
    const c = catalogue('nba', [HOME, AWAY]);
    c.applyState({ ...state('live', 50, 48), model_home_prob: 0.7 }, NOW);
    expect(c.modelYesProb('g1', 'kalshi', 'KH')).toBe(0.7);
    expect(c.modelYesProb('g1', 'kalshi', 'KA')).toBeCloseTo(0.3, 12);
    expect(c.modelYesProb('g1', 'kalshi', 'NOPE')).toBeNull();
    const soccer = catalogue('epl', [HOME, AWAY]);
    soccer.applyState({ ...state('live', 0, 0, 'epl'), model_home_prob: 0.4 }, NOW);
    expect(soccer.modelYesProb('g1', 'kalshi', 'KA')).toBeNull();
    expect(c.secondsToEnd('g1')).toBe(0);
  });
});
