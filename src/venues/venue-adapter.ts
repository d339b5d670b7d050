/**
 * What a venue implements to take part in arbees (see README.md in this folder): a market-data
 * feed for its monitor, a market search for market_discovery, and an order executor for
 * execution_service, each with the settings it reads. The services only ever see this contract,
 * through the registry in index.ts; nothing outside a venue's folder names its classes.
 *
 * Factories load their modules lazily, so a process pays only for the parts it uses (a monitor
 * never loads the wallet signing code).
 */
import type { Logger } from 'pino';
import type { VenueOrder } from '../core/execution/venue-order.js';
import type { FeeSchedule } from '../core/fees.js';
import type { VenueSearch } from '../core/market-discovery.js';
import type { Venue } from '../core/topics.js';
import type { ConfigOf, ConfigSpec } from '../runtime/config.js';
import type { VenueClientConfig } from '../runtime/venue-credentials.js';
import type { VenueExecutor } from './venue-executor.js';
import type { VenueFeed } from './venue-feed.js';

/** Settings every feed gets from its monitor, whatever the venue. */
export interface FeedCommonConfig {
  /** Levels kept per side of each book. */
  readonly bookDepth: number;
}

/** Settings every market search gets from market_discovery, whatever the venue. */
export interface SearchCommonConfig {
  readonly venueTimeoutMs: number;
  readonly listingTtlMs: number;
  readonly relistAfterMs: number;
  readonly minConfidence: number;
  readonly startToleranceMs: number;
}

/** A market search that also counts the listings it read (a metric of market_discovery). */
export interface CountedVenueSearch extends VenueSearch {
  readonly listingFetches: number;
}

/** What execution_service hands a venue to build its executor (sim and live modes). */
export interface ExecutorContext {
  readonly mode: 'sim' | 'live';
  readonly config: VenueClientConfig;
  readonly fees: FeeSchedule;
  /** A venue order without an answer in this time has an unknown outcome. */
  readonly orderTimeoutMs: number;
  /** An order not found at the venue counts as never placed only after this long. */
  readonly reconcileGraceMs: number;
  /** Where a venue may keep state of its own (e.g. the simulated wallet). */
  readonly dataDir: string;
  readonly log: Logger;
}

export interface VenueAdapter<FeedSpec extends ConfigSpec = ConfigSpec, SearchSpec extends ConfigSpec = ConfigSpec> {
  readonly venue: Venue;
  /** For people: "Kalshi". */
  readonly displayName: string;
  /** The market monitor service of this venue, e.g. `kalshi_monitor`. */
  readonly monitorService: string;
  /** Its monitor's tcp port across hosts (the seed's table: 5555 Kalshi, 5556 Polymarket), if any. */
  readonly monitorSeedPort?: number;
  /** Settings of the feed, read by the monitor besides the venue-independent ones. */
  readonly feedConfigSpec: FeedSpec;
  /** Connects nothing yet: the monitor calls `start()` on the feed. May throw ConfigError. */
  createFeed(config: ConfigOf<FeedSpec> & FeedCommonConfig, log: Logger): Promise<VenueFeed>;
  /** Settings of the market search, read by market_discovery. */
  readonly searchConfigSpec: SearchSpec;
  createMarketSearch(config: ConfigOf<SearchSpec> & SearchCommonConfig): Promise<CountedVenueSearch>;
  /** Why an order can never be sent to this venue (checked before any leg goes out), or null. */
  unsupported(order: VenueOrder): string | null;
  /** The executor of sim or live mode; a venue without credentials refuses its orders with the reason. */
  createExecutor(ctx: ExecutorContext): Promise<VenueExecutor>;
}

/** Types an adapter against its own settings (the registry keeps them, for typed config specs). */
export function defineVenueAdapter<F extends ConfigSpec, S extends ConfigSpec>(adapter: VenueAdapter<F, S>): VenueAdapter<F, S> {
  return Object.freeze(adapter);
}
