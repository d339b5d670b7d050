import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from './errors.js';
import { HOT_FAMILIES, SPORTS, Topic, TopicPrefix, VENUES, isValidTopicId, parseTopic, sequenceKey, type ParsedTopic } from './topics.js';

const idChars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_:-'.split('');
const validId = fc.string({ unit: fc.constantFrom(...idChars), minLength: 1, maxLength: 128 });
const venue = fc.constantFrom(...VENUES);
const sport = fc.constantFrom(...SPORTS);

/** Every builder, with the parse it must round-trip to. */
const builders: [string, fc.Arbitrary<[string, ParsedTopic]>][] = [
  ['price', fc.tuple(venue, validId).map(([v, id]) => [Topic.price(v, id), { kind: 'price', venue: v, marketId: id }])],
  ['orderbook', fc.tuple(venue, validId).map(([v, id]) => [Topic.orderbook(v, id), { kind: 'orderbook', venue: v, marketId: id }])],
  ['game', fc.tuple(sport, validId).map(([s, id]) => [Topic.game(s, id), { kind: 'game', sport: s, gameId: id }])],
  ['trade signal', validId.map((id) => [Topic.tradeSignal(id), { kind: 'trade_signal', signalId: id }])],
  ['high edge signal', validId.map((id) => [Topic.highEdgeSignal(id), { kind: 'high_edge_signal', signalId: id }])],
  ['exit signal', validId.map((id) => [Topic.exitSignal(id), { kind: 'exit_signal', positionId: id }])],
  ['trade completed', validId.map((id) => [Topic.tradeCompleted(id), { kind: 'trade_completed', tradeId: id }])],
  ['position', validId.map((id) => [Topic.position(id), { kind: 'position', positionId: id }])],
  [
    'health',
    fc.tuple(validId, validId).map(([s, i]) => [Topic.health(s, i), { kind: 'health', service: s, instance: i }]),
  ],
];

/** Each builder as a one-id function, to feed it bad ids. */
const oneIdBuilders: [string, (id: string) => string][] = [
  ['price', (id) => Topic.price('kalshi', id)],
  ['orderbook', (id) => Topic.orderbook('poly', id)],
  ['game', (id) => Topic.game('nba', id)],
  ['trade signal', Topic.tradeSignal],
  ['high edge signal', Topic.highEdgeSignal],
  ['exit signal', Topic.exitSignal],
  ['trade completed', Topic.tradeCompleted],
  ['position', Topic.position],
  ['health service', (id) => Topic.health(id, '0')],
  ['health instance', (id) => Topic.health('game_shard', id)],
];

function expectTopicInvalid(build: () => unknown): void {
  try {
    build();
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as DecodeError).code).toBe('ARB_TOPIC_INVALID');
    return;
  }
  expect.unreachable('the builder accepted a bad id');
}

describe('topic builders', () => {
  it.each(oneIdBuilders)('%s rejects ids with dots, spaces, wildcards, nothing, or too much', (_name, build) => {
    for (const bad of ['', 'a.b', 'a b', ' a', 'a\t', 'a\n', 'x*', 'g/1', 'é', 'a'.repeat(129), '.', 'KX.NBA']) {
      expectTopicInvalid(() => build(bad));
    }
  });

  it('accept exactly the ids the pattern allows', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 140, unit: 'binary' }), (id) => {
        const valid = isValidTopicId(id);
        for (const [, build] of oneIdBuilders) {
          if (valid) expect(build(id)).toContain(id);
          else expectTopicInvalid(() => build(id));
        }
        // An accepted id can never split into more topic levels.
        if (valid) expect(id).not.toMatch(/[.\s]/);
      }),
      { numRuns: 400 },
    );
  });

  it.each(builders)('parseTopic round-trips the %s builder', (_name, arb) => {
    fc.assert(
      fc.property(arb, ([topic, parsed]) => {
        expect(parseTopic(topic)).toEqual(parsed);
      }),
      { numRuns: 300 },
    );
  });

  it('every built topic falls under its family prefix and not under another', () => {
    const pairs: [string, string][] = [
      [Topic.price('kalshi', 'M'), TopicPrefix.venuePrices('kalshi')],
      [Topic.price('poly', 'M'), TopicPrefix.venuePrices('poly')],
      [Topic.orderbook('kalshi', 'M'), TopicPrefix.orderbooks],
      [Topic.game('nfl', 'G'), TopicPrefix.sportGames('nfl')],
      [Topic.tradeSignal('S'), TopicPrefix.tradeSignals],
      [Topic.highEdgeSignal('S'), TopicPrefix.highEdgeSignals],
      [Topic.exitSignal('P'), TopicPrefix.exitSignals],
      [Topic.tradeCompleted('T'), TopicPrefix.tradesCompleted],
      [Topic.position('P'), TopicPrefix.positions],
      [Topic.health('svc', '0'), TopicPrefix.health],
    ];
    for (const [topic, prefix] of pairs) {
      expect(topic.startsWith(prefix)).toBe(true);
      const others = pairs.filter(([, p]) => p !== prefix && !prefix.startsWith(p) && !p.startsWith(prefix));
      for (const [, other] of others) expect(topic.startsWith(other), `${topic} under ${other}`).toBe(false);
    }
    expect(Topic.price('kalshi', 'X').startsWith(TopicPrefix.venuePrices('poly'))).toBe(false);
    expect(Topic.game('nba', 'X').startsWith(TopicPrefix.sportGames('ncaab'))).toBe(false);
  });
});

describe('parseTopic', () => {
  it('never throws, and names unknown shapes by their family', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (topic) => {
        const parsed = parseTopic(topic);
        expect(typeof parsed.kind).toBe('string');
      }),
      { numRuns: 1000 },
    );
    expect(parseTopic('prices.kalshi.a.b')).toEqual({ kind: 'other', family: 'prices.kalshi.a' });
    expect(parseTopic('prices.binance.X')).toEqual({ kind: 'other', family: 'prices.binance' });
    expect(parseTopic('games.cricket.G')).toEqual({ kind: 'other', family: 'games.cricket' });
    expect(parseTopic('prices.kalshi.bad id')).toEqual({ kind: 'other', family: 'prices.kalshi' });
    expect(parseTopic('noise')).toEqual({ kind: 'other', family: 'noise' });
    expect(parseTopic('')).toEqual({ kind: 'other', family: '' });
  });
});

describe('sequenceKey', () => {
  it('long-lived ids (markets, games, positions, health) are sequenced per topic', () => {
    fc.assert(
      fc.property(venue, sport, validId, validId, (v, s, a, b) => {
        for (const t of [Topic.price(v, a), Topic.orderbook(v, a), Topic.game(s, a), Topic.position(a), Topic.health(a, b)]) {
          expect(sequenceKey(t)).toBe(t);
        }
        if (a !== b) expect(sequenceKey(Topic.price(v, a))).not.toBe(sequenceKey(Topic.price(v, b)));
      }),
    );
  });

  it('one-off ids (signals, trades) are sequenced per family', () => {
    fc.assert(
      fc.property(validId, validId, (a, b) => {
        expect(sequenceKey(Topic.tradeSignal(a))).toBe('signals.trade');
        expect(sequenceKey(Topic.tradeSignal(b))).toBe('signals.trade');
        expect(sequenceKey(Topic.highEdgeSignal(a))).toBe('signals.high_edge');
        expect(sequenceKey(Topic.exitSignal(a))).toBe('signals.exit');
        expect(sequenceKey(Topic.tradeCompleted(a))).toBe('trades.completed');
      }),
    );
  });

  it('the families never share a stream', () => {
    const keys = new Set([
      sequenceKey(Topic.tradeSignal('x')),
      sequenceKey(Topic.highEdgeSignal('x')),
      sequenceKey(Topic.exitSignal('x')),
      sequenceKey(Topic.tradeCompleted('x')),
    ]);
    expect(keys.size).toBe(4);
  });
});

describe('hot families', () => {
  /** One topic of each builder; a builder added to Topic without a sample here fails the first test. */
  const samples: Record<keyof typeof Topic, string> = {
    price: Topic.price('kalshi', 'M1'),
    orderbook: Topic.orderbook('poly', 'M1'),
    quotes: Topic.quotes('kalshi', '0'),
    game: Topic.game('nba', 'G1'),
    tradeSignal: Topic.tradeSignal('S1'),
    highEdgeSignal: Topic.highEdgeSignal('S1'),
    exitSignal: Topic.exitSignal('P1'),
    tradeCompleted: Topic.tradeCompleted('T1'),
    position: Topic.position('P1'),
    health: Topic.health('api', '0'),
  };

  it('lists the family of every topic a builder makes', () => {
    expect(Object.keys(samples).sort()).toEqual(Object.keys(Topic).sort());
    for (const topic of Object.values(samples)) {
      expect(HOT_FAMILIES.filter((f) => topic.startsWith(f)), topic).toHaveLength(1);
    }
  });

  it('names each family once, as a first topic part with its dot', () => {
    expect(new Set(HOT_FAMILIES).size).toBe(HOT_FAMILIES.length);
    for (const family of HOT_FAMILIES) expect(family).toMatch(/^[a-z]+\.$/);
  });
});
