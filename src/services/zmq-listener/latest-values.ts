/**
 * What the latest-state keys hold. The price hash carries the shared slow-track entry layout
 * (topic, id, src, seq, ts, type, origin_ts, [cause], data as JSON; see src/bus/slow-track.ts,
 * which the readers parse) plus the price data flattened into fields, so
 * `HGET price:kalshi:<ticker> yes_bid` works from redis-cli or any language. Envelope fields win
 * over data fields of the same name.
 */
import type { RawEnvelope } from '../../core/envelope.js';
import { latestPriceFields, slowJson } from '../../bus/slow-track.js';

/** A hostile or buggy publisher could send thousands of data keys; a hash needs a few dozen. */
const MAX_FLATTENED_FIELDS = 64;

function flattenData(data: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return out;
  let n = 0;
  for (const [name, value] of Object.entries(data as Record<string, unknown>)) {
    if (n++ >= MAX_FLATTENED_FIELDS) break;
    out[name] = flatValue(value);
  }
  return out;
}

function flatValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return slowJson(value);
}

/** Flat `[field, value, ...]` for the latest-price hash. */
export function priceHashFields(topic: string, envelope: RawEnvelope): string[] {
  const record = { ...flattenData(envelope.data), ...latestPriceFields(topic, envelope) };
  const out: string[] = [];
  for (const name in record) out.push(name, record[name]!);
  return out;
}
