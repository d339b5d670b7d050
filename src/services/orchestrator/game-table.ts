/**
 * Every game the orchestrator follows, in memory and mirrored in a Redis hash so a restarted
 * orchestrator knows what it already announced (no "discovered" storm) and where each game is
 * in its lifecycle. `observe` applies what ESPN says through the lifecycle rules.
 */
import type { Redis } from 'ioredis';
import type { GameStatus } from '../../core/messages.js';
import { transition } from './game-lifecycle.js';
import { factsDiffer, TrackedGameSchema, type ObservedGame, type TrackedGame } from './tracked-game.js';

export type Observation =
  | { kind: 'new'; game: TrackedGame }
  | { kind: 'changed'; game: TrackedGame; from: GameStatus }
  | { kind: 'backward'; game: TrackedGame; ignored: GameStatus; factsChanged: boolean }
  | { kind: 'unchanged'; game: TrackedGame };

export class GameTable {
  private readonly games = new Map<string, TrackedGame>();

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {}

  /** Loads the persisted games; unreadable entries are dropped and their ids returned. */
  async load(): Promise<{ loaded: number; unreadable: string[] }> {
    const raw = await this.redis.hgetall(this.key);
    const unreadable: string[] = [];
    for (const [id, json] of Object.entries(raw)) {
      try {
        const parsed = TrackedGameSchema.safeParse(JSON.parse(json));
        if (parsed.success && parsed.data.game_id === id) this.games.set(id, parsed.data);
        else unreadable.push(id);
      } catch {
        unreadable.push(id);
      }
    }
    if (unreadable.length > 0) await this.redis.hdel(this.key, ...unreadable);
    return { loaded: this.games.size, unreadable };
  }

  get(id: string): TrackedGame | undefined {
    return this.games.get(id);
  }

  all(): TrackedGame[] {
    return [...this.games.values()];
  }

  get size(): number {
    return this.games.size;
  }

  /** Applies one ESPN observation; the caller persists (save) what changed. */
  observe(seen: ObservedGame, nowMs: number): Observation {
    const known = this.games.get(seen.game_id);
    if (known === undefined) {
      const game: TrackedGame = {
        ...seen,
        markets: [],
        markets_checked_ms: null,
        shard: null,
        listed: false,
        over_ms: seen.status === 'final' || seen.status === 'cancelled' ? nowMs : null,
        first_seen_ms: nowMs,
      };
      this.games.set(game.game_id, game);
      return { kind: 'new', game };
    }
    const step = transition(known.status, seen.status);
    const facts = factsDiffer(known, seen);
    if (step.kind === 'backward') {
      // The facts may still move (a rescheduled start); the status does not.
      if (facts) Object.assign(known, { ...seen, status: known.status });
      return { kind: 'backward', game: known, ignored: seen.status, factsChanged: facts };
    }
    if (step.kind === 'same' && !facts) return { kind: 'unchanged', game: known };
    const from = known.status;
    Object.assign(known, seen);
    if (step.kind === 'advance' && (seen.status === 'final' || seen.status === 'cancelled')) known.over_ms = nowMs;
    return { kind: 'changed', game: known, from };
  }

  async save(game: TrackedGame): Promise<void> {
    this.games.set(game.game_id, game);
    await this.redis.hset(this.key, game.game_id, JSON.stringify(game));
  }

  async remove(id: string): Promise<void> {
    this.games.delete(id);
    await this.redis.hdel(this.key, id);
  }
}
