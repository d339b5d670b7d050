/**
 * The market_discovery RPC contract: a game in, the venues' game-winner contracts out. Shared by
 * the service and by `discoverMarkets`, the client helper the orchestrator calls.
 *
 * Every contract is a MarketRef (core/messages.ts) saying which team its YES pays on (`team`,
 * the ESPN abbreviation, the same on both venues) and which result that is (`outcome`). A venue
 * with nothing certain to offer says so in `status` and `reason` and assigns no market: a wrong
 * market is worse than none.
 */
import { z } from 'zod';
import { MarketRefSchema, SportSchema, TeamSchema, VenueSchema } from '../../core/messages.js';
import type { Sport, Venue } from '../../core/topics.js';
import type { TeamRef } from '../../core/team-matching.js';

export const DiscoveryRequestSchema = z.object({
  game_id: z.string().min(1).max(128),
  sport: SportSchema,
  home: TeamSchema,
  away: TeamSchema,
  /** Scheduled start (ISO 8601), as ESPN gives it. */
  start_time: z.string().refine((s) => Number.isFinite(Date.parse(s)), 'must be an ISO 8601 date'),
  /** Venues to search (default: all). */
  venues: z.array(VenueSchema).min(1).optional(),
  /** Ignore cached results and search again. */
  refresh: z.boolean().optional(),
});
export type DiscoveryRequest = z.infer<typeof DiscoveryRequestSchema>;

export const DiscoveredMarketSchema = MarketRefSchema.extend({
  confidence: z.number().min(0).max(1),
  /** How the paying team was recognised (abbreviation+label, label, ...). */
  method: z.string(),
  /** Kalshi event ticker or Gamma event id. */
  event_id: z.string(),
  /** Polymarket: the market's condition id (the CLOB `market`). */
  condition_id: z.string().optional(),
  /** Polymarket: Gamma's numeric market id. */
  gamma_market_id: z.string().optional(),
  /** Polymarket: the token that pays when this outcome does NOT happen, when the market has one. */
  no_token_id: z.string().optional(),
});
export type DiscoveredMarket = z.infer<typeof DiscoveredMarketSchema>;

export const VENUE_STATUSES = ['found', 'not_found', 'ambiguous', 'error'] as const;
export type VenueStatus = (typeof VENUE_STATUSES)[number];

export const VenueDiscoverySchema = z.object({
  venue: VenueSchema,
  status: z.enum(VENUE_STATUSES),
  /** Why nothing (or an error) was returned; null when found. */
  reason: z.string().nullable(),
  event_id: z.string().nullable(),
  markets: z.array(DiscoveredMarketSchema),
  searched_at: z.string(),
  from_cache: z.boolean(),
});
export type VenueDiscovery = z.infer<typeof VenueDiscoverySchema>;

export const DiscoveryReplySchema = z.object({
  game_id: z.string(),
  sport: SportSchema,
  /** Every found contract of every venue, ready for GameInfo.markets. */
  markets: z.array(MarketRefSchema),
  venues: z.object({ kalshi: VenueDiscoverySchema.optional(), poly: VenueDiscoverySchema.optional() }),
});
export type DiscoveryReply = z.infer<typeof DiscoveryReplySchema>;

/** A request as the venue searches see it. */
export interface DiscoveryGame {
  gameId: string;
  sport: Sport;
  home: TeamRef;
  away: TeamRef;
  start: Date;
}

/** What one venue search concludes (before caching adds `searched_at` and `from_cache`). */
export interface VenueSearchResult {
  status: VenueStatus;
  reason: string | null;
  eventId: string | null;
  markets: DiscoveredMarket[];
}

/** One venue's game-winner search. */
export interface VenueSearch {
  readonly venue: Venue;
  search(game: DiscoveryGame): Promise<VenueSearchResult>;
}

export const notFound = (reason: string): VenueSearchResult => ({ status: 'not_found', reason, eventId: null, markets: [] });
export const ambiguous = (reason: string): VenueSearchResult => ({ status: 'ambiguous', reason, eventId: null, markets: [] });
