/**
 * The game shard's moving parts wired together (the service file only builds them from config):
 * the registry of its games, the price book, the ESPN poller behind the state guard, the model,
 * the pregame priors, the signal engine and the game_state publisher, plus the recovery from the
 * slow track at start, per added game and after a gap on the hot path.
 *
 * The price path (`onPriceMessage`) is synchronous: look up the market, check and store the
 * price, maybe move the pregame prior, run the detectors, publish. Everything that talks to
 * Redis (priors, recovery, healing) runs beside it, never inside it.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { HotPublisher } from '../../bus/hot-publisher.js';
import type { HotSubscriber } from '../../bus/hot-subscriber.js';
import { newSlowReadCounters } from '../../bus/slow-track.js';
import type { RawEnvelope } from '../../core/envelope.js';
import { errorMessage } from '../../core/errors.js';
import type { SignalOptions } from '../../core/signals/index.js';
import { nowMicros } from '../../core/time.js';
import type { Metrics } from '../../runtime/metrics.js';
import type { EspnGame } from '../../venues/espn/common.js';
import type { EspnClient } from '../../venues/espn/http.js';
import { ScoreboardPoller, type ScoreboardPage } from '../../venues/espn/scoreboard-poller.js';
import { CircuitBreaker } from '../../runtime/circuit-breaker.js';
import { ThrottledLog } from '../../core/throttled-log.js';
import { shardKeys, type GameShardConfig } from './game-shard-config.js';
import { GameRegistry } from './game-registry.js';
import { GameStatePublisher } from './game-state-publisher.js';
import { isInPlay, liveStateFromEspn } from './live-state.js';
import type { MarketPrice } from './market-price.js';
import { fixPrior, PriorStore, updatePriorFromPrices } from './pregame-prior.js';
import { PriceBook } from './price-book.js';
import { ProcessingLatency } from './processing-latency.js';
import type { ShardGame } from './shard-game.js';
import { SignalEngine } from './signal-engine.js';
import { recoverGameState, recoverPrices } from './slow-recovery.js';
import { StateGuard } from './state-guard.js';

export interface GameShardOptions {
  shardId: string;
  config: GameShardConfig;
  signals: Readonly<SignalOptions>;
  redis: Redis;
  publisher: Pick<HotPublisher, 'publish'>;
  espn: Pick<EspnClient, 'scoreboard'>;
  metrics: Metrics;
  log: Logger;
}

/** A pregame prior that keeps moving is saved at most this often. */
const PRIOR_SAVE_INTERVAL_MS = 2_000;
const MAX_WARN_LOGS_PER_SECOND = 5;

export class GameShard {
  readonly registry: GameRegistry;
  readonly book: PriceBook;
  readonly engine: SignalEngine;
  readonly guard: StateGuard;
  readonly poller: ScoreboardPoller;
  readonly states: GameStatePublisher;
  readonly latency = new ProcessingLatency();
  readonly breaker: CircuitBreaker;
  readonly slowCounters = newSlowReadCounters();
  readonly counters = {
    state_not_ready: 0,
    state_accepted: 0,
    state_unchanged: 0,
    state_backwards: 0,
    state_corrected: 0,
    games_frozen: 0,
    recoveries: 0,
    recovered_prices: 0,
    recovered_states: 0,
    recovery_failures: 0,
    prior_saved: 0,
    prior_loaded: 0,
    prior_failures: 0,
  };
  readonly #o: Readonly<GameShardOptions>;
  readonly #priors: PriorStore;
  #prices: HotSubscriber | null = null;
  #gamesSub: HotSubscriber | null = null;
  #timer: NodeJS.Timeout | null = null;
  #lastGaps = { prices: 0, games: 0 };
  #lastPruneMs = 0;
  readonly #warnLog: ThrottledLog;
  #stopped = false;

  constructor(options: GameShardOptions) {
    this.#o = Object.freeze({ ...options });
    this.#warnLog = new ThrottledLog(options.log, { maxPerWindow: MAX_WARN_LOGS_PER_SECOND });
    const cfg = options.config;
    this.book = new PriceBook({ maxDelayUs: cfg.priceMaxDelayMs * 1000, ttlUs: cfg.priceTtlMs * 1000 });
    this.engine = new SignalEngine({
      signals: options.signals,
      publisher: options.publisher,
      priceTtlUs: cfg.priceTtlMs * 1000,
      stateTtlUs: cfg.stateTtlMs * 1000,
      idPrefix: options.shardId.replace(/^game_shard\./, 'gs'),
      log: options.log,
    });
    this.guard = new StateGuard({ confirmations: cfg.correctionConfirmations });
    this.states = new GameStatePublisher(options.publisher, cfg.stateMinIntervalMs, cfg.stateRefreshMs);
    this.#priors = new PriorStore(options.redis, shardKeys(cfg.keyPrefix).prior, cfg.priorTtlS);
    this.breaker = new CircuitBreaker({ failureThreshold: cfg.breakerFailures, openMs: cfg.breakerOpenMs });
    this.breaker.on('open', ({ failures, lastError }) =>
      options.log.warn({ failures, err: lastError }, 'ESPN failing: breaker open, games keep their last state'),
    );
    this.breaker.on('close', ({ openForMs }) => options.log.info({ openForMs }, 'ESPN answering again'));
    this.registry = new GameRegistry({
      shardId: options.shardId,
      redis: options.redis,
      activeGamesKey: cfg.activeGamesKey,
      healMs: cfg.healMs,
      log: options.log,
      metrics: options.metrics,
      hooks: {
        added: (game) => this.#onAdded(game),
        updated: (game, changed, previous) => this.#onUpdated(game, changed, previous),
        removed: (game, why) => this.#onRemoved(game, why),
      },
    });
    this.poller = new ScoreboardPoller({
      client: options.espn,
      breaker: this.breaker,
      pollMs: cfg.pollMs,
      pages: () => this.#leaguesToPoll(),
      onPage: (page, board, fetchedUs) => this.#onScoreboard(page.sport, board, fetchedUs),
      metrics: options.metrics,
      log: options.log,
    });
    this.#provideMetrics();
  }

  /** The subscribers the service created with this core's handlers. */
  attach(prices: HotSubscriber, games: HotSubscriber): void {
    this.#prices = prices;
    this.#gamesSub = games;
    if (this.#o.config.priceSubscription === 'prefix') prices.subscribe('prices.');
  }

  async start(): Promise<void> {
    await this.registry.start();
    this.states.notBeforeMs = Date.now() + this.#o.config.startDelayMs;
    this.poller.start(this.#o.config.startDelayMs);
    const tickMs = Math.max(10, Math.min(250, this.#o.config.stateMinIntervalMs));
    this.#timer = setInterval(() => this.#maintain(), tickMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.registry.stop();
    await this.poller.stop();
  }

  // ------------------------------------------------------------------------------ price path

  /** Handler of prices.* messages. Synchronous; never throws on bad data (it is counted). */
  readonly onPriceMessage = (topic: string, envelope: RawEnvelope): void => {
    const t0 = performance.now();
    const nowUs = Math.round((performance.timeOrigin + t0) * 1000);
    const market = this.book.get(topic);
    const verdict = this.book.apply(market, envelope, nowUs);
    if (market === undefined) return;
    const game = this.registry.games.get(market.gameId);
    if (game === undefined) return;
    game.stateDirty = true;
    if (verdict !== 'ok') return;
    // The prior only follows the mids: a size-only update cannot move it.
    if ((game.prior === null || !game.prior.fixed) && (market.priceMoved || game.prior === null)) {
      updatePriorFromPrices(game, this.#o.config.priorMaxSpread, Date.now());
    }
    const sent = this.engine.onPrice(game, market, nowUs, envelope.origin_ts, envelope.id);
    this.latency.record((performance.now() - t0) * 1000, sent > 0);
  };

  /** Handler of games.* messages (game_info assignments; other shards' game_state is ignored). */
  readonly onGameMessage = (topic: string, envelope: RawEnvelope): void => {
    this.registry.onGameMessage(topic, envelope);
  };

  // ------------------------------------------------------------------------------ ESPN path

  /**
   * One scoreboard request per league per round, shared by every game of that league this shard
   * follows. Final, postponed and cancelled (frozen) games are not polled for.
   */
  #leaguesToPoll(): ScoreboardPage[] {
    const sports = new Set<ShardGame['sport']>();
    for (const game of this.registry.games.values()) if (!game.frozen) sports.add(game.sport);
    return [...sports].map((sport) => ({ sport, day: null }));
  }

  /** A league's current scoreboard: the state of each followed game of that league on it. */
  #onScoreboard(sport: ShardGame['sport'], board: readonly EspnGame[], fetchedUs: number): void {
    const byId = new Map(board.map((g) => [g.id, g]));
    for (const game of [...this.registry.games.values()]) {
      if (game.sport !== sport || game.frozen) continue;
      const espn = byId.get(game.gameId);
      if (espn === undefined) {
        this.#o.metrics.inc('espn.not_on_scoreboard');
        continue;
      }
      try {
        this.onEspnGame(game, espn, fetchedUs);
      } catch (err) {
        // One game's bad state must not stop the others.
        this.#o.metrics.inc('espn.apply_errors');
        this.#o.log.warn({ game: game.gameId, err: errorMessage(err) }, 'could not apply an ESPN state');
      }
    }
  }

  /** One ESPN observation of one game, through the state guard. */
  onEspnGame(game: ShardGame, espn: EspnGame, fetchedUs: number): void {
    if (this.#stopped || this.registry.games.get(game.gameId) !== game) return;
    // Before the recovery has run there is no baseline: a stale CDN copy would be taken as new.
    if (!game.ready) {
      this.counters.state_not_ready++;
      return;
    }
    const next = liveStateFromEspn(espn);
    const { verdict, reason } = this.guard.review(game.gameId, game.state, next);
    this.counters[`state_${verdict}`]++;
    if (verdict === 'unchanged') {
      game.confirmedUs = fetchedUs;
      return;
    }
    if (verdict === 'backwards') {
      this.#warnLog.warn({ game: game.gameId, reason }, 'ESPN state went backwards; ignored');
      return;
    }
    if (verdict === 'corrected') this.#o.log.info({ game: game.gameId, reason }, 'ESPN correction confirmed; accepted');
    const previous = game.state;
    const before = game.hasModel ? game.modelSnapshot() : null;
    const wasFrozen = game.frozen;
    game.state = next;
    game.confirmedUs = fetchedUs;
    game.modelDirty = true;
    game.stateDirty = true;
    if (isInPlay(next.status) || next.period > 0) fixPrior(game, Date.now());
    game.refreshModel();
    if (game.frozen && !wasFrozen) {
      this.counters.games_frozen++;
      this.engine.forgetGame(game.gameId);
      this.#o.log.info({ game: game.gameId, status: next.status }, 'game over or off: frozen, no more signals');
    }
    const scored =
      previous !== null && (next.homeScore > previous.homeScore || next.awayScore > previous.awayScore)
        ? {
            previous: { home_score: previous.homeScore, away_score: previous.awayScore },
            current: { home_score: next.homeScore, away_score: next.awayScore },
          }
        : null;
    this.engine.onStateChange(game, nowMicros(), fetchedUs, before, scored);
    this.states.maybePublish(game, Date.now(), fetchedUs);
  }

  // ------------------------------------------------------------------------------ registry hooks

  #onAdded(game: ShardGame): void {
    for (const m of game.markets) this.#follow(m.topic, m);
    this.#o.log.info({ game: game.gameId, sport: game.sport, markets: game.markets.length }, 'following game');
    void this.#initGame(game);
  }

  #onUpdated(game: ShardGame, marketsChanged: boolean, previous: readonly string[]): void {
    if (game.frozen) this.engine.forgetGame(game.gameId);
    if (!marketsChanged) return;
    const now = new Set(game.markets.map((m) => m.topic));
    for (const topic of previous) if (!now.has(topic)) this.#unfollow(topic);
    const added = game.markets.filter((m) => !previous.includes(m.topic));
    for (const m of added) this.#follow(m.topic, m);
    if (added.length > 0) void this.#recover(added, null);
  }

  #onRemoved(game: ShardGame, why: string): void {
    for (const m of game.markets) this.#unfollow(m.topic);
    this.guard.forget(game.gameId);
    this.engine.forgetGame(game.gameId);
    this.#o.log.info({ game: game.gameId, why }, 'no longer following game');
  }

  #follow(topic: string, market: MarketPrice): void {
    this.book.add(market);
    if (this.#o.config.priceSubscription === 'exact') this.#prices?.subscribeTopic(topic);
  }

  #unfollow(topic: string): void {
    this.book.remove(topic);
    if (this.#o.config.priceSubscription === 'exact') this.#prices?.unsubscribeTopic(topic);
  }

  /** Prior, prices and state of a newly followed game, from Redis. */
  async #initGame(game: ShardGame): Promise<void> {
    await Promise.all([this.#loadPrior(game), this.#recover(game.markets, game)]);
    game.ready = true;
  }

  async #loadPrior(game: ShardGame): Promise<void> {
    try {
      const stored = await this.#priors.load(game.gameId);
      if (stored !== null && game.prior === null) {
        game.prior = stored;
        game.modelDirty = true;
        game.stateDirty = true;
        this.counters.prior_loaded++;
      }
      game.priorLoaded = true;
    } catch (err) {
      // Retried by the maintenance tick: until then no price sets a prior (a live price must
      // not replace a stored pregame one).
      this.counters.prior_failures++;
      this.#warnLog.warn({ game: game.gameId, err: errorMessage(err) }, 'ARB_REDIS_UNAVAILABLE: cannot read the pregame prior');
    }
  }

  async #recover(markets: readonly MarketPrice[], game: ShardGame | null): Promise<void> {
    this.counters.recoveries++;
    try {
      this.counters.recovered_prices += await recoverPrices(this.#o.redis, markets, this.slowCounters);
      if (game !== null && (await recoverGameState(this.#o.redis, game, this.slowCounters))) this.counters.recovered_states++;
    } catch (err) {
      this.counters.recovery_failures++;
      this.#warnLog.warn({ err: errorMessage(err) }, 'ARB_REDIS_UNAVAILABLE: slow-track recovery failed');
    }
  }

  // ------------------------------------------------------------------------------ maintenance

  #maintain(): void {
    if (this.#stopped) return;
    const nowMs = Date.now();
    const games = this.registry.games;
    this.states.flush(games.values(), nowMs);
    for (const game of games.values()) {
      if (!game.priorLoaded) void this.#loadPrior(game);
      else if (game.priorDirty && game.prior !== null && (game.prior.fixed || nowMs - game.priorSavedMs >= PRIOR_SAVE_INTERVAL_MS)) {
        void this.#savePrior(game, nowMs);
      }
    }
    this.#checkGaps();
    if (nowMs - this.#lastPruneMs > 10_000) {
      this.#lastPruneMs = nowMs;
      this.engine.debouncer.prune(nowMicros());
    }
  }

  async #savePrior(game: ShardGame, nowMs: number): Promise<void> {
    const prior = game.prior!;
    game.priorDirty = false;
    game.priorSavedMs = nowMs;
    try {
      await this.#priors.save(game.gameId, prior);
      this.counters.prior_saved++;
    } catch (err) {
      game.priorDirty = true;
      this.counters.prior_failures++;
      this.#warnLog.warn({ game: game.gameId, err: errorMessage(err) }, 'ARB_REDIS_UNAVAILABLE: cannot save the pregame prior');
    }
  }

  /** A gap on the hot path: re-read what may have been lost from the slow track. */
  #checkGaps(): void {
    const priceGaps = this.#prices?.metrics().gaps ?? 0;
    const gameGaps = this.#gamesSub?.metrics().gaps ?? 0;
    if (priceGaps > this.#lastGaps.prices) {
      this.#warnLog.warn({ gaps: priceGaps - this.#lastGaps.prices }, 'price messages lost; recovering prices from the slow track');
      void this.#recover([...this.registry.games.values()].flatMap((g) => g.markets), null);
    }
    if (gameGaps > this.#lastGaps.games) {
      this.#warnLog.warn({ gaps: gameGaps - this.#lastGaps.games }, 'game messages lost; re-reading the active games');
      void this.registry.heal();
    }
    this.#lastGaps = { prices: priceGaps, games: gameGaps };
  }

  #provideMetrics(): void {
    const { metrics } = this.#o;
    metrics.provide('prices', () => ({ ...this.book.counters, markets: this.book.size }));
    metrics.provide('signals', () => ({ ...this.engine.counters }));
    metrics.provide('no_signal', () => ({ ...this.engine.noSignal }));
    metrics.provide('shard', () => ({
      ...this.counters,
      games: this.registry.games.size,
      games_in_play: [...this.registry.games.values()].filter((g) => g.inPlay).length,
      states_published: this.states.published,
      states_dropped: this.states.dropped,
      slow_malformed: this.slowCounters.malformed,
      slow_invalid: this.slowCounters.invalid,
      prior_unreadable: this.#priors.unreadable,
      espn_ok: this.breaker.current === 'closed' ? 1 : 0,
    }));
    metrics.provide('latency', () => this.latency.metrics());
  }
}
