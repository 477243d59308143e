/**
 * PCA for wide matrices: the Jacobi eigensolver against hand-computed and A V = V L checks; the
 * randomized subspace iteration recovers planted axes and their variances; bad k is refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PrincipalAxes, symmetricEigen } from '../../src/heads/pca.js';
import { Rng } from '../../src/util/random.js';

describe('symmetricEigen', () => {
  it('[[2, 1], [1, 2]] has eigenvalues 3 and 1 along (1, 1) and (1, -1)', () => {
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    assert.ok(Math.abs(values[0] - 3) < 1e-12 && Math.abs(values[1] - 1) < 1e-12, `${values}`);
    assert.ok(Math.abs(Math.abs(vectors[0]) - Math.SQRT1_2) < 1e-12 && Math.abs(vectors[0] - vectors[2]) < 1e-12, 'first eigenvector along (1, 1)');
    assert.ok(Math.abs(vectors[1] + vectors[3]) < 1e-12, 'second along (1, -1)');
  });

  it('A V = V diag(values) for a random symmetric 7 x 7, values descending, V orthonormal', () => {
    const n = 7;
    const rng = new Rng(3);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = rng.normal();
    const { values, vectors } = symmetricEigen(a, n);
    for (let i = 1; i < n; i++) assert.ok(values[i] <= values[i - 1]);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        let av = 0;
        for (let k = 0; k < n; k++) av += a[r * n + k] * vectors[k * n + c];
        assert.ok(Math.abs(av - vectors[r * n + c] * values[c]) < 1e-9);
        let vv = 0;
        for (let k = 0; k < n; k++) vv += vectors[k * n + r] * vectors[k * n + c];
        assert.ok(Math.abs(vv - (r === c ? 1 : 0)) < 1e-9);
      }
    }
  });
});

describe('PrincipalAxes', () => {
  it('finds two planted axes (variances 9 and 4) in 60 columns under small noise', () => {
    const [n, d] = [1500, 60];
    const rng = new Rng(5);
    const unit = (v: number[]) => {
      const norm = Math.hypot(...v);
      return v.map((x) => x / norm);
    };
    const u1 = unit(Array.from({ length: d }, () => rng.normal()));
    const raw = Array.from({ length: d }, () => rng.normal());
    const dot = raw.reduce((s, x, j) => s + x * u1[j], 0);
    const u2 = unit(raw.map((x, j) => x - dot * u1[j]));
    const data = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      const [a, b] = [3 * rng.normal(), 2 * rng.normal()];
      for (let j = 0; j < d; j++) data[i * d + j] = 5 + a * u1[j] + b * u2[j] + 0.05 * rng.normal();
    }
    const x = { data, rows: n, cols: d };
    const pca = PrincipalAxes.fit(x, 2);
    assert.ok(Math.abs(pca.variances[0] - 9) < 1.0 && Math.abs(pca.variances[1] - 4) < 0.5, `${pca.variances}`);
    const along = (j: number, u: number[]) => Math.abs(u.reduce((s, x, r) => s + x * pca.axes[r * 2 + j], 0));
    assert.ok(along(0, u1) > 0.999 && along(1, u2) > 0.999, `${along(0, u1)} ${along(1, u2)}`);
    const p = pca.project(x);
    assert.deepEqual([p.rows, p.cols], [n, 2]);
    let variance = 0;
    for (let i = 0; i < n; i++) variance += p.data[i * 2] ** 2 / (n - 1);
    assert.ok(Math.abs(variance - pca.variances[0]) < 1e-6 * pca.variances[0], 'projected variance = the axis variance (centred by the fit mean)');
  });

  it('refuses k outside 1..min(n, d) and a matrix of another width', () => {
    const x = { data: new Float64Array(12).map((_, i) => i * i), rows: 4, cols: 3 };
    assert.throws(() => PrincipalAxes.fit(x, 0), /k must be an integer in 1\.\.3/);
    assert.throws(() => PrincipalAxes.fit(x, 4), /k must be an integer in 1\.\.3/);
    assert.throws(() => PrincipalAxes.fit(x, 2).project({ data: new Float64Array(4), rows: 2, cols: 2 }), /fitted on 3 columns/);
  });
});
