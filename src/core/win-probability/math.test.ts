import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  convolveInto,
  MonotoneTable,
  negativeBinomialInto,
  normalCdf,
  normalQuantile,
  pmfRace,
  poissonRace,
  type RaceOutcome,
} from './math.js';

/** Brute force P(lead + X - Y > 0) and P(= 0) over explicit Poisson pmfs. */
function bruteRace(lead: number, a: number, b: number): RaceOutcome {
  const pmf = (m: number) => {
    const out: number[] = [];
    let p = Math.exp(-m);
    for (let k = 0; k < 80; k++) {
      out.push(p);
      p = (p * m) / (k + 1);
    }
    return out;
  };
  const x = pmf(a);
  const y = pmf(b);
  let win = 0;
  let tie = 0;
  for (let i = 0; i < 80; i++) {
    for (let j = 0; j < 80; j++) {
      const d = lead + i - j;
      if (d > 0) win += x[i]! * y[j]!;
      else if (d === 0) tie += x[i]! * y[j]!;
    }
  }
  return { win, tie };
}

describe('normal distribution', () => {
  it('matches tabulated CDF values, tails included', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 12);
    expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 7);
    expect(normalCdf(-1)).toBeCloseTo(0.158655254, 7);
    expect(normalCdf(-5) / 2.866515719e-7).toBeCloseTo(1, 5);
    expect(normalCdf(8)).toBeLessThanOrEqual(1);
  });

  it('quantile inverts the CDF', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-9, max: 1 - 1e-9, noNaN: true }), (p) => {
        expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6);
      }),
    );
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(Number.NaN)).toBe(-Infinity);
  });
});

describe('score-difference distributions', () => {
  it('poissonRace (Skellam) equals the brute-force sum over both pmfs', () => {
    const out: RaceOutcome = { win: 0, tie: 0 };
    fc.assert(
      fc.property(
        fc.integer({ min: -8, max: 8 }),
        fc.double({ min: 0, max: 12, noNaN: true }),
        fc.double({ min: 0, max: 12, noNaN: true }),
        (lead, a, b) => {
          const want = bruteRace(lead, a, b);
          poissonRace(lead, a, b, out);
          expect(out.win).toBeCloseTo(want.win, 9);
          expect(out.tie).toBeCloseTo(want.tie, 9);
        },
      ),
    );
  });

  it('negative binomial pmf sums to 1 with the asked mean and variance', () => {
    const n = 200;
    const buf = new Float64Array(n);
    negativeBinomialInto(4.4, 3.2, buf, n);
    let total = 0;
    let mean = 0;
    let sq = 0;
    buf.forEach((p, k) => {
      total += p;
      mean += k * p;
      sq += k * k * p;
    });
    expect(total).toBeCloseTo(1, 9);
    expect(mean).toBeCloseTo(4.4, 6);
    expect(sq - mean * mean).toBeCloseTo(4.4 + 4.4 ** 2 / 3.2, 4);
  });

  it('convolution of two Poissons is the Poisson of the sum, and pmfRace agrees with poissonRace', () => {
    const n = 60;
    const a = new Float64Array(n);
    const b = new Float64Array(n);
    const c = new Float64Array(n);
    negativeBinomialInto(2, 1e9, a, n);
    negativeBinomialInto(3, 1e9, b, n);
    convolveInto(a, b, n, c);
    const want = new Float64Array(n);
    negativeBinomialInto(5, 1e9, want, n);
    for (let k = 0; k < 20; k++) expect(c[k]).toBeCloseTo(want[k]!, 6);
    const r1: RaceOutcome = { win: 0, tie: 0 };
    const r2: RaceOutcome = { win: 0, tie: 0 };
    for (const lead of [-3, -1, 0, 2]) {
      pmfRace(lead, a, b, n, r1);
      poissonRace(lead, 2, 3, r2);
      expect(r1.win).toBeCloseTo(r2.win, 6);
      expect(r1.tie).toBeCloseTo(r2.tie, 6);
    }
  });

  it('MonotoneTable inverts an increasing function', () => {
    const t = new MonotoneTable(-3, 3, 300, (s) => Math.tanh(s));
    fc.assert(
      fc.property(fc.double({ min: -2.5, max: 2.5, noNaN: true }), (s) => {
        expect(t.invert(Math.tanh(s))).toBeCloseTo(s, 2);
      }),
    );
    expect(t.invert(-2)).toBe(-3);
    expect(t.invert(Number.NaN)).toBe(-3);
  });
});
