/**
 * Nelder-Mead minimisation (no derivatives): enough for the handful of parameters of the
 * win-probability models. Standard coefficients (reflection 1, expansion 2, contraction 0.5,
 * shrink 0.5); stops after `maxEvals` evaluations or when the simplex's values agree to `tol`.
 */
export interface MinimizeResult {
  x: number[];
  value: number;
  evals: number;
}

export function nelderMead(f: (x: number[]) => number, x0: readonly number[], steps: readonly number[], maxEvals = 400, tol = 1e-7): MinimizeResult {
  const n = x0.length;
  let evals = 0;
  const value = (x: number[]) => {
    evals += 1;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  const simplex: { x: number[]; v: number }[] = [{ x: [...x0], v: value([...x0]) }];
  for (let i = 0; i < n; i++) {
    const x = [...x0];
    x[i]! += steps[i]!;
    simplex.push({ x, v: value(x) });
  }
  const along = (a: number[], b: number[], t: number) => a.map((ai, i) => ai + t * (b[i]! - ai));
  while (evals < maxEvals) {
    simplex.sort((a, b) => a.v - b.v);
    const best = simplex[0]!;
    const worst = simplex[n]!;
    if (Math.abs(worst.v - best.v) <= tol * (1 + Math.abs(best.v))) break;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j]! += simplex[i]!.x[j]! / n;
    const reflected = along(centroid, worst.x, -1);
    const vr = value(reflected);
    if (vr < best.v) {
      const expanded = along(centroid, worst.x, -2);
      const ve = value(expanded);
      simplex[n] = ve < vr ? { x: expanded, v: ve } : { x: reflected, v: vr };
    } else if (vr < simplex[n - 1]!.v) {
      simplex[n] = { x: reflected, v: vr };
    } else {
      const contracted = along(centroid, vr < worst.v ? reflected : worst.x, 0.5);
      const vc = value(contracted);
      if (vc < Math.min(vr, worst.v)) {
        simplex[n] = { x: contracted, v: vc };
      } else {
        for (let i = 1; i <= n; i++) {
          const x = along(best.x, simplex[i]!.x, 0.5);
          simplex[i] = { x, v: value(x) };
        }
      }
    }
  }
  simplex.sort((a, b) => a.v - b.v);
  return { x: simplex[0]!.x, value: simplex[0]!.v, evals };
}
