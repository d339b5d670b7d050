/**
 * execution_service: turns `signals.trade.*` and `signals.exit.*` into orders (paper, simulated
 * venues or live venues), through the pre-trade risk engine, and records every outcome on
 * `trades.completed.<trade_id>` and the durable stream `trades:completed`. See
 * execution-service-core.ts for the decision loop and README.md for the contract.
 */
import { TopicPrefix, VENUES, type Venue } from '../../core/topics.js';
import type { OrderBook, PriceUpdate, QuoteSnapshot } from '../../core/messages.js';
import { errorMessage } from '../../core/errors.js';
import { nowMicros } from '../../core/time.js';
import { LedgerGuard } from '../../runtime/ledger-guard.js';
import { defineService } from '../../runtime/service.js';
import { AuditLog } from './audit-log.js';
import { BookCache } from './book-cache.js';
import { MarketFollower, type FollowedMarket } from './market-follower.js';
import type { HotSubscriber } from '../../bus/hot-subscriber.js';
import type { Logger } from 'pino';
import type { Metrics } from '../../runtime/metrics.js';
import { executionConfigSpec, resolveExecutionSettings, type ExecutionConfig, type MarketSubscription } from './execution-service-config.js';
import { ExecutionService } from './execution-service-core.js';
import { ExecutionState } from './execution-state.js';
import { IdempotencyStore } from './idempotency-store.js';
import { KillSwitch } from './kill-switch.js';
import { createEntryPause } from './entry-pause.js';
import { OrderOutcomeTracker } from './order-outcome-tracker.js';
import { RedisOutbox } from './redis-outbox.js';
import { SlowKey } from '../../core/slow-keys.js';
import { replayState } from './state-replay.js';
import { SignalGate } from './signal-gate.js';
import { TradeRecorder } from './trade-recorder.js';
import { buildExecutors } from './venue-executors.js';
import type { TradeRecord } from './execution-types.js';

export const executionService = defineService({
  name: 'execution_service',
  seedPort: 5559,
  description: 'risk-checked execution of trade and exit signals (paper, sim or live), trades.completed + trades:completed',
  configSpec: executionConfigSpec,
  checkConfig: (config) => void resolveExecutionSettings(config),
  async start(ctx) {
    const { config, log, redis, metrics } = ctx;
    const settings = resolveExecutionSettings(config);
    if (settings.mode === 'live') log.warn({ dryRun: settings.dryRun }, 'LIVE TRADING: orders go to the real venues with real money (both opt-ins given)');
    log.info({ mode: settings.mode, dryRun: settings.dryRun, bankrollCc: settings.bankrollCc }, 'execution mode');

    const books = new BookCache(config.bookMaxAgeMs * 1_000, { pricesAsBooks: config.marketSubscription !== 'all' });
    forgetSilentBooks(books, config.bookMaxAgeMs, metrics, ctx.onStop);
    const state = new ExecutionState(settings.limits, settings.bankrollCc);
    // With the ledger guard on, every durable write and claim is fenced by the ledger epoch: a
    // Redis that comes back empty takes nothing from us before the guard halts us (redis-outbox.ts).
    const fenceKey = config.ledgerGuard ? config.keyPrefix + SlowKey.ledgerEpoch : null;
    const outbox = new RedisOutbox(redis, log, { markerKey: config.keyPrefix + SlowKey.execOutboxMarker(config.instance), fenceKey });
    const audit = new AuditLog(outbox, settings.keys.audit, config.auditMaxLen, log);
    const killSwitch = new KillSwitch({
      redis,
      key: settings.keys.killSwitch,
      pollMs: config.killSwitchPollMs,
      staleMs: config.killSwitchStaleMs,
      onChange: (on, reason) => {
        metrics.set('kill_switch', on ? 1 : 0);
        log.warn({ on, reason }, on ? 'kill switch ON: new orders are rejected' : 'kill switch off');
        audit.record({ event: 'kill_switch', reason, data: { on } });
      },
    });
    const entryPause = createEntryPause(redis, settings.keys.entriesPaused, config.killSwitchPollMs, (on) => {
      metrics.set('entries_paused', on ? 1 : 0);
      log.warn({ on }, on ? 'entries paused: reduce-only, new entries are rejected' : 'entries resumed');
      audit.record({ event: 'entries_paused', reason: on ? 'paused' : 'resumed', data: { on } });
    });
    const store = new IdempotencyStore(redis, settings.keys, config.recordTtlS, fenceKey);
    const executors = await buildExecutors({ settings, config, books, log });
    const publisher = await ctx.publisher();
    const recorder = new TradeRecorder(publisher, outbox, settings.keys.tradesCompleted);
    const engine = new ExecutionService({ settings, state, books, executors, killSwitch, entryPause, store, recorder, audit, log, metrics, orderTimeoutMs: config.orderTimeoutMs });
    const tracker = new OrderOutcomeTracker({
      redis,
      blockedKey: settings.keys.blocked,
      risk: state.risk,
      executors,
      intervalMs: config.reconcileIntervalMs,
      log,
      onResolved: (record) => engine.resolved(record),
      onLegReconciled: (record, leg) =>
        audit.record({ event: 'reconciled', sourceId: record.sourceId, reason: leg.report?.detail ?? null, data: { order: leg.order.clientOrderId, filled: leg.report?.filled ?? 0 } }),
    });
    engine.tracker = tracker;
    ctx.onStop(async () => {
      await tracker.stop();
      killSwitch.stop();
      entryPause.stop();
      await Promise.race([outbox.flush(), new Promise((r) => setTimeout(r, 2_000))]);
      outbox.stop();
    });

    await killSwitch.start();
    await entryPause.start();
    // Rebuild from trades:completed, then hear signals: only once the ledger guard admits the
    // ledger (src/runtime/ledger-guard.ts). Halted, the service stays up and trades nothing.
    const rebuildAndServe = async () => {
      const replay = await replayState(redis, settings.keys, state, (gameId, sport) => engine.noteGameSport(gameId, sport));
      if (replay.failedFills.length > 0) log.error({ code: 'ARB_EXEC_STATE', failed: replay.failedFills.slice(0, 10) }, 'some replayed fills could not be applied');
      const blocked = await tracker.loadBlocked();
      const inFlight = await store.inFlight();
      const records: TradeRecord[] = [];
      for (const { member, record } of inFlight) {
        if (record) records.push(record);
        else await store.forgetInFlight(member);
      }
      log.info({ ...replay, failedFills: replay.failedFills.length, blocked, inFlight: records.length, cashCc: state.bankroll.cashCc }, 'state rebuilt from trades:completed');
      await engine.recover(records);
      tracker.start();

      metrics.provide('exec', () => ({
        cash_cc: state.bankroll.cashCc,
        available_cc: state.bankroll.availableCc,
        reserved_cc: state.bankroll.reservedCc,
        open_positions: state.positions.open().length,
        exposure_cc: state.risk.exposureOf().totalCc(),
        blocked_markets: state.risk.blockedMarkets().size,
        unknown_decisions: tracker.unknownDecisions,
        books: books.size,
        outbox_pending: outbox.pending,
        outbox_dropped: outbox.dropped,
        kill_switch_read_errors: killSwitch.readErrors,
      }));

      const sources = config.sourceServices.length > 0 ? { services: config.sourceServices } : {};
      const follow = config.marketSubscription === 'follow';
      const onPrice = (p: PriceUpdate, originUs: number, receivedUs: number): void => {
        books.onPrice(p, originUs, receivedUs);
        if (p.status === 'settled' && typeof p.last_price === 'number' && state.hasPosition(p.venue, p.market_id)) {
          const changes = state.settle(p.venue, p.market_id, p.last_price, receivedUs);
          if (changes.length > 0) {
            audit.record({ event: 'completed', sourceId: `${p.venue}:${p.market_id}`, reason: `settled at ${p.last_price}`, data: changes.map((c) => c.position.positionId) });
            redis.hset(settings.keys.settlements, `${p.venue}:${p.market_id}`, String(p.last_price)).catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'settlement not persisted'));
          }
        }
      };
      const marketSub = await ctx.subscribe(
        marketPrefixes(config.marketSubscription),
        // The subscriber has already validated `data` against the schema its `type` names (the
        // hottest path of this service: validating again cost 16% of its CPU in bench:pipeline).
        (_topic, envelope) => {
          switch (envelope.type) {
            case 'quotes': {
              // One clock read per snapshot, not per quote.
              const receivedUs = nowMicros();
              for (const q of (envelope.data as QuoteSnapshot).quotes) onPrice(q, q.origin_ts, receivedUs);
              return;
            }
            case 'price':
              return onPrice(envelope.data as PriceUpdate, envelope.origin_ts, nowMicros());
            case 'orderbook':
              return books.onOrderBook(envelope.data as OrderBook, nowMicros(), envelope.origin_ts);
          }
        },
        sources,
      );
      if (follow) followMarkets({ sub: marketSub.subscriber, engine, state, books, config, log, metrics, onStop: ctx.onStop });
      const gate = new SignalGate({
        tradeRoles: config.tradeSignalSources,
        exitRoles: config.exitSignalSources,
        verifier: config.signalAuth === 'required' ? ctx.signer : null,
        audit,
        metrics,
        log,
      });
      log.info({ signalAuth: config.signalAuth, busKeyId: ctx.signer.keyId, tradeSources: config.tradeSignalSources, exitSources: config.exitSignalSources }, 'trusted signal sources');
      if (config.signalAuth === 'off') log.warn('EXEC_SIGNAL_AUTH=off: signals are not authenticated; any publisher that claims an allowed role can trade (debugging only)');
      // Signals are validated by the engine (not dropped by the subscriber), so a malformed one is
      // still recorded; they are not parsed before the gate, which checks the MAC over them as sent.
      await ctx.subscribe(
        [TopicPrefix.tradeSignals, TopicPrefix.exitSignals],
        (topic, envelope) => {
          // Halted on a lost ledger: not even a rejection goes into the truncated trades:completed, so a
          // restore from Postgres (which needs the stream not to have moved on) stays possible.
          if (guard?.halted === true) return void metrics.inc('signals_ledger_halted');
          if (!gate.admit(topic, envelope)) return;
          return topic.startsWith(TopicPrefix.tradeSignals) ? engine.onTradeSignal(envelope) : engine.onExitSignal(envelope);
        },
        // Only publishers registered under an allowed role are even connected to (a registry entry
        // is no proof, hence the gate; but a stranger under another name is not heard at all).
        { validate: false, services: config.sourceServices.length > 0 ? config.sourceServices : [...config.tradeSignalSources, ...config.exitSignalSources] },
      );
    };
    const guard = config.ledgerGuard
      ? LedgerGuard.forService(ctx, { keyPrefix: config.keyPrefix, streams: [settings.keys.tradesCompleted], publisher })
      : null;
    ctx.onStop(() => guard?.stop());
    if (guard === null || (await guard.check()) === 'ok') {
      await rebuildAndServe();
      guard?.watch();
      return;
    }
    log.warn('execution state is not rebuilt and no signal is heard until the ledger is confirmed (arbees ledger status)');
    void guard
      .admit()
      .then(async (admitted) => {
        if (!admitted) return;
        await rebuildAndServe();
        guard.watch();
      })
      .catch((err: unknown) => {
        log.error({ err: errorMessage(err) }, 'rebuilding execution state after the ledger was admitted failed; restart the service');
        ctx.setStatus('degraded', `rebuild failed: ${errorMessage(err)}; restart execution_service`);
      });
  },
});

/** How long a market may stay silent before its book is dropped (at least; never with no age limit). */
const SILENT_BOOK_MS = 3_600_000;

/** Drops, once a minute, the books of markets silent for SILENT_BOOK_MS or their max age, whichever is longer. */
function forgetSilentBooks(books: BookCache, bookMaxAgeMs: number, metrics: Metrics, onStop: (fn: () => void) => void): void {
  // EXEC_BOOK_MAX_AGE_MS=0 means a book of any age may be used: then none is dropped.
  if (bookMaxAgeMs === 0) return;
  const afterUs = Math.max(SILENT_BOOK_MS, bookMaxAgeMs) * 1_000;
  const timer = setInterval(() => metrics.inc('books_forgotten', books.forgetSilentSince(nowMicros() - afterUs)), 60_000);
  timer.unref();
  onStop(() => clearInterval(timer));
}

interface FollowDeps {
  sub: HotSubscriber;
  engine: ExecutionService;
  state: ExecutionState;
  books: BookCache;
  config: ExecutionConfig;
  log: Logger;
  metrics: Metrics;
  onStop: (fn: () => void | Promise<void>) => void;
}

/**
 * Follows, by exact price topic, the markets of every live signal (from its arrival until it
 * expires plus a grace), of every open position and of every order in doubt; drops the others.
 */
function followMarkets({ sub, engine, state, books, config, log, metrics, onStop }: FollowDeps): void {
  const follower = new MarketFollower(
    {
      subscribeTopic: (topic) => sub.subscribeTopic(topic),
      unsubscribeTopic: (topic) => sub.unsubscribeTopic(topic),
      onDropped: (m) => books.forget(m.venue, m.marketId),
    },
    log,
  );
  const graceUs = config.followGraceMs * 1_000;
  engine.onSignal = (signal) => {
    // After the decision, not before it: a new ZMQ subscription costs ~0.4 ms of CPU (measured),
    // and the decision needs none (the signal carries its book).
    setImmediate(() => {
      for (const leg of signal.legs) follower.follow(leg.venue, leg.market_id, signal.expires_ts + graceUs);
    });
  };
  const sync = () => follower.sync(keptMarkets(state), nowMicros());
  sync();
  const timer = setInterval(sync, config.followSyncMs);
  timer.unref();
  onStop(() => clearInterval(timer));
  metrics.provide('follow', () => ({ markets: follower.size, followed_total: follower.followedTotal, dropped_total: follower.droppedTotal, carried_books_used: books.carriedUsed }));
}

/** Markets held (either side) or blocked by an order in doubt. */
function* keptMarkets(state: ExecutionState): Iterable<FollowedMarket> {
  for (const p of state.positions.open()) yield { venue: p.venue, marketId: p.marketId };
  for (const key of state.risk.blockedMarkets().keys()) {
    const colon = key.indexOf(':');
    const venue = key.slice(0, colon) as Venue;
    if (VENUES.includes(venue)) yield { venue, marketId: key.slice(colon + 1) };
  }
}

/** What execution_service hears of the markets besides its signals (EXEC_MARKET_SUBSCRIPTION). */
function marketPrefixes(mode: MarketSubscription): string[] {
  if (mode === 'quotes') return [TopicPrefix.quotes];
  if (mode === 'all') return [TopicPrefix.orderbooks, TopicPrefix.prices];
  return []; // follow: exact topics, added and dropped by the MarketFollower
}
