import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { streamEntryFields } from '../../bus/slow-track.js';
import { decodeEntry, type StreamRole } from './entry-decoder.js';
import { HistorySampler } from './history-sampler.js';
import { RowBatch } from './row-batch.js';

const T0 = 1_760_000_000_000_000;
const sampler = () => new HistorySampler({ priceMs: 1_000, stateMs: 5_000, markMs: 10_000 });

function fieldsOf(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}

const price = (bid: number, ts: number, id: string) => fieldsOf(streamEntryFields('prices.kalshi.KX-1', {
  v: 1, type: 'price', id, src: 's.0', seq: 1, ts, origin_ts: ts,
  data: { venue: 'kalshi', market_id: 'KX-1', game_id: 'g1', team: 'H', yes_bid: bid, yes_ask: bid + 0.02, yes_bid_size: 1, yes_ask_size: 1, status: 'open' },
}));

describe('entry decoder', () => {
  it('never throws on arbitrary fields, and either adds rows or names a problem', () => {
    const roles: StreamRole[] = ['slow', 'positions_closed', 'settlements', 'alerts'];
    const value = fc.oneof(fc.string(), fc.json(), fc.constantFrom('price', 'trade_completed', 'game_state', 'position', '{"a":1}', '1', ''));
    const fields = fc.dictionary(fc.constantFrom('topic', 'id', 'src', 'seq', 'ts', 'type', 'origin_ts', 'data', 'x'), value);
    fc.assert(
      fc.property(fc.constantFrom(...roles), fields, (role, f) => {
        const batch = new RowBatch();
        const problem = decodeEntry({ stream: 's', role, id: '1-0', fields: f }, batch, sampler());
        expect(problem === null || (typeof problem === 'string' && problem.length > 0)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('samples a market at most once per window, keeping the last price of the window for later', () => {
    const s = sampler();
    const batch = new RowBatch();
    decodeEntry({ stream: 'p', role: 'slow', id: '1-0', fields: price(0.5, T0, 'a') }, batch, s);
    decodeEntry({ stream: 'p', role: 'slow', id: '1-1', fields: price(0.51, T0 + 200_000, 'b') }, batch, s);
    decodeEntry({ stream: 'p', role: 'slow', id: '1-2', fields: price(0.52, T0 + 400_000, 'c') }, batch, s);
    decodeEntry({ stream: 'p', role: 'slow', id: '1-3', fields: price(0.52, T0 + 500_000, 'd') }, batch, s); // unchanged
    expect(batch.prices.map((p) => p.msg_id)).toEqual(['a']);
    expect(s.duePrices(T0 + 900_000)).toEqual([]);
    expect(s.duePrices(T0 + 1_000_000).map((p) => p.msg_id)).toEqual(['c']);
    decodeEntry({ stream: 'p', role: 'slow', id: '1-4', fields: price(0.6, T0 + 1_300_000, 'e') }, batch, s); // 0.9 s after c: held back
    expect(batch.prices.map((p) => p.msg_id)).toEqual(['a']);
    decodeEntry({ stream: 'p', role: 'slow', id: '1-5', fields: price(0.61, T0 + 2_500_000, 'f') }, batch, s);
    expect(batch.prices.map((p) => p.msg_id)).toEqual(['a', 'f']);
  });

  it('names what is wrong with an entry of a known type', () => {
    const f = fieldsOf(streamEntryFields('trades.completed.t1', { v: 1, type: 'trade_completed', id: 'm', src: 's.0', seq: 1, ts: T0, origin_ts: T0, data: { trade_id: 't1' } }));
    expect(decodeEntry({ stream: 't', role: 'slow', id: '1-0', fields: f }, new RowBatch(), sampler())).toMatch(/^trade_completed: /);
    expect(decodeEntry({ stream: 't', role: 'slow', id: '1-0', fields: { ...f, type: 'bogus' } }, new RowBatch(), sampler())).toMatch(/unknown message type/);
  });
});
