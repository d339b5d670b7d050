/**
 * Redis commands run by one script only while a fence key exists (the ledger epoch; see
 * redis-outbox.ts and idempotency-store.ts). Outbox entries write through ioredis's MULTI API;
 * recordCommands gives them the same API and keeps each call as a plain command for the script.
 */
import type { ChainableCommander } from 'ioredis';

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
