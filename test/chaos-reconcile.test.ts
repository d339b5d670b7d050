/**
 * The chaos suite's verdict on fills: our booked contracts per order id against the venues'.
 * Each kind of disagreement is named (lost, booked short, duplicated, phantom) and a difference
 * under one share (Polymarket's fractional remainder) is counted apart, never hidden as a pass.
 */
import { describe, expect, it } from 'vitest';
import { reconcile } from '../chaos/fill-reconciliation.js';

const totals = (o: Record<string, number>) => new Map(Object.entries(o));

describe('chaos fill reconciliation', () => {
  it('agrees when every venue order is booked once with its contracts', () => {
    const r = reconcile(totals({ a: 5, b: 10 }), totals({ a: 5, b: 10 }), []);
    expect(r).toMatchObject({ venueOrders: 2, ourOrders: 2, lost: [], duplicated: [], short: [], phantom: [], fractional: 0 });
  });

  it('names each kind of disagreement', () => {
    const venue = totals({ lost: 3, twice: 4, short: 10, frac: 6.9989, tiny: 0.5 });
    const ours = totals({ twice: 8, short: 7, frac: 6, phantom: 2 });
    const r = reconcile(venue, ours, []);
    expect(r.lost).toEqual(['lost']);
    expect(r.duplicated).toEqual(['twice']);
    expect(r.short).toEqual(['short']);
    expect(r.phantom).toEqual(['phantom']);
    expect(r.fractional).toBe(2); // 0.9989 unbooked on frac, and a 0.5-share order never booked
  });

  it('an order booked under two trade records is a duplicate even when the totals agree', () => {
    const r = reconcile(totals({ a: 5 }), totals({ a: 5 }), ['a']);
    expect(r.duplicated).toEqual(['a']);
  });
});
