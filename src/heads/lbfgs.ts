/**
 * Limited-memory BFGS for smooth convex objectives (the softmax probe's penalized log loss).
 * Full-batch and deterministic: the same start gives the same iterates on every run. The line
 * search backtracks from the quasi-Newton step until the Armijo condition holds, and a
 * curvature pair is kept only when s . y > 0, so the inverse-Hessian estimate stays positive
 * definite without a Wolfe search.
 */

/** Value of the objective at x; writes its gradient into `grad`. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  /** Iterations at most (default 500). */
  maxIterations?: number;
  /** Curvature pairs kept (default 10). */
  memory?: number;
  /** Stop when max |gradient| falls below this (default 1e-6). */
  gradientTolerance?: number;
  /** Stop when an iteration lowers the value by less than this, relative (default 1e-12). */
  valueTolerance?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  /** Why it stopped. */
  reason: 'gradient' | 'value' | 'max-iterations' | 'line-search';
}

const ARMIJO = 1e-4;
const MAX_BACKTRACKS = 40;

export function minimizeLbfgs(objective: Objective, x0: ArrayLike<number>, options: LbfgsOptions = {}): LbfgsResult {
  const maxIterations = options.maxIterations ?? 500;
  const memory = options.memory ?? 10;
  const gtol = options.gradientTolerance ?? 1e-6;
  const ftol = options.valueTolerance ?? 1e-12;
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let f = objective(x, g);
  const sList: Float64Array[] = [];
  const yList: Float64Array[] = [];
  const rhoList: number[] = [];
  const dir = new Float64Array(n);
  const alphaBuf = new Float64Array(memory);

  for (let iter = 0; iter < maxIterations; iter++) {
    if (maxAbs(g) < gtol) return { x, value: f, iterations: iter, reason: 'gradient' };

    // Two-loop recursion: dir = -H g.
    for (let i = 0; i < n; i++) dir[i] = -g[i];
    for (let m = sList.length - 1; m >= 0; m--) {
      const a = rhoList[m] * dot(sList[m], dir);
      alphaBuf[m] = a;
      axpy(-a, yList[m], dir);
    }
    if (sList.length > 0) {
      const last = sList.length - 1;
      const gamma = dot(sList[last], yList[last]) / dot(yList[last], yList[last]);
      for (let i = 0; i < n; i++) dir[i] *= gamma;
    } else {
      // First step: a unit-length move, as there is no curvature information yet.
      const gn = Math.sqrt(dot(g, g));
      for (let i = 0; i < n; i++) dir[i] /= gn;
    }
    for (let m = 0; m < sList.length; m++) {
      const b = rhoList[m] * dot(yList[m], dir);
      axpy(alphaBuf[m] - b, sList[m], dir);
    }
    let slope = dot(g, dir);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      sList.length = 0;
      yList.length = 0;
      rhoList.length = 0;
      for (let i = 0; i < n; i++) dir[i] = -g[i];
      slope = dot(g, dir);
    }

    let step = 1;
    const xNew = new Float64Array(n);
    const gNew = new Float64Array(n);
    let fNew = Number.POSITIVE_INFINITY;
    let accepted = false;
    for (let t = 0; t < MAX_BACKTRACKS; t++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * dir[i];
      fNew = objective(xNew, gNew);
      if (Number.isFinite(fNew) && fNew <= f + ARMIJO * step * slope) {
        accepted = true;
        break;
      }
      step /= 2;
    }
    if (!accepted) return { x, value: f, iterations: iter, reason: 'line-search' };

    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * dot(y, y)) {
      if (sList.length === memory) {
        sList.shift();
        yList.shift();
        rhoList.shift();
      }
      sList.push(s);
      yList.push(y);
      rhoList.push(1 / sy);
    }
    const decrease = f - fNew;
    x = xNew;
    g = gNew;
    f = fNew;
    if (decrease <= ftol * Math.max(1, Math.abs(f))) return { x, value: f, iterations: iter + 1, reason: 'value' };
  }
  return { x, value: f, iterations: maxIterations, reason: 'max-iterations' };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += a * x[i];
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
