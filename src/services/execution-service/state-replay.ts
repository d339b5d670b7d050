/**
 * Rebuilds the execution state after a restart from what is durable: every trade in
 * `trades:completed` (in stream order), the settlements this service applied, and the markets
 * still blocked by orders with an unknown outcome.
 */
import type { Redis } from 'ioredis';
import { TradeCompletedSchema } from '../../core/messages.js';
import type { ExecutionKeys } from './execution-service-config.js';
import type { ExecutionState } from './execution-state.js';
import type { Sport, Venue } from '../../core/topics.js';

export interface ReplaySummary {
  trades: number;
  fills: number;
  unreadable: number;
  failedFills: string[];
  settlements: number;
}

export async function replayState(redis: Redis, keys: ExecutionKeys, state: ExecutionState, onGame: (gameId: string, sport: Sport) => void): Promise<ReplaySummary> {
  const summary: ReplaySummary = { trades: 0, fills: 0, unreadable: 0, failedFills: [], settlements: 0 };
  let start = '-';
  for (;;) {
    const batch = (await redis.xrange(keys.tradesCompleted, start, '+', 'COUNT', 1000)) as [string, string[]][];
    for (const [, flat] of batch) {
      const data = fieldOf(flat, 'data');
      let trade;
      try {
        trade = TradeCompletedSchema.parse(JSON.parse(data ?? 'null'));
      } catch {
        summary.unreadable++;
        continue;
      }
      summary.trades++;
      onGame(trade.game_id, trade.sport);
      const r = state.replay(trade);
      summary.fills += r.applied;
      summary.failedFills.push(...r.failed);
    }
    if (batch.length < 1000) break;
    start = `(${batch[batch.length - 1]![0]}`;
  }
  const settled = await redis.hgetall(keys.settlements);
  for (const [key, value] of Object.entries(settled)) {
    const colon = key.indexOf(':');
    const yes = Number(value);
    if (colon < 0 || !(yes >= 0 && yes <= 1)) continue;
    summary.settlements += state.settle(key.slice(0, colon) as Venue, key.slice(colon + 1), yes, Date.now() * 1000).length;
  }
  return summary;
}

function fieldOf(flat: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < flat.length; i += 2) if (flat[i] === name) return flat[i + 1];
  return undefined;
}
