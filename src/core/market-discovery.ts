/**
 * The market_discovery RPC contract: a game in, the venues' game-winner contracts out, on the
 * reliable Redis queue MARKET_DISCOVERY_QUEUE. Shared by the service, by the venues' market
 * searches, and by `discoverMarkets`, the client helper the orchestrator calls.
 *
 * Every contract is a MarketRef (core/messages.ts) saying which team its YES pays on (`team`,
 * the ESPN abbreviation, the same on both venues) and which result that is (`outcome`). A venue
 * with nothing certain to offer says so in `status` and `reason` and assigns no market: a wrong
 * market is worse than none.
 */
import { z } from 'zod';
import { ArbeesError } from './errors.js';
import { MarketRefSchema, SportSchema, TeamSchema, VenueSchema, type Team } from './messages.js';
import type { Sport, Venue } from './topics.js';
import type { TeamRef } from './team-matching.js';

/** The queue the requests go on (MARKET_DISCOVERY_QUEUE overrides it on both sides). */
export const MARKET_DISCOVERY_QUEUE = 'market_discovery';

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
  venues: z.partialRecord(VenueSchema, VenueDiscoverySchema),
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

/** The fields of a GameInfo discovery needs. */
export interface DiscoverableGame {
  game_id: string;
  sport: Sport;
  home: Team;
  away: Team;
  start_time: string;
}

export interface DiscoverMarketsOptions {
  /** Per attempt; a venue search can take a few seconds. */
  timeoutMs?: number;
  retries?: number;
  venues?: Venue[];
  /** Bypass the cache and search the venues again. */
  refresh?: boolean;
}

export const DISCOVER_DEFAULTS = { timeoutMs: 30_000, retries: 1 } as const;

/** The one call of an RPC client that discoverMarkets needs (bus/rpc-client.ts RpcClient has it). */
export interface DiscoveryCaller {
  call(request: unknown, options: { timeoutMs: number; retries: number }): Promise<unknown>;
}

export async function discoverMarkets(client: DiscoveryCaller, game: DiscoverableGame, opts: DiscoverMarketsOptions = {}): Promise<DiscoveryReply> {
  const request: DiscoveryRequest = {
    game_id: game.game_id,
    sport: game.sport,
    home: { name: game.home.name, abbr: game.home.abbr },
    away: { name: game.away.name, abbr: game.away.abbr },
    start_time: game.start_time,
    ...(opts.venues !== undefined ? { venues: opts.venues } : {}),
    ...(opts.refresh === true ? { refresh: true } : {}),
  };
  const raw = await client.call(request, { timeoutMs: opts.timeoutMs ?? DISCOVER_DEFAULTS.timeoutMs, retries: opts.retries ?? DISCOVER_DEFAULTS.retries });
  const parsed = DiscoveryReplySchema.safeParse(raw);
  if (!parsed.success) throw new ArbeesError('ARB_RPC_MALFORMED', `market_discovery reply does not match its schema: ${parsed.error.message}`);
  return parsed.data;
}
