import { describe, expect, it } from 'vitest';
import type { RawEnvelope } from '../../core/envelope.js';
import { LatestTable, type LatestEntry } from './latest-table.js';

const entry = (key: string, seq: number): LatestEntry => ({
  target: { kind: 'price_hash', key },
  topic: `prices.kalshi.${key}`,
  envelope: { v: 1, type: 'price', id: `m${seq}`, src: 's.0', seq, ts: seq, origin_ts: seq, data: {} } as RawEnvelope,
});

describe('latest-state table', () => {
  it('keeps only the newest update per key and counts the coalesced ones', () => {
    const table = new LatestTable(100);
    for (let seq = 1; seq <= 5; seq++) table.put(entry('A', seq));
    table.put(entry('B', 6));
    expect(table.size).toBe(2);
    expect(table.coalesced).toBe(4);
    const taken = table.take(10);
    expect(taken.map((e) => [e.target.key, e.envelope.seq])).toEqual([['A', 5], ['B', 6]]);
    expect(table.size).toBe(0);
  });

  it('restores a failed write unless a newer one arrived meanwhile', () => {
    const table = new LatestTable(100);
    table.put(entry('A', 1));
    table.put(entry('B', 2));
    const failed = table.take(10);
    table.put(entry('A', 3));
    table.restore(failed);
    const after = new Map(table.take(10).map((e) => [e.target.key, e.envelope.seq]));
    expect(after).toEqual(new Map([['A', 3], ['B', 2]]));
  });

  it('drops the least recently updated key at the bound', () => {
    const table = new LatestTable(2);
    table.put(entry('A', 1));
    table.put(entry('B', 2));
    table.put(entry('A', 3));
    table.put(entry('C', 4));
    expect(table.dropped).toBe(1);
    expect(table.take(10).map((e) => e.target.key).sort()).toEqual(['A', 'C']);
  });
});
