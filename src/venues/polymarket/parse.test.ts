import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PolymarketParseError } from './errors.js';
import {
  parseBookSummaries,
  parseBookSummary,
  parseCancelResponse,
  parseClobMarket,
  parseOpenOrder,
  parseErrorBody,
  parseGammaEvent,
  parseGammaMarket,
  parseGammaPage,
  parseMidpointResponse,
  parseOrderResponse,
  parsePriceResponse,
  parseTradesPage,
  parseWsFrame,
  parseWsMessage,
  type PolyWsMessage,
} from './parse.js';

const dir = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures');
const text = (name: string) => readFileSync(join(dir, name), 'utf8');
const json = (name: string): unknown => JSON.parse(text(name));
const A = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
const B = '52114319501245915516055106046884209969926127482827954674443846427813813222426';

function messages(name: string): PolyWsMessage[] {
  const frame = parseWsFrame(text(name));
  if (frame.kind !== 'messages') throw new Error(`expected messages, got ${frame.kind}`);
  expect(frame.errors).toEqual([]);
  return frame.messages;
}

describe('CLOB REST fixtures', () => {
  it('reads a book summary with levels best first and string decimals as numbers', () => {
    const b = parseBookSummary(json('rest-book.json'));
    expect(b.assetId).toBe(A);
    expect(b.bids.map((l) => l.price)).toEqual([0.81, 0.8, 0.01]);
    expect(b.asks.map((l) => l.price)).toEqual([0.82, 0.83, 0.99]);
    expect(b.bids[2]).toEqual({ price: 0.01, size: 14225.02 });
    expect(b.timestampMs).toBe(1762463041123);
    expect(b).toMatchObject({ tickSize: '0.01', minOrderSize: 5, negRisk: false, lastTradePrice: 0.815 });
  });

  it('reads an empty book as a valid book, and refuses an error body as a book', () => {
    const empty = parseBookSummary(json('rest-book-empty.json'));
    expect(empty.bids).toEqual([]);
    expect(empty.asks).toEqual([]);
    expect(empty.lastTradePrice).toBeNull();
    expect(() => parseBookSummary(json('malformed/rest-book-is-error.json'))).toThrow(PolymarketParseError);
    expect(parseErrorBody(json('rest-error-no-orderbook.json'))).toBe('No orderbook exists for the requested token id');
    expect(parseErrorBody(json('rest-error-invalid-token.json'))).toBe('Invalid token id');
    expect(parseErrorBody(json('rest-book.json'))).toBeNull();
  });

  it('reads books, price, midpoint, order and cancel bodies', () => {
    expect(parseBookSummaries(json('rest-books.json')).map((b) => b.assetId)).toEqual([A, B]);
    expect(parsePriceResponse(json('rest-price.json'))).toBe(0.81);
    expect(parseMidpointResponse(json('rest-midpoint.json'))).toBe(0.815);
    const order = parseOrderResponse(json('rest-order-response.json'));
    expect(order).toMatchObject({ success: true, status: 'matched', makingAmount: '82000000', takingAmount: '100000000' });
    expect(order.tradeIds).toEqual(['a1b2c3']);
    const refused = parseOrderResponse(json('rest-order-rejected.json'));
    expect(refused).toMatchObject({ success: false, errorMsg: 'INVALID_ORDER_MIN_SIZE', status: null, makingAmount: '' });
    expect(parseCancelResponse(json('rest-cancel-response.json'))).toEqual({
      canceled: ['0xabcdef'],
      notCanceled: { '0x123456': 'order not found or already canceled' },
    });
  });
});

describe('market WebSocket fixtures', () => {
  it('reads a book snapshot, in either spelling of its sides', () => {
    const [book] = messages('ws-book.json');
    expect(book).toMatchObject({ type: 'book', assetId: A, timestampMs: 1762463041123 });
    if (book?.type !== 'book') throw new Error('not a book');
    expect(book.bids[0]).toEqual({ price: 0.81, size: 1520 });
    expect(book.asks[0]).toEqual({ price: 0.82, size: 233 });
    const [old] = messages('ws-book-buys-sells.json');
    expect(old).toEqual(book);
    const [empty] = messages('ws-book-empty.json');
    expect(empty).toMatchObject({ type: 'book', bids: [], asks: [] });
  });

  it('reads an initial dump sent as an array of books', () => {
    expect(messages('ws-book-array.json').map((m) => (m.type === 'book' ? m.assetId : m.type))).toEqual([A, B]);
  });

  it('reads a price_change batched over two assets', () => {
    const [pc] = messages('ws-price-change.json');
    if (pc?.type !== 'price_change') throw new Error('not a price_change');
    expect(pc.changes).toEqual([
      { assetId: A, price: 0.81, size: 1720, side: 'BUY', hash: '56621a121a47ed9333273e21c83b660cff37ae50', bestBid: 0.81, bestAsk: 0.82 },
      { assetId: B, price: 0.19, size: 1720, side: 'SELL', hash: '1895759e4df7a796bf4f1c5a5950b748306923e2', bestBid: 0.18, bestAsk: 0.19 },
    ]);
    const [removal] = messages('ws-price-change-remove.json');
    expect(removal).toMatchObject({ type: 'price_change', changes: [{ size: 0, side: 'SELL' }] });
  });

  it('reads last_trade_price, tick_size_change, best_bid_ask and market_resolved; other events pass as "other"', () => {
    expect(messages('ws-last-trade-price.json')[0]).toEqual({
      type: 'last_trade_price', assetId: A, market: expect.any(String), price: 0.815, side: 'BUY', size: 219.217767, feeRateBps: 0, timestampMs: 1762463041300,
    });
    expect(messages('ws-tick-size-change.json')[0]).toMatchObject({ type: 'tick_size_change', oldTickSize: '0.01', newTickSize: '0.001' });
    expect(messages('ws-best-bid-ask.json')[0]).toMatchObject({ type: 'best_bid_ask', bestBid: 0.81, bestAsk: 0.82 });
    expect(messages('ws-market-resolved.json')[0]).toMatchObject({ type: 'market_resolved', winningAssetId: A, winningOutcome: 'Broncos', assetIds: [B, A] });
    expect(messages('ws-new-market.json')[0]).toEqual({ type: 'other', eventType: 'new_market' });
    expect(parseWsFrame(text('ws-pong.txt'))).toEqual({ kind: 'pong' });
    expect(parseWsFrame('INVALID OPERATION')).toEqual({ kind: 'text', text: 'INVALID OPERATION' });
  });

  it('reads every tick size the venue uses, and names an unknown one instead of dropping the change', () => {
    expect(messages('ws-tick-size-change-0025.json')[0]).toMatchObject({ type: 'tick_size_change', newTickSize: '0.0025' });
    expect(parseBookSummary(json('rest-book-tick-0005.json'))).toMatchObject({ tickSize: '0.005' });
    expect(messages('ws-tick-size-unknown.json')[0]).toMatchObject({ type: 'tick_size_unknown', assetId: A, newTickText: '0.05' });
    expect(() => parseBookSummary({ ...(json('rest-book.json') as object), tick_size: '0.05' })).toThrow(/unknown tick size.*0\.05.*refused/);
  });

  it('reads order replies with decimal amounts, the order lookup and the CLOB market', () => {
    expect(parseOrderResponse(json('rest-order-response-decimal.json'))).toMatchObject({ status: 'matched', makingAmount: '2.499999', takingAmount: '3.0487' });
    expect(parseOpenOrder(json('rest-open-order.json'))).toMatchObject({ status: 'MATCHED', side: 'BUY', originalSize: 6_998_900n, sizeMatched: 6_998_900n, price: 0.973, tradeIds: ['a1b2c3'] });
    expect(parseClobMarket(json('rest-clob-market.json'))).toMatchObject({ tickSize: '0.01', negRisk: false, fee: { rate: 0.03, exponent: 1, takerOnly: true } });
    expect(parseClobMarket(json('rest-clob-market.json')).tokens.map((t) => t.outcome)).toEqual(['Raiders', 'Broncos']);
    expect(parseClobMarket({ ...(json('rest-clob-market.json') as object), fd: undefined, mts: 0.0025 })).toMatchObject({ tickSize: '0.0025', fee: null });
  });

  it('keeps the good messages of an array frame and reports the bad one alone', () => {
    const good = json('ws-book.json');
    const bad = json('malformed/ws-book-missing-asset-id.json');
    const frame = parseWsFrame(JSON.stringify([good, bad, good]));
    if (frame.kind !== 'messages') throw new Error('expected messages');
    expect(frame.messages).toHaveLength(2);
    expect(frame.errors).toHaveLength(1);
    expect(frame.errors[0]?.path).toBe('[1].asset_id');
  });
});

describe('Gamma fixtures', () => {
  it('decodes the JSON-encoded outcomes, prices and token ids, ignoring unknown fields', () => {
    const page = parseGammaPage(json('gamma-markets.json'), 'markets', parseGammaMarket);
    expect(page.rejected).toEqual([]);
    const m = page.items[0]!;
    expect(m.outcomes).toEqual(['Raiders', 'Broncos']);
    expect(m.outcomePrices).toEqual([0.185, 0.815]);
    expect(m.clobTokenIds).toEqual([B, A]);
    expect(m).toMatchObject({ id: '613240', active: true, closed: false, sportsMarketType: 'moneyline', gameId: '19439', bestBid: 0.81 });
    expect(m.events[0]).toEqual({ id: '81234', slug: 'nfl-lv-den-2025-11-06', title: 'Raiders vs. Broncos' });
    expect(m).not.toHaveProperty('someFieldAddedLater');
  });

  it('reads a keyset page with its cursor', () => {
    const page = parseGammaPage(json('gamma-markets-keyset.json'), 'markets', parseGammaMarket);
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).toBe('MTAw');
  });

  it('reads an event and sets aside its one malformed market', () => {
    const ev = parseGammaEvent((json('gamma-events.json') as unknown[])[0]);
    expect(ev).toMatchObject({ id: '81234', slug: 'nfl-lv-den-2025-11-06', gameId: '19439', live: true, score: '3-16' });
    expect(ev.tags.map((t) => t.slug)).toEqual(['sports', 'nfl']);
    expect(ev.markets.map((m) => m.id)).toEqual(['613240']);
    expect(ev.rejectedMarkets).toHaveLength(1);
    expect(ev.rejectedMarkets[0]?.message).toMatch(/conditionId/);
  });
});

describe('malformed fixtures', () => {
  const files = readdirSync(join(dir, 'malformed'));

  function parserFor(name: string): (body: string) => unknown {
    if (name.startsWith('ws-')) {
      return (body) => {
        const frame = parseWsFrame(body);
        if (frame.kind === 'messages' && frame.errors.length > 0 && frame.messages.length === 0) throw frame.errors[0];
        return frame;
      };
    }
    const parse = (fn: (raw: unknown) => unknown) => (body: string) => fn(JSON.parse(body));
    if (name.startsWith('rest-book')) return parse(parseBookSummary);
    if (name.startsWith('rest-price')) return parse(parsePriceResponse);
    if (name.startsWith('rest-midpoint')) return parse(parseMidpointResponse);
    if (name.startsWith('rest-order-response')) return parse(parseOrderResponse);
    if (name.startsWith('rest-open-order')) return parse((raw) => parseOpenOrder(raw));
    if (name.startsWith('rest-clob-market')) return parse((raw) => parseClobMarket(raw));
    if (name.startsWith('gamma-market')) return parse((raw) => parseGammaMarket(raw));
    throw new Error(`no parser for ${name}`);
  }

  it('has a fixture for every kind of breakage', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it.each(files)('%s is rejected with a PolymarketParseError naming the field', (name) => {
    const body = readFileSync(join(dir, 'malformed', name), 'utf8');
    let thrown: unknown;
    try {
      parserFor(name)(body);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(PolymarketParseError);
    expect((thrown as PolymarketParseError).code).toBe('ARB_POLY_PAYLOAD');
  });

  it('rejects a malformed Gamma market inside a page without losing the good ones', () => {
    const good = (json('gamma-markets.json') as unknown[])[0];
    const bad = files.filter((f) => f.startsWith('gamma-market')).map((f) => JSON.parse(readFileSync(join(dir, 'malformed', f), 'utf8')) as unknown);
    const page = parseGammaPage([good, ...bad, good], 'markets', parseGammaMarket);
    expect(page.items).toHaveLength(2);
    expect(page.rejected).toHaveLength(bad.length);
  });
});

describe('parsers under fuzzing', () => {
  const onlyParseErrors = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      if (!(err instanceof PolymarketParseError)) throw err;
    }
  };
  const parsers: [string, (raw: unknown) => unknown][] = [
    ['book', (r) => parseBookSummary(r)],
    ['ws message', (r) => parseWsMessage(r)],
    ['gamma market', (r) => parseGammaMarket(r)],
    ['gamma event', (r) => parseGammaEvent(r)],
    ['gamma page', (r) => parseGammaPage(r, 'markets', parseGammaMarket)],
    ['order response', (r) => parseOrderResponse(r)],
    ['cancel response', (r) => parseCancelResponse(r)],
    ['price', (r) => parsePriceResponse(r)],
    ['trades page', (r) => parseTradesPage(r)],
  ];

  it.each(parsers)('%s parser throws nothing but PolymarketParseError on any JSON', (_name, parse) => {
    fc.assert(fc.property(fc.jsonValue(), (v) => onlyParseErrors(() => parse(v))), { numRuns: 500 });
  });

  it('frame parser survives any string, including broken JSON', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.json().map((s) => s.slice(0, Math.floor(s.length / 2)))), (s) =>
        onlyParseErrors(() => parseWsFrame(s)),
      ),
      { numRuns: 1000 },
    );
  });

  const goodPayloads: [string, unknown, (raw: unknown) => unknown][] = [
    ['ws book', json('ws-book.json'), (r) => parseWsMessage(r)],
    ['ws price_change', json('ws-price-change.json'), (r) => parseWsMessage(r)],
    ['ws last trade', json('ws-last-trade-price.json'), (r) => parseWsMessage(r)],
    ['rest book', json('rest-book.json'), (r) => parseBookSummary(r)],
    ['gamma market', (json('gamma-markets.json') as unknown[])[0], (r) => parseGammaMarket(r)],
    ['gamma event', (json('gamma-events.json') as unknown[])[0], (r) => parseGammaEvent(r)],
  ];

  it.each(goodPayloads)('%s with one field replaced by anything: parsed or PolymarketParseError, prices stay in [0,1]', (_n, good, parse) => {
    const keys = Object.keys(good as object);
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.jsonValue(), (key, value) => {
        const mutated = { ...(good as Record<string, unknown>), [key]: value };
        try {
          const out = parse(mutated);
          for (const p of collectPrices(out)) expect(p >= 0 && p <= 1).toBe(true);
        } catch (err) {
          if (!(err instanceof PolymarketParseError)) throw err;
        }
      }),
      { numRuns: 400 },
    );
  });

  it('reads any in-range decimal price string back as the same number', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), (n) => {
        const s = (n / 10_000).toFixed(4);
        const book = { ...(json('ws-book.json') as object), bids: [{ price: s, size: '1' }], asks: [] };
        const m = parseWsMessage(book);
        expect(m.type === 'book' && m.bids[0]?.price).toBe(Number(s));
      }),
    );
  });
});

function collectPrices(v: unknown, out: number[] = []): number[] {
  if (Array.isArray(v)) for (const x of v) collectPrices(x, out);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if ((k === 'price' || k === 'bestBid' || k === 'bestAsk') && typeof x === 'number') out.push(x);
      else collectPrices(x, out);
    }
  }
  return out;
}
