/**
 * The leading principal axes of a wide matrix (thousands of columns: an encoder's whole token
 * sequence, flattened), without forming its d x d covariance: randomized subspace iteration
 * (Halko, Martinsson & Tropp 2011) on the centred rows, then Rayleigh-Ritz with a Jacobi
 * eigensolver on the small k x k problem. Label-free; used to ask how much a frozen encoder's
 * tokens hold before any pooling (scripts/backbone-knn.ts --pca).
 *
 *   const pca = PrincipalAxes.fit(x, 20);      // x: [n, d]
 *   pca.project(x);                            // [n, 20], column j has variance pca.variances[j]
 */
import { SkyclipError } from '../util/errors.js';
import { Rng } from '../util/random.js';
import type { Matrix } from './matrix.js';

/** Eigenvalues (descending) and eigenvectors (columns of a row-major [n, n]) of a symmetric matrix, by cyclic Jacobi. */
export function symmetricEigen(a: Float64Array, n: number, sweeps = 100): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < sweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q] ** 2;
    if (off < 1e-24) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        // Rotation angle that zeroes m[p][q] (Golub & Van Loan, sym.schur2).
        const tau = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        const t = Math.sign(tau || 1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p];
          const mkq = m[k * n + q];
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k];
          const mqk = m[q * n + k];
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => m[j * n + j] - m[i * n + i]);
  const values = Float64Array.from(order, (i) => m[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src];
  });
  return { values, vectors };
}

/** Orthonormalizes the k columns of a row-major [d, k] block in place (modified Gram-Schmidt). */
function orthonormalizeColumns(b: Float64Array, d: number, k: number): void {
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < j; i++) {
      let dot = 0;
      for (let r = 0; r < d; r++) dot += b[r * k + i] * b[r * k + j];
      for (let r = 0; r < d; r++) b[r * k + j] -= dot * b[r * k + i];
    }
    let norm = 0;
    for (let r = 0; r < d; r++) norm += b[r * k + j] ** 2;
    norm = Math.sqrt(norm);
    if (!(norm > 0)) throw new SkyclipError('INTERNAL', `pca: the data span fewer than ${k} directions`);
    for (let r = 0; r < d; r++) b[r * k + j] /= norm;
  }
}

export class PrincipalAxes {
  private constructor(
    /** Column means, [d]. */
    readonly mean: Float64Array,
    /** Axes as the columns of a row-major [d, k]. */
    readonly axes: Float64Array,
    /** Variance along each axis (descending), [k]. */
    readonly variances: Float64Array,
    readonly cols: number,
    readonly k: number,
  ) {}

  /**
   * The k leading axes of x's rows. `oversample` extra directions and `iterations` power
   * iterations make the subspace converge for slowly decaying spectra (defaults 10 and 8).
   */
  static fit(x: Matrix, k: number, options: { oversample?: number; iterations?: number; seed?: number } = {}): PrincipalAxes {
    const { rows: n, cols: d } = x;
    if (!Number.isInteger(k) || k < 1 || k > Math.min(n, d)) throw new SkyclipError('BAD_INPUT', `pca: k must be an integer in 1..${Math.min(n, d)}, got ${k}`);
    const width = Math.min(k + (options.oversample ?? 10), Math.min(n, d));
    const mean = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x.data[i * d + j] / n;

    // Y = Xc^T (Xc B): one pass over the rows per multiplication by the covariance.
    const covarianceTimes = (b: Float64Array): Float64Array => {
      const out = new Float64Array(d * width);
      const row = new Float64Array(d);
      const proj = new Float64Array(width);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < d; j++) row[j] = x.data[i * d + j] - mean[j];
        proj.fill(0);
        for (let j = 0; j < d; j++) {
          const rj = row[j];
          for (let c = 0; c < width; c++) proj[c] += rj * b[j * width + c];
        }
        for (let j = 0; j < d; j++) {
          const rj = row[j];
          for (let c = 0; c < width; c++) out[j * width + c] += rj * proj[c];
        }
      }
      for (let t = 0; t < out.length; t++) out[t] /= Math.max(1, n - 1);
      return out;
    };

    const rng = new Rng(options.seed ?? 0);
    let basis: Float64Array = Float64Array.from({ length: d * width }, () => rng.normal()); // [d, width]
    orthonormalizeColumns(basis, d, width);
    for (let it = 0; it < (options.iterations ?? 8); it++) {
      basis = covarianceTimes(basis);
      orthonormalizeColumns(basis, d, width);
    }
    // Rayleigh-Ritz: the covariance restricted to the subspace, [width, width], diagonalized.
    const cb = covarianceTimes(basis);
    const small = new Float64Array(width * width);
    for (let a = 0; a < width; a++) for (let b = 0; b < width; b++) for (let r = 0; r < d; r++) small[a * width + b] += basis[r * width + a] * cb[r * width + b];
    for (let a = 0; a < width; a++) for (let b = 0; b < a; b++) small[a * width + b] = small[b * width + a] = (small[a * width + b] + small[b * width + a]) / 2;
    const { values, vectors } = symmetricEigen(small, width);
    const axes = new Float64Array(d * k);
    for (let r = 0; r < d; r++) for (let j = 0; j < k; j++) for (let c = 0; c < width; c++) axes[r * k + j] += basis[r * width + c] * vectors[c * width + j];
    return new PrincipalAxes(mean, axes, values.slice(0, k), d, k);
  }

  /** Coordinates of x's rows on the axes, [n, k]. */
  project(x: Matrix): Matrix {
    if (x.cols !== this.cols) throw new SkyclipError('BAD_INPUT', `pca: fitted on ${this.cols} columns, got ${x.cols}`);
    const { k, cols: d } = this;
    const out = new Float64Array(x.rows * k);
    for (let i = 0; i < x.rows; i++) {
      for (let r = 0; r < d; r++) {
        const v = x.data[i * d + r] - this.mean[r];
        for (let j = 0; j < k; j++) out[i * k + j] += v * this.axes[r * k + j];
      }
    }
    return { data: out, rows: x.rows, cols: k };
  }
}
