/**
 * Shared math of the win-probability models: the normal CDF and quantile, logit, and
 * allocation-free distributions of a score difference (Skellam for two Poisson counts, and a
 * general "lead + X - Y" over caller-owned pmf buffers). Everything here is pure and cheap:
 * the models call it on every price update.
 */

/** Numerical Recipes' erfcc (Chebyshev fit) for z >= 0, fractional error below 1.2e-7. */
function erfcPositive(z: number): number {
  const t = 1 / (1 + 0.5 * z);
  return (
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    )
  );
}

// Rescaled so erfc(0) is exactly 1: then normalCdf(0) = 0.5 and normalCdf(-x) = 1 - normalCdf(x)
// hold exactly, which keeps the models' home/away symmetry exact.
const ERFC_AT_ZERO = erfcPositive(0);

/** erfc with fractional error below about 2.5e-7 everywhere. */
function erfc(x: number): number {
  const r = erfcPositive(Math.abs(x)) / ERFC_AT_ZERO;
  return x >= 0 ? r : 2 - r;
}

/** Standard normal CDF. Keeps relative precision in both tails. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * Math.SQRT1_2);
}

// Acklam's rational approximation of the normal quantile (relative error < 1.2e-9).
const QA = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const QB = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const QC = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const QD = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const Q_LOW = 0.02425;

/** Standard normal quantile for p in (0,1); +-Infinity at the ends. */
export function normalQuantile(p: number): number {
  if (!(p > 0)) return -Infinity;
  if (!(p < 1)) return Infinity;
  if (p < Q_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((QC[0]! * q + QC[1]!) * q + QC[2]!) * q + QC[3]!) * q + QC[4]!) * q + QC[5]!) / ((((QD[0]! * q + QD[1]!) * q + QD[2]!) * q + QD[3]!) * q + 1);
  }
  if (p > 1 - Q_LOW) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((QA[0]! * r + QA[1]!) * r + QA[2]!) * r + QA[3]!) * r + QA[4]!) * r + QA[5]!) * q) /
    (((((QB[0]! * r + QB[1]!) * r + QB[2]!) * r + QB[3]!) * r + QB[4]!) * r + 1)
  );
}

/** Largest expected count poissonRace accepts (a whole soccer match has about 3). */
const MAX_MEAN = 200;

/** Probability mass below this is dropped from pmf arithmetic. */
const NEGLIGIBLE = 1e-13;

export const logit = (p: number): number => Math.log(p / (1 - p));
export const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);

/** Outcome of a score difference, written into by the functions below (no allocation). */
export interface RaceOutcome {
  win: number;
  tie: number;
}

/**
 * P(lead + X - Y > 0) and P(lead + X - Y = 0) for independent X ~ Poisson(a), Y ~ Poisson(b),
 * i.e. the Skellam distribution of X - Y shifted by an integer lead. Walks Y's pmf while
 * keeping X's CDF at the moving threshold, so the cost is about the width of Y's support.
 */
export function poissonRace(lead: number, a: number, b: number, out: RaceOutcome): RaceOutcome {
  // Means beyond any real game are capped, so garbage input cannot make the loop long.
  const ma = a > 0 ? (a < MAX_MEAN ? a : MAX_MEAN) : 0;
  const mb = b > 0 ? (b < MAX_MEAN ? b : MAX_MEAN) : 0;
  // Threshold t = y - lead: home wins when X > t, ties when X = t.
  let t = -Math.round(lead < -1000 ? -1000 : lead > 1000 ? 1000 : lead);
  // X's pmf and CDF at t (0 while t < 0).
  let px = 0;
  let cx = 0;
  if (t >= 0) {
    px = Math.exp(-ma);
    cx = px;
    for (let k = 1; k <= t; k++) {
      px = (px * ma) / k;
      cx += px;
    }
  }
  const yMax = Math.ceil(mb + 10 * Math.sqrt(mb) + 12);
  let py = Math.exp(-mb);
  let win = 0;
  let tie = 0;
  for (let y = 0; y <= yMax; y++) {
    win += py * (1 - cx);
    tie += py * px;
    // Move to y + 1: t grows by one.
    t += 1;
    if (t === 0) {
      px = Math.exp(-ma);
      cx = px;
    } else if (t > 0) {
      px = (px * ma) / t;
      cx += px;
    }
    py = (py * mb) / (y + 1);
  }
  // Y's tail beyond yMax (negligible) counts as a home loss.
  out.win = win < 0 ? 0 : win > 1 ? 1 : win;
  out.tie = tie < 0 ? 0 : tie > 1 ? 1 : tie;
  return out;
}

/**
 * Negative-binomial pmf with mean m and shape r (variance m + m^2/r) into `buf[0..n-1]`; the
 * tail beyond n-1 is added to the last cell. r -> Infinity is Poisson.
 */
export function negativeBinomialInto(m: number, r: number, buf: Float64Array, n: number): void {
  if (!(m > 0)) {
    buf[0] = 1;
    for (let k = 1; k < n; k++) buf[k] = 0;
    return;
  }
  const q = m / (r + m);
  let p = Math.exp(r * Math.log(r / (r + m)));
  let total = 0;
  for (let k = 0; k < n; k++) {
    buf[k] = p;
    total += p;
    p = p < NEGLIGIBLE * 1e-3 && k > m ? 0 : (p * (r + k) * q) / (k + 1);
  }
  buf[n - 1]! += Math.max(0, 1 - total);
}

/** c = a * b (convolution) over the first n cells; the mass beyond n-1 goes to the last cell. */
export function convolveInto(a: Float64Array, b: Float64Array, n: number, c: Float64Array): void {
  for (let k = 0; k < n; k++) c[k] = 0;
  // Negligible cells are skipped: their products would be denormal numbers, which are slow.
  let bLen = n;
  while (bLen > 1 && b[bLen - 1]! < NEGLIGIBLE) bLen--;
  for (let i = 0; i < n; i++) {
    const ai = a[i]!;
    if (ai < NEGLIGIBLE) continue;
    const inside = n - i < bLen ? n - i : bLen;
    for (let j = 0; j < inside; j++) c[i + j]! += ai * b[j]!;
    for (let j = inside; j < bLen; j++) c[n - 1]! += ai * b[j]!;
  }
}

/** P(lead + X - Y > 0) and P(= 0) for independent pmfs x and y over cells 0..n-1. */
export function pmfRace(lead: number, x: Float64Array, y: Float64Array, n: number, out: RaceOutcome): RaceOutcome {
  const l = Math.round(lead < -1000 ? -1000 : lead > 1000 ? 1000 : lead);
  let win = 0;
  let tie = 0;
  // Walk y; keep P(X <= y - l) incrementally.
  let t = -l;
  let cx = 0;
  for (let k = 0; k <= t && k < n; k++) cx += x[k]!;
  for (let j = 0; j < n; j++) {
    const pj = y[j]!;
    if (pj !== 0) {
      win += pj * (1 - cx);
      if (t >= 0 && t < n) tie += pj * x[t]!;
    }
    t += 1;
    if (t >= 0 && t < n) cx += x[t]!;
  }
  out.win = win < 0 ? 0 : win > 1 ? 1 : win;
  out.tie = tie < 0 ? 0 : tie > 1 ? 1 : tie;
  return out;
}

/**
 * Strictly increasing table y(s) over a grid of s, inverted by bisection and linear
 * interpolation: how a pregame price becomes a strength.
 */
export class MonotoneTable {
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;

  constructor(min: number, max: number, steps: number, f: (s: number) => number) {
    this.xs = new Float64Array(steps + 1);
    this.ys = new Float64Array(steps + 1);
    for (let i = 0; i <= steps; i++) {
      const s = min + ((max - min) * i) / steps;
      this.xs[i] = s;
      this.ys[i] = f(s);
    }
  }

  /** The s with y(s) = y, clamped to the grid. */
  invert(y: number): number {
    const xs = this.xs;
    const ys = this.ys;
    const n = ys.length;
    if (!(y > ys[0]!)) return xs[0]!;
    if (!(y < ys[n - 1]!)) return xs[n - 1]!;
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (ys[mid]! <= y) lo = mid;
      else hi = mid;
    }
    const y0 = ys[lo]!;
    const y1 = ys[hi]!;
    const w = y1 > y0 ? (y - y0) / (y1 - y0) : 0;
    return xs[lo]! + w * (xs[hi]! - xs[lo]!);
  }
}
