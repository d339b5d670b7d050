/**
 * Deciding a final game's settlement: each held market pays 1 per YES contract when its outcome
 * happened and 0 otherwise (a NO contract the reverse); fees were booked on entry and exit, so
 * the realised P&L of a settled position is payout - cost - every fee paid (PositionBook).
 *
 * Scores come from a final game_state. A game_info final alone waits a grace period for that
 * state, then uses the last state seen. A level score in a sport without draws is not guessed
 * (the reference system called it an away win): those markets stay open, counted and logged,
 * for the venue's own settlement to decide.
 */
import type { PositionSnapshot } from '../../core/positions/position-book.js';
import { type GameRecord, sportHasDraws } from './game-catalogue.js';
import type { SettledMarket, SettlementRecord } from './settlement-record.js';

export interface SettlementContext {
  readonly settlementId: string;
  /** The trades:completed id of the last trade applied (the record is applied right after it). */
  readonly afterTradeId: string;
  readonly nowUs: number;
  /** How long a game_info final waits for the final game_state's score. */
  readonly finalGraceUs: number;
}

export type SettlementPlan =
  | { readonly kind: 'nothing' }
  | { readonly kind: 'wait' }
  | { readonly kind: 'settle'; readonly record: SettlementRecord | null; readonly unresolved: readonly string[] };

export function planSettlement(game: GameRecord, open: readonly PositionSnapshot[], ctx: SettlementContext): SettlementPlan {
  const held = open.filter((p) => p.gameId === game.gameId);
  const final = game.infoFinal || game.state?.status === 'final';
  if (held.length === 0 || !final) return { kind: 'nothing' };
  const score = finalScore(game, ctx);
  if (score === 'wait') return { kind: 'wait' };
  if (score === null) return { kind: 'settle', record: null, unresolved: [`${game.gameId}: final without any score`] };

  const markets: SettledMarket[] = [];
  const unresolved: string[] = [];
  const seen = new Set<string>();
  for (const p of held) {
    const key = `${p.venue}:${p.marketId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const ref = game.markets.get(key);
    if (ref === undefined) {
      unresolved.push(`${key}: no game_info lists this market, so its outcome is unknown`);
      continue;
    }
    const price = outcomeYesPrice(ref.outcome, score.home, score.away, sportHasDraws(game.sport));
    if (price === null) {
      unresolved.push(`${key}: ${score.home}-${score.away} is level and ${game.sport} has no draws`);
      continue;
    }
    markets.push({ venue: p.venue, market_id: p.marketId, outcome: ref.outcome, outcome_yes_price: price });
  }
  const record: SettlementRecord | null =
    markets.length === 0
      ? null
      : {
          settlement_id: ctx.settlementId,
          game_id: game.gameId,
          sport: game.sport,
          home_score: score.home,
          away_score: score.away,
          after_trade_id: ctx.afterTradeId,
          markets,
          ts: ctx.nowUs,
        };
  return { kind: 'settle', record, unresolved };
}

/** 1 when the outcome happened, 0 when not, null when undecidable (a level score without draws). */
export function outcomeYesPrice(outcome: 'home' | 'away' | 'draw', home: number, away: number, draws: boolean): 0 | 1 | null {
  if (home === away && !draws && outcome !== 'draw') return null;
  if (outcome === 'home') return home > away ? 1 : 0;
  if (outcome === 'away') return away > home ? 1 : 0;
  return home === away ? 1 : 0;
}

function finalScore(game: GameRecord, ctx: SettlementContext): { home: number; away: number } | 'wait' | null {
  const state = game.state;
  if (state?.status === 'final') return { home: state.home_score, away: state.away_score };
  if (game.finalSeenUs !== null && ctx.nowUs - game.finalSeenUs < ctx.finalGraceUs) return 'wait';
  return state === null ? null : { home: state.home_score, away: state.away_score };
}
