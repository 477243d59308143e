/**
 * Seeded synthetic embeddings for the head tests: objects on a smooth curve in embedding space
 * (so neighbours in the embedding share a latent parameter t), with targets that depend on t.
 */
import { Rng } from '../../src/util/random.js';
import type { Matrix } from '../../src/heads/matrix.js';

export interface CurveSet {
  x: Matrix;
  /** Latent parameter in [0, 1] per object. */
  t: Float64Array;
  /** Target per object. */
  y: Float64Array;
}

/**
 * n objects with t ~ U(0, 1), embedding e(t) = [cos(2 pi f_j t + phase_j)] + embedNoise * N(0, 1),
 * and target y = t + noise(t) * N(0, 1). The curve's frequencies and phases are fixed, so sets drawn
 * with different seeds share the same geometry.
 */
export function curveSet(n: number, seed: number, noise: (t: number) => number, dim = 8, embedNoise = 0.01): CurveSet {
  const rng = new Rng(seed);
  const geometry = new Rng(12345);
  const freq = Float64Array.from({ length: dim }, (_, j) => 0.5 + (j % 4) * 0.25);
  const phase = Float64Array.from({ length: dim }, () => geometry.uniform() * 2 * Math.PI);
  const data = new Float64Array(n * dim);
  const t = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    t[i] = rng.uniform();
    for (let j = 0; j < dim; j++) data[i * dim + j] = Math.cos(2 * Math.PI * freq[j] * t[i] + phase[j]) + embedNoise * rng.normal();
    y[i] = t[i] + noise(t[i]) * rng.normal();
  }
  return { x: { data, rows: n, cols: dim }, t, y };
}

/** Gaussian blobs: `perClass` points per class around random orthonormal centres in `dim` dimensions (classes <= dim). */
export function blobs(
  classes: string[],
  perClass: number,
  dim: number,
  spread: number,
  seed: number,
  centreSeed = 99,
): { x: Matrix; y: string[] } {
  // Random orthonormal centres (Gram-Schmidt): every pair is sqrt(2) apart, so how separable
  // the classes are depends on `spread` only, not on how close two random directions fell.
  const geometry = new Rng(centreSeed);
  const centres: Float64Array[] = [];
  for (let k = 0; k < classes.length; k++) {
    const c = Float64Array.from({ length: dim }, () => geometry.normal());
    for (const prev of centres) {
      const dot = c.reduce((s, v, j) => s + v * prev[j], 0);
      for (let j = 0; j < dim; j++) c[j] -= dot * prev[j];
    }
    const norm = Math.hypot(...c);
    centres.push(c.map((v) => v / norm));
  }
  const rng = new Rng(seed);
  const n = classes.length * perClass;
  const data = new Float64Array(n * dim);
  const y: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % classes.length;
    for (let j = 0; j < dim; j++) data[i * dim + j] = centres[c][j] + spread * rng.normal();
    y.push(classes[c]);
  }
  return { x: { data, rows: n, cols: dim }, y };
}
