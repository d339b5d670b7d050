/**
 * What the latest-state keys hold. The price hash carries the shared slow-track entry layout
 * (topic, id, src, seq, ts, type, origin_ts, [cause], data as JSON; see src/bus/slow-track.ts,
 * which the readers parse) plus the price data flattened into fields, so
 * `HGET price:kalshi:<ticker> yes_bid` works from redis-cli or any language. Envelope fields win
 * over data fields of the same name.
 */
import { slowJson } from '../../bus/slow-track.js';

/** A hostile or buggy publisher could send thousands of data keys; a hash needs a few dozen. */
const MAX_FLATTENED_FIELDS = 64;

function flatValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return slowJson(value);
}

/** Whether `name` is one of the field names (even positions) of a flat entry field list. */
function hasFieldName(entryFields: readonly string[], name: string): boolean {
  for (let i = 0; i < entryFields.length; i += 2) if (entryFields[i] === name) return true;
  return false;
}

/**
 * Flat `[field, value, ...]` for the latest-price hash: the message's stream entry fields
 * (streamEntryFields, already encoded once for its stream append) followed by the first data
 * fields, flattened, minus those an entry field overrides. Built in one array: no records, no
 * spreads, and the data's JSON is not encoded a second time.
 */
export function priceHashFields(entryFields: readonly string[], data: unknown): string[] {
  const out = entryFields.slice();
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return out;
  const record = data as Record<string, unknown>;
  const names = Object.keys(record);
  const n = Math.min(names.length, MAX_FLATTENED_FIELDS);
  for (let i = 0; i < n; i++) {
    const name = names[i]!;
    if (!hasFieldName(entryFields, name)) out.push(name, flatValue(record[name]));
  }
  return out;
}
