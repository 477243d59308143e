import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../src/util/random.js';
import { TopK, exactTopK } from '../../src/store/exact.js';
import { VectorMatrix } from '../../src/store/vector-matrix.js';
import { unitVector } from '../../src/store/vectors.js';
import { bruteTopK, gaussianVector } from './helpers.js';

describe('exact ranking', () => {
  it('TopK keeps the k best, best first, ties to the smaller label', () => {
    const top = new TopK(3);
    for (const [label, score] of [[5, 0.1], [4, 0.9], [9, 0.5], [2, 0.5], [7, 0.95], [1, -1]] as const) top.offer(label, score);
    assert.deepEqual(top.results(), [
      { label: 7, similarity: 0.95 },
      { label: 4, similarity: 0.9 },
      { label: 2, similarity: 0.5 },
    ]);
    assert.deepEqual(new TopK(0).results(), []);
  });

  it('VectorMatrix follows sets, replacements and removals, and ranks like a brute force', () => {
    const rng = new Rng(3);
    const dim = 12;
    const matrix = new VectorMatrix(dim, 2); // small, to exercise growth
    const live = new Map<number, number[]>();
    for (let step = 0; step < 600; step++) {
      const label = 1 + rng.int(150);
      if (rng.chance(0.3)) {
        matrix.remove(label);
        live.delete(label);
      } else {
        const v = Array.from(unitVector(gaussianVector(rng, dim), dim));
        matrix.set(label, Float32Array.from(v));
        live.set(label, v);
      }
    }
    assert.equal(matrix.size, live.size);
    const entries = [...live].map(([label, vector]) => ({ id: String(label), vector }));
    for (let i = 0; i < 10; i++) {
      const q = unitVector(gaussianVector(rng, dim), dim);
      const expected = bruteTopK(Array.from(q), entries, 8).map((e) => Number(e.id));
      assert.deepEqual(matrix.topK(q, 8).map((s) => s.label), expected);
      const subset = [...live.keys()].filter((l) => l % 3 === 0);
      const sub = bruteTopK(Array.from(q), entries.filter((e) => Number(e.id) % 3 === 0), 5).map((e) => Number(e.id));
      assert.deepEqual(matrix.topK(q, 5, [...subset, 100_000]).map((s) => s.label), sub, 'unknown labels are skipped');
      const rows = [...live].map(([label, v]) => [label, Float32Array.from(v)] as const);
      assert.deepEqual(exactTopK(q, rows, 8).map((s) => s.label), expected);
    }
  });
});
