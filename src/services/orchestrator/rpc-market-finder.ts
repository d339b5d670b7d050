/**
 * A MarketFinder over the reliable Redis RPC queue of market_discovery. The request carries the
 * game as the orchestrator knows it; the reply lists market references. Entries of a reply that
 * do not match MarketRefSchema are dropped (and counted by the caller through `onInvalid`), so a
 * half-bad reply still yields its good markets.
 */
import { ArbeesError } from '../../core/errors.js';
import { MarketRefSchema, type GameInfo, type MarketRef } from '../../core/messages.js';
import type { RpcClient } from '../../bus/rpc-client.js';
import type { MarketFinder } from './market-lookup.js';

/**
 * market_discovery's request (src/services/market-discovery/discovery-types.ts): the game's
 * identity, teams and start. Its reply is `{ game_id, sport, markets: MarketRef[], venues }`;
 * only `markets` matters here.
 */
export interface DiscoveryRequest {
  game_id: string;
  sport: GameInfo['sport'];
  home: { name: string; abbr: string };
  away: { name: string; abbr: string };
  start_time: string;
}

export function discoveryRequest(game: GameInfo): DiscoveryRequest {
  return {
    game_id: game.game_id,
    sport: game.sport,
    home: { name: game.home.name, abbr: game.home.abbr },
    away: { name: game.away.name, abbr: game.away.abbr },
    start_time: game.start_time,
  };
}

export function marketsOfReply(reply: unknown, onInvalid: (n: number) => void = () => {}): MarketRef[] {
  const list = Array.isArray(reply)
    ? reply
    : typeof reply === 'object' && reply !== null && Array.isArray((reply as { markets?: unknown }).markets)
      ? ((reply as { markets: unknown[] }).markets)
      : null;
  if (list === null) throw new ArbeesError('ARB_RPC_MALFORMED', 'market_discovery reply has no markets list');
  const out: MarketRef[] = [];
  let invalid = 0;
  for (const item of list) {
    const parsed = MarketRefSchema.safeParse(item);
    if (parsed.success) out.push(parsed.data);
    else invalid += 1;
  }
  if (invalid > 0) onInvalid(invalid);
  return out;
}

export function rpcMarketFinder(
  client: RpcClient<DiscoveryRequest, unknown>,
  options: { timeoutMs: number; retries: number; onInvalid?: (n: number) => void },
): MarketFinder {
  return async (game) => {
    const reply = await client.call(discoveryRequest(game), { timeoutMs: options.timeoutMs, retries: options.retries });
    return marketsOfReply(reply, options.onInvalid);
  };
}
