/**
 * Publishes `games.<sport>.<game_id>` game_state: score, period, clock, possession, situation,
 * the model's and ESPN's home probabilities and the best prices of the game's markets. Only when
 * something changed, and at most once per `minIntervalMs` per game: a change inside the window is
 * published when the window ends (by `flush`, called on a timer), so the last state always goes
 * out, and an unchanged state is repeated every `refreshMs`. Price updates only mark a game dirty; the message is built off the price path. A game
 * under way is not published before its live state is known: never a made-up 0-0.
 */
import type { HotPublisher } from '../../bus/hot-publisher.js';
import type { GameState } from '../../core/messages.js';
import { nowMicros } from '../../core/time.js';
import { Topic } from '../../core/topics.js';
import { situationJson } from './live-state.js';
import type { ShardGame } from './shard-game.js';

function gameStateOf(game: ShardGame, nowUs: number): GameState {
  const s = game.state;
  return {
    game_id: game.gameId,
    sport: game.sport,
    status: game.status,
    period: s?.period ?? 0,
    clock_s: s?.clockS ?? 0,
    home_score: s?.homeScore ?? 0,
    away_score: s?.awayScore ?? 0,
    possession: s?.possession ?? null,
    situation: s === null ? null : situationJson(game.sport, s),
    model_home_prob: game.hasModel ? game.model.home : null,
    espn_home_prob: s?.espnHomeProb ?? null,
    markets: game.markets.map((m) => ({ venue: m.venue, market_id: m.marketId, yes_bid: m.yesBid, yes_ask: m.yesAsk })),
    updated_ts: nowUs,
  };
}

export class GameStatePublisher {
  published = 0;
  dropped = 0;

  /** No game_state before this time (ms): subscribers are still connecting. */
  notBeforeMs = 0;

  constructor(
    private readonly publisher: Pick<HotPublisher, 'publish'>,
    private readonly minIntervalMs: number,
    /** An unchanged state is published again after this long. */
    private readonly refreshMs: number = Infinity,
  ) {}

  /** Publishes now if the game is dirty and its window has passed; returns whether it did. */
  maybePublish(game: ShardGame, nowMs: number, originUs?: number): boolean {
    if (!game.ready || nowMs < this.notBeforeMs || nowMs - game.lastStatePublishMs < this.minIntervalMs) return false;
    if (!game.stateDirty && nowMs - game.lastStatePublishMs < this.refreshMs) return false;
    // A game under way with no state yet (ESPN not answered, nothing recovered) would show 0-0.
    if (game.state === null && game.inPlay) return false;
    game.refreshModel();
    const nowUs = nowMicros();
    const id = this.publisher.publish(Topic.game(game.sport, game.gameId), 'game_state', gameStateOf(game, nowUs), {
      originTs: originUs ?? nowUs,
    });
    game.stateDirty = false;
    game.lastStatePublishMs = nowMs;
    if (id === null) this.dropped++;
    else this.published++;
    return id !== null;
  }

  /** Publishes every dirty game whose window has passed. */
  flush(games: Iterable<ShardGame>, nowMs: number): void {
    for (const game of games) this.maybePublish(game, nowMs);
  }
}
