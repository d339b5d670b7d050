/**
 * Recovery from the Redis slow track (the zmq_listener's mirror) when a game is taken on, after
 * a restart, or when the hot path showed a gap: the latest price of each market (hash
 * `price:<venue>:<id>`) and the latest game_state of the game (`games:<sport>:<id>`). A recovered
 * price replaces the held one only when it is newer; it never causes a signal by itself, and it
 * is a leg only while younger than the price TTL. A recovered state is a baseline (what ESPN is
 * compared with), never a confirmation: model signals wait for ESPN itself.
 */
import type { Redis } from 'ioredis';
import { readLatestGame, readLatestPrice, type SlowReadCounters } from '../../bus/slow-track.js';
import type { GameState } from '../../core/messages.js';
import { nowMicros } from '../../core/time.js';
import { liveStateFromGameState } from './live-state.js';
import type { MarketPrice } from './market-price.js';
import type { ShardGame } from './shard-game.js';

/** Reads the latest price of each market; returns how many were newer than what was held. */
export async function recoverPrices(redis: Redis, markets: readonly MarketPrice[], counters: SlowReadCounters): Promise<number> {
  const entries = await Promise.all(markets.map((m) => readLatestPrice(redis, m.venue, m.marketId, counters)));
  const nowUs = nowMicros();
  let applied = 0;
  for (let i = 0; i < markets.length; i++) {
    const entry = entries[i];
    const market = markets[i]!;
    if (entry === null || entry === undefined) continue;
    const originUs = entry.envelope.origin_ts;
    if (originUs <= market.originUs) continue;
    const d = entry.envelope.data;
    if (d.venue !== market.venue || d.market_id !== market.marketId) continue;
    const sane = d.status === 'open' && (d.yes_bid !== null || d.yes_ask !== null) && (d.yes_bid === null || d.yes_ask === null || d.yes_bid < d.yes_ask);
    market.src = entry.envelope.src;
    market.seq = entry.envelope.seq;
    market.store(d, originUs, nowUs, sane);
    applied++;
  }
  return applied;
}

/** Restores the game's last published state as its baseline when it has none; true when it did. */
export async function recoverGameState(redis: Redis, game: ShardGame, counters: SlowReadCounters): Promise<boolean> {
  const entry = await readLatestGame(redis, game.sport, game.gameId, counters);
  if (entry === null || entry.envelope.type !== 'game_state' || game.state !== null) return false;
  const data = entry.envelope.data as GameState;
  if (data.game_id !== game.gameId) return false;
  game.state = liveStateFromGameState(data);
  game.modelDirty = true;
  game.stateDirty = true;
  return true;
}
