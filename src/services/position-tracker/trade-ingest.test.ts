import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSettlementFields } from './settlement-record.js';
import { parseTradeEntry } from './trade-ingest.js';

const good = {
  trade_id: 't1', source: 'signal', source_id: 's1', game_id: 'g1', sport: 'NBA', mode: 'paper', status: 'filled', reason: null, decided_ts: 1,
  fills: [{ venue: 'kalshi', market_id: 'KX', side: 'no', action: 'buy', contracts: 3, yes_price: 0.61, fee_cc: 200, order_id: null }],
};

describe('trades:completed entry parsing', () => {
  it('reads the slow-track layout and a bare data field; sport casing is normalised', () => {
    const a = parseTradeEntry('1-0', { topic: 'trades.completed.t1', type: 'trade_completed', data: JSON.stringify(good) });
    const b = parseTradeEntry('2-0', { data: JSON.stringify(good) });
    expect(a.trade).toMatchObject({ trade_id: 't1', sport: 'nba' });
    expect(b.trade).toEqual(a.trade);
  });

  it('names what is wrong with a malformed entry', () => {
    expect(parseTradeEntry('1-0', {})).toMatchObject({ trade: null, error: 'entry has no data field' });
    expect(parseTradeEntry('1-0', { type: 'price', data: '{}' })).toMatchObject({ trade: null, error: expect.stringMatching(/not trade_completed/) });
    expect(parseTradeEntry('1-0', { data: '{' })).toMatchObject({ trade: null, error: 'data is not JSON' });
    const bad = parseTradeEntry('1-0', { data: JSON.stringify({ ...good, fills: [{ ...good.fills[0], yes_price: 1.5 }] }) });
    expect(bad).toMatchObject({ trade: null, error: expect.stringMatching(/fills\.0\.yes_price/) });
  });

  it('never throws on arbitrary fields (fuzzed), and returns either a trade or an error', () => {
    const value = fc.oneof(fc.string(), fc.json(), fc.constant(JSON.stringify(good)), fc.jsonValue().map((v) => JSON.stringify({ ...good, fills: v })));
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('type', 'data', 'topic', 'id', 'x'), value), (fields) => {
        const entry = parseTradeEntry('5-0', fields);
        expect(entry.streamId).toBe('5-0');
        expect(entry.trade === null ? typeof entry.error : typeof entry.trade.trade_id).toBe('string');
        expect(() => parseSettlementFields(fields)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});
