/**
 * The orchestrator's work, on four timers that all mutate state through one serial queue:
 *
 *   poll       ESPN scoreboards (every pollMs, fastPollMs while a game is about to start or a
 *              live game has no shard); the 7-day schedule every scheduleSyncMs; lifecycle
 *              transitions; game_info messages (discovered / updated / final)
 *   reconcile  shard assignment (every assignMs) and games:active kept in step: every live or
 *              imminent game listed with its markets and shard, a final game removed after
 *              finalRetentionMs
 *   lookup     market_discovery requests for games within the horizon, with timeout and backoff
 *   health     registry heartbeats -> dead / restarted / degraded / recovered alerts
 *
 * Everything it knows is in Redis (tracked games, assignments, health state), so a restarted
 * orchestrator resumes where it stopped: no new "discovered" for known games and no reassignment.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { errorMessage } from '../../core/errors.js';
import { isRedisUnreachableError, redisOutageTrackerOf } from '../../bus/redis-connection.js';
import type { GameInfo } from '../../core/messages.js';
import { Topic } from '../../core/topics.js';
import type { HotPublisher } from '../../bus/hot-publisher.js';
import type { Metrics } from '../../runtime/metrics.js';
import { easternDay } from '../../venues/espn/common.js';
import type { EspnClient } from '../../venues/espn/http.js';
import { ScoreboardPoller, type ScoreboardPage } from '../../venues/espn/scoreboard-poller.js';
import { AlertSink, type AlertInput } from './alert-sink.js';
import { AssignmentStore, type ActiveUpdate } from './assignment-store.js';
import { CircuitBreaker } from '../../runtime/circuit-breaker.js';
import { isOver, isUnderWay, needsShard } from './game-lifecycle.js';
import { GameTable } from './game-table.js';
import { HealthMonitor } from './health-monitor.js';
import { MarketLookup, type LookupOutcome, type MarketFinder } from './market-lookup.js';
import { orchestratorKeys, type OrchestratorConfig, type OrchestratorKeys } from './orchestrator-config.js';
import { RegistryTrust } from './registry-trust.js';
import { ShardAssigner } from './shard-assigner.js';
import { eventFor, gameInfo, observedFromEspn, startMsOf, type TrackedGame } from './tracked-game.js';
import type { EspnGame } from '../../venues/espn/common.js';

const DAY_MS = 86_400_000;
/** A scheduled game this far past its start no longer counts as "about to start" for fast polling. */
const LATE_START_FAST_MS = 60 * 60_000;
const LOOKUP_TICK_MS = 250;
/** Schedule pages read per poll while a schedule sync is under way. */
const SCHEDULE_PAGES_PER_POLL = 8;

export interface OrchestratorDeps {
  service: string;
  instance: string;
  config: Readonly<OrchestratorConfig>;
  redis: Redis;
  publisher: HotPublisher;
  espn: EspnClient;
  finder: MarketFinder;
  metrics: Metrics;
  log: Logger;
  setStatus: (status: 'healthy' | 'degraded', detail?: string) => void;
  /** The registry TTL of this deployment (tells a withdrawn entry from an expired one). */
  registryTtlMs: number;
  /** The heartbeat interval of this deployment (entries come back this long after Redis does). */
  heartbeatMs?: number;
  /** Delay before re-announcing listed games after a restart (lets subscribers reconnect). */
  reannounceDelayMs?: number;
  now?: () => number;
}

export class Orchestrator {
  readonly keys: Readonly<OrchestratorKeys>;
  readonly table: GameTable;
  readonly breaker: CircuitBreaker;
  private readonly store: AssignmentStore;
  private readonly poller: ScoreboardPoller;
  private readonly lookup: MarketLookup;
  private readonly assigner: ShardAssigner;
  private readonly health: HealthMonitor;
  private readonly alerts: AlertSink;
  private readonly lastSeenMs = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private chain: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private lastScheduleMs = Number.NEGATIVE_INFINITY;
  private readonly schedulePending: ScoreboardPage[] = [];
  private noShardAlerted = false;
  private readonly now: () => number;
  private readonly cfg: Readonly<OrchestratorConfig>;

  constructor(private readonly deps: OrchestratorDeps) {
    this.cfg = deps.config;
    this.now = deps.now ?? Date.now;
    this.keys = orchestratorKeys(this.cfg.keyPrefix);
    this.table = new GameTable(deps.redis, this.keys.trackedGames);
    this.store = new AssignmentStore(deps.redis, this.keys);
    this.breaker = new CircuitBreaker({ failureThreshold: this.cfg.breakerFailures, openMs: this.cfg.breakerOpenMs, now: this.now });
    this.poller = new ScoreboardPoller({ client: deps.espn, breaker: this.breaker, metrics: deps.metrics, log: deps.log });
    this.lookup = new MarketLookup(deps.finder, {
      retryMs: this.cfg.discoveryRetryMs,
      maxBackoffMs: this.cfg.discoveryMaxBackoffMs,
      recheckMs: this.cfg.discoveryRecheckMs,
      concurrency: this.cfg.discoveryConcurrency,
    });
    // One view of the registry's completeness for both readers: never a verdict from a view
    // Redis could not give whole (registry-trust.ts).
    const trust = new RegistryTrust({
      settleMs: deps.registryTtlMs + (deps.heartbeatMs ?? 2_000),
      outages: redisOutageTrackerOf(deps.redis),
    });
    this.assigner = new ShardAssigner(
      deps.redis,
      trust,
      this.store,
      {
        shardService: this.cfg.shardService,
        instancePrefix: this.cfg.watchInstancePrefix,
        defaultCapacity: this.cfg.shardDefaultCapacity,
        degradedGraceMs: this.cfg.degradedGraceMs,
        rebalanceMaxMoves: this.cfg.rebalance ? this.cfg.rebalanceMaxMoves : 0,
      },
      deps.metrics,
      deps.log,
    );
    this.alerts = new AlertSink(deps.redis, deps.publisher, this.keys.healthAlerts, this.cfg.alertsMaxLen, deps.metrics, deps.log, deps.instance);
    this.health = new HealthMonitor(
      deps.redis,
      trust,
      {
        instancePrefix: this.cfg.watchInstancePrefix,
        self: { service: deps.service, instance: deps.instance },
        forgetDeadMs: 3_600_000,
        stateKey: this.keys.healthState,
        registryTtlMs: deps.registryTtlMs,
      },
      (a) => this.alerts.raise(a),
      deps.metrics,
      deps.log,
    );
    this.breaker.on('open', ({ failures, lastError }) => {
      deps.setStatus('degraded', 'ESPN feed down');
      void this.raise({
        severity: 'critical',
        kind: 'feed_down',
        message: `ARB_ORCH_FEED_DOWN: ESPN failed ${failures} times in a row (${lastError}); keeping the last good state, probing again in ${this.cfg.breakerOpenMs} ms`,
      });
    });
    this.breaker.on('close', ({ openForMs }) => {
      deps.setStatus('healthy');
      void this.raise({ severity: 'info', kind: 'feed_up', message: `ESPN feed back after ${Math.round(openForMs / 1000)} s` });
    });
    deps.metrics.provide('discovery', () => this.lookup.stats());
    deps.metrics.provide('espn_client', () => deps.espn.stats());
    deps.metrics.provide('breaker', () => {
      const s = this.breaker.stats();
      return { open: s.state === 'closed' ? 0 : 1, opened: s.opened, closed: s.closed, refused: s.refused };
    });
    deps.metrics.provide('games', () => this.gameCounts());
  }

  async start(): Promise<void> {
    const { loaded, unreadable } = await this.table.load();
    if (unreadable.length > 0) {
      this.deps.metrics.inc('state.unreadable', unreadable.length);
      this.deps.log.warn({ unreadable }, 'ARB_ORCH_STATE: dropped unreadable tracked games');
    }
    const now = this.now();
    for (const g of this.table.all()) this.lastSeenMs.set(g.game_id, now);
    this.deps.log.info({ loaded }, 'tracked games loaded');
    await this.serial(() => this.reconcile());
    const listed = this.table.all().filter((g) => g.listed).map((g) => g.game_id);
    if (loaded > 0 && listed.length > 0) {
      // One 'updated' per listed game for subscribers that missed anything while we were down.
      this.after(this.deps.reannounceDelayMs ?? 2_000, () =>
        this.serial(async () => {
          for (const id of listed) {
            const g = this.table.get(id);
            if (g?.listed) this.announce(g, eventFor(g, false));
          }
        }),
      );
    }
    this.loop(() => this.pollCycle(), () => this.nextPollMs(), this.cfg.startDelayMs);
    this.loop(() => this.serial(() => this.reconcile()), () => this.cfg.assignMs, this.cfg.assignMs);
    this.loop(() => this.dispatchLookups(), () => LOOKUP_TICK_MS, LOOKUP_TICK_MS);
    this.loop(() => this.health.check(this.now()), () => this.cfg.healthMs, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.chain.catch(() => {});
  }

  // ------------------------------------------------------------------------------------ timers

  /** Runs `fn` now-ish and again `interval()` after each run ends; a failure is logged, not fatal. */
  private loop(fn: () => Promise<unknown>, interval: () => number, firstMs: number): void {
    const run = async () => {
      if (this.stopped) return;
      try {
        await fn();
      } catch (err) {
        if (this.stopped) return;
        this.deps.metrics.inc('loop_errors');
        // Redis away: its outage is one line from the connection's tracker, not one per tick.
        const level = isRedisUnreachableError(err) ? 'debug' : 'warn';
        this.deps.log[level]({ err: errorMessage(err) }, 'orchestrator step failed; retrying next tick');
      }
      this.after(interval(), run);
    };
    this.after(firstMs, run);
  }

  private after(ms: number, fn: () => unknown): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      void fn();
    }, ms);
    this.timers.add(t);
  }

  /**
   * All state changes go through here, one at a time. After stop() nothing more runs (a poll or
   * lookup still in flight when the service stopped finds Redis and the publisher closed).
   */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const guarded = (): Promise<T> => (this.stopped ? Promise.reject(new Error('orchestrator stopped')) : fn());
    const next = this.chain.then(guarded, guarded);
    this.chain = next.catch(() => {});
    return next;
  }

  // -------------------------------------------------------------------------------------- poll

  /**
   * One poll: current scoreboards, a slice of the schedule when a sync is under way (spread over
   * polls so live games are never late behind 50 schedule pages), then the days of live games
   * the current scoreboards no longer show.
   */
  async pollCycle(): Promise<void> {
    const now = this.now();
    const pages: ScoreboardPage[] = this.cfg.leagues.map((sport) => ({ sport, day: null }));
    if (this.schedulePending.length === 0 && now - this.lastScheduleMs >= this.cfg.scheduleSyncMs) {
      this.lastScheduleMs = now;
      for (let d = 1; d <= this.cfg.scheduleDays; d++) {
        for (const sport of this.cfg.leagues) this.schedulePending.push({ sport, day: easternDay(new Date(now + d * DAY_MS)) });
      }
    }
    const slice = this.schedulePending.splice(0, SCHEDULE_PAGES_PER_POLL);
    pages.push(...slice);
    const first = await this.poller.poll(pages);
    // Schedule pages that did not answer go back in the queue for the next poll.
    const unread = slice.filter((p) => !first.read.includes(p));
    this.schedulePending.unshift(...unread);
    const seen = await this.serial(() => this.applyGames(first.games, now));

    // A tracked game under way that the current scoreboard no longer shows (ESPN moved on to
    // the next day) is read from its own day's page, so it still reaches final.
    const readSports = new Set(first.read.filter((p) => p.day === null).map((p) => p.sport));
    const extra = new Map<string, ScoreboardPage>();
    for (const g of this.table.all()) {
      if (seen.has(g.game_id) || !readSports.has(g.sport) || !(isUnderWay(g.status) || g.listed) || isOver(g.status)) continue;
      const day = easternDay(new Date(startMsOf(g)));
      extra.set(`${g.sport}:${day}`, { sport: g.sport, day });
    }
    if (extra.size > 0) {
      const second = await this.poller.poll([...extra.values()]);
      await this.serial(() => this.applyGames(second.games, now));
    }
    this.deps.metrics.inc('polls');
    await this.serial(() => this.reconcile());
  }

  private nextPollMs(): number {
    const wait = this.breaker.retryInMs();
    if (wait > 0) return Math.max(wait, this.cfg.fastPollMs);
    return this.wantsFastPoll(this.now()) ? this.cfg.fastPollMs : this.cfg.pollMs;
  }

  private wantsFastPoll(now: number): boolean {
    return this.table.all().some((g) => {
      if (isUnderWay(g.status) && g.shard === null) return true;
      if (g.status !== 'scheduled') return false;
      const untilStart = startMsOf(g) - now;
      return untilStart <= this.cfg.fastWindowMs && untilStart > -LATE_START_FAST_MS;
    });
  }

  /** Applies one batch of ESPN games; returns the ids seen. */
  private async applyGames(games: readonly EspnGame[], now: number): Promise<Set<string>> {
    const seen = new Set<string>();
    for (const espnGame of games) {
      const observed = observedFromEspn(espnGame);
      if ('skip' in observed) {
        this.deps.metrics.inc(`games.skipped.${observed.skip}`);
        continue;
      }
      const id = observed.game.game_id;
      if (seen.has(id)) continue;
      seen.add(id);
      this.lastSeenMs.set(id, now);
      const obs = this.table.observe(observed.game, now);
      switch (obs.kind) {
        case 'unchanged':
          break;
        case 'backward':
          this.deps.metrics.inc('lifecycle.backward');
          this.deps.log.debug({ game: id, status: obs.game.status, ignored: obs.ignored }, 'status went backwards; ignored');
          if (obs.factsChanged) await this.commit(obs.game, 'updated');
          break;
        case 'new':
          if (isOver(obs.game.status)) {
            // Yesterday's results on today's board: remembered (so never announced), not news.
            this.deps.metrics.inc('lifecycle.first_seen_over');
            await this.table.save(obs.game);
            break;
          }
          this.deps.metrics.inc('lifecycle.discovered');
          await this.commit(obs.game, eventFor(obs.game, true));
          break;
        case 'changed':
          if (obs.from !== obs.game.status) this.deps.metrics.inc(`lifecycle.to_${obs.game.status}`);
          await this.commit(obs.game, eventFor(obs.game, false));
          break;
      }
    }
    return seen;
  }

  /** Persists a changed game, publishes it, and refreshes its games:active entry. */
  private async commit(g: TrackedGame, event: GameInfo['event']): Promise<void> {
    await this.table.save(g);
    this.announce(g, event);
    if (g.listed) await this.store.putActive(g.game_id, JSON.stringify(gameInfo(g, eventFor(g, false))));
  }

  private announce(g: TrackedGame, event: GameInfo['event']): void {
    try {
      this.deps.publisher.publish(Topic.game(g.sport, g.game_id), 'game_info', gameInfo(g, event));
      this.deps.metrics.inc(`published.${event}`);
    } catch (err) {
      this.deps.metrics.inc('published.errors');
      this.deps.log.warn({ game: g.game_id, err: errorMessage(err) }, 'game_info not published');
    }
  }

  // --------------------------------------------------------------------------------- reconcile

  private needs(g: TrackedGame, now: number): boolean {
    return needsShard(g.status, startMsOf(g), now, this.cfg.imminentMs);
  }

  /** Shard assignment, the games:active listing and pruning, in one pass. */
  async reconcile(): Promise<void> {
    const now = this.now();
    const needing = this.table
      .all()
      .filter((g) => this.needs(g, now))
      .sort((a, b) => startMsOf(a) - startMsOf(b) || a.game_id.localeCompare(b.game_id));
    const activeUpdate = (gameId: string, to: string | null): ActiveUpdate => {
      const g = this.table.get(gameId);
      if (g === undefined) return 'delete';
      if (this.needs(g, now)) return { put: JSON.stringify(gameInfo({ ...g, shard: to }, eventFor(g, false))) };
      return isOver(g.status) && g.listed ? 'keep' : 'delete';
    };
    const { applied, shards, complete } = await this.assigner.reconcile(
      needing.map((g) => ({ id: g.game_id, preferMove: g.status === 'scheduled' })),
      now,
      activeUpdate,
    );
    for (const m of applied) {
      const g = this.table.get(m.gameId);
      if (!m.applied || g === undefined) continue;
      g.shard = m.to;
      if (this.needs(g, now)) {
        g.listed = true;
        await this.table.save(g);
        this.announce(g, eventFor(g, false));
      } else {
        if (!(isOver(g.status) && g.listed)) g.listed = false;
        await this.table.save(g);
      }
    }
    await this.syncListing(now);
    // From a view Redis could not give whole, "no shard" is not known: say nothing yet.
    if (complete) await this.alertOnMissingShards(needing, shards.some((s) => s.acceptsNew));
  }

  /** games:active holds the games that need a shard, and finished ones until their retention ends. */
  private async syncListing(now: number): Promise<void> {
    for (const g of this.table.all()) {
      const needed = this.needs(g, now);
      const retained = isOver(g.status) && g.over_ms !== null && now - g.over_ms < this.cfg.finalRetentionMs;
      const want = needed || (retained && g.listed);
      if (want && !g.listed) {
        g.listed = true;
        await this.store.putActive(g.game_id, JSON.stringify(gameInfo(g, eventFor(g, false))));
        await this.table.save(g);
      } else if (!want && g.listed) {
        g.listed = false;
        await this.store.removeActive(g.game_id);
        await this.table.save(g);
      }
      if (!g.listed && g.shard === null && this.expired(g, now)) {
        await this.table.remove(g.game_id);
        this.lookup.forget(g.game_id);
        this.lastSeenMs.delete(g.game_id);
        this.deps.metrics.inc('games.pruned');
      }
    }
  }

  /**
   * Whether a game can be forgotten: finished past its retention, never started and long past
   * its start, or under way but silent for that long. It must also have been off every page we
   * read for a retention period, or the next poll would "discover" it again.
   */
  private expired(g: TrackedGame, now: number): boolean {
    const quietMs = now - (this.lastSeenMs.get(g.game_id) ?? now);
    const stale = this.cfg.staleScheduledMs;
    if (isUnderWay(g.status)) return quietMs >= stale;
    if (quietMs < this.cfg.finalRetentionMs) return false;
    if (isOver(g.status)) return g.over_ms !== null && now - g.over_ms >= this.cfg.finalRetentionMs;
    return startMsOf(g) < now - stale;
  }

  private async alertOnMissingShards(needing: readonly TrackedGame[], anyAcceptor: boolean): Promise<void> {
    const unowned = needing.filter((g) => g.shard === null).length;
    this.deps.metrics.set('games.unassigned', unowned);
    if (unowned > 0 && !anyAcceptor && !this.noShardAlerted) {
      this.noShardAlerted = true;
      await this.raise({
        severity: 'critical',
        kind: 'other',
        message: `ARB_ORCH_NO_SHARD: no healthy ${this.cfg.shardService} for ${unowned} live or imminent games`,
      });
    } else if (this.noShardAlerted && unowned === 0) {
      this.noShardAlerted = false;
      await this.raise({ severity: 'info', kind: 'other', message: `every live or imminent game has a ${this.cfg.shardService} again` });
    }
  }

  // ------------------------------------------------------------------------------------ lookup

  private async dispatchLookups(): Promise<void> {
    const now = this.now();
    const candidates = this.table
      .all()
      .filter((g) => !isOver(g.status) && g.status !== 'postponed')
      .filter((g) => isUnderWay(g.status) || startMsOf(g) - now <= this.cfg.discoveryHorizonMs)
      .sort((a, b) => startMsOf(a) - startMsOf(b));
    for (const g of candidates) {
      if (!this.lookup.isDue(g.game_id, now)) continue;
      void this.lookup
        .lookup(gameInfo(g, eventFor(g, false)), this.now)
        .then((outcome) => this.serial(() => this.applyLookup(g.game_id, outcome)))
        .catch((err: unknown) => {
          if (!this.stopped) this.deps.log.warn({ err: errorMessage(err) }, 'applying a lookup failed');
        });
    }
  }

  private async applyLookup(gameId: string, outcome: LookupOutcome): Promise<void> {
    if (this.stopped) return;
    const g = this.table.get(gameId);
    if (g === undefined) return;
    if (!outcome.ok) {
      this.deps.metrics.inc('discovery.failed');
      const log = outcome.attempts === 1 || outcome.attempts % 10 === 0 ? 'warn' : 'debug';
      this.deps.log[log](
        { game: gameId, attempts: outcome.attempts, retryInMs: outcome.retryInMs, err: outcome.error },
        'ARB_ORCH_DISCOVERY: market lookup failed; game stays tracked without markets',
      );
      return;
    }
    g.markets_checked_ms = this.now();
    if (JSON.stringify(outcome.markets) === JSON.stringify(g.markets)) {
      await this.table.save(g);
      return;
    }
    g.markets = outcome.markets;
    await this.commit(g, eventFor(g, false));
  }

  // ----------------------------------------------------------------------------------- helpers

  private async raise(a: Omit<AlertInput, 'service' | 'instance'>): Promise<void> {
    await this.alerts.raise({ service: this.deps.service, instance: this.deps.instance, ...a });
  }

  private gameCounts(): Record<string, number> {
    const all = this.table.all();
    const now = this.now();
    return {
      tracked: all.length,
      listed: all.filter((g) => g.listed).length,
      live: all.filter((g) => isUnderWay(g.status)).length,
      needing_shard: all.filter((g) => this.needs(g, now)).length,
      with_markets: all.filter((g) => g.markets.length > 0).length,
    };
  }
}
