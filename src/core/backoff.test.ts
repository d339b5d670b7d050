import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay, jittered, type BackoffPolicy } from './backoff.js';

const policies = fc.record({
  baseMs: fc.integer({ min: 1, max: 10_000 }),
  maxMs: fc.integer({ min: 1, max: 600_000 }),
  factor: fc.constantFrom(1, 1.5, 2, 3),
  jitter: fc.double({ min: 0, max: 1, noNaN: true }),
});
const randoms = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const attempts = fc.integer({ min: 0, max: 100_000 });

const ceiling = (p: BackoffPolicy, n: number): number => Math.min(p.maxMs, p.baseMs * (p.factor ?? 2) ** Math.min(n, 30));

describe('backoffDelay', () => {
  it('stays within [ceiling * (1 - jitter), ceiling] and never above the cap', () => {
    fc.assert(
      fc.property(policies, attempts, randoms, (p, n, r) => {
        const d = backoffDelay(p, n, () => r);
        const c = ceiling(p, n);
        expect(d).toBeLessThanOrEqual(Math.round(c));
        expect(d).toBeLessThanOrEqual(Math.round(p.maxMs));
        expect(d).toBeGreaterThanOrEqual(Math.floor(c * (1 - p.jitter)));
        expect(Number.isInteger(d)).toBe(true);
      }),
    );
  });

  it('never shrinks from one attempt to the next for the same random draw', () => {
    fc.assert(
      fc.property(policies, fc.integer({ min: 0, max: 200 }), randoms, (p, n, r) => {
        expect(backoffDelay(p, n + 1, () => r)).toBeGreaterThanOrEqual(backoffDelay(p, n, () => r));
      }),
    );
  });

  it('is exact without jitter: base, doubled, capped', () => {
    const p = { baseMs: 500, maxMs: 30_000 };
    expect([0, 1, 2, 5, 6, 7, 1e9].map((n) => backoffDelay(p, n))).toEqual([500, 1000, 2000, 16000, 30000, 30000, 30000]);
  });

  it('full jitter may reach zero; equal jitter keeps at least half', () => {
    expect(jittered(1000, 1, () => 0.9999)).toBe(0);
    expect(jittered(1000, 0.5, () => 0.9999)).toBe(500);
    expect(jittered(1000, 0.5, () => 0)).toBe(1000);
  });
});

describe('Backoff', () => {
  it('counts attempts and starts over after reset', () => {
    const b = new Backoff({ baseMs: 100, maxMs: 1_000 });
    expect([b.next(), b.next(), b.next()]).toEqual([100, 200, 400]);
    expect(b.attempts).toBe(3);
    b.reset();
    expect(b.attempts).toBe(0);
    expect(b.next()).toBe(100);
  });

  it('refuses a nonsensical policy', () => {
    expect(() => new Backoff({ baseMs: -1, maxMs: 1 })).toThrow(RangeError);
    expect(() => new Backoff({ baseMs: 1, maxMs: 1, jitter: 2 })).toThrow(RangeError);
    expect(() => new Backoff({ baseMs: 1, maxMs: 1, factor: 0.5 })).toThrow(RangeError);
  });
});
