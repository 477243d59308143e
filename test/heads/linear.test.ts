import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cholesky, normalEquations, solveRidge } from '../../src/heads/linalg.js';
import { fromRows, matrix } from '../../src/heads/matrix.js';
import { RidgeRegressor } from '../../src/heads/ridge.js';
import { SoftmaxClassifier, softmaxObjective } from '../../src/heads/softmax.js';
import { minimizeLbfgs } from '../../src/heads/lbfgs.js';
import { Rng } from '../../src/util/random.js';
import { Standardizer } from '../../src/heads/standardizer.js';
import { accuracy } from '../../src/heads/metrics.js';
import { blobs } from './synthetic.js';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test('Cholesky factor of a 2 x 2 matrix, by hand', () => {
  // [[4, 2], [2, 3]] = L L^T with L = [[2, 0], [1, sqrt 2]].
  const l = cholesky(Float64Array.from([4, 2, 2, 3]), 2);
  assert.deepEqual(Array.from(l), [2, 0, 1, Math.SQRT2]);
  assert.throws(() => cholesky(Float64Array.from([1, 2, 2, 1]), 2), /not positive definite/);
});

test('ridge normal equations of a 2-D problem solved on paper', () => {
  // X = [[1, 0], [0, 1], [1, 1]], y = [1, 2, 3]: X^T X = [[2, 1], [1, 2]], X^T y = [4, 5].
  // (X^T X + I) w = X^T y -> [[3, 1], [1, 3]] w = [4, 5] -> w = [7/8, 11/8].
  const x = fromRows([[1, 0], [0, 1], [1, 1]]);
  const { gram, rhs } = normalEquations(x, [1, 2, 3]);
  assert.deepEqual(Array.from(gram), [2, 1, 1, 2]);
  assert.deepEqual(Array.from(rhs), [4, 5]);
  const w = solveRidge(gram, 2, rhs, 1);
  close(w[0], 7 / 8, 1e-14);
  close(w[1], 11 / 8, 1e-14);
});

test('ridge head on standardized inputs and a z-scored target, by hand', () => {
  // x in {-1, 1}^2 (already mean 0, std 1), y = 2 + 3 x1 + x2 = [6, 4, 0, -2]: mean 2, std sqrt 10.
  // Gram / n = I and X^T z / n = [3, 1] / sqrt 10, so w = [3, 1] / (sqrt 10 (1 + alpha)); with alpha = 1
  // the fit in original units is y = 2 + 1.5 x1 + 0.5 x2, residuals [2, 1, -1, -2], RMS sqrt(2.5).
  const x = fromRows([[1, 1], [1, -1], [-1, 1], [-1, -1]]);
  const set = { x, y: [6, 4, 0, -2] };
  const head = RidgeRegressor.fit(set, set, { alpha: 1 });
  const { coef, intercept } = head.coefficients();
  close(coef[0], 1.5, 1e-12);
  close(coef[1], 0.5, 1e-12);
  close(intercept, 2, 1e-12);
  close(head.sigma, Math.sqrt(2.5), 1e-12);
  const p = head.predict(fromRows([[1, 1], [0, 0]]));
  close(p.point[0], 4, 1e-12);
  close(p.point[1], 2, 1e-12);
  // The predictive distribution is Normal(point, sigma): the 68 % interval is +- 0.9945 sigma.
  close(p.intervals[0].upper[1] - 2, 0.994457883209753 * Math.sqrt(2.5), 1e-7);
});

function linearData(n: number, weights: number[], intercept: number, noise: number, seed: number) {
  const rng = new Rng(seed);
  const d = weights.length;
  const data = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = intercept;
    for (let j = 0; j < d; j++) {
      data[i * d + j] = rng.normal() * (j + 1) + j; // columns of different scales and offsets
      s += weights[j] * data[i * d + j];
    }
    y[i] = s + noise * rng.normal();
  }
  return { x: matrix(data, d), y };
}

test('ridge recovers known weights from noiseless synthetic data', () => {
  const w = [1, -2, 0.5, 3, 0];
  const train = linearData(200, w, 0.7, 0, 3);
  const head = RidgeRegressor.fit(train, undefined, { alphaGrid: [1e-10, 1e-3, 1] });
  assert.equal(head.alpha, 1e-10, 'the smallest penalty wins on noiseless data');
  assert.equal(head.selection?.source, 'holdout');
  const { coef, intercept } = head.coefficients();
  w.forEach((v, j) => close(coef[j], v, 1e-6));
  close(intercept, 0.7, 1e-6);
});

test('ridge chooses a larger penalty when there are few noisy examples per dimension', () => {
  const d = 40;
  const w = Array.from({ length: d }, (_, j) => (j < 3 ? 1 : 0));
  const train = linearData(60, w, 0, 2, 4);
  const val = linearData(300, w, 0, 2, 5);
  const head = RidgeRegressor.fit(train, val);
  const c = head.selection!.candidates;
  const smallest = c[0];
  const chosen = c.find((e) => e.alpha === head.alpha)!;
  assert.ok(head.alpha >= 0.1, `alpha ${head.alpha}`);
  assert.ok(chosen.mse < smallest.mse, 'the chosen penalty beats almost none on validation');
  close(head.sigma, Math.sqrt(chosen.mse), 1e-12);
});

test('ridge skips missing targets instead of fitting them as 0', () => {
  const train = linearData(50, [2, -1], 1, 0.1, 6);
  const base = RidgeRegressor.fit(train, train, { alpha: 0.01 });
  // The same rows plus rows with missing targets (and wild embeddings) give the same fit.
  const extra = linearData(10, [2, -1], 1, 0, 7);
  const x = new Float64Array([...train.x.data, ...extra.x.data.map((v) => v * 100)]);
  const y = [...train.y, ...Array.from({ length: 10 }, (_, i) => (i % 2 ? null : Number.NaN))];
  const withMissing = RidgeRegressor.fit({ x: matrix(x, 2), y }, train, { alpha: 0.01 });
  assert.deepEqual(withMissing.coefficients(), base.coefficients());
});

test('Standardizer uses training statistics only and keeps constant columns finite', () => {
  const s = Standardizer.fit(fromRows([[1, 5], [3, 5]]));
  assert.deepEqual(Array.from(s.mean), [2, 5]);
  assert.deepEqual(Array.from(s.scale), [1, 1]);
  assert.deepEqual(Array.from(s.transform(fromRows([[4, 7]])).data), [2, 2]);
});

test('L-BFGS minimizes the Rosenbrock function', () => {
  const f = (x: Float64Array, g: Float64Array) => {
    const [a, b] = x;
    g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
    g[1] = 200 * (b - a * a);
    return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
  };
  const r = minimizeLbfgs(f, [-1.2, 1], { gradientTolerance: 1e-9 });
  close(r.x[0], 1, 1e-6);
  close(r.x[1], 1, 1e-6);
  assert.ok(r.reason === 'gradient' || r.reason === 'value', r.reason);
  assert.ok(r.iterations < 100, `${r.iterations} iterations`);
});

test('softmax objective gradient matches finite differences', () => {
  const rng = new Rng(8);
  const n = 7;
  const d = 3;
  const k = 4;
  const x = matrix(Float64Array.from({ length: n * d }, () => rng.normal()), d);
  const y = Int32Array.from({ length: n }, (_, i) => i % k);
  const f = softmaxObjective(x, y, k, 0.3);
  const params = Float64Array.from({ length: (d + 1) * k }, () => rng.normal());
  const grad = new Float64Array(params.length);
  f(params, grad);
  const scratch = new Float64Array(params.length);
  for (let p = 0; p < params.length; p++) {
    const h = 1e-6;
    const plus = Float64Array.from(params);
    const minus = Float64Array.from(params);
    plus[p] += h;
    minus[p] -= h;
    close(grad[p], (f(plus, scratch) - f(minus, scratch)) / (2 * h), 1e-7);
  }
});

test('softmax probe separates linearly separable classes, deterministically', () => {
  const classes = ['elliptical', 'spiral', 'star'];
  const train = blobs(classes, 40, 16, 0.15, 1);
  const val = blobs(classes, 20, 16, 0.15, 2);
  const heldOut = blobs(classes, 100, 16, 0.15, 3);
  const head = SoftmaxClassifier.fit(train, val);
  assert.equal(accuracy(train.y, head.predict(train.x)), 1);
  const p = head.predict(heldOut.x);
  assert.equal(accuracy(heldOut.y, p), 1);
  // Confident as well as right: the true class gets > 0.9 on every test object.
  p.predictedIndex.forEach((c, i) => assert.ok(p.probabilities[i * 3 + c] > 0.9));
  assert.deepEqual(SoftmaxClassifier.fit(train, val).toJSON(), head.toJSON());
});

test('softmax probe without val holds out part of train, and ignores missing labels', () => {
  const classes = ['a', 'b'];
  const train = blobs(classes, 30, 8, 0.2, 4);
  const y = train.y.map((v, i) => (i % 7 === 0 ? null : v));
  const head = SoftmaxClassifier.fit({ x: train.x, y }, undefined, { l2Grid: [1e-3, 1] });
  assert.equal(head.selection?.source, 'holdout');
  assert.deepEqual(head.classes, ['a', 'b']);
  const heldOut = blobs(classes, 50, 8, 0.2, 5);
  assert.ok(accuracy(heldOut.y, head.predict(heldOut.x)) > 0.95);
  assert.throws(() => SoftmaxClassifier.fit({ x: train.x, y: train.y.map(() => 'a') }), /at least 2 classes/);
});
