/**
 * One game this shard follows: the orchestrator's GameInfo (teams, markets), the live state the
 * guard accepted, the model's probabilities and the pregame prior that sets the model's team
 * strength. Objects the price path reads (the detectors' game reference, the book list, the
 * model) are allocated once here and updated in place.
 */
import type { GameInfo, GameStatus } from '../../core/messages.js';
import type { GameRef, MarketBook, ModelProbs } from '../../core/signals/index.js';
import { isValidTopicId, Topic, type Sport } from '../../core/topics.js';
import { allowsDraw, outcomeProbabilities, type OutcomeProbabilities, type WinProbInput } from '../../core/win-probability/index.js';
import { fillModelInput, isFrozenStatus, isInPlay, type LiveState } from './live-state.js';
import { MarketPrice } from './market-price.js';

export interface PregamePrior {
  home: number;
  draw: number | null;
  /** pregame: the mid before the game went live; first_seen: the first price of a game already live. */
  source: 'pregame' | 'first_seen';
  /** No longer updated (the game went live, or the prior was first seen live). */
  fixed: boolean;
  ts: number;
}

export class ShardGame {
  readonly gameId: string;
  readonly sport: Sport;
  info: GameInfo;
  markets: MarketPrice[] = [];
  /** Market ids of the info that cannot be followed (not valid topic ids). */
  rejectedMarkets: string[] = [];
  /** The markets' MarketBook objects, in the same order (what the detectors read). */
  books: MarketBook[] = [];
  readonly ref: GameRef;
  state: LiveState | null = null;
  /** When ESPN last answered for this game (µs); 0: never (a recovered state is not confirmed). */
  confirmedUs = 0;
  readonly model: ModelProbs = { home: 0.5, draw: null };
  hasModel = false;
  /** The state or the prior changed since the model was computed. */
  modelDirty = true;
  prior: PregamePrior | null = null;
  /** The stored prior has been read (until then, prices do not set one). */
  priorLoaded = false;
  priorDirty = false;
  priorSavedMs = 0;
  /**
   * The slow-track recovery of this game has run: until then game_state is held back, so a
   * restarted shard never publishes a blank state over the last good one.
   */
  ready = false;
  /** Something game_state shows changed since it was last published. */
  stateDirty = true;
  lastStatePublishMs = 0;
  private readonly input: WinProbInput = { sport: '', period: 0, clockS: 0, homeScore: 0, awayScore: 0 };
  private readonly outcomes: OutcomeProbabilities = { home: 0, draw: 0, away: 0 };

  constructor(info: GameInfo) {
    this.gameId = info.game_id;
    this.sport = info.sport;
    this.info = info;
    this.ref = { game_id: info.game_id, sport: info.sport };
  }

  /** ESPN's status once it has answered, the orchestrator's before. */
  get status(): GameStatus {
    return this.state?.status ?? this.info.status;
  }

  /** Final, postponed or cancelled, by either source: no signals, no polling. */
  get frozen(): boolean {
    return this.info.event === 'final' || isFrozenStatus(this.info.status) || (this.state !== null && isFrozenStatus(this.state.status));
  }

  get inPlay(): boolean {
    return isInPlay(this.status);
  }

  /** Builds the markets from the info (call when the info's market list changes). */
  rebuildMarkets(): MarketPrice[] {
    const previous = new Map(this.markets.map((m) => [m.topic, m]));
    this.markets = [];
    this.rejectedMarkets = [];
    for (const ref of this.info.markets) {
      // An id that cannot name a topic cannot be subscribed (the monitors reject it too).
      if (!isValidTopicId(ref.market_id)) {
        this.rejectedMarkets.push(ref.market_id);
        continue;
      }
      const old = previous.get(Topic.price(ref.venue, ref.market_id));
      this.markets.push(
        old !== undefined && old.outcome === ref.outcome && old.team === ref.team
          ? old
          : new MarketPrice(ref.venue, ref.market_id, this.gameId, ref.outcome, ref.team),
      );
    }
    this.books = this.markets.map((m) => m.book);
    return this.markets;
  }

  /** Recomputes the model when its inputs changed; returns whether it moved. */
  refreshModel(): boolean {
    if (!this.modelDirty) return false;
    this.modelDirty = false;
    fillModelInput(this.input, this.sport, this.state, this.prior);
    const p = outcomeProbabilities(this.input, this.outcomes);
    const draw = allowsDraw(this.sport) ? p.draw : null;
    const moved = !this.hasModel || p.home !== this.model.home || draw !== this.model.draw;
    this.model.home = p.home;
    this.model.draw = draw;
    this.hasModel = true;
    if (moved) this.stateDirty = true;
    return moved;
  }

  /** A copy of the model now (score change compares before and after). */
  modelSnapshot(): ModelProbs {
    return { home: this.model.home, draw: this.model.draw ?? null };
  }
}
