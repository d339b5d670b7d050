/**
 * The part of kalshi_monitor and polymarket_monitor that does not depend on the venue: keeps one
 * slot per assigned market, subscribes the venue feed to exactly those markets, turns book events
 * into prices (hot path) and order books (batched), and reports the link's health.
 */
import type { Logger } from 'pino';
import type { MessageHandler } from '../../bus/hot-subscriber.js';
import { ArbeesError, errorMessage, type ErrorCode } from '../../core/errors.js';
import { Topic, TopicPrefix } from '../../core/topics.js';
import type { Metrics } from '../../runtime/metrics.js';
import { ThrottledLog } from '../../core/throttled-log.js';
import type { ServiceContext } from '../../runtime/service.js';
import type { AssignmentDiff } from './assignment-table.js';
import { AssignmentTracker } from './assignment-tracker.js';
import { FeedHealth } from './feed-health.js';
import { MarketSlot } from './market-slot.js';
import type { MonitorConfig } from './market-monitor-config.js';
import { OrderbookPublisher } from './orderbook-publisher.js';
import { PricePublisher } from './price-publisher.js';
import { QuotePublisher } from './quote-publisher.js';
import type { FeedTop, VenueFeed, VenueFeedHandlers } from '../../venues/venue-feed.js';

export interface MarketMonitorOptions {
  feed: VenueFeed;
  prices: PricePublisher;
  books: OrderbookPublisher;
  quotes?: QuotePublisher;
  health: FeedHealth;
  metrics: Metrics;
  log: Logger;
}

/** Problems are counted always, logged at most this often per second. */
const MAX_PROBLEM_LOGS_PER_SECOND = 5;

export class MarketMonitor implements VenueFeedHandlers {
  readonly #o: Readonly<MarketMonitorOptions>;
  readonly #slots = new Map<string, MarketSlot>();
  readonly #problemLog: ThrottledLog;

  constructor(options: MarketMonitorOptions) {
    this.#o = Object.freeze({ ...options });
    this.#problemLog = new ThrottledLog(options.log, { maxPerWindow: MAX_PROBLEM_LOGS_PER_SECOND });
  }

  marketIds(): string[] {
    return [...this.#slots.keys()];
  }

  slot(marketId: string): MarketSlot | undefined {
    return this.#slots.get(marketId);
  }

  applyDiff(diff: AssignmentDiff): void {
    const { feed, prices, books, log } = this.#o;
    for (const a of diff.added) this.#slots.set(a.marketId, new MarketSlot(a));
    for (const a of diff.changed) {
      const slot = this.#slots.get(a.marketId);
      if (!slot) {
        this.#slots.set(a.marketId, new MarketSlot(a));
        continue;
      }
      slot.assignment = a;
      prices.republish(slot);
    }
    for (const a of diff.removed) {
      this.#slots.delete(a.marketId);
      books.forget(a.marketId);
      this.#o.quotes?.forget(a.marketId);
    }
    feed.setMarkets([...this.#slots.keys()]);
    log.info(
      {
        added: diff.added.map((a) => a.marketId),
        changed: diff.changed.map((a) => a.marketId),
        removed: diff.removed.map((a) => a.marketId),
        markets: this.#slots.size,
      },
      'market assignments changed',
    );
  }

  // ---- VenueFeedHandlers: called synchronously from the venue client's frame handler ----------

  // Each handler runs inside a venue client's socket callback: whatever goes wrong here is
  // counted and logged, never thrown into the client (an exception there could end the process).

  onBook(marketId: string, top: FeedTop, receivedUs: number): void {
    try {
      const slot = this.#slots.get(marketId);
      if (slot === undefined) {
        this.#o.metrics.inc('unassigned_updates');
        return;
      }
      this.#o.prices.onTop(slot, top, receivedUs);
      this.#o.books.markDirty(slot);
    } catch (err) {
      this.#handlerFailed(err, marketId);
    }
  }

  onInvalid(marketId: string, reason: string, receivedUs: number): void {
    try {
      const slot = this.#slots.get(marketId);
      if (slot === undefined) return;
      this.#o.metrics.inc('books_invalidated');
      if (this.#o.prices.onInvalid(slot, receivedUs)) this.#o.log.info({ marketId, reason }, 'book not trustworthy; price halted');
    } catch (err) {
      this.#handlerFailed(err, marketId);
    }
  }

  onSettled(marketId: string, yesValue: number, receivedUs: number): void {
    try {
      const slot = this.#slots.get(marketId);
      if (slot === undefined) return;
      if (this.#o.prices.onSettled(slot, yesValue, receivedUs)) this.#o.log.info({ marketId, yesValue }, 'market settled');
    } catch (err) {
      this.#handlerFailed(err, marketId);
    }
  }

  onLink(): void {
    this.#o.health.evaluate();
  }

  #handlerFailed(err: unknown, marketId: string): void {
    this.#o.metrics.inc('handler_errors');
    this.onProblem(new ArbeesError('ARB_HANDLER_FAILED', `${marketId}: ${errorMessage(err)}`));
  }

  onProblem(err: Error): void {
    this.#o.metrics.inc('feed_problems');
    const code = (err as { code?: ErrorCode }).code;
    this.#problemLog.warn({ link: this.#o.feed.label, code, err: err.message }, 'venue feed problem (counted, skipped)');
  }
}

/**
 * Runs a monitor inside a service: publisher, feed, assignments (hash + hot path + healing),
 * health. Returns once the first read of the hash was attempted; the venue link comes up (or
 * not) in the background and shows in the status.
 */
export async function startMarketMonitor(ctx: ServiceContext<MonitorConfig>, feed: VenueFeed): Promise<MarketMonitor> {
  const { config, metrics, log } = ctx;
  // Order books are already coalesced per interval by the OrderbookPublisher: sent next turn too.
  const publisher = await ctx.publisher(
    config.batchPrices ? { batchPrefixes: [TopicPrefix.orderbooks, TopicPrefix.prices], batchMaxDelayMs: 0, batchPaceMs: config.batchPaceMs } : { batchPrefixes: [TopicPrefix.orderbooks] },
  );
  const health = new FeedHealth({ feed, metrics, log, setStatus: ctx.setStatus, intervalMs: config.statusIntervalMs });
  const books = new OrderbookPublisher({ publisher, feed, metrics, depth: config.bookDepth, intervalMs: config.orderbookIntervalMs });
  const quotes = config.quotesIntervalMs >= 0
    ? new QuotePublisher({ publisher, metrics, venue: feed.venue, topic: Topic.quotes(feed.venue, ctx.instance), intervalMs: config.quotesIntervalMs })
    : undefined;
  const monitor = new MarketMonitor({ feed, prices: new PricePublisher(publisher, metrics, quotes ?? null), books, ...(quotes ? { quotes } : {}), health, metrics, log });
  const tracker = new AssignmentTracker({
    venue: feed.venue,
    redis: ctx.redis,
    activeGamesKey: config.activeGamesKey,
    healIntervalMs: config.healIntervalMs,
    finalGraceMs: config.finalGraceMs,
    log,
    metrics,
    onChange: (diff) => monitor.applyDiff(diff),
  });
  feed.attach(monitor);
  metrics.provide(feed.label.replace(/\W+/g, '_'), () => feed.stats());
  // Registered after the publisher's own hook, so it runs before the publisher closes.
  ctx.onStop(async () => {
    tracker.stop();
    health.stop();
    books.stop();
    quotes?.stop();
    await feed.close();
  });
  feed.start();
  health.evaluate();
  const onGames: MessageHandler = (topic, envelope) => tracker.onGameMessage(topic, envelope);
  // Subscribed before the hash is read, so a message that races the read is not lost.
  await ctx.subscribe([TopicPrefix.games], onGames, { services: config.gamesServices });
  await tracker.start();
  log.info({ markets: monitor.marketIds().length, games: tracker.table.gameCount(), key: config.activeGamesKey }, 'assignments loaded');
  return monitor;
}
