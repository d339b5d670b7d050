/**
 * The ledger fence: durable writes that run only while `ledger:epoch` exists. A Redis that
 * restarts empty (or is flushed) under a running service takes nothing from it in the moment
 * before its ledger guard (ledger-guard.ts) notices and halts it; a record landing in the emptied
 * stream made `arbees ledger restore` refuse (chaos run, 2026-12-06). Used by execution_service's
 * outbox and claims and by position_tracker's settlements.
 *
 * Outbox entries write through ioredis's MULTI API; recordCommands gives them the same API and
 * keeps each call as a plain command for the batch script.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import { LedgerFencedError } from '../core/errors.js';

export type RedisCommand = string[];

/**
 * KEYS[1] the fence; ARGV: for each command its argument count, then the command and its
 * arguments. Returns 1 when they ran, -1 (nothing run) when the fence key is gone.
 */
export const FENCED_BATCH_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local i = 1
while i <= #ARGV do
  local n = tonumber(ARGV[i])
  redis.call(unpack(ARGV, i + 1, i + n))
  i = i + n + 1
end
return 1`;

/** A stand-in for a MULTI that records each command called on it into `into`. */
export function recordCommands(into: RedisCommand[]): ChainableCommander {
  const recorder: ChainableCommander = new Proxy({} as ChainableCommander, {
    get: (_target, name) => {
      // Not a thenable, and no symbol is a command.
      if (typeof name !== 'string' || name === 'then') return undefined;
      return (...args: unknown[]) => {
        into.push([name, ...args.map((a) => commandArg(name, a))]);
        return recorder;
      };
    },
  });
  return recorder;
}

function commandArg(command: string, arg: unknown): string {
  if (typeof arg === 'string') return arg;
  if (typeof arg === 'number' && Number.isFinite(arg)) return String(arg);
  throw new TypeError(`${command}: only string and number arguments can be recorded, got ${typeof arg}`);
}

/** KEYS[1] the fence, KEYS[2] the stream; ARGV the entry's fields. The new id, or nil when fenced. */
const FENCED_XADD_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
return redis.call('XADD', KEYS[2], '*', unpack(ARGV))`;

/** XADD of one entry while the fence key exists; throws LedgerFencedError (nothing written) when it is gone. */
export async function fencedXadd(redis: Redis, fenceKey: string, stream: string, fields: readonly string[]): Promise<string> {
  const id = await redis.eval(FENCED_XADD_LUA, 2, fenceKey, stream, ...fields);
  if (typeof id !== 'string') throw new LedgerFencedError(`entry of ${stream}`, fenceKey);
  return id;
}
