/**
 * The position tracker at work: one ledger changed only through one serial queue, fed by the
 * durable trades:completed stream and by the settlements it records itself; marks from the
 * prices of held markets; exit rules on every mark, game message and clock tick; positions
 * published on `positions.<id>` and snapshotted in Redis.
 *
 * Start-up rebuilds the ledger from the durable log (recovery.ts) before anything else runs, so
 * a restart after kill -9 loses nothing and doubles nothing. Hot-path messages that arrive while
 * that runs only update the game catalogue and the durable watch.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RawEnvelope } from '../../core/envelope.js';
import { errorMessage } from '../../core/errors.js';
import type { FeeSchedule } from '../../core/fees.js';
import type { GameInfo, GameState, PriceUpdate, QuoteSnapshot, TradeCompleted } from '../../core/messages.js';
import { GameInfoSchema, GameStateSchema } from '../../core/messages.js';
import type { PositionChange, PositionSnapshot } from '../../core/positions/position-book.js';
import { positionMessage } from '../../core/positions/position-marks.js';
import { nowMicros } from '../../core/time.js';
import { Topic, type Sport, type Venue } from '../../core/topics.js';
import type { HotPublisher } from '../../bus/hot-publisher.js';
import type { HotSubscriber } from '../../bus/hot-subscriber.js';
import { parseGameValue } from '../../bus/slow-track.js';
import { ActiveGamesReader } from '../../runtime/active-games-reader.js';
import type { Metrics } from '../../runtime/metrics.js';
import { DurableWatch } from './durable-watch.js';
import { ExitMonitor, type ExitInputs } from './exit-monitor.js';
import { GameCatalogue, sportHasDraws } from './game-catalogue.js';
import { MarkFeed, quoteTimeOf } from './mark-feed.js';
import { recover } from './recovery.js';
import { SerialQueue } from './serial-queue.js';
import { planSettlement } from './settlement.js';
import { settlementFields, type SettlementRecord } from './settlement-record.js';
import { fencedXadd } from '../../runtime/ledger-fence.js';
import { SnapshotStore, type PositionRow } from './snapshot-store.js';
import { trackerExitRules, trackerFees, type TrackerConfig, type TrackerKeys } from './position-tracker-config.js';
import { TrackerLedger } from './tracker-ledger.js';
import { TradeIngest, type TradeEntry } from './trade-ingest.js';

/** Games not held are forgotten this long after their final or last message. */
const GAME_RETENTION_US = 6 * 3_600_000_000;

export interface PositionTrackerOptions {
  readonly config: TrackerConfig;
  readonly keys: TrackerKeys;
  readonly redis: Redis;
  /** A dedicated connection for the blocking stream read. */
  readonly reader: Redis;
  readonly publisher: HotPublisher;
  readonly metrics: Metrics;
  readonly log: Logger;
  /**
   * Settlements are written only while this key exists (the ledger epoch, with the ledger guard
   * on: src/runtime/ledger-fence.ts); null: unfenced.
   */
  readonly fenceKey?: string | null;
}

export class PositionTracker {
  readonly counters = {
    hot_other: 0,
    entries_out_of_order: 0,
    finals_without_positions: 0,
    settlements_recorded: 0,
    settlements_unresolved: 0,
    settlement_write_errors: 0,
    commit_errors: 0,
    games_unreadable: 0,
    snapshot_mismatches: 0,
    positions_published: 0,
    quote_snapshots: 0,
    log_trimmed: 0,
  };
  private ledger: TrackerLedger | null = null;
  private marks: MarkFeed | null = null;
  private ingest: TradeIngest | null = null;
  private timer: NodeJS.Timeout | null = null;
  private markFlush: NodeJS.Immediate | null = null;
  private readonly catalogue = new GameCatalogue();
  private readonly activeGames: ActiveGamesReader;
  private readonly queue = new SerialQueue();
  private readonly watch: DurableWatch;
  private readonly exits: ExitMonitor;
  private readonly store: SnapshotStore;
  private readonly fees: FeeSchedule;
  private readonly config: TrackerConfig;
  private readonly pendingFinals = new Set<string>();
  private readonly unresolvedLogged = new Set<string>();
  private readonly markDirty = new Set<string>();
  private readonly lastPublishedUs = new Map<string, number>();
  /** A commit failed: the next write replaces the whole snapshot, with these closed rows. */
  private snapshotDirty = false;
  private pendingClosed: PositionRow[] = [];
  private marksWriteQueued = false;
  private refreshing = false;
  private lastGameRefreshUs = 0;
  private lastMarksWriteUs = 0;
  private readonly bootId = randomBytes(4).toString('hex');
  private settlementSeq = 0;
  private stopped = false;

  constructor(private readonly options: PositionTrackerOptions) {
    this.config = options.config;
    this.fees = trackerFees(options.config);
    this.watch = new DurableWatch(options.config.durableWaitMs * 1000);
    this.exits = new ExitMonitor(
      { rules: trackerExitRules(options.config), ttlUs: options.config.exitTtlMs * 1000, confirmChecks: options.config.exitConfirmChecks },
      (signal) => options.publisher.publish(Topic.exitSignal(signal.position_id), 'exit_signal', signal) !== null,
    );
    this.store = new SnapshotStore(options.redis, options.keys, options.config.closedMaxLen);
    // Read on demand only: the hot path's game_info messages go straight to the catalogue.
    this.activeGames = new ActiveGamesReader({ redis: options.redis, key: options.keys.activeGames, log: options.log, metrics: options.metrics });
    options.metrics.provide('pt', () => this.metrics());
  }

  /** Every hot-path message (validated by the subscriber). Never throws past the subscriber. */
  onHot(_topic: string, envelope: RawEnvelope): void {
    switch (envelope.type) {
      case 'trade_completed': {
        const trade = envelope.data as TradeCompleted;
        this.watch.noteHot(trade.trade_id, this.ledger?.hasTrade(trade.trade_id) ?? false, nowMicros());
        return;
      }
      case 'price':
        this.onPrice(envelope.data as PriceUpdate, quoteTimeOf(envelope));
        return;
      case 'quotes':
        this.onQuotes(envelope.data as QuoteSnapshot);
        return;
      case 'game_info':
        this.catalogue.applyInfo(envelope.data as GameInfo, nowMicros());
        this.afterGame((envelope.data as GameInfo).game_id);
        return;
      case 'game_state':
        this.catalogue.applyState(envelope.data as GameState, nowMicros());
        this.afterGame((envelope.data as GameState).game_id);
        return;
      default:
        this.counters.hot_other++;
    }
  }

  async start(subscriber: HotSubscriber): Promise<void> {
    const { config, keys, log } = this.options;
    await this.loadActiveGames();
    const started = Date.now();
    const result = await recover(this.options.redis, {
      keys,
      batch: Math.max(config.readBatch, 1000),
      ledger: { initialBankrollCc: config.initialBankrollCc, timeZone: config.timeZone },
    });
    const ledger = result.ledger;
    this.ledger = ledger;
    log.info(
      { trades: result.tradeEntries, settlements: result.settlementEntries, open: ledger.book.open().length, ms: Date.now() - started, cursor: ledger.tradeCursor },
      'positions rebuilt from the durable log',
    );
    if (result.mismatches.length > 0 || (result.committed !== null && !result.committedPointSeen)) {
      this.counters.snapshot_mismatches += Math.max(1, result.mismatches.length);
      log.warn(
        { code: 'ARB_POSITION_SNAPSHOT_MISMATCH', positions: result.mismatches.slice(0, 20), committedPointSeen: result.committedPointSeen },
        'ARB_POSITION_SNAPSHOT_MISMATCH: the snapshot disagreed with the durable log; rebuilt from the log',
      );
    }
    if (result.logTrimmed) {
      this.counters.log_trimmed = 1;
      log.error(
        { code: 'ARB_POSITION_SNAPSHOT_MISMATCH', stream: keys.tradesCompleted },
        'trades:completed has had entries removed: positions rebuilt from what is left may differ from the ones traded; reconcile with the venues',
      );
    }
    this.marks = new MarkFeed(subscriber, this.options.redis, keys.latestPrice, config.markSource);
    const open = ledger.book.open();
    await this.queue.run(async () => {
      this.snapshotDirty = true;
      this.pendingClosed = result.closedSinceCommit.map((p) => this.row(p));
      await this.commit([]);
    });
    for (const gameId of new Set(open.map((p) => p.gameId))) await this.loadLatestGame(open.find((p) => p.gameId === gameId)!.sport, gameId);
    this.syncMarks();
    for (const p of open) this.publishPosition(p);
    for (const p of result.closedSinceCommit) this.publishPosition(p);
    for (const gameId of new Set(open.map((p) => p.gameId))) if (this.catalogue.isFinal(gameId)) void this.settleGame(gameId);

    this.ingest = new TradeIngest(
      this.options.reader,
      {
        streamKey: keys.tradesCompleted,
        batch: config.readBatch,
        blockMs: config.readBlockMs,
        onError: (err) => log.warn({ err }, 'reading or applying trades:completed failed; retrying'),
        appliedCursor: () => ledger.tradeCursor,
      },
      (entries) => this.onTradeEntries(entries),
    );
    this.ingest.start(ledger.tradeCursor);
    this.timer = setInterval(() => this.tick(), config.exitCheckMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    if (this.markFlush !== null) clearImmediate(this.markFlush);
    this.marks?.close();
    await this.ingest?.stop();
    await this.queue.idle();
  }

  /** The ledger, for in-process tests and metrics (null until recovery is done). */
  get state(): TrackerLedger | null {
    return this.ledger;
  }

  // ---------------------------------------------------------------------------------------------
  // Trades and settlements: the only writers of the ledger, both inside the queue.

  private onTradeEntries(entries: TradeEntry[]): Promise<void> {
    return this.queue.run(async () => {
      const ledger = this.ledger!;
      const changes: PositionChange[] = [];
      const now = nowMicros();
      for (const entry of entries) {
        try {
          if (entry.trade === null) {
            ledger.skipMalformedTrade(entry.streamId);
            this.options.log.warn({ code: 'ARB_TRADE_MALFORMED', streamId: entry.streamId, err: entry.error }, 'ARB_TRADE_MALFORMED: trades:completed entry skipped');
            continue;
          }
          const result = ledger.applyTrade(entry.streamId, entry.trade);
          this.watch.noteDurable(entry.trade.trade_id, now);
          for (const reason of result.refused) {
            this.options.log.warn({ code: 'ARB_POSITION_INVALID', trade: entry.trade.trade_id, err: reason }, 'ARB_POSITION_INVALID: fill refused');
          }
          if (entry.trade.source === 'exit') this.exits.onExitTrade(entry.trade.source_id, result.changes.length > 0);
          changes.push(...result.changes);
        } catch (err) {
          this.counters.entries_out_of_order++;
          this.options.log.error({ streamId: entry.streamId, err: errorMessage(err) }, 'trades:completed entry not applied');
        }
      }
      await this.afterChanges(changes);
      // A fill after the final (a late exit, a slow venue) is settled like the rest.
      for (const change of changes) {
        if (change.position.state === 'open' && this.catalogue.isFinal(change.position.gameId)) this.pendingFinals.add(change.position.gameId);
      }
    });
  }

  private settleGame(gameId: string): Promise<void> {
    return this.queue.run(async () => {
      if (this.stopped || this.ledger === null) return;
      const ledger = this.ledger;
      const game = this.catalogue.get(gameId);
      if (game === undefined) return;
      const held = ledger.openOfGame(gameId);
      if (held.length === 0) {
        this.counters.finals_without_positions++;
        return;
      }
      if (game.state === null) await this.loadLatestGame(game.sport, gameId);
      const now = nowMicros();
      const plan = planSettlement(game, held, {
        settlementId: `stl-${this.bootId}-${++this.settlementSeq}`,
        afterTradeId: ledger.tradeCursor,
        nowUs: now,
        finalGraceUs: this.config.finalGraceMs * 1000,
      });
      if (plan.kind === 'nothing') return;
      if (plan.kind === 'wait') {
        this.pendingFinals.add(gameId);
        return;
      }
      if (plan.unresolved.length > 0 && !this.unresolvedLogged.has(gameId)) {
        this.unresolvedLogged.add(gameId);
        this.counters.settlements_unresolved++;
        this.options.log.warn({ code: 'ARB_SETTLEMENT_UNRESOLVED', gameId, why: plan.unresolved }, 'ARB_SETTLEMENT_UNRESOLVED: positions left open');
      }
      if (plan.record === null) return;
      let streamId: string;
      try {
        // Durable first: a crash after this line is replayed; before it, the final is seen again.
        streamId = await this.appendSettlement(plan.record);
      } catch (err) {
        this.counters.settlement_write_errors++;
        this.pendingFinals.add(gameId);
        this.options.log.warn({ gameId, err: errorMessage(err) }, 'recording a settlement failed; retrying');
        return;
      }
      this.counters.settlements_recorded++;
      const changes = ledger.applySettlement(streamId, plan.record);
      this.options.log.info({ gameId, settlement: plan.record.settlement_id, positions: changes.length, score: `${plan.record.home_score}-${plan.record.away_score}` }, 'game settled');
      await this.afterChanges(changes);
    });
  }

  private async appendSettlement(record: SettlementRecord): Promise<string> {
    const fields = settlementFields(record);
    const fence = this.options.fenceKey ?? null;
    if (fence !== null) return fencedXadd(this.options.redis, fence, this.options.keys.settlements, fields);
    return (await this.options.redis.xadd(this.options.keys.settlements, '*', ...fields))!;
  }

  /** Publishes, snapshots and re-subscribes after ledger changes (inside the queue). */
  private async afterChanges(changes: readonly PositionChange[]): Promise<void> {
    const latest = new Map<string, PositionSnapshot>();
    for (const change of changes) latest.set(change.position.positionId, change.position);
    const upserts: PositionRow[] = [];
    const closed: PositionRow[] = [];
    for (const p of latest.values()) {
      const row = this.row(p);
      if (p.state === 'open') upserts.push(row);
      else {
        closed.push(row);
        this.exits.forget(p.positionId);
        this.markDirty.delete(p.positionId);
        this.lastPublishedUs.delete(p.positionId);
      }
      this.publishRow(row);
    }
    this.syncMarks();
    await this.commit(upserts, closed);
  }

  private async commit(upserts: PositionRow[], closed: PositionRow[] = []): Promise<void> {
    const ledger = this.ledger!;
    const base = { summary: ledger.summary(), initialBankrollCc: ledger.initialBankrollCc, nowUs: nowMicros() };
    try {
      if (this.snapshotDirty) {
        const all = [...this.pendingClosed, ...closed];
        await this.store.replace(ledger.book.open().map((p) => this.row(p)), { ...base, closed: all });
        this.snapshotDirty = false;
        this.pendingClosed = [];
      } else {
        await this.store.commit({ ...base, upserts, closed });
      }
    } catch (err) {
      this.pendingClosed.push(...closed);
      this.snapshotDirty = true;
      this.counters.commit_errors++;
      this.options.log.warn({ err: errorMessage(err) }, 'snapshot write failed; the next write replaces it whole');
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Marks, games and exits (no ledger change).

  private onPrice(price: PriceUpdate, quoteUs: number): void {
    if (this.marks === null || !this.marks.onPrice(price, quoteUs)) return;
    this.onMarkChanged(price.venue, price.market_id);
  }

  private onQuotes(snapshot: QuoteSnapshot): void {
    const marks = this.marks;
    if (marks === null) return;
    this.counters.quote_snapshots++;
    for (const quote of snapshot.quotes) {
      if (marks.onPrice(quote, quote.origin_ts)) this.onMarkChanged(quote.venue, quote.market_id);
    }
  }

  private onMarkChanged(venue: Venue, marketId: string): void {
    const ledger = this.ledger;
    if (ledger === null) return;
    const now = nowMicros();
    for (const side of ['yes', 'no'] as const) {
      const p = ledger.book.get(venue, marketId, side);
      if (p === undefined) continue;
      this.checkExit(p, now);
      this.markDirty.add(p.positionId);
    }
    this.scheduleMarkPublishes();
  }

  /**
   * Publishes changed marks once the messages of this turn of the event loop are handled: a
   * flush per price walked every dirty position for every price (13 % of the tracker's CPU with
   * 400 positions held, bench:pipeline).
   */
  private scheduleMarkPublishes(): void {
    if (this.markFlush !== null || this.stopped) return;
    this.markFlush = setImmediate(() => {
      this.markFlush = null;
      this.flushMarkPublishes(nowMicros());
    });
  }

  private afterGame(gameId: string): void {
    if (this.ledger === null) return;
    if (this.catalogue.isFinal(gameId)) {
      void this.settleGame(gameId);
      return;
    }
    const now = nowMicros();
    for (const p of this.ledger.openOfGame(gameId)) this.checkExit(p, now);
  }

  private checkExit(p: PositionSnapshot, nowUs: number): void {
    const mark = this.marks?.get(p.venue, p.marketId);
    const inputs: ExitInputs = {
      top: mark?.top ?? null,
      quoteUs: mark?.quoteUs ?? null,
      modelYesProb: this.config.edgeGoneEnabled ? this.catalogue.modelYesProb(p.gameId, p.venue, p.marketId) : null,
      secondsToEnd: this.catalogue.secondsToEnd(p.gameId),
      gameFinal: this.catalogue.isFinal(p.gameId),
      hedged: this.isHedged(p),
    };
    const signal = this.exits.check(p, inputs, nowUs);
    if (signal !== null) {
      this.options.log.info({ position: p.positionId, reason: signal.reason, exit: signal.exit_id, yes_price: signal.yes_price }, 'exit signalled');
    }
  }

  /**
   * Held both ways on one game: the outcomes this position pays on and the ones another open
   * position pays on split the game's outcomes between them (YES home on one venue and NO home
   * on another, or YES home and YES away where there are no draws).
   */
  private isHedged(p: PositionSnapshot): boolean {
    const mine = this.payoffMask(p);
    if (mine === null) return false;
    const all = sportHasDraws(p.sport) ? 7 : 3;
    for (const q of this.ledger!.openOfGame(p.gameId)) {
      if (q.positionId === p.positionId) continue;
      const theirs = this.payoffMask(q);
      if (theirs !== null && (mine & theirs) === 0 && (mine | theirs) === all) return true;
    }
    return false;
  }

  private payoffMask(p: PositionSnapshot): number | null {
    const ref = this.catalogue.marketRef(p.venue, p.marketId);
    if (ref === undefined) return null;
    const all = sportHasDraws(p.sport) ? 7 : 3;
    const bit = ref.outcome === 'home' ? 1 : ref.outcome === 'away' ? 2 : 4;
    return p.side === 'yes' ? bit : all & ~bit;
  }

  private tick(): void {
    if (this.stopped || this.ledger === null) return;
    const now = nowMicros();
    for (const p of this.ledger.book.open()) this.checkExit(p, now);
    this.flushMarkPublishes(now);
    for (const tradeId of this.watch.overdue(now, (id) => this.ledger!.hasTrade(id))) {
      this.options.log.error({ code: 'ARB_TRADE_NOT_DURABLE', tradeId }, 'ARB_TRADE_NOT_DURABLE: a trade heard on the hot path is not in trades:completed');
    }
    for (const gameId of [...this.pendingFinals]) {
      this.pendingFinals.delete(gameId);
      void this.settleGame(gameId);
    }
    const held = new Set(this.ledger.book.open().map((p) => p.gameId));
    this.catalogue.prune(now - GAME_RETENTION_US, held);
    if (!this.refreshing && now - this.lastGameRefreshUs >= this.config.gameRefreshMs * 1000) {
      this.lastGameRefreshUs = now;
      this.refreshing = true;
      void this.refreshHeldGames().finally(() => (this.refreshing = false));
    }
    if (!this.marksWriteQueued && (this.snapshotDirty || now - this.lastMarksWriteUs >= this.config.snapshotMs * 1000)) {
      this.marksWriteQueued = true;
      void this.queue.run(async () => {
        this.marksWriteQueued = false;
        this.lastMarksWriteUs = nowMicros();
        if (this.snapshotDirty) return this.commit([]);
        try {
          await this.store.writeMarks(this.ledger!.book.open().map((p) => this.row(p)));
        } catch (err) {
          this.options.log.debug({ err: errorMessage(err) }, 'writing marks failed');
        }
      });
    }
  }

  private flushMarkPublishes(nowUs: number): void {
    const ledger = this.ledger;
    if (ledger === null) return;
    for (const id of [...this.markDirty]) {
      if (nowUs - (this.lastPublishedUs.get(id) ?? 0) < this.config.markPublishMs * 1000) continue;
      this.markDirty.delete(id);
      const [venue, marketId, side] = splitPositionKey(id);
      const p = venue === undefined ? undefined : ledger.book.get(venue, marketId!, side!);
      if (p !== undefined && p.positionId === id) this.publishPosition(p);
    }
  }

  private syncMarks(): void {
    const marks = this.marks;
    if (marks === null || this.ledger === null) return;
    const held = this.ledger.book.open().map((p) => ({ venue: p.venue, marketId: p.marketId }));
    for (const market of marks.sync(held)) {
      void marks.seed(market).then((seeded) => {
        if (seeded) this.onMarkChanged(market.venue, market.marketId);
      });
    }
  }

  private row(p: PositionSnapshot): PositionRow {
    const top = p.state === 'open' ? (this.marks?.get(p.venue, p.marketId)?.top ?? null) : null;
    const message = positionMessage(p, top, this.fees[p.venue]);
    const team = this.catalogue.marketRef(p.venue, p.marketId)?.team ?? null;
    return { position: { ...message, team }, book: p };
  }

  private publishPosition(p: PositionSnapshot): void {
    this.publishRow(this.row(p));
  }

  private publishRow(row: PositionRow): void {
    if (this.options.publisher.publish(Topic.position(row.book.positionId), 'position', row.position) !== null) {
      this.counters.positions_published++;
    }
    if (row.book.state === 'open') this.lastPublishedUs.set(row.book.positionId, nowMicros());
  }

  // ---------------------------------------------------------------------------------------------
  // Game catalogue from the slow track (start-up, and a final without a known score).

  /** Re-reads held games from the slow track; a final found there settles like one heard. */
  private async refreshHeldGames(): Promise<void> {
    const ledger = this.ledger;
    if (ledger === null) return;
    const games = new Map(ledger.book.open().map((p) => [p.gameId, p.sport]));
    for (const [gameId, sport] of games) {
      if (this.stopped) return;
      if (this.catalogue.get(gameId)?.markets.size === 0 || this.catalogue.get(gameId) === undefined) await this.loadActiveGame(gameId);
      await this.loadLatestGame(sport, gameId);
      if (this.catalogue.isFinal(gameId)) void this.settleGame(gameId);
    }
  }

  private async loadActiveGame(gameId: string): Promise<void> {
    const info = await this.activeGames.readGame(gameId);
    if (info !== null) this.catalogue.applyInfo(info, nowMicros());
  }

  /** Every game of games:active; a failed read is logged by the reader and not retried here. */
  private async loadActiveGames(): Promise<void> {
    const read = await this.activeGames.read();
    if (read === null) return;
    this.counters.games_unreadable += read.unreadable;
    for (const info of read.games.values()) this.catalogue.applyInfo(info, nowMicros());
  }

  private async loadLatestGame(sport: Sport, gameId: string): Promise<void> {
    let text: string | null;
    try {
      text = await this.options.redis.get(this.options.keys.gameLatest(sport, gameId));
    } catch {
      return;
    }
    if (text === null) return;
    const entry = parseGameValue(text);
    if (entry?.envelope.type === 'game_state') {
      const parsed = GameStateSchema.safeParse(entry.envelope.data);
      if (parsed.success) this.catalogue.applyState(parsed.data, nowMicros());
      else this.counters.games_unreadable++;
    } else if (entry?.envelope.type === 'game_info') {
      const parsed = GameInfoSchema.safeParse(entry.envelope.data);
      if (parsed.success) this.catalogue.applyInfo(parsed.data, nowMicros());
      else this.counters.games_unreadable++;
    } else this.counters.games_unreadable++;
  }

  private metrics(): Record<string, number> {
    const ledger = this.ledger;
    const summary = ledger?.summary();
    return {
      ...this.counters,
      ...(ledger ? ledger.counters : {}),
      ...this.exits.counters,
      ...(this.marks ? this.marks.counters : {}),
      ...this.watch.counters,
      ...(this.ingest ? this.ingest.counters : {}),
      open_positions: summary?.openPositions ?? 0,
      cash_cc: summary?.cashCc ?? 0,
      realised_cc: summary?.realisedCc ?? 0,
      day_realised_cc: summary?.dayRealisedCc ?? 0,
      exits_in_flight: this.exits.inFlightCount(),
      held_markets: this.marks?.heldCount() ?? 0,
      pending_not_durable: this.watch.pendingCount(),
      hot_lead_us: this.watch.lastHotLeadUs,
      queue_depth: this.queue.pending,
    };
  }
}

/** `venue:market:side:n` back to its parts (market ids never hold a colon-free venue prefix). */
function splitPositionKey(positionId: string): [Venue | undefined, string | undefined, 'yes' | 'no' | undefined] {
  const parts = positionId.split(':');
  if (parts.length < 4) return [undefined, undefined, undefined];
  const venue = parts[0] as Venue;
  const side = parts[parts.length - 2] as 'yes' | 'no';
  const marketId = parts.slice(1, -2).join(':');
  return [venue, marketId, side];
}
