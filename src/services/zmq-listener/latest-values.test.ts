import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RawEnvelope } from '../../core/envelope.js';
import { latestPriceFields, parseEntryFields, slowJson, streamEntryFields } from '../../bus/slow-track.js';
import { priceHashFields } from './latest-values.js';
import { entryFieldsOf } from './redis-writer.js';

/** The hash as the bridge used to build it: flattened data (first 64 keys), envelope fields win. */
function referenceHash(topic: string, envelope: RawEnvelope): Record<string, string> {
  const flat: Record<string, string> = {};
  const data = envelope.data;
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
    for (const [name, value] of Object.entries(data as Record<string, unknown>).slice(0, 64)) {
      flat[name] =
        value === null || value === undefined ? '' :
        typeof value === 'string' ? value :
        typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' ? String(value) :
        slowJson(value);
    }
  }
  return { ...flat, ...latestPriceFields(topic, envelope) };
}

function toRecord(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < pairs.length; i += 2) out[pairs[i]!] = pairs[i + 1]!;
  return out;
}

const fieldName = fc.oneof(fc.constantFrom('topic', 'id', 'src', 'seq', 'ts', 'type', 'origin_ts', 'cause', 'data', 'yes_bid', 'status'), fc.string({ maxLength: 8 }));
const fieldValue = fc.oneof(fc.string(), fc.double({ noNaN: true }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.bigInt());

const envelopeArb = fc.record({
  data: fc.dictionary(fieldName, fieldValue, { maxKeys: 80 }),
  cause: fc.option(fc.string({ minLength: 1, maxLength: 6 }), { nil: undefined }),
  seq: fc.nat(),
});

describe('latest-price hash fields', () => {
  it('hold the same fields and values as flattened data under the entry layout (fast-check)', () => {
    fc.assert(
      fc.property(envelopeArb, ({ data, cause, seq }) => {
        const envelope: RawEnvelope = { v: 1, type: 'price', id: `m${seq}`, src: 'kalshi_monitor.0', seq, ts: 1_700_000_000_000_000 + seq, origin_ts: 1_700_000_000_000_000, data };
        if (cause !== undefined) envelope.cause = cause;
        const topic = 'prices.kalshi.KXA';
        const fields = priceHashFields(streamEntryFields(topic, envelope), data);
        expect(fields.length % 2).toBe(0);
        const record = toRecord(fields);
        expect(Object.keys(record).length * 2).toBe(fields.length); // no field twice
        expect(record).toEqual(referenceHash(topic, envelope));
      }),
      { numRuns: 300 },
    );
  });

  it('read back as the entry they were written from', () => {
    const envelope: RawEnvelope = { v: 1, type: 'price', id: 'm1', src: 's.0', seq: 3, ts: 10, origin_ts: 9, data: { yes_bid: 0.41, status: 'open', topic: 'spoof' } };
    const record = toRecord(priceHashFields(streamEntryFields('prices.poly.T', envelope), envelope.data));
    expect(record.yes_bid).toBe('0.41');
    expect(record.topic).toBe('prices.poly.T');
    expect(parseEntryFields(record)).toEqual({ topic: 'prices.poly.T', envelope });
  });

  it('entryFieldsOf encodes a message once and reuses it', () => {
    const message = { topic: 'prices.poly.T', envelope: { v: 1, type: 'price', id: 'm1', src: 's.0', seq: 1, ts: 1, origin_ts: 1, data: { a: 1 } } as RawEnvelope, fields: undefined };
    const first = entryFieldsOf(message);
    (message.envelope.data as { a: number }).a = 2; // a second encoding would see this
    expect(entryFieldsOf(message)).toBe(first);
    expect(first).toEqual(streamEntryFields('prices.poly.T', { ...message.envelope, data: { a: 1 } }));
  });
});
