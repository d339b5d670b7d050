import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RawEnvelope } from '../../core/envelope.js';
import { isMessageType, MessageSchemas } from '../../core/messages.js';
import { streamEntryFields } from '../../bus/slow-track.js';
import { checkMirrorable, publisherBoot } from './mirror-check.js';
import { routeTopic, type MirrorLimits } from './mirror-rules.js';

const limits: MirrorLimits = { pricesMaxLen: 10, gameEventsMaxLen: 10, signalsMaxLen: 10, mirrorMaxLen: 10 };

const priceData = {
  venue: 'kalshi', market_id: 'KXA', game_id: null, team: null, yes_bid: 0.4, yes_ask: 0.42, yes_bid_size: 1, yes_ask_size: 2, status: 'open',
};

const envelope = (over: Partial<RawEnvelope> = {}): RawEnvelope => ({
  v: 1, type: 'price', id: 'a1b2c3d4f', src: 'kalshi_monitor.0', seq: 7, ts: 1, origin_ts: 1, data: priceData, ...over,
});

const check = (topic: string, e: RawEnvelope) => checkMirrorable(routeTopic(topic, limits), e);

describe('mirror check', () => {
  it('accepts a valid price on its topic', () => {
    expect(check('prices.kalshi.KXA', envelope())).toBeNull();
  });

  it('refuses unknown types, types foreign to the topic, bad data and missing identity', () => {
    expect(check('signals.trade.s1', envelope({ type: 'no_such_type' }))).toMatch(/^type/);
    expect(check('signals.trade.s1', envelope())).toMatch(/^type \(price on this topic\)/);
    expect(check('games.nba.g1', envelope())).toMatch(/^type/);
    expect(check('prices.kalshi.KXA', envelope({ data: { ...priceData, yes_bid: 2 } }))).toBe('data (yes_bid)');
    expect(check('signals.trade.s1', envelope({ type: 'trade_signal', data: { signal_id: 's1' } }))).toBe('data');
    expect(check('prices.kalshi.KXA', envelope({ src: '' }))).toBe('src');
    expect(check('prices.kalshi.KXA', envelope({ src: 'a|b' }))).toBe('src');
    expect(check('prices.kalshi.KXA', envelope({ id: '' }))).toBe('id');
    expect(check('prices.kalshi.KXA', envelope({ seq: 0 }))).toBe('seq');
    expect(check('prices.kalshi.KXA', envelope({ seq: 1.5 }))).toBe('seq');
  });

  it('takes the boot id from the id HotPublisher mints, and any short id whole', () => {
    expect(publisherBoot('0a1b2c3d1z')).toBe('0a1b2c3d');
    expect(publisherBoot('abc')).toBe('abc');
  });

  it('finds topic, id, src and seq first in a stream entry, where the append script reads its marks', () => {
    const fields = streamEntryFields('prices.kalshi.KXA', envelope({ cause: 'c' }));
    expect(fields.slice(0, 8)).toEqual(['topic', 'prices.kalshi.KXA', 'id', 'a1b2c3d4f', 'src', 'kalshi_monitor.0', 'seq', '7']);
  });

  it('never throws, and accepts exactly what the schema of a known type accepts (fast-check)', () => {
    const anyValue = fc.oneof(fc.anything(), fc.constant(priceData), fc.anything().map((yes_bid) => ({ ...priceData, yes_bid })));
    const arb = fc.record({
      topic: fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('prices.kalshi.KXA', 'games.nba.g1', 'signals.trade.s1', 'orderbook.poly.1', 'x.y')),
      type: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...Object.keys(MessageSchemas), '__proto__', 'toString')),
      id: fc.oneof(fc.string({ maxLength: 20 }), fc.anything()),
      src: fc.oneof(fc.string({ maxLength: 20 }), fc.anything()),
      seq: fc.oneof(fc.integer(), fc.double(), fc.anything()),
      data: anyValue,
    });
    fc.assert(
      fc.property(arb, (a) => {
        const e = { v: 1, ts: 1, origin_ts: 1, ...a } as unknown as RawEnvelope;
        const route = routeTopic(a.topic, limits);
        let verdict: string | null = 'unset';
        expect(() => (verdict = checkMirrorable(route, e))).not.toThrow();
        const identityOk =
          typeof a.src === 'string' && a.src.length >= 1 && a.src.length <= 128 && !a.src.includes('|') &&
          typeof a.id === 'string' && a.id.length >= 1 && a.id.length <= 128 &&
          Number.isSafeInteger(a.seq) && (a.seq as number) >= 1;
        const typeOk = isMessageType(a.type) && (route.types === null || route.types.includes(a.type));
        const dataOk = isMessageType(a.type) && MessageSchemas[a.type].safeParse(a.data).success;
        expect(verdict === null).toBe(identityOk && typeOk && dataOk);
      }),
      { numRuns: 3_000 },
    );
  });
});
