/**
 * Shard assignments and the games:active table in Redis, changed together and atomically.
 *
 *   assign:games          hash game_id -> shard id (`<service>.<instance>`)
 *   assign:shard:<shard>  set of the game ids that shard owns
 *   games:active          hash game_id -> GameInfo JSON (carrying the same shard)
 *
 * Every move is a compare-and-set in one Lua script: it applies only if the game is still owned
 * by the shard the caller believes, so a game can never end up with two owners, a set can never
 * disagree with the hash, and a second orchestrator started by mistake cannot double-assign.
 * Shard ids are the same `<service>.<instance>` string everywhere (the reference system keyed its
 * registry one way and looked assignments up another, so nothing was ever tracked).
 */
import type { Redis } from 'ioredis';
import type { OrchestratorKeys } from './orchestrator-config.js';

//  KEYS: assign hash, old shard set, new shard set, active hash
//  ARGV: game id, expected owner ('' none), new owner ('' none), GameInfo JSON ('' leave as is, '-' delete)
const MOVE_LUA = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then cur = '' end
if cur ~= ARGV[2] then return {0, cur} end
if cur ~= '' then redis.call('SREM', KEYS[2], ARGV[1]) end
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  redis.call('SADD', KEYS[3], ARGV[1])
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end
if ARGV[4] == '-' then redis.call('HDEL', KEYS[4], ARGV[1])
elseif ARGV[4] ~= '' then redis.call('HSET', KEYS[4], ARGV[1], ARGV[4]) end
return {1, cur}
`;

export type MoveResult = { ok: true } | { ok: false; actualOwner: string | null };

/** What to do with the game's games:active entry in the same transaction. */
export type ActiveUpdate = { put: string } | 'delete' | 'keep';

export class AssignmentStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Readonly<OrchestratorKeys>,
  ) {}

  /** game_id -> shard id. */
  async owners(): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.redis.hgetall(this.keys.assignGames)));
  }

  /** Moves `gameId` from `from` to `to` (null: none) if `from` still owns it. */
  async move(gameId: string, from: string | null, to: string | null, active: ActiveUpdate): Promise<MoveResult> {
    const activeArg = active === 'keep' ? '' : active === 'delete' ? '-' : active.put;
    const res = (await this.redis.eval(
      MOVE_LUA,
      4,
      this.keys.assignGames,
      this.keys.assignShard(from ?? ''),
      this.keys.assignShard(to ?? ''),
      this.keys.activeGames,
      gameId,
      from ?? '',
      to ?? '',
      activeArg,
    )) as [number, string];
    if (res[0] === 1) return { ok: true };
    return { ok: false, actualOwner: res[1] === '' ? null : res[1] };
  }

  async putActive(gameId: string, infoJson: string): Promise<void> {
    await this.redis.hset(this.keys.activeGames, gameId, infoJson);
  }

  async removeActive(gameId: string): Promise<void> {
    await this.redis.hdel(this.keys.activeGames, gameId);
  }

  async activeIds(): Promise<string[]> {
    return this.redis.hkeys(this.keys.activeGames);
  }

  /** The games one shard owns, as its own set says. */
  async gamesOf(shardId: string): Promise<string[]> {
    return this.redis.smembers(this.keys.assignShard(shardId));
  }
}
