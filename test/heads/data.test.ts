import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classesOf, labelledClassification, labelledRegression, numericTargets } from '../../src/heads/labels.js';
import { fromRows, matrix } from '../../src/heads/matrix.js';
import { exactCosineSearch } from '../../src/heads/neighbours.js';
import { holdoutSplit } from '../../src/heads/holdout.js';
import { Rng } from '../../src/util/random.js';

test('numeric targets: null, undefined and NaN are missing; infinities are refused', () => {
  const y = numericTargets([1, null, undefined, Number.NaN, 0, -2.5]);
  assert.deepEqual(Array.from(y, (v) => (Number.isNaN(v) ? 'missing' : v)), [1, 'missing', 'missing', 'missing', 0, -2.5]);
  assert.throws(() => numericTargets([1, -Infinity]), /not a finite number/);
});

test('labelled rows keep zeros and drop only missing targets', () => {
  const x = fromRows([[1, 0], [2, 0], [3, 0], [4, 0]]);
  const l = labelledRegression({ x, y: [0, null, 5, Number.NaN] });
  assert.deepEqual(Array.from(l.rows), [0, 2]);
  assert.deepEqual(Array.from(l.y), [0, 5]);
  assert.deepEqual(Array.from(l.x.data), [1, 0, 3, 0]);
  assert.throws(() => labelledRegression({ x, y: [1, 2] }), /4 embeddings but 2 targets/);
});

test('classes are sorted deterministically; unknown labels throw or are skipped on request', () => {
  // '' is how the catalogue writes an unasked Galaxy Zoo question: missing, not a class.
  assert.deepEqual(classesOf(['spiral', null, 'Elliptical', '', 'spiral', undefined, 'bar']), ['Elliptical', 'bar', 'spiral']);
  const x = fromRows([[1], [2], [3]]);
  const l = labelledClassification({ x, y: ['b', null, 'a'] });
  assert.deepEqual(l.classes, ['a', 'b']);
  assert.deepEqual(Array.from(l.y), [1, 0]);
  assert.throws(() => labelledClassification({ x, y: ['c', 'a', 'b'] }, { classes: ['a', 'b'] }), /"c"/);
  const skipped = labelledClassification({ x, y: ['c', 'a', 'b'] }, { classes: ['a', 'b'], unknown: 'skip' });
  assert.deepEqual(Array.from(skipped.rows), [1, 2]);
});

test('matrix shapes are checked', () => {
  assert.equal(matrix(new Float32Array(6), 3).rows, 2);
  assert.throws(() => matrix(new Float32Array(7), 3), /do not fill rows of 3/);
});

test('exact cosine search agrees with a full sort on random data', () => {
  const rng = new Rng(2);
  const n = 200;
  const d = 6;
  const ref = matrix(Float32Array.from({ length: n * d }, () => rng.normal()), d);
  const search = exactCosineSearch(ref);
  for (let q = 0; q < 5; q++) {
    const query = Float64Array.from({ length: d }, () => rng.normal());
    const qn = Math.hypot(...query);
    const all = Array.from({ length: n }, (_, i) => {
      const r = Array.from(ref.data.subarray(i * d, (i + 1) * d));
      const dot = r.reduce((s, v, j) => s + v * query[j], 0);
      return { index: i, similarity: dot / (Math.hypot(...r) * qn) };
    }).sort((a, b) => b.similarity - a.similarity);
    const found = search(query, 10);
    assert.deepEqual(found.map((f) => f.index), all.slice(0, 10).map((a) => a.index));
    found.forEach((f, i) => assert.ok(Math.abs(f.similarity - all[i].similarity) < 1e-6));
  }
});

test('hold-out split: deterministic, disjoint, complete', () => {
  const a = holdoutSplit(50, 0.2, 3);
  assert.deepEqual(holdoutSplit(50, 0.2, 3), a);
  assert.equal(a.holdout.length, 10);
  const all = [...a.fit, ...a.holdout].sort((x, y) => x - y);
  assert.deepEqual(all, Array.from({ length: 50 }, (_, i) => i));
  assert.notDeepEqual(holdoutSplit(50, 0.2, 4).holdout, a.holdout);
});
