/**
 * errorBudget against hand-computed values: the order of the largest squared errors, their
 * cumulative share of SS_res, the R^2 left once they are removed, agreement with r2Score, and
 * the pairs it must leave out.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorBudget } from '../../src/eval/error-budget.js';
import { r2Score } from '../../src/heads/metrics.js';

describe('errorBudget', () => {
  // truth mean 1.5, SS_tot = 2.25 + 0.25 + 0.25 + 2.25 = 5; squared errors 0, 0.25, 0, 4, SS_res = 4.25.
  const truth = [0, 1, 2, 3];
  const predicted = [0, 1.5, 2, 1];

  it('ranks the squared errors and says what removing them would leave', () => {
    const b = errorBudget(truth, predicted, 2);
    assert.equal(b.count, 4);
    assert.ok(Math.abs(b.totalSum - 5) < 1e-12 && Math.abs(b.residualSum - 4.25) < 1e-12);
    assert.ok(Math.abs(b.r2 - 0.15) < 1e-12);
    assert.ok(Math.abs(b.r2 - r2Score(truth, predicted)) < 1e-12);
    assert.deepEqual(b.rows.map((r) => r.index), [3, 1]);
    assert.deepEqual([b.rows[0].truth, b.rows[0].predicted, b.rows[0].squaredError], [3, 1, 4]);
    assert.ok(Math.abs(b.rows[0].cumulativeShare - 4 / 4.25) < 1e-12);
    assert.ok(Math.abs(b.rows[0].r2IfExact - (1 - 0.25 / 5)) < 1e-12);
    assert.equal(b.rows[1].cumulativeShare, 1);
    assert.equal(b.rows[1].r2IfExact, 1);
  });

  it('breaks ties by position and stops at the number of pairs', () => {
    const b = errorBudget([0, 0, 0, 1], [1, -1, 0, 1], 10);
    assert.deepEqual(b.rows.map((r) => r.index), [0, 1, 2, 3]);
    assert.equal(b.rows.length, 4);
  });

  it('leaves out a missing truth (as r2Score) and a non-finite prediction (an empty cell)', () => {
    const t = [...truth, Number.NaN, 5];
    const p = [...predicted, 7, Number.POSITIVE_INFINITY];
    const b = errorBudget(t, p, 1);
    assert.equal(b.count, 4);
    assert.ok(Math.abs(b.r2 - 0.15) < 1e-12);
    assert.equal(b.rows[0].index, 3);
  });

  it('refuses mismatched lengths and a bad count', () => {
    assert.throws(() => errorBudget([1, 2], [1], 1), /2 truths but 1 predictions/);
    assert.throws(() => errorBudget([1, 2], [1, 2], -1), /non-negative integer/);
  });
});
