/**
 * The little dense linear algebra the linear probe needs: Gram matrices and Cholesky solves of
 * symmetric positive-definite d x d systems (row-major Float64Array).
 */
import { SkyclipError } from '../util/errors.js';
import type { Matrix } from './matrix.js';

/** X^T X ([d, d]) and X^T y ([d]) in one pass over the rows. */
export function normalEquations(x: Matrix, y: ArrayLike<number>): { gram: Float64Array; rhs: Float64Array } {
  const d = x.cols;
  const gram = new Float64Array(d * d);
  const rhs = new Float64Array(d);
  const xi = new Float64Array(d);
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < d; j++) xi[j] = x.data[i * d + j];
    const yi = y[i];
    for (let a = 0; a < d; a++) {
      const va = xi[a];
      if (va === 0) continue;
      rhs[a] += va * yi;
      // Upper triangle only; mirrored below.
      const base = a * d;
      for (let b = a; b < d; b++) gram[base + b] += va * xi[b];
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) gram[a * d + b] = gram[b * d + a];
  return { gram, rhs };
}

/**
 * Lower-triangular L with A = L L^T (A symmetric positive definite, [n, n]). Throws INTERNAL when
 * A is not numerically positive definite (a ridge penalty > 0 always makes it so).
 */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let diag = a[j * n + j];
    for (let k = 0; k < j; k++) diag -= l[j * n + k] ** 2;
    if (!(diag > 0)) {
      throw new SkyclipError('INTERNAL', `cholesky: matrix is not positive definite (pivot ${j} = ${diag})`);
    }
    const ljj = Math.sqrt(diag);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / ljj;
    }
  }
  return l;
}

/** Solves L L^T x = b by forward then back substitution. */
export function choleskySolve(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * z[k];
    z[i] = s / l[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

/** Solves (A + penalty I) w = b for symmetric PSD A. */
export function solveRidge(a: Float64Array, n: number, b: ArrayLike<number>, penalty: number): Float64Array {
  const m = Float64Array.from(a);
  for (let i = 0; i < n; i++) m[i * n + i] += penalty;
  return choleskySolve(cholesky(m, n), n, b);
}
