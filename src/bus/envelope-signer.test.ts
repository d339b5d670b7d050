import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import type { RawEnvelope } from '../core/envelope.js';
import { EnvelopeCodec } from './codec.js';
import { EnvelopeSigner, type BusKey, type MacCheck } from './envelope-signer.js';

const RUNS = { numRuns: 300 };
const msgpack = new EnvelopeCodec('msgpack');
const json = new EnvelopeCodec('json');
/** A peer that is not this codec (another language's msgpack writer). */
const rawPackr = new Packr({ useRecords: false, variableMapSize: true });

function key(): BusKey {
  const secret = Buffer.from(randomBytes(32).toString('base64url'));
  return { id: createHash('sha256').update(secret).digest('hex').slice(0, 12), secret };
}

const A = key();
const B = key();
const signer = new EnvelopeSigner({ current: A, previous: null, source: 'test' });

const idArb = fc.string({ minLength: 1, maxLength: 24 });
const jsonData = fc
  .dictionary(fc.string({ maxLength: 12 }).filter((k) => k !== '__proto__'), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 8 })
  .filter((v) => !JSON.stringify(v).includes('"__proto__"'));
const micros = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const envelopeArb: fc.Arbitrary<RawEnvelope> = fc
  .record({
    v: fc.integer({ min: 0, max: 10 }),
    type: fc.string({ maxLength: 20 }),
    id: idArb,
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

function signed(topic: string, e: RawEnvelope): RawEnvelope {
  const copy = structuredClone(e);
  signer.sign(topic, copy);
  return copy;
}

/** Any verify outcome is one of the four documented failures or ok; it never throws. */
function expectVerdict(c: MacCheck): void {
  if (c.ok) expect(c.keyId).toBe(A.id);
  else expect(['unsigned', 'malformed', 'unknown_key', 'bad_mac']).toContain(c.problem);
}

describe('envelope MAC', () => {
  it('survives both codecs, a foreign msgpack writer and batching: what was signed verifies after any hop', () => {
    fc.assert(
      fc.property(topicArb, envelopeArb, (topic, e) => {
        const s = signed(topic, e);
        expect(s.mac).toMatch(new RegExp(`^${A.id}\\.[A-Za-z0-9_-]{43}$`));
        for (const decoded of [msgpack.decode(msgpack.encode(s)), json.decode(json.encode(s)), msgpack.decode(rawPackr.pack(s)), msgpack.decodeBatch(msgpack.encodeBatch([[topic, s]]))[0]![1]]) {
          expect(signer.verify(topic, decoded)).toEqual({ ok: true, keyId: A.id });
        }
      }),
      RUNS,
    );
  });

  it('any change to the topic or any envelope field fails it (bad_mac)', () => {
    const fields = ['v', 'type', 'id', 'src', 'seq', 'ts', 'origin_ts', 'cause', 'data'] as const;
    fc.assert(
      fc.property(topicArb, envelopeArb, fc.constantFrom(...fields, 'topic' as const), (topic, e, what) => {
        const s = signed(topic, e);
        let t = topic;
        const m = s as unknown as Record<string, unknown>;
        if (what === 'topic') t = topic + 'x';
        else if (what === 'data') m.data = { ...(s.data as object), __tampered: 1 };
        else if (typeof m[what] === 'number') m[what] = (m[what] as number) === 0 ? 1 : (m[what] as number) - 1;
        else m[what] = `${String(m[what] ?? '')}x`;
        expect(signer.verify(t, s)).toMatchObject({ ok: false, problem: 'bad_mac' });
      }),
      RUNS,
    );
  });

  it('unsigned, unknown key id, and a signature under another key are refused; the previous key is still accepted', () => {
    const e: RawEnvelope = { v: 1, type: 'trade_signal', id: 'x1', src: 'game_shard.0', seq: 1, ts: 1, origin_ts: 1, data: { signal_id: 's1' } };
    expect(signer.verify('signals.trade.s1', e)).toMatchObject({ ok: false, problem: 'unsigned' });
    const byB = structuredClone(e);
    new EnvelopeSigner({ current: B, previous: null, source: 'test' }).sign('signals.trade.s1', byB);
    expect(signer.verify('signals.trade.s1', byB)).toMatchObject({ ok: false, problem: 'unknown_key' });
    // B's MAC presented under A's id: the right id, the wrong key.
    const forged = { ...byB, mac: `${A.id}.${(byB.mac as string).split('.')[1]}` };
    expect(signer.verify('signals.trade.s1', forged)).toMatchObject({ ok: false, problem: 'bad_mac' });
    // Rotation: a verifier whose current key is B and previous A accepts both; signs with B.
    const rotated = new EnvelopeSigner({ current: B, previous: A, source: 'test' });
    expect(rotated.verify('signals.trade.s1', signed('signals.trade.s1', e))).toEqual({ ok: true, keyId: A.id });
    expect(rotated.verify('signals.trade.s1', byB)).toEqual({ ok: true, keyId: B.id });
    expect(rotated.keyId).toBe(B.id);
  });

  it('never throws and never accepts on arbitrary `mac` values or unsignable data (fuzz)', () => {
    const macArb = fc.oneof(
      fc.anything(),
      fc.string({ maxLength: 200 }),
      fc.tuple(fc.constantFrom(A.id, B.id, ''), fc.string({ maxLength: 60 })).map(([id, rest]) => `${id}.${rest}`),
      fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `${A.id}.${Buffer.from(b).toString('base64url')}`),
    );
    const dataArb = fc.oneof(jsonData, fc.anything(), fc.constant({ big: 10n }));
    fc.assert(
      fc.property(topicArb, envelopeArb, macArb, dataArb, (topic, e, mac, data) => {
        const m = { ...e, data, mac } as RawEnvelope;
        const verdict = signer.verify(topic, m);
        expectVerdict(verdict);
        expect(verdict.ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('costs one HMAC per signal: well under 2 ms for a signal with its books, even on a loaded machine', () => {
    const book = { yes_bids: Array.from({ length: 10 }, (_, i) => [0.4 - i / 100, 100 + i]), yes_asks: Array.from({ length: 10 }, (_, i) => [0.42 + i / 100, 100 + i]), origin_ts: 1, seq: 1, book_seq: null };
    const leg = { venue: 'kalshi', market_id: 'KXNBA-25-LAL', team: 'LAL', side: 'yes', action: 'buy', yes_price: 0.42, contracts: 10, fee_cc: 100, book };
    const e: RawEnvelope = { v: 1, type: 'trade_signal', id: 'abc', src: 'game_shard.0', seq: 1, ts: 1, origin_ts: 1, data: { signal_id: 's', legs: [leg, leg] } };
    const s = signed('signals.trade.s', e);
    const n = 2_000;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) signer.verify('signals.trade.s', s);
    const usEach = Number(process.hrtime.bigint() - t0) / 1_000 / n;
    expect(usEach).toBeLessThan(2_000);
    console.log(`verify: ${usEach.toFixed(1)} µs per two-leg signal with 10-level books`);
  });
});
