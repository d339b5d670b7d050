/**
 * Lua run inside Redis by the writer. One script call appends a whole batch to one stream, its
 * entries packed into a single MessagePack argument (unpacked by Redis's built-in cmsgpack).
 * Why: ioredis spends most of a plain XADD pipeline building one command object per entry and
 * converting every field (about 15 us of CPU per entry); one packed argument per stream per flush
 * costs about 3 us, so the bridge keeps up with the hot path. A script also runs atomically:
 * a failed call wrote nothing of its batch, and a call that ran wrote all of it.
 *
 * Exactly once: a write whose reply never came (a command timeout during a Redis stall, a
 * connection lost after the server ran it) is retried, and must not land twice. Each entry
 * carries a mark (publisher src and sequence key, seq, publisher boot id); per stream, a hash
 * holds the mark of the last entry appended from each publisher stream, and an entry whose seq
 * is not above it, from the same boot, is skipped: the hot path numbers each publisher stream
 * 1, 2, 3... in order, so "not above" means "already appended" (or heard twice). A new boot id
 * (the publisher restarted, its seqs start again at 1) replaces the mark. The marks are read
 * with one HMGET and written with one HSET per batch, so an entry costs a Lua table lookup, not
 * a Redis call. They hold one field per publisher stream (market): past a bound the hash is
 * renamed to a previous generation, which is still read, so memory stays bounded and a mark
 * lives at least one full generation.
 *
 * The latest-state writes check the value they would replace: the same publisher and boot with
 * a seq at or above the new one means the write is a stale retry, and it is skipped, so a late
 * write never rolls a price or a game back.
 */

import { BOOT_ID_LENGTH } from './mirror-check.js';

/** Fields per HMGET/HSET call: Lua's unpack() has a stack limit (~8000 values). */
const CHUNK = 1000;

/**
 * KEYS[1] stream, KEYS[2] marks, KEYS[3] previous marks; ARGV[1] approximate cap; ARGV[2]
 * msgpack array of flat field arrays (slow-track.ts streamEntryFields: topic, id, src, seq come
 * first, and the marks are read from there, so the listener packs nothing more per entry);
 * ARGV[3] '' or msgpack [[index, seq key, ...], [index, ...]]: the entries whose sequence key is
 * not their topic (signals), and the entries Redis refused to run last time (appended whatever
 * the marks say; see redis-writer.ts); ARGV[4] marks per generation. Returns {appended, skipped}.
 */
export const APPEND_BATCH_LUA = `
local stream, seen, prev = KEYS[1], KEYS[2], KEYS[3]
local maxlen = ARGV[1]
local entries = cmsgpack.unpack(ARGV[2])
local cap = tonumber(ARGV[4])
local n = #entries
local seqKeyOf, unsent = {}, {}
if ARGV[3] ~= '' then
  local extra = cmsgpack.unpack(ARGV[3])
  for j = 1, #extra[1], 2 do seqKeyOf[extra[1][j]] = extra[1][j + 1] end
  for j = 1, #extra[2] do unsent[extra[2][j]] = true end
end

-- Each entry's mark: field "<src>|<seq key>", its seq and its publisher's boot id. The
-- distinct fields of this batch and their stored marks ("<seq> <boot>") go in flat tables.
local fieldOf, seqOf, bootOf = {}, {}, {}
local lastSeq, lastBoot, names = {}, {}, {}
for i = 1, n do
  local e = entries[i]
  if e[1] == 'topic' and e[3] == 'id' and e[5] == 'src' and e[7] == 'seq' and tonumber(e[8]) then
    local f = e[6] .. '|' .. (seqKeyOf[i] or e[2])
    fieldOf[i], seqOf[i], bootOf[i] = f, tonumber(e[8]), string.sub(e[4], 1, ${BOOT_ID_LENGTH})
    if lastSeq[f] == nil then lastSeq[f] = false; names[#names + 1] = f end
  end
end
local function load(key, list)
  local missing = {}
  for s = 1, #list, ${CHUNK} do
    local e = math.min(s + ${CHUNK} - 1, #list)
    local values = redis.call('HMGET', key, unpack(list, s, e))
    for j = 1, #values do
      local v, f = values[j], list[s + j - 1]
      local sp = v and string.find(v, ' ', 1, true)
      if sp then
        lastSeq[f] = tonumber(string.sub(v, 1, sp - 1))
        lastBoot[f] = string.sub(v, sp + 1)
      else
        missing[#missing + 1] = f
      end
    end
  end
  return missing
end
if #names > 0 then
  local missing = load(seen, names)
  if #missing > 0 then load(prev, missing) end
end

local appended, skipped, dirty = 0, 0, {}
for i = 1, n do
  local f, seq, boot = fieldOf[i], seqOf[i], bootOf[i]
  local last = f and lastSeq[f]
  local behind = last and lastBoot[f] == boot and seq <= last
  if behind and not unsent[i] then
    skipped = skipped + 1
  else
    redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '*', unpack(entries[i]))
    appended = appended + 1
    -- The mark only moves forward within a boot (an unsent entry may be older than it).
    if f and not behind then
      if not dirty[f] then dirty[f] = true; dirty[#dirty + 1] = f end
      lastSeq[f] = seq
      lastBoot[f] = boot
    end
  end
end

for s = 1, #dirty, ${CHUNK} do
  local args = {}
  for j = s, math.min(s + ${CHUNK} - 1, #dirty) do
    local f = dirty[j]
    args[#args + 1] = f
    args[#args + 1] = string.format('%.0f', lastSeq[f]) .. ' ' .. lastBoot[f]
  end
  redis.call('HSET', seen, unpack(args))
end
if #dirty > 0 and redis.call('HLEN', seen) >= cap then redis.call('RENAME', seen, prev) end
return { appended, skipped }
`;

/**
 * KEYS[k] hash; ARGV[1] msgpack array of flat field arrays, one per key; ARGV[2] msgpack flat
 * array (src, seq, boot) per key. Each hash is replaced unless it holds the same or a later
 * message of the same publisher boot. Returns {written, stale}.
 */
export const REPLACE_HASHES_LUA = `
local fields = cmsgpack.unpack(ARGV[1])
local marks = cmsgpack.unpack(ARGV[2])
local written, stale = 0, 0
for k = 1, #KEYS do
  local src, seq, boot = marks[3 * k - 2], marks[3 * k - 1], marks[3 * k]
  local cur = redis.pcall('HMGET', KEYS[k], 'src', 'seq', 'id')
  local curSeq = type(cur) == 'table' and not cur.err and tonumber(cur[2])
  if curSeq and cur[1] == src and cur[3] and string.sub(cur[3], 1, #boot) == boot and curSeq >= seq then
    stale = stale + 1
  else
    redis.call('DEL', KEYS[k])
    redis.call('HSET', KEYS[k], unpack(fields[k]))
    written = written + 1
  end
end
return { written, stale }
`;

/**
 * KEYS[k] string key; ARGV[1] msgpack flat array (value, ttl seconds, src, seq, boot) per key.
 * The value is the JSON of latestGameValue (src, id, seq at its top level). Each key is SET with
 * its TTL unless it holds the same or a later message of the same publisher boot.
 * Returns {written, stale}.
 */
export const REPLACE_JSON_VALUES_LUA = `
local args = cmsgpack.unpack(ARGV[1])
local written, stale = 0, 0
for k = 1, #KEYS do
  local value, ttl, src, seq, boot = args[5 * k - 4], args[5 * k - 3], args[5 * k - 2], args[5 * k - 1], args[5 * k]
  local isStale = false
  local old = redis.pcall('GET', KEYS[k])
  if type(old) == 'string' then
    local ok, o = pcall(cjson.decode, old)
    if ok and type(o) == 'table' and o.src == src and type(o.id) == 'string' and type(o.seq) == 'number'
      and string.sub(o.id, 1, #boot) == boot and o.seq >= seq then
      isStale = true
    end
  end
  if isStale then
    stale = stale + 1
  else
    redis.call('SET', KEYS[k], value, 'EX', ttl)
    written = written + 1
  end
end
return { written, stale }
`;
