/**
 * The orchestrator's side of market_discovery: `discoverMarkets(client, game)` sends a game on
 * the RPC queue and returns the validated, typed reply.
 */
import { ArbeesError } from '../../core/errors.js';
import type { Team } from '../../core/messages.js';
import type { Sport, Venue } from '../../core/topics.js';
import type { RpcClient } from '../../bus/rpc-client.js';
import { DiscoveryReplySchema, type DiscoveryReply, type DiscoveryRequest } from './discovery-types.js';

export { MARKET_DISCOVERY_QUEUE } from './discovery-config.js';

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

export async function discoverMarkets(client: RpcClient, game: DiscoverableGame, opts: DiscoverMarketsOptions = {}): Promise<DiscoveryReply> {
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
