/**
 * The pregame prior: the market's own estimate of who is stronger, which the win-probability
 * model needs (the reference ran without one and had to switch its model signals off). Before
 * the game starts it follows the mid of the home contract (averaged over venues; 1 - the away
 * mid where there is no home market); when the game goes live it is fixed. A game first seen
 * already live takes the first usable price as its prior. The prior is stored in Redis, so a
 * restarted shard keeps the pregame value instead of taking a live price as its prior.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { VENUES } from '../../core/topics.js';
import type { PregamePrior, ShardGame } from './shard-game.js';

export interface PriorEstimate {
  home: number;
  draw: number | null;
}

/** The market's current home (and draw) probability from the game's trusted books; null when none. */
export function priorEstimate(game: ShardGame, maxSpread: number): PriorEstimate | null {
  let homeSum = 0;
  let homeN = 0;
  let drawSum = 0;
  let drawN = 0;
  const threeWay = game.markets.some((m) => m.outcome === 'draw');
  for (const venue of VENUES) {
    let home: number | null = null;
    let away: number | null = null;
    for (const m of game.markets) {
      if (m.venue !== venue || !m.trusted || m.yesBid === null || m.yesAsk === null) continue;
      if (m.yesAsk - m.yesBid > maxSpread) continue;
      const mid = (m.yesBid + m.yesAsk) / 2;
      if (m.outcome === 'home') home = mid;
      else if (m.outcome === 'away') away = mid;
      else {
        drawSum += mid;
        drawN++;
      }
    }
    // 1 - away is the home probability only where there is no draw.
    const h = home ?? (away !== null && !threeWay ? 1 - away : null);
    if (h !== null) {
      homeSum += h;
      homeN++;
    }
  }
  if (homeN === 0) return null;
  return { home: homeSum / homeN, draw: drawN > 0 ? drawSum / drawN : null };
}

/** Not under way yet: no in-play status, no period started, not over. */
export function isPregame(game: ShardGame): boolean {
  return !game.inPlay && !game.frozen && (game.state?.period ?? 0) === 0;
}

/**
 * Updates the game's prior after one of its prices changed; returns whether it changed. Does
 * nothing until the stored prior has been read, or once the prior is fixed.
 */
export function updatePriorFromPrices(game: ShardGame, maxSpread: number, nowMs: number): boolean {
  if (!game.priorLoaded || game.prior?.fixed === true) return false;
  const pregame = isPregame(game);
  if (!pregame && game.prior !== null) return fixPrior(game, nowMs);
  const est = priorEstimate(game, maxSpread);
  if (est === null) return false;
  if (game.prior !== null && game.prior.home === est.home && game.prior.draw === est.draw) return false;
  game.prior = { home: est.home, draw: est.draw, source: pregame ? 'pregame' : 'first_seen', fixed: !pregame, ts: nowMs };
  game.priorDirty = true;
  game.modelDirty = true;
  return true;
}

/** The game went live: the pregame prior stops following the market. */
export function fixPrior(game: ShardGame, nowMs: number): boolean {
  if (game.prior === null || game.prior.fixed) return false;
  game.prior = { ...game.prior, fixed: true, ts: nowMs };
  game.priorDirty = true;
  return true;
}

const StoredPriorSchema = z.object({
  home: z.number().gt(0).lt(1),
  draw: z.number().min(0).lt(1).nullable(),
  source: z.enum(['pregame', 'first_seen']),
  fixed: z.boolean(),
  ts: z.number(),
});

/** Where priors live in Redis: one TTL'd JSON key per game. */
export class PriorStore {
  /** Stored values that did not parse (skipped: the game gets a new prior). */
  unreadable = 0;

  constructor(
    private readonly redis: Redis,
    private readonly keyOf: (gameId: string) => string,
    private readonly ttlS: number,
  ) {}

  async load(gameId: string): Promise<PregamePrior | null> {
    const raw = await this.redis.get(this.keyOf(gameId));
    if (raw === null) return null;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      this.unreadable++;
      return null;
    }
    const parsed = StoredPriorSchema.safeParse(value);
    if (!parsed.success) {
      this.unreadable++;
      return null;
    }
    return parsed.data;
  }

  async save(gameId: string, prior: PregamePrior): Promise<void> {
    await this.redis.set(this.keyOf(gameId), JSON.stringify(prior), 'EX', this.ttlS);
  }
}
