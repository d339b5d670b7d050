/**
 * Discrete distributions used by the engines' exact win probabilities: probability mass
 * functions as Float64Arrays indexed by count (points, goals, runs).
 */

export type Pmf = Float64Array;

export function pointMass(k = 0): Pmf {
  const p = new Float64Array(k + 1);
  p[k] = 1;
  return p;
}

export function convolve(a: Pmf, b: Pmf): Pmf {
  const out = new Float64Array(a.length + b.length - 1);
  for (let i = 0; i < a.length; i++) {
    const ai = a[i]!;
    if (ai === 0) continue;
    for (let j = 0; j < b.length; j++) out[i + j]! += ai * b[j]!;
  }
  return out;
}

/** pmf of the sum of k independent draws of `step`, for k = 0..maxK. */
export function convolutionPowers(step: Pmf, maxK: number): Pmf[] {
  const out: Pmf[] = [pointMass(0)];
  for (let k = 1; k <= maxK; k++) out.push(convolve(out[k - 1]!, step));
  return out;
}

/** Poisson pmf truncated where the tail is negligible (the tail mass goes to the last cell). */
function poissonPmf(mean: number): Pmf {
  const m = Math.max(0, mean);
  const kMax = Math.max(12, Math.ceil(m + 12 * Math.sqrt(m + 1)));
  const p = new Float64Array(kMax + 1);
  let term = Math.exp(-m);
  let total = 0;
  for (let k = 0; k <= kMax; k++) {
    p[k] = term;
    total += term;
    term = (term * m) / (k + 1);
  }
  p[kMax]! += Math.max(0, 1 - total);
  return p;
}

export interface DiffOutcome {
  /** P(lead + X - Y > 0) */
  win: number;
  /** P(lead + X - Y = 0) */
  tie: number;
  /** P(lead + X - Y < 0) */
  loss: number;
}

/** Outcome of `lead + X - Y` for independent X ~ x and Y ~ y. */
export function diffOutcome(lead: number, x: Pmf, y: Pmf): DiffOutcome {
  // cumulative of x: cx[i] = P(X <= i)
  const cx = new Float64Array(x.length);
  let acc = 0;
  for (let i = 0; i < x.length; i++) {
    acc += x[i]!;
    cx[i] = acc;
  }
  const totalX = acc;
  let win = 0;
  let tie = 0;
  let total = 0;
  for (let j = 0; j < y.length; j++) {
    const pj = y[j]!;
    if (pj === 0) continue;
    total += pj;
    // need X > j - lead, X = j - lead
    const t = j - lead;
    const atMost = t < 0 ? 0 : t >= x.length ? totalX : cx[Math.floor(t)]!;
    win += pj * (totalX - atMost);
    if (Number.isInteger(t) && t >= 0 && t < x.length) tie += pj * x[t]!;
  }
  const mass = totalX * total;
  return { win: win / mass, tie: tie / mass, loss: Math.max(0, 1 - (win + tie) / mass) };
}

export const clamp01 = (p: number): number => (p < 0 ? 0 : p > 1 ? 1 : p);

/** Outcome of `lead + X - Y` for independent Poisson X and Y with the given means. */
export function poissonRace(lead: number, meanHome: number, meanAway: number): DiffOutcome {
  return diffOutcome(lead, poissonPmf(meanHome), poissonPmf(meanAway));
}
