import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlowKey } from '../../core/slow-keys.js';
import { isReservedKey, routeTopic, UNROUTED_FAMILY, type MirrorLimits } from './mirror-rules.js';

const limits: MirrorLimits = { pricesMaxLen: 111, gameEventsMaxLen: 222, signalsMaxLen: 333, mirrorMaxLen: 444 };

describe('mirror rules', () => {
  it('sends prices to the venue stream and the latest-price hash', () => {
    expect(routeTopic('prices.kalshi.KXNBAGAME-26JAN05BOSLAL-BOS', limits)).toEqual({
      stream: 'prices:kalshi',
      maxLen: 111,
      latest: { kind: 'price_hash', key: 'price:kalshi:KXNBAGAME-26JAN05BOSLAL-BOS' },
      routed: true,
      seqKey: 'prices.kalshi.KXNBAGAME-26JAN05BOSLAL-BOS',
      types: ['price'],
    });
    expect(routeTopic('prices.poly.7100000001', limits).latest).toEqual({ kind: 'price_hash', key: 'price:poly:7100000001' });
  });

  it('sends games to games:events and the day-long latest key', () => {
    expect(routeTopic('games.nba.401585601', limits)).toEqual({
      stream: 'games:events',
      maxLen: 222,
      latest: { kind: 'game_json', key: 'games:nba:401585601', ttlS: 86_400 },
      routed: true,
      seqKey: 'games.nba.401585601',
      types: ['game_info', 'game_state'],
    });
  });

  it('sends every signal family to signals:trades with the signals cap', () => {
    for (const topic of ['signals.trade.s1', 'signals.high_edge.s2', 'signals.exit.p3', 'signals.odd']) {
      expect(routeTopic(topic, limits)).toMatchObject({ stream: 'signals:trades', maxLen: 333, latest: null, routed: true });
      expect(routeTopic(topic, limits).types).toEqual(['trade_signal', 'high_edge_signal', 'exit_signal']);
    }
  });

  it('gives any other topic its own capped family stream', () => {
    expect(routeTopic('orderbook.kalshi.KXA-1', limits)).toEqual({
      stream: 'mirror:orderbook:kalshi', maxLen: 444, latest: null, routed: true, seqKey: 'orderbook.kalshi.KXA-1', types: null,
    });
    expect(routeTopic('trades.completed.t1', limits).stream).toBe('mirror:trades:completed');
    expect(routeTopic('positions.p1', limits).stream).toBe('mirror:positions');
    expect(routeTopic('health.game_shard.0', limits).stream).toBe('mirror:health:game_shard');
    expect(routeTopic('heartbeat', limits).stream).toBe('mirror:heartbeat');
    // An unknown venue is not a price: it is still kept, in its family stream.
    expect(routeTopic('prices.nasdaq.X', limits).stream).toBe('mirror:prices:nasdaq');
  });

  it('numbers signals per family, like the publisher (one seq key per signal kind)', () => {
    expect(routeTopic('signals.trade.s1', limits).seqKey).toBe('signals.trade');
    expect(routeTopic('signals.exit.p3', limits).seqKey).toBe('signals.exit');
    expect(routeTopic('prices.poly.7100000001', limits).seqKey).toBe('prices.poly.7100000001');
  });

  it('puts topics that cannot name a key in the unrouted stream', () => {
    for (const topic of ['', 'a b.c', 'x..y', `${'a'.repeat(200)}.b`, 'weird*.x']) {
      const route = routeTopic(topic, limits);
      expect(route.stream).toBe(SlowKey.mirrorStream(UNROUTED_FAMILY));
      expect(route.routed).toBe(false);
    }
  });

  it('never routes any topic to a key owned by another service', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('prices', 'kalshi', 'trades', 'completed', 'positions', 'open', 'closed', 'x', ':', '', 'registry', 'control', 'bridge', 'seen'), { minLength: 1, maxLength: 4 }), (parts) => {
        const route = routeTopic(parts.join('.'), limits);
        expect(isReservedKey(route.stream)).toBe(false);
        if (route.latest !== null) expect(isReservedKey(route.latest.key)).toBe(false);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (topic) => {
        const route = routeTopic(topic, limits);
        expect(isReservedKey(route.stream)).toBe(false);
        expect(route.stream === SlowKey.tradesCompleted || route.stream.startsWith('positions:')).toBe(false);
      }),
      { numRuns: 2_000 },
    );
  });
});
