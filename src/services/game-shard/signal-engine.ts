/**
 * Runs the detectors of src/core/signals for the shard's games and publishes what they find.
 * - On a good price update of one market: cross-venue arbitrage over every fresh book of the game
 *   (after a fee-free check that one is possible at all, arbitrage-gate.ts), and model edge on the updated book (the other books and the model have not moved since they
 *   were last checked).
 * - On an accepted ESPN state change: score change when a side scored and it is enabled, else
 *   model edge over every fresh book (the model moved).
 * Model edges need a game in play, a pregame prior (the team strength; the reference had none and
 * turned these signals off) and an ESPN state confirmed within its TTL. Nothing here awaits, and
 * the objects handed to the detectors are reused.
 *
 * A signal goes out on `signals.trade.<id>`, and also on `signals.high_edge.<id>` at or above the
 * high-edge threshold, after the per game-and-side debounce. Its origin_ts is the origin_ts of
 * the price update that caused it (cause = that message's id), so tick-to-trade is measurable.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { HotPublisher } from '../../bus/hot-publisher.js';
import {
  detectArbitrage,
  detectModelEdge,
  detectScoreChange,
  SignalDebouncer,
  type ArbitrageInput,
  type Detection,
  type MarketBook,
  type ModelEdgeInput,
  type ModelProbs,
  type ScoreSnapshot,
  type SignalContext,
  type SignalOptions,
} from '../../core/signals/index.js';
import { Topic } from '../../core/topics.js';
import { ThrottledLog } from '../../core/throttled-log.js';
import { ArbitrageGate } from './arbitrage-gate.js';
import type { MarketPrice } from './market-price.js';
import type { ShardGame } from './shard-game.js';

export interface SignalEngineOptions {
  signals: Readonly<SignalOptions>;
  publisher: Pick<HotPublisher, 'publish'>;
  /** Books older than this are not legs (µs). */
  priceTtlUs: number;
  /** ESPN states older than this are not used for model signals (µs). */
  stateTtlUs: number;
  /** Goes into every signal id (the shard's instance), so ids never collide across shards. */
  idPrefix: string;
  log: Logger;
}

export interface SignalCounters {
  arbitrage: number;
  model_edge: number;
  score_change: number;
  high_edge: number;
  debounced: number;
  /** Updates after which no arbitrage was possible even before fees (the detector was skipped). */
  arb_gated: number;
  dropped: number;
  frozen_skips: number;
  model_skip_not_in_play: number;
  model_skip_no_prior: number;
  model_skip_stale_state: number;
  input_issues: number;
  evaluations: number;
}

const MAX_ISSUE_LOGS_PER_SECOND = 5;

export class SignalEngine {
  readonly counters: SignalCounters = {
    arbitrage: 0,
    model_edge: 0,
    score_change: 0,
    high_edge: 0,
    debounced: 0,
    arb_gated: 0,
    dropped: 0,
    frozen_skips: 0,
    model_skip_not_in_play: 0,
    model_skip_no_prior: 0,
    model_skip_stale_state: 0,
    input_issues: 0,
    evaluations: 0,
  };
  /** Why detections came back empty, by reason. */
  readonly noSignal: Record<string, number> = {};
  readonly debouncer: SignalDebouncer;
  readonly #o: Readonly<SignalEngineOptions>;
  readonly #idBase: string;
  #idCount = 0;
  readonly #ctx: SignalContext;
  readonly #arbInput: ArbitrageInput = { game: { game_id: '', sport: 'nba' }, books: [] };
  readonly #modelInput: ModelEdgeInput = { game: { game_id: '', sport: 'nba' }, model: { home: 0.5 }, books: [] };
  readonly #oneBook: MarketBook[] = [];
  readonly #gate = new ArbitrageGate();
  readonly #issueLog: ThrottledLog;

  constructor(options: SignalEngineOptions) {
    this.#o = Object.freeze({ ...options });
    this.#issueLog = new ThrottledLog(options.log, { maxPerWindow: MAX_ISSUE_LOGS_PER_SECOND });
    this.debouncer = new SignalDebouncer(options.signals.debounce);
    this.#idBase = `${options.idPrefix.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40)}-${randomBytes(3).toString('hex')}-`;
    this.#ctx = { nowUs: 0, newId: () => this.#idBase + (++this.#idCount).toString(36) };
  }

  /**
   * A good price update of `market` arrived: detect and publish. Returns how many signals went
   * out. `originUs` and `cause` come from the update's envelope.
   */
  onPrice(game: ShardGame, market: MarketPrice, nowUs: number, originUs: number, cause: string): number {
    if (game.frozen) {
      this.counters.frozen_skips++;
      return 0;
    }
    this.#ctx.nowUs = nowUs;
    this.#refreshBooks(game, nowUs);
    let sent = 0;
    if (this.#gate.possible(game.books, this.#o.signals.threeOutcomeSports.includes(game.sport))) {
      this.#arbInput.game = game.ref;
      this.#arbInput.books = game.books;
      sent += this.#emit(detectArbitrage(this.#arbInput, this.#ctx, this.#o.signals), nowUs, originUs, cause);
    } else this.counters.arb_gated++;
    if (this.#modelReady(game, nowUs)) {
      this.#oneBook[0] = market.book;
      this.#oneBook.length = 1;
      sent += this.#runModelEdge(game, this.#oneBook, nowUs, originUs, cause);
    }
    return sent;
  }

  /**
   * ESPN moved the game (the model was recomputed). `before` is the model before, `scored` the
   * scores before and after when a side scored. `originUs` is when the scoreboard arrived.
   */
  onStateChange(game: ShardGame, nowUs: number, originUs: number, before: ModelProbs | null, scored: { previous: ScoreSnapshot; current: ScoreSnapshot } | null): number {
    if (game.frozen) {
      this.counters.frozen_skips++;
      return 0;
    }
    if (!this.#modelReady(game, nowUs)) return 0;
    this.#ctx.nowUs = nowUs;
    this.#refreshBooks(game, nowUs);
    if (scored !== null && before !== null && this.#o.signals.scoreChange.enabled) {
      this.counters.evaluations++;
      const sent = this.#emit(
        detectScoreChange(
          {
            game: game.ref,
            previous: scored.previous,
            current: scored.current,
            modelBefore: before,
            modelAfter: game.model,
            playTs: originUs,
            books: game.books,
          },
          this.#ctx,
          this.#o.signals,
        ),
        nowUs,
        originUs,
        undefined,
      );
      // The play's own edge went out; a model edge on the same tick would double it.
      if (sent > 0) return sent;
    }
    return this.#runModelEdge(game, game.books, nowUs, originUs, undefined);
  }

  forgetGame(gameId: string): void {
    this.debouncer.forgetGame(gameId);
  }

  #runModelEdge(game: ShardGame, books: MarketBook[], nowUs: number, originUs: number, cause: string | undefined): number {
    game.refreshModel();
    const input = this.#modelInput;
    input.game = game.ref;
    input.model = game.model;
    input.books = books;
    return this.#emit(detectModelEdge(input, this.#ctx, this.#o.signals), nowUs, originUs, cause);
  }

  #modelReady(game: ShardGame, nowUs: number): boolean {
    if (!this.#o.signals.model.enabled) return false;
    if (!game.inPlay) {
      this.counters.model_skip_not_in_play++;
      return false;
    }
    if (game.prior === null) {
      this.counters.model_skip_no_prior++;
      return false;
    }
    if (nowUs - game.confirmedUs > this.#o.stateTtlUs) {
      this.counters.model_skip_stale_state++;
      return false;
    }
    return true;
  }

  #refreshBooks(game: ShardGame, nowUs: number): void {
    const markets = game.markets;
    for (let i = 0; i < markets.length; i++) markets[i]!.refreshBook(nowUs, this.#o.priceTtlUs);
  }

  #emit(detection: Detection, nowUs: number, originUs: number, cause: string | undefined): number {
    this.counters.evaluations++;
    if (detection.issues.length > 0) this.#countIssues(detection);
    const found = detection.signal;
    if (found === null) {
      this.noSignal[detection.reason] = (this.noSignal[detection.reason] ?? 0) + 1;
      return 0;
    }
    const signal = found.signal;
    if (!this.debouncer.admit(found.debounceKey, signal.net_edge, nowUs)) {
      this.counters.debounced++;
      return 0;
    }
    const opts = cause === undefined ? { originTs: originUs } : { originTs: originUs, cause };
    const { publisher } = this.#o;
    if (publisher.publish(Topic.tradeSignal(signal.signal_id), 'trade_signal', signal, opts) === null) {
      this.counters.dropped++;
      return 0;
    }
    this.counters[signal.kind]++;
    if (found.highEdge) {
      this.counters.high_edge++;
      if (publisher.publish(Topic.highEdgeSignal(signal.signal_id), 'high_edge_signal', signal, opts) === null) this.counters.dropped++;
    }
    return 1;
  }

  #countIssues(detection: Detection): void {
    this.counters.input_issues += detection.issues.length;
    const first = detection.issues[0]!;
    this.#issueLog.warn({ code: first.code, err: first.message, issues: detection.issues.length }, 'ARB_SIGNAL_INPUT: detector input skipped');
  }
}
