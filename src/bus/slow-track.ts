/**
 * Typed helpers over ioredis for the Redis slow track (docs/architecture.md section 3): the entry layout the
 * bridge writes and the readers services use to recover state after a gap or a restart.
 *
 * The layout lives here, as pure builder functions, so the zmq_listener (which writes the mirror
 * in its own pipeline) and every reader share one definition:
 *   stream entry / latest-price hash: topic, id, src, seq, ts, type, origin_ts, [cause], data(JSON)
 *   latest game key: one JSON object with the same fields, `data` nested.
 * Key names come only from SlowKey (src/core/slow-keys.ts).
 *
 * Readers never throw on bad data: an entry that does not parse, or whose `data` fails the schema
 * of its `type`, is skipped and counted in the caller's SlowReadCounters. Redis errors (server
 * down) do propagate: that is not bad data, and the caller decides whether to retry.
 */
import type { Redis } from 'ioredis';
import { ENVELOPE_VERSION, type RawEnvelope } from '../core/envelope.js';
import {
  isMessageType,
  MessageSchemas,
  type MessageData,
  type MessageType,
} from '../core/messages.js';
import { GAME_LATEST_TTL_S, SlowKey } from '../core/slow-keys.js';
import type { Sport, Venue } from '../core/topics.js';

/** The seed's cap of `signals:trades`; price streams are capped at 10000 (docs/architecture.md section 3). */
export const SLOW_STREAM_DEFAULT_MAXLEN = { prices: 10_000, signals: 1_000, other: 10_000 } as const;

/** One entry read back from the slow track: its topic and its envelope (data not schema-checked). */
export interface SlowEntry {
  topic: string;
  envelope: RawEnvelope;
  /** The Redis stream id (`<ms>-<n>`), for stream entries only. */
  streamId?: string;
}

/** An entry whose `data` passed the schema of its `type` (a union of types stays discriminated). */
export type TypedSlowEntry<T extends MessageType> = T extends MessageType
  ? SlowEntry & { envelope: RawEnvelope & { type: T; data: MessageData<T> } }
  : never;

/** Counters a reader increments; pass one object per service and publish it with its metrics. */
export interface SlowReadCounters {
  /** Entries that could not be parsed back into an envelope. */
  malformed: number;
  /** Entries that parsed but whose `data` failed the schema of their `type`. */
  invalid: number;
}

export const newSlowReadCounters = (): SlowReadCounters => ({ malformed: 0, invalid: 0 });

// ---------------------------------------------------------------------------------------------
// Builders (pure): what the bridge and the owners write.

/**
 * JSON of anything a decoder can hand us. msgpack may decode 64-bit integers as BigInt, which
 * JSON.stringify rejects; writing them as decimal strings keeps the bridge from ever throwing.
 */
export function slowJson(value: unknown): string {
  try {
    // The plain call first: a replacer function makes JSON.stringify several times slower, and
    // the bridge calls this for every hot message. Only a BigInt (or a cycle) makes it throw.
    return JSON.stringify(value) ?? 'null';
  } catch {
    try {
      return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null';
    } catch {
      return 'null';
    }
  }
}

/** Flat `[field, value, ...]` of a stream entry, ready for `XADD key MAXLEN ~ n * ...fields`. */
export function streamEntryFields(topic: string, envelope: RawEnvelope): string[] {
  const fields = [
    'topic', topic,
    'id', envelope.id,
    'src', envelope.src,
    'seq', String(envelope.seq),
    'ts', String(envelope.ts),
    'type', envelope.type,
    'origin_ts', String(envelope.origin_ts),
  ];
  if (typeof envelope.cause === 'string') fields.push('cause', envelope.cause);
  fields.push('data', slowJson(envelope.data));
  return fields;
}

/** Fields of the latest-price hash `price:<venue>:<id>`: the same layout as a stream entry. */
export function latestPriceFields(topic: string, envelope: RawEnvelope): Record<string, string> {
  return pairsToRecord(streamEntryFields(topic, envelope));
}

/** Value of the latest-game key `games:<sport>:<id>` (one JSON object, `data` nested). */
export function latestGameValue(topic: string, envelope: RawEnvelope): string {
  const { v: _v, cause, ...rest } = envelope;
  return slowJson(cause === undefined || cause === null ? { topic, ...rest } : { topic, ...rest, cause });
}

// ---------------------------------------------------------------------------------------------
// Parsers (pure): never throw, return null on anything malformed.

const INT = /^-?\d{1,16}$/;

function parseInt64(text: string | undefined): number | null {
  if (text === undefined || !INT.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Rebuilds an entry from its field map (stream entry or hash); null when malformed. */
export function parseEntryFields(fields: Readonly<Record<string, string>>): SlowEntry | null {
  const { topic, id, src, type, cause } = fields;
  const seq = parseInt64(fields.seq);
  const ts = parseInt64(fields.ts);
  const originTs = parseInt64(fields.origin_ts);
  if (!topic || !id || !src || !type || seq === null || seq < 0 || ts === null || originTs === null) return null;
  if (fields.data === undefined) return null;
  const data = parseJson(fields.data);
  if (typeof data !== 'object' || data === null) return null;
  const envelope: RawEnvelope = { v: ENVELOPE_VERSION, type, id, src, seq, ts, origin_ts: originTs, data };
  if (cause !== undefined && cause !== '') envelope.cause = cause;
  return { topic, envelope };
}

/** Parses a latest-game value written by latestGameValue; null when malformed. */
export function parseGameValue(text: string): SlowEntry | null {
  const value = parseJson(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const o = value as Record<string, unknown>;
  const asText = (v: unknown): string | undefined =>
    typeof v === 'string' ? v : typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : undefined;
  const fields: Record<string, string> = {};
  for (const name of ['topic', 'id', 'src', 'seq', 'ts', 'type', 'origin_ts', 'cause'] as const) {
    const text = asText(o[name]);
    if (text !== undefined) fields[name] = text;
  }
  if (typeof o.data !== 'object' || o.data === null) return null;
  fields.data = slowJson(o.data);
  return parseEntryFields(fields);
}

/** Checks `data` against the schema of the entry's type; null (counted) when it fails. */
function checkTyped<T extends MessageType>(
  entry: SlowEntry | null,
  types: readonly T[],
  counters: SlowReadCounters,
): TypedSlowEntry<T> | null {
  if (entry === null) {
    counters.malformed += 1;
    return null;
  }
  const type = entry.envelope.type;
  if (!isMessageType(type) || !(types as readonly string[]).includes(type)) {
    counters.invalid += 1;
    return null;
  }
  const parsed = MessageSchemas[type].safeParse(entry.envelope.data);
  if (!parsed.success) {
    counters.invalid += 1;
    return null;
  }
  return { ...entry, envelope: { ...entry.envelope, data: parsed.data } } as TypedSlowEntry<T>;
}

function pairsToRecord(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) out[pairs[i]!] = pairs[i + 1]!;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Writers: for owners writing directly and for tests; the bridge uses the builders in a pipeline.

/** XADD with an approximate cap (`MAXLEN ~ n`, which lets Redis trim whole nodes cheaply). */
export async function appendToStream(
  redis: Redis,
  streamKey: string,
  topic: string,
  envelope: RawEnvelope,
  maxLen: number,
): Promise<string> {
  const id = await redis.xadd(streamKey, 'MAXLEN', '~', maxLen, '*', ...streamEntryFields(topic, envelope));
  return id ?? '';
}

export async function writeLatestPrice(redis: Redis, venue: Venue, marketId: string, topic: string, envelope: RawEnvelope): Promise<void> {
  // DEL + HSET in one transaction: a hash keeps fields of an older write (e.g. a `cause`) otherwise.
  const key = SlowKey.latestPrice(venue, marketId);
  await redis.multi().del(key).hset(key, latestPriceFields(topic, envelope)).exec();
}

export async function writeLatestGame(redis: Redis, sport: Sport, gameId: string, topic: string, envelope: RawEnvelope): Promise<void> {
  await redis.set(SlowKey.gameLatest(sport, gameId), latestGameValue(topic, envelope), 'EX', GAME_LATEST_TTL_S);
}

// ---------------------------------------------------------------------------------------------
// Readers.

/** The latest price of one market, schema-checked; null when absent or bad (bad is counted). */
export async function readLatestPrice(
  redis: Redis,
  venue: Venue,
  marketId: string,
  counters: SlowReadCounters = newSlowReadCounters(),
): Promise<TypedSlowEntry<'price'> | null> {
  const fields = await redis.hgetall(SlowKey.latestPrice(venue, marketId));
  if (Object.keys(fields).length === 0) return null;
  return checkTyped(parseEntryFields(fields), ['price'], counters);
}

/** The latest game message (info or state), schema-checked; null when absent or bad. */
export async function readLatestGame(
  redis: Redis,
  sport: Sport,
  gameId: string,
  counters: SlowReadCounters = newSlowReadCounters(),
): Promise<TypedSlowEntry<'game_info' | 'game_state'> | null> {
  const text = await redis.get(SlowKey.gameLatest(sport, gameId));
  if (text === null) return null;
  return checkTyped(parseGameValue(text), ['game_info', 'game_state'], counters);
}

/**
 * The newest `count` entries of a stream, oldest first (replay order). Entries are parsed but
 * their `data` is not schema-checked: a stream may mix types; use `checkEntry` per entry.
 */
export async function readRecent(
  redis: Redis,
  streamKey: string,
  count: number,
  counters: SlowReadCounters = newSlowReadCounters(),
): Promise<SlowEntry[]> {
  const raw = await redis.xrevrange(streamKey, '+', '-', 'COUNT', count);
  return parseStreamEntries(raw.reverse(), counters);
}

/** Entries strictly after `afterId` (exclusive), oldest first, at most `count`. */
export async function readSince(
  redis: Redis,
  streamKey: string,
  afterId: string,
  count: number,
  counters: SlowReadCounters = newSlowReadCounters(),
): Promise<SlowEntry[]> {
  const raw = await redis.xrange(streamKey, `(${afterId}`, '+', 'COUNT', count);
  return parseStreamEntries(raw, counters);
}

/** Schema-checks one entry against the types the caller accepts; null (counted) otherwise. */
export function checkEntry<T extends MessageType>(
  entry: SlowEntry,
  types: readonly T[],
  counters: SlowReadCounters,
): TypedSlowEntry<T> | null {
  return checkTyped(entry, types, counters);
}

function parseStreamEntries(raw: [id: string, fields: string[]][], counters: SlowReadCounters): SlowEntry[] {
  const out: SlowEntry[] = [];
  for (const [streamId, pairs] of raw) {
    const entry = parseEntryFields(pairsToRecord(pairs));
    if (entry === null) {
      counters.malformed += 1;
      continue;
    }
    out.push({ ...entry, streamId });
  }
  return out;
}
