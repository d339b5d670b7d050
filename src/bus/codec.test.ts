import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import type { RawEnvelope } from '../core/envelope.js';
import { DecodeError } from '../core/errors.js';
import { EnvelopeCodec, type BatchItem } from './codec.js';

const msgpack = new EnvelopeCodec('msgpack');
const json = new EnvelopeCodec('json');
const codecs = [msgpack, json] as const;
/** A plain msgpack writer, standing in for a peer that is not this codec (any language). */
const rawPackr = new Packr({ useRecords: false, variableMapSize: true });

const RUNS = { numRuns: 300 };

/** Runs `decode`; returns what it produced, 'rejected' for a DecodeError, and lets anything else escape. */
function outcome<T>(decode: () => T): T | 'rejected' {
  try {
    return decode();
  } catch (err) {
    if (err instanceof DecodeError) return 'rejected';
    throw err;
  }
}

/** What a successfully decoded envelope must satisfy, whatever bytes it came from. */
function expectWellFormed(e: RawEnvelope): void {
  expect(typeof e.v).toBe('number');
  expect(typeof e.type).toBe('string');
  expect(typeof e.id).toBe('string');
  expect(typeof e.src).toBe('string');
  expect(Number.isSafeInteger(e.seq) && e.seq >= 0).toBe(true);
  expect(Number.isSafeInteger(e.ts)).toBe(true);
  expect(Number.isSafeInteger(e.origin_ts)).toBe(true);
  expect(e.cause === undefined || e.cause === null || typeof e.cause === 'string').toBe(true);
  expect(typeof e.data === 'object' && e.data !== null).toBe(true);
}

// Keys msgpackr deliberately renames (prototype-pollution guard) cannot round-trip; tested apart.
const key = fc.string({ maxLength: 12 }).filter((k) => k !== '__proto__');
// Through JSON once: -0 becomes 0 (neither wire format keeps the sign of zero; prices never need it).
const jsonValue = fc
  .jsonValue({ maxDepth: 3 })
  .filter((v) => !JSON.stringify(v).includes('"__proto__"'))
  .map((v) => JSON.parse(JSON.stringify(v)) as unknown);
const jsonData = fc.dictionary(key, jsonValue, { maxKeys: 8 });
const micros = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });

const envelopeArb: fc.Arbitrary<RawEnvelope> = fc
  .record({
    v: fc.integer({ min: 0, max: 10 }),
    type: fc.string({ maxLength: 20 }),
    id: fc.string({ minLength: 1, maxLength: 24 }),
    src: fc.string({ maxLength: 24 }),
    seq: fc.maxSafeNat(),
    ts: micros,
    origin_ts: micros,
    cause: fc.option(fc.string({ maxLength: 24 }), { nil: undefined }),
    data: jsonData,
  })
  .map((e) => {
    if (e.cause === undefined) delete (e as Partial<RawEnvelope>).cause;
    return e as RawEnvelope;
  });

const topicArb = fc.string({ minLength: 1, maxLength: 40 });
const batchArb: fc.Arbitrary<BatchItem[]> = fc.array(fc.tuple(topicArb, envelopeArb), { maxLength: 6 });

/** Junk values a peer could encode: every msgpack type, nested, including huge and odd numbers. */
const junkArb = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, NaN, Infinity, -Infinity, -0, 2 ** 64, -(2 ** 63), 1e308),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
    fc.double(),
    fc.integer(),
    fc.string(),
    fc.uint8Array({ maxLength: 16 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Values of the wrong type for each envelope field. */
// `mac` is not the codec's business (bus/envelope-signer.ts checks it).
const wrongField: Record<Exclude<keyof RawEnvelope, 'mac'>, unknown[]> = {
  v: ['1', null, [], {}, true],
  type: [1, null, [], {}, true],
  id: [1, null, [], {}, false],
  src: [7, null, ['a'], { a: 1 }],
  seq: [-1, 1.5, NaN, Infinity, 2 ** 53, 2 ** 64, '1', null, 2n ** 64n - 1n, -(2n ** 63n)],
  ts: [1.25, NaN, -Infinity, 2 ** 60, '1', null, [], 2n ** 64n - 1n],
  origin_ts: [0.5, Infinity, 2 ** 70, '2', null, {}],
  cause: [1, [], {}, true],
  data: [null, 1, 'x', true, undefined],
};

describe('envelope codec: round trip', () => {
  it.each(codecs.map((c) => [c.name, c] as const))('%s envelopes decode to exactly what was encoded', (_n, codec) => {
    fc.assert(
      fc.property(envelopeArb, (e) => {
        expect(codec.decode(codec.encode(e))).toEqual(e);
      }),
      RUNS,
    );
  });

  it('detects the format from the first byte, so either codec decodes the other', () => {
    fc.assert(
      fc.property(envelopeArb, (e) => {
        expect(msgpack.decode(json.encode(e))).toEqual(e);
        expect(json.decode(msgpack.encode(e))).toEqual(e);
      }),
      RUNS,
    );
  });

  it.each(codecs.map((c) => [c.name, c] as const))('%s batches round trip, and cross-decode', (_n, codec) => {
    const other = codec === msgpack ? json : msgpack;
    fc.assert(
      fc.property(batchArb, (items) => {
        const frame = codec.encodeBatch(items);
        expect(codec.decodeBatch(frame)).toEqual(items);
        expect(other.decodeBatch(frame)).toEqual(items);
      }),
      RUNS,
    );
  });

  it('reads 64-bit integers as other msgpack writers (Python, Rust, Go) encode microsecond timestamps', () => {
    fc.assert(
      fc.property(envelopeArb, (e) => {
        // A BigInt is packed as uint64/int64, the way a non-JS client encodes any int over 2^32.
        const foreign = { ...e, seq: BigInt(e.seq), ts: BigInt(e.ts), origin_ts: BigInt(e.origin_ts) };
        const frame = rawPackr.pack(foreign);
        expect(frame.includes(0xcf) || frame.includes(0xd3)).toBe(true);
        expect(msgpack.decode(frame)).toEqual(e);
      }),
      { numRuns: 100 },
    );
  });
});

describe('envelope codec: hostile input only ever raises DecodeError', () => {
  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        for (const codec of codecs) {
          const one = outcome(() => codec.decode(bytes));
          if (one !== 'rejected') expectWellFormed(one);
          const batch = outcome(() => codec.decodeBatch(bytes));
          if (batch !== 'rejected') for (const [, env] of batch) expectWellFormed(env);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('random bytes that start like JSON or a msgpack map', () => {
    const lead = fc.constantFrom(0x7b, 0x5b, 0x80, 0x81, 0x89, 0xde, 0xdf, 0x91, 0xdc, 0xdd);
    fc.assert(
      fc.property(lead, fc.uint8Array({ maxLength: 256 }), (first, rest) => {
        const bytes = Uint8Array.from([first, ...rest]);
        const one = outcome(() => msgpack.decode(bytes));
        if (one !== 'rejected') expectWellFormed(one);
        const batch = outcome(() => msgpack.decodeBatch(bytes));
        if (batch !== 'rejected') for (const [, env] of batch) expectWellFormed(env);
      }),
      { numRuns: 2000 },
    );
  });

  it('every truncation of a valid envelope or batch is rejected', () => {
    fc.assert(
      fc.property(envelopeArb, batchArb.filter((b) => b.length > 0), fc.nat(), (e, items, cutSeed) => {
        for (const codec of codecs) {
          const frame = codec.encode(e);
          const cut = cutSeed % frame.length;
          expect(outcome(() => codec.decode(frame.subarray(0, cut)))).toBe('rejected');
          const batchFrame = codec.encodeBatch(items);
          const batchCut = cutSeed % batchFrame.length;
          expect(outcome(() => codec.decodeBatch(batchFrame.subarray(0, batchCut)))).toBe('rejected');
        }
      }),
      RUNS,
    );
  });

  it('valid msgpack and JSON of the wrong shape (arrays, strings, numbers, junk maps)', () => {
    fc.assert(
      fc.property(junkArb, (value) => {
        const frames = [rawPackr.pack(value)];
        try {
          frames.push(Buffer.from(JSON.stringify(value) ?? 'null'));
        } catch {
          // BigInt has no JSON form; the msgpack frame still runs.
        }
        for (const frame of frames) {
          const one = outcome(() => msgpack.decode(frame));
          if (one !== 'rejected') expectWellFormed(one);
          const batch = outcome(() => msgpack.decodeBatch(frame));
          if (batch !== 'rejected') for (const [, env] of batch) expectWellFormed(env);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('an envelope with any one field of the wrong type is rejected, alone or inside a batch', () => {
    const fieldArb = fc.constantFrom(...(Object.keys(wrongField) as (keyof typeof wrongField)[]));
    fc.assert(
      fc.property(envelopeArb, fieldArb, fc.nat(), (e, field, pick) => {
        const options = wrongField[field];
        const bad: Record<string, unknown> = { ...e, [field]: options[pick % options.length] };
        if (bad[field] === undefined) delete bad[field];
        const frames = [rawPackr.pack(bad)];
        if (!Object.values(bad).some((v) => typeof v === 'bigint')) frames.push(Buffer.from(JSON.stringify(bad)));
        for (const frame of frames) expect(outcome(() => msgpack.decode(frame))).toBe('rejected');
        expect(outcome(() => msgpack.decodeBatch(rawPackr.pack([['prices.kalshi.X', e], ['prices.kalshi.Y', bad]])))).toBe(
          'rejected',
        );
      }),
      RUNS,
    );
  });

  it('a missing field is rejected', () => {
    const required = ['v', 'type', 'id', 'src', 'seq', 'ts', 'origin_ts', 'data'] as const;
    fc.assert(
      fc.property(envelopeArb, fc.constantFrom(...required), (e, field) => {
        const partial: Record<string, unknown> = { ...e };
        delete partial[field];
        for (const codec of codecs) {
          expect(outcome(() => codec.decode(codec === msgpack ? rawPackr.pack(partial) : Buffer.from(JSON.stringify(partial))))).toBe(
            'rejected',
          );
        }
      }),
      RUNS,
    );
  });

  it('a __proto__ key cannot supply the envelope fields through the prototype', () => {
    const e = { v: 1, type: 'price', id: 'x', src: 's', seq: 1, ts: 1, origin_ts: 1, data: {} };
    const jsonFrame = Buffer.from(`{"__proto__":${JSON.stringify(e)}}`);
    const header = Buffer.from([0x81, 0xa9, ...Buffer.from('__proto__')]);
    const msgpackFrame = Buffer.concat([header, rawPackr.pack(e)]);
    expect(outcome(() => msgpack.decode(jsonFrame))).toBe('rejected');
    expect(outcome(() => msgpack.decode(msgpackFrame))).toBe('rejected');
    expect(({} as Record<string, unknown>).v).toBeUndefined();
  });

  it('edge frames: empty, whitespace-led JSON, deep nesting, huge declared lengths, bad UTF-8', () => {
    const deepArray = Buffer.alloc(200_000, 0x91); // a msgpack array of an array of ... 200k deep
    const deepJson = Buffer.from('['.repeat(200_000) + ']'.repeat(200_000));
    const frames: Uint8Array[] = [
      new Uint8Array(0),
      Buffer.from(' {"v":1}'),
      Buffer.from('{"v":1,'),
      Buffer.from('[1,2'),
      Buffer.from('{}'),
      Buffer.from('[["t"]]'),
      Buffer.from('[["t",{"v":1}]]'),
      Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
      Buffer.from([0xdf, 0xff, 0xff, 0xff, 0xff]), // map32 claiming 4 billion entries
      Buffer.from([0xdb, 0xff, 0xff, 0xff, 0xff, 0x61]), // str32 claiming 4 GB
      Buffer.from([0xc7, 0xff, 0x65, 0x01]), // truncated Error extension
      Buffer.from([0xd4, 0x70, 0x00]), // dangling structured-clone pointer
      Buffer.from([0xc1]), // the one byte msgpack never uses
      deepArray,
      deepJson,
    ];
    for (const frame of frames) {
      for (const codec of codecs) {
        expect(outcome(() => codec.decode(frame))).toBe('rejected');
        expect(outcome(() => codec.decodeBatch(frame))).toBe('rejected');
      }
    }
  });

  it('an empty batch is an empty list, not an error', () => {
    for (const codec of codecs) expect(codec.decodeBatch(codec.encodeBatch([]))).toStrictEqual([]);
    expect(outcome(() => json.decode(Buffer.from('[]')))).toBe('rejected');
  });

  it('a DecodeError carries the stable code', () => {
    try {
      msgpack.decode(Buffer.from([0x01]));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DecodeError);
      expect((err as DecodeError).code).toBe('ARB_FRAME_DECODE');
    }
  });
});

describe('batch decoding in place', () => {
  it('rejects a batch whose later item is malformed, and returns items as [topic, envelope] pairs otherwise', () => {
    const codec = new EnvelopeCodec();
    const good: RawEnvelope = { v: 1, type: 'price', id: 'a', src: 's.0', seq: 1, ts: 1, origin_ts: 1, data: {} };
    const items = codec.decodeBatch(codec.encodeBatch([['prices.kalshi.A', good], ['prices.kalshi.B', { ...good, seq: 2 }]]));
    expect(items.map(([topic, env]) => [topic, env.seq])).toEqual([['prices.kalshi.A', 1], ['prices.kalshi.B', 2]]);
    const bad = codec.encodeBatch([['prices.kalshi.A', good], ['prices.kalshi.B', { ...good, seq: -1 }]]);
    expect(() => codec.decodeBatch(bad)).toThrow(/seq/);
    const threeParts = codec.encodeBatch([['prices.kalshi.A', good, 'extra'] as unknown as BatchItem]);
    expect(() => codec.decodeBatch(threeParts)).toThrow(/batch item/);
  });
});
