/**
 * A MarketFinder over market_discovery's reliable Redis RPC queue, through its own client helper
 * (`discoverMarkets`), which sends the game and validates the reply. A reply that never comes
 * is an RpcTimeoutError after `timeoutMs` per attempt and `retries` re-sends of the same request
 * id (the server answers a re-send from its cache, never twice); MarketLookup then backs off.
 */
import type { RpcClient } from '../../bus/rpc-client.js';
import { discoverMarkets } from '../../core/market-discovery.js';
import type { MarketFinder } from './market-lookup.js';

export function rpcMarketFinder(client: RpcClient, options: { timeoutMs: number; retries: number }): MarketFinder {
  return async (game) => {
    const reply = await discoverMarkets(client, game, { timeoutMs: options.timeoutMs, retries: options.retries });
    return reply.markets;
  };
}
