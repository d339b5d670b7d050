/**
 * What the orchestrator remembers of one game (persisted as JSON, so a restart loses nothing),
 * and the GameInfo it publishes from it.
 */
import { z } from 'zod';
import { GameInfoSchema, type GameInfo, type Team } from '../../core/messages.js';
import { isValidTopicId } from '../../core/topics.js';
import type { EspnGame, EspnSide } from '../../venues/espn/common.js';

/** A published GameInfo (less its event kind) plus the orchestrator's own bookkeeping. */
export const TrackedGameSchema = GameInfoSchema.omit({ event: true }).extend({
  /** When market_discovery last answered (null: never). */
  markets_checked_ms: z.number().nullable(),
  /** Whether the game is in games:active now (this orchestrator put it there). */
  listed: z.boolean(),
  /** When the game reached final or cancelled (drives its removal from games:active). */
  over_ms: z.number().nullable(),
  first_seen_ms: z.number(),
});
export type TrackedGame = z.infer<typeof TrackedGameSchema>;

/** The game facts ESPN gives us; everything else is ours. */
export type ObservedGame = Pick<TrackedGame, 'game_id' | 'sport' | 'name' | 'home' | 'away' | 'start_time' | 'status'>;

function team(side: EspnSide): Team | null {
  const abbr = side.team.abbr ?? null;
  const name = side.team.name ?? side.team.shortName ?? abbr;
  if (abbr === null || name === null) return null;
  return { name, abbr, espn_id: side.team.id };
}

/**
 * The facts of one ESPN event, or a reason it cannot be followed (no teams, no start time, an
 * id that would break topic matching).
 */
export function observedFromEspn(g: EspnGame): { game: ObservedGame } | { skip: string } {
  if (!isValidTopicId(g.id)) return { skip: 'game_id_invalid' };
  const home = team(g.home);
  const away = team(g.away);
  if (home === null || away === null) return { skip: 'teams_missing' };
  if (g.startTime === null) return { skip: 'start_time_missing' };
  return {
    game: {
      game_id: g.id,
      sport: g.sport,
      name: g.name ?? `${away.name} at ${home.name}`,
      home,
      away,
      start_time: g.startTime,
      status: g.status,
    },
  };
}

export function gameInfo(g: TrackedGame, event: GameInfo['event']): GameInfo {
  return {
    event,
    game_id: g.game_id,
    sport: g.sport,
    name: g.name,
    home: g.home,
    away: g.away,
    start_time: g.start_time,
    status: g.status,
    markets: g.markets,
    shard: g.shard,
  };
}

/** The event a game's message carries: final once it is over. */
export function eventFor(g: TrackedGame, isNew: boolean): GameInfo['event'] {
  if (g.status === 'final' || g.status === 'cancelled') return 'final';
  return isNew ? 'discovered' : 'updated';
}

export const startMsOf = (g: Pick<TrackedGame, 'start_time'>): number => Date.parse(g.start_time);

/** Whether the descriptive facts (not the status) differ. */
export function factsDiffer(a: ObservedGame, b: ObservedGame): boolean {
  return (
    a.name !== b.name ||
    a.start_time !== b.start_time ||
    a.home.name !== b.home.name ||
    a.home.abbr !== b.home.abbr ||
    a.away.name !== b.away.name ||
    a.away.abbr !== b.away.abbr
  );
}
