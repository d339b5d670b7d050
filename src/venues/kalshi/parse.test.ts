import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KalshiParseError } from './errors.js';
import { formatCountHundredths, formatDollarMicros, parseCountHundredths, parseDollarMicros } from './fixed-point.js';
import * as parse from './parse.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as unknown;

function parseError(fn: () => unknown): KalshiParseError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KalshiParseError);
    return err as KalshiParseError;
  }
  throw new Error('expected a KalshiParseError, nothing was thrown');
}

describe('Kalshi fixed-point strings', () => {
  it('parses dollars and counts exactly, without floats', () => {
    expect(parseDollarMicros('0.4500')).toBe(450_000);
    expect(parseDollarMicros('0.123456')).toBe(123_456);
    expect(parseDollarMicros('1250.3400')).toBe(1_250_340_000);
    expect(parseDollarMicros('-0.1000')).toBe(-100_000);
    expect(parseCountHundredths('10.00')).toBe(1000);
    expect(parseCountHundredths('50')).toBe(5000);
    expect(parseCountHundredths('-54.00')).toBe(-5400);
    expect(parseCountHundredths('12.3400')).toBe(1234);
  });

  it('refuses what is not a plain decimal or needs more precision', () => {
    for (const s of ['', '.5', '0.', '1e-3', '0,45', ' 0.45', '0x10', 'NaN', '+0.45', '0.1234567']) expect(parseDollarMicros(s)).toBeNull();
    expect(parseCountHundredths('12.345')).toBeNull();
    expect(parseDollarMicros('9'.repeat(16))).toBeNull();
  });

  it('formats and parses back to the same integer', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e10, max: 1e10 }), (n) => {
        const micros = n * 100;
        expect(parseDollarMicros(formatDollarMicros(micros))).toBe(micros);
        expect(parseCountHundredths(formatCountHundredths(n))).toBe(n);
      }),
    );
  });
});

describe('Kalshi REST parsers on recorded-format payloads', () => {
  it('reads a markets page into probabilities and contracts', () => {
    const page = parse.parseMarketsPage(fixture('good/markets-page.json'));
    expect(page.cursor).toBe('CgsI2Jv8xwYQgK');
    const m = page.markets[0]!;
    expect(m).toMatchObject({
      ticker: 'KXNFLGAME-25NOV06LVDEN-DEN',
      eventTicker: 'KXNFLGAME-25NOV06LVDEN',
      status: 'active',
      result: null,
      yesBid: 0.81,
      yesAsk: 0.82,
      yesBidSize: 1520,
      yesAskSize: 233,
      lastPrice: 0.82,
      volume: 2841190,
      openInterest: 1411203,
      priceLevelStructure: 'linear_cent',
      fractionalTradingEnabled: false,
    });
    expect(m.priceRanges).toEqual([{ start: 0, end: 1, step: 0.01 }]);
    expect(parse.parseMarketResponse(fixture('good/market.json')).ticker).toBe(m.ticker);
  });

  it('reads events, with and without nested markets', () => {
    const page = parse.parseEventsPage(fixture('good/events-page.json'));
    expect(page.cursor).toBeNull();
    expect(page.events[0]).toMatchObject({ eventTicker: 'KXNFLGAME-25NOV06LVDEN', seriesTicker: 'KXNFLGAME', mutuallyExclusive: true, markets: null });
    const detail = parse.parseEventResponse(fixture('good/event.json'));
    expect(detail.markets.map((x) => x.ticker)).toEqual(['KXNFLGAME-25NOV06LVDEN-DEN']);
  });

  it('reads the REST order book (bids of both legs, best last)', () => {
    const book = parse.parseOrderbookResponse(fixture('good/orderbook.json'));
    expect(book.yes).toEqual([
      [0.01, 200],
      [0.41, 10],
      [0.42, 13],
    ]);
    expect(book.no).toEqual([
      [0.45, 20],
      [0.56, 17],
    ]);
  });

  it('reads balance, positions, fills and orders with money in centi-cents', () => {
    expect(parse.parseBalance(fixture('good/balance.json'))).toEqual({ balanceCc: 12_503_400, portfolioValueCc: 4_821_000, updatedTs: 1762459200 });
    const pos = parse.parsePositionsPage(fixture('good/positions.json'));
    expect(pos.marketPositions[0]).toMatchObject({ position: 50, marketExposureCc: 410_000, feesPaidCc: 5200, realizedPnlCc: 0 });
    expect(pos.eventPositions[0]).toMatchObject({ eventTicker: 'KXNFLGAME-25NOV06LVDEN', totalCostCc: 410_000 });
    // created_time is not required by the fills schema: its absence must not fail the page
    expect(parse.parseFillsPage(fixture('good/fills-no-created-time.json')).fills[0]).toMatchObject({ createdTime: null, count: 50 });
    const fills = parse.parseFillsPage(fixture('good/fills.json'));
    expect(fills.fills[0]).toMatchObject({ outcomeSide: 'yes', bookSide: 'bid', count: 50, yesPrice: 0.82, isTaker: true, feeCc: 5200 });
    expect(parse.parseOrderResponse(fixture('good/order.json'))).toMatchObject({ status: 'resting', yesPrice: 0.82, remainingCount: 50, fillCount: 0 });
  });

  it('reads the V2 create and cancel answers', () => {
    expect(parse.parseCreateOrderResponse(fixture('good/create-order-v2.json'))).toEqual({
      orderId: 'ee587a1c-8b87-4dcf-b721-9f6f790619fa',
      clientOrderId: '5b8f3e0e-2c51-4a8e-9d0e-6c1b7f3a9d11',
      fillCount: 50,
      remainingCount: 0,
      averageFillPrice: 0.82,
      averageFeePaid: 0.0104,
      tsMs: 1762463011000,
    });
    expect(parse.parseCancelOrderResponse(fixture('good/cancel-order-v2.json'))).toMatchObject({ reducedBy: 50, tsMs: 1762463011000 });
  });
});

describe('Kalshi WebSocket parsers on recorded-format frames', () => {
  it('reads snapshots (a missing side is an empty side) and deltas', () => {
    expect(parse.parseWsMessage(fixture('good/ws-orderbook-snapshot.json'))).toEqual({
      type: 'orderbook_snapshot',
      sid: 2,
      seq: 1,
      ticker: 'KXNFLGAME-25NOV06LVDEN-DEN',
      marketId: '9b0f6b43-5b68-4f9f-9f02-9a2d1b8ac1a1',
      yes: [
        [0.8, 300],
        [0.81, 1520],
      ],
      no: [
        [0.17, 20],
        [0.18, 146],
      ],
    });
    const oneSide = parse.parseWsMessage(fixture('good/ws-orderbook-snapshot-one-side.json'));
    expect(oneSide).toMatchObject({ type: 'orderbook_snapshot', no: [] });
    expect(parse.parseWsMessage(fixture('good/ws-orderbook-delta.json'))).toEqual({
      type: 'orderbook_delta',
      sid: 2,
      seq: 2,
      ticker: 'KXNFLGAME-25NOV06LVDEN-DEN',
      side: 'yes',
      price: 0.81,
      delta: -54,
      clientOrderId: null,
      tsMs: 1762463041000,
    });
  });

  it('reads ticker frames, including a market that never traded', () => {
    expect(parse.parseWsMessage(fixture('good/ws-ticker.json'))).toMatchObject({
      type: 'ticker',
      lastPrice: 0.82,
      yesBid: 0.81,
      yesAsk: 0.82,
      yesBidSize: 1520,
      yesAskSize: 233,
    });
    expect(parse.parseWsMessage(fixture('good/ws-ticker-never-traded.json'))).toMatchObject({
      type: 'ticker',
      lastPrice: null,
      yesBid: null,
      yesAsk: null,
    });
  });

  it('reads trades and control frames, and passes unknown channels through as other', () => {
    expect(parse.parseWsMessage(fixture('good/ws-trade.json'))).toMatchObject({ type: 'trade', yesPrice: 0.82, count: 136, takerBookSide: 'bid' });
    expect(parse.parseWsMessage(fixture('good/ws-subscribed.json'))).toEqual({ type: 'subscribed', id: 1, channel: 'orderbook_delta', sid: 1 });
    expect(parse.parseWsMessage(fixture('good/ws-ok-update.json'))).toMatchObject({ type: 'ok', id: 3, sid: 1, marketTickers: expect.any(Array) });
    expect(parse.parseWsMessage(fixture('good/ws-ok-list.json'))).toMatchObject({ type: 'ok', subscriptions: [{ channel: 'orderbook_delta', sid: 1 }, { channel: 'ticker', sid: 2 }] });
    expect(parse.parseWsMessage(fixture('good/ws-unsubscribed.json'))).toEqual({ type: 'unsubscribed', id: 2, sid: 1 });
    expect(parse.parseWsMessage(fixture('good/ws-error.json'))).toEqual({ type: 'error', id: 123, code: 6, message: 'Already subscribed' });
    expect(parse.parseWsMessage(fixture('good/ws-fill.json'))).toEqual({ type: 'other', rawType: 'fill' });
    expect(parse.parseWsMessage(fixture('good/ws-market-lifecycle.json'))).toEqual({ type: 'market_lifecycle', ticker: 'KXNFLGAME-25NOV06LVDEN-DEN', eventType: 'determined', result: 'yes' });
  });
});

describe('Kalshi parsers refuse malformed and legacy payloads', () => {
  const cases: [file: string, run: (v: unknown) => unknown, reason: KalshiParseError['reason'], pathPart: string][] = [
    ['bad/legacy-markets-page.json', parse.parseMarketsPage, 'legacy', 'yes_bid'],
    ['bad/legacy-orderbook.json', parse.parseOrderbookResponse, 'legacy', 'orderbook_fp'],
    ['bad/transitional-orderbook-int-counts.json', parse.parseOrderbookResponse, 'legacy', 'yes_dollars[0][1]'],
    ['bad/legacy-ws-snapshot.json', parse.parseWsMessage, 'legacy', 'orderbook_snapshot'],
    ['bad/legacy-ws-delta.json', parse.parseWsMessage, 'legacy', 'price_dollars'],
    ['bad/legacy-ws-ticker.json', parse.parseWsMessage, 'legacy', 'ticker.msg.price'],
    ['bad/ws-delta-cents-in-dollar-field.json', parse.parseWsMessage, 'legacy', 'price_dollars'],
    ['bad/ws-delta-price-out-of-range.json', parse.parseWsMessage, 'range', 'price_dollars'],
    ['bad/ws-delta-bad-side.json', parse.parseWsMessage, 'format', 'side'],
    ['bad/ws-delta-missing-seq.json', parse.parseWsMessage, 'missing', 'seq'],
    ['bad/ws-snapshot-level-not-pair.json', parse.parseWsMessage, 'format', 'yes_dollars_fp[0]'],
    ['bad/ws-snapshot-float-price.json', parse.parseWsMessage, 'legacy', 'yes_dollars_fp[0][0]'],
    ['bad/ws-ticker-bad-number.json', parse.parseWsMessage, 'format', 'yes_bid_dollars'],
    ['bad/market-missing-ask.json', parse.parseMarketResponse, 'missing', 'yes_ask_dollars'],
    ['bad/market-count-three-decimals.json', parse.parseMarketResponse, 'format', 'yes_bid_size_fp'],
    ['bad/balance-no-fields.json', parse.parseBalance, 'missing', 'balance'],
    ['bad/positions-legacy.json', parse.parsePositionsPage, 'legacy', 'position'],
    ['bad/create-order-legacy-shape.json', parse.parseCreateOrderResponse, 'missing', 'order_id'],
    ['bad/ws-not-object.json', parse.parseWsMessage, 'type', 'ws message'],
  ];

  for (const [file, run, reason, pathPart] of cases) {
    it(`${file} -> ${reason}`, () => {
      const err = parseError(() => run(fixture(file)));
      expect(err.reason).toBe(reason);
      expect(err.code).toBe('ARB_KALSHI_PAYLOAD');
      expect(err.path).toContain(pathPart);
    });
  }

  it('a truncated frame is a json error', () => {
    const text = readFileSync(path.join(dir, 'bad/ws-not-json.txt'), 'utf8');
    expect(parseError(() => parse.parseWsFrame(text)).reason).toBe('json');
  });
});

describe('Kalshi parser fuzzing', () => {
  const parsers: [string, (v: unknown) => unknown][] = [
    ['markets', parse.parseMarketsPage],
    ['market', parse.parseMarketResponse],
    ['events', parse.parseEventsPage],
    ['event', parse.parseEventResponse],
    ['orderbook', parse.parseOrderbookResponse],
    ['balance', parse.parseBalance],
    ['positions', parse.parsePositionsPage],
    ['fills', parse.parseFillsPage],
    ['order', parse.parseOrderResponse],
    ['create', parse.parseCreateOrderResponse],
    ['cancel', parse.parseCancelOrderResponse],
    ['ws', parse.parseWsMessage],
  ];

  const onlyParseErrors = (run: () => unknown) => {
    try {
      run();
    } catch (err) {
      if (!(err instanceof KalshiParseError)) throw err;
    }
  };

  it('arbitrary JSON only ever yields a value or a KalshiParseError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        for (const [, p] of parsers) onlyParseErrors(() => p(v));
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary text frames only ever yield a value or a KalshiParseError', () => {
    fc.assert(fc.property(fc.string(), (s) => onlyParseErrors(() => parse.parseWsFrame(s))), { numRuns: 500 });
  });

  /** Replaces one leaf of a good payload with something random, the likeliest real corruption. */
  function mutate(value: unknown, pathIndex: number, replacement: unknown): unknown {
    const leaves: (string | number)[][] = [];
    const walk = (v: unknown, at: (string | number)[]) => {
      if (v !== null && typeof v === 'object') {
        for (const [k, child] of Object.entries(v)) walk(child, [...at, Array.isArray(v) ? Number(k) : k]);
      } else leaves.push(at);
    };
    walk(value, []);
    const copy = structuredClone(value) as Record<string | number, unknown>;
    const target = leaves[pathIndex % leaves.length];
    if (!target || target.length === 0) return replacement;
    let node = copy as Record<string | number, unknown>;
    for (const k of target.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
    node[target[target.length - 1]!] = replacement;
    return copy;
  }

  const goodWs = ['ws-orderbook-snapshot', 'ws-orderbook-delta', 'ws-ticker', 'ws-trade', 'ws-subscribed', 'ws-ok-update', 'ws-error'];

  it('a corrupted leaf in a good frame never produces an out-of-range price or a foreign error', () => {
    fc.assert(
      fc.property(fc.constantFrom(...goodWs), fc.nat(), fc.jsonValue(), (name, idx, replacement) => {
        const v = mutate(fixture(`good/${name}.json`), idx, replacement);
        try {
          const m = parse.parseWsMessage(v);
          const prices: (number | null)[] = [];
          if (m.type === 'orderbook_delta') prices.push(m.price);
          if (m.type === 'orderbook_snapshot') for (const [p] of [...m.yes, ...m.no]) prices.push(p);
          if (m.type === 'ticker') prices.push(m.lastPrice, m.yesBid, m.yesAsk);
          if (m.type === 'trade') prices.push(m.yesPrice);
          for (const p of prices) if (p !== null) expect(p >= 0 && p <= 1).toBe(true);
        } catch (err) {
          if (!(err instanceof KalshiParseError)) throw err;
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('a corrupted leaf in a good REST payload never escapes as anything but a parse error', () => {
    const rest: [string, (v: unknown) => unknown][] = [
      ['markets-page', parse.parseMarketsPage],
      ['orderbook', parse.parseOrderbookResponse],
      ['positions', parse.parsePositionsPage],
      ['fills', parse.parseFillsPage],
      ['create-order-v2', parse.parseCreateOrderResponse],
      ['balance', parse.parseBalance],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...rest), fc.nat(), fc.jsonValue(), ([name, p], idx, replacement) => {
        onlyParseErrors(() => p(mutate(fixture(`good/${name}.json`), idx, replacement)));
      }),
      { numRuns: 1000 },
    );
  });
});
