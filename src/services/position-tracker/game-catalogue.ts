/**
 * What the tracker knows about games from `games.*` (game_info from the orchestrator, game_state
 * from the shards) and, after a restart, from the orchestrator's games:active hash and the
 * latest game key: which team and outcome each market pays on, the model's home win
 * probability, the score, and whether the game is final.
 */
import type { GameInfo, GameState, MarketRef, Team } from '../../core/messages.js';
import type { Sport, Venue } from '../../core/topics.js';

/** Sports whose games can end level (a home YES and an away YES can both lose). */
const DRAW_SPORTS: ReadonlySet<Sport> = new Set<Sport>(['mls', 'epl']);

export function sportHasDraws(sport: Sport): boolean {
  return DRAW_SPORTS.has(sport);
}

export interface GameRecord {
  readonly gameId: string;
  sport: Sport;
  home: Team | null;
  away: Team | null;
  readonly markets: Map<string, MarketRef>;
  /** Last message about this game (microseconds, our clock). */
  lastSeenUs: number;
  /** Set by a game_info final (or status final). */
  infoFinal: boolean;
  /** The last game_state seen, if any. */
  state: GameState | null;
  /** When a final was first seen (microseconds), for the settlement grace. */
  finalSeenUs: number | null;
}

/** Regulation periods and their length, for sports whose clock counts down (not baseball). */
const REGULATION: Partial<Record<Sport, { periods: number; periodS: number }>> = {
  nba: { periods: 4, periodS: 720 },
  ncaab: { periods: 2, periodS: 1200 },
  nfl: { periods: 4, periodS: 900 },
  ncaaf: { periods: 4, periodS: 900 },
  nhl: { periods: 3, periodS: 1200 },
};

const marketKey = (venue: Venue, marketId: string) => `${venue}:${marketId}`;

export class GameCatalogue {
  private readonly games = new Map<string, GameRecord>();
  private readonly marketIndex = new Map<string, string>();

  applyInfo(info: GameInfo, nowUs: number): GameRecord {
    const game = this.record(info.game_id, info.sport);
    game.lastSeenUs = nowUs;
    game.sport = info.sport;
    game.home = info.home;
    game.away = info.away;
    for (const ref of info.markets) {
      game.markets.set(marketKey(ref.venue, ref.market_id), ref);
      this.marketIndex.set(marketKey(ref.venue, ref.market_id), info.game_id);
    }
    if (info.event === 'final' || info.status === 'final') {
      game.infoFinal = true;
      game.finalSeenUs ??= nowUs;
    }
    return game;
  }

  /** Keeps the newest state only: a reordered older state must not undo a final. */
  applyState(state: GameState, nowUs: number): GameRecord {
    const game = this.record(state.game_id, state.sport);
    game.lastSeenUs = nowUs;
    if (game.state === null || state.updated_ts >= game.state.updated_ts) game.state = state;
    if (state.status === 'final') game.finalSeenUs ??= nowUs;
    return game;
  }

  get(gameId: string): GameRecord | undefined {
    return this.games.get(gameId);
  }

  /** The market's reference (team, home/away/draw) when a game_info listed it. */
  marketRef(venue: Venue, marketId: string): MarketRef | undefined {
    const gameId = this.marketIndex.get(marketKey(venue, marketId));
    return gameId === undefined ? undefined : this.games.get(gameId)?.markets.get(marketKey(venue, marketId));
  }

  isFinal(gameId: string): boolean {
    const game = this.games.get(gameId);
    return game !== undefined && (game.infoFinal || game.state?.status === 'final');
  }

  isLive(gameId: string): boolean {
    const status = this.games.get(gameId)?.state?.status;
    return status === 'live' || status === 'halftime' || status === 'delayed';
  }

  /**
   * The model's probability that this market's YES pays, from the shard's model_home_prob. Null
   * when unknown: no state, no market reference, or an away/draw market in a sport with draws
   * (the home probability alone does not give the away one there).
   */
  modelYesProb(gameId: string, venue: Venue, marketId: string): number | null {
    const game = this.games.get(gameId);
    const ref = game?.markets.get(marketKey(venue, marketId));
    const home = game?.state?.model_home_prob ?? null;
    if (game === undefined || ref === undefined || home === null) return null;
    if (ref.outcome === 'home') return home;
    if (ref.outcome === 'away' && !sportHasDraws(game.sport)) return 1 - home;
    return null;
  }

  /** Game seconds left in regulation from the last state; null where the sport has no clock. */
  secondsToEnd(gameId: string): number | null {
    const state = this.games.get(gameId)?.state;
    if (!state || state.status === 'scheduled') return null;
    const shape = REGULATION[state.sport];
    if (shape === undefined || state.period < 1) return null;
    if (state.period > shape.periods) return state.clock_s; // overtime: what is left of it
    return (shape.periods - state.period) * shape.periodS + state.clock_s;
  }

  /** Forgets games last heard of before `beforeUs`, except those in `keep` (games still held). */
  prune(beforeUs: number, keep: ReadonlySet<string>): number {
    let removed = 0;
    for (const [gameId, game] of this.games) {
      if (keep.has(gameId) || game.lastSeenUs >= beforeUs) continue;
      for (const k of game.markets.keys()) if (this.marketIndex.get(k) === gameId) this.marketIndex.delete(k);
      this.games.delete(gameId);
      removed++;
    }
    return removed;
  }

  size(): number {
    return this.games.size;
  }

  private record(gameId: string, sport: Sport): GameRecord {
    let game = this.games.get(gameId);
    if (game === undefined) {
      game = { gameId, sport, home: null, away: null, markets: new Map(), lastSeenUs: 0, infoFinal: false, state: null, finalSeenUs: null };
      this.games.set(gameId, game);
    }
    return game;
  }
}
