/**
 * The registry of venues: the one place that lists them. Everything venue-specific a service
 * needs (monitor feed, market search, executor, their settings) is reached through it, so adding
 * a venue is its folder plus one line here (and its id in core/topics.ts VENUES, which the
 * compiler then checks against this table). See README.md in this folder.
 */
import { VENUES, type Venue } from '../core/topics.js';
import type { ConfigSpec } from '../runtime/config.js';
import { kalshiAdapter } from './kalshi/adapter.js';
import { polymarketAdapter } from './polymarket/adapter.js';
import type { VenueAdapter } from './venue-adapter.js';

export const VENUE_ADAPTERS = Object.freeze({
  kalshi: kalshiAdapter,
  poly: polymarketAdapter,
} satisfies Record<Venue, VenueAdapter<ConfigSpec, ConfigSpec>>);

type Adapters = typeof VENUE_ADAPTERS;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** A venue's adapter with its settings types erased, for code that treats every venue alike. */
export function venueAdapter(venue: Venue): VenueAdapter {
  return VENUE_ADAPTERS[venue] as unknown as VenueAdapter;
}

/** Every venue's adapter, in VENUES order. */
export function allVenueAdapters(): VenueAdapter[] {
  return VENUES.map(venueAdapter);
}

/** The settings of every venue's market search, merged (market_discovery spreads them into its spec). */
export const venueSearchConfigSpec = Object.freeze(
  Object.assign({}, ...VENUES.map((v) => VENUE_ADAPTERS[v].searchConfigSpec)),
) as UnionToIntersection<Adapters[Venue]['searchConfigSpec']>;

/** The monitor service of each venue, e.g. `kalshi_monitor` -> `kalshi`. */
export const MONITOR_SERVICES: Readonly<Record<string, Venue>> = Object.freeze(
  Object.fromEntries(VENUES.map((v) => [VENUE_ADAPTERS[v].monitorService, v])),
);
