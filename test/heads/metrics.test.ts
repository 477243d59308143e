import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classificationPrediction } from '../../src/heads/head.js';
import {
  accuracy,
  chi2Uniform,
  expectedCalibrationError,
  intervalCoverage,
  ksUniform,
  logLoss,
  median,
  perClassAccuracy,
  photozMetrics,
  pitHistogram,
  r2Score,
} from '../../src/heads/metrics.js';
import { evaluateClassification } from '../../src/heads/evaluate.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test('median of odd and even counts', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

test('R^2: 1 for perfect predictions, 0 for predicting the mean, hand value otherwise', () => {
  const truth = [1, 2, 3, 4];
  assert.equal(r2Score(truth, [1, 2, 3, 4]), 1);
  assert.equal(r2Score(truth, [2.5, 2.5, 2.5, 2.5]), 0);
  // SS_tot = 2.25 + 0.25 + 0.25 + 2.25 = 5, SS_res = 1.
  close(r2Score(truth, [1, 2, 3, 5]), 0.8);
  assert.ok(r2Score(truth, [4, 3, 2, 1]) < 0);
});

test('R^2 skips missing truths instead of scoring them as 0', () => {
  close(r2Score([1, null, 2, Number.NaN, 3, undefined, 4], [1, 99, 2, -5, 3, 7, 5]), 0.8);
  assert.ok(Number.isNaN(r2Score([2, 2], [1, 3])), 'constant truth has no R^2');
});

test('photo-z metrics, hand-computed', () => {
  // dz = (zp - zt) / (1 + zt) = [0.02, 0.02, 0.05, -0.04, 0.2]; sorted [-0.04, 0.02, 0.02, 0.05, 0.2].
  // bias = median = 0.02; |dz - bias| = [0, 0, 0.03, 0.06, 0.18] -> median 0.03 -> sigma_NMAD = 1.4826 * 0.03.
  // One |dz| > 0.15 of five -> outlier fraction 0.2. The null truth is skipped.
  const zTrue = [0, 0.5, 1, 0.25, 3, null];
  const zPred = [0.02, 0.53, 1.1, 0.2, 3.8, 42];
  const m = photozMetrics(zTrue, zPred);
  close(m.bias, 0.02);
  close(m.sigmaNMAD, 1.4826 * 0.03);
  close(m.outlierFraction, 0.2);
  assert.equal(m.count, 5);
});

test('photo-z metrics of perfect predictions are all zero', () => {
  const m = photozMetrics([0.1, 0.7, 1.3], [0.1, 0.7, 1.3]);
  assert.deepEqual([m.bias, m.sigmaNMAD, m.outlierFraction], [0, 0, 0]);
});

test('interval coverage counts edges as inside and skips missing truths', () => {
  const cov = intervalCoverage([1, 2, 3, 4, null], [0, 2, 3.5, 0, 0], [1, 3, 4, 3, 0]);
  close(cov, 0.5); // 1 (edge) and 2 (edge) inside; 3 and 4 outside.
});

test('PIT histogram, KS distance and chi^2, hand-computed', () => {
  const pit = [0.05, 0.15, 0.25, 0.95, 1.0, Number.NaN];
  const h = pitHistogram(pit, 10);
  assert.deepEqual(h.counts, [1, 1, 1, 0, 0, 0, 0, 0, 0, 2]);
  assert.equal(h.count, 5);
  close(h.density[9], 4);
  // E = 0.5 per bin: 3 * 0.5^2/0.5 + 6 * 0.5 + 1.5^2/0.5 = 1.5 + 3 + 4.5.
  close(chi2Uniform(pit, 10), 9);
  // Largest gap: at u = 0.25 the empirical CDF is already 0.6 (and 0.95 - 3/5 at u = 0.95).
  close(ksUniform(pit), 0.35);
  // Evenly spread PIT values are flat.
  const even = Array.from({ length: 100 }, (_, i) => (i + 0.5) / 100);
  close(ksUniform(even), 0.005);
  close(chi2Uniform(even, 10), 0);
  assert.throws(() => ksUniform([1.2]), /outside/);
});

// Four objects, classes [a, b]: confidences 0.9 (right), 0.8 (wrong), 0.7 (right), 0.6 (right).
const classes = ['a', 'b'];
const pred = classificationPrediction(classes, Float64Array.from([0.9, 0.1, 0.8, 0.2, 0.3, 0.7, 0.4, 0.6]));
const truth = ['a', 'b', 'b', 'b'];

test('accuracy and per-class accuracy', () => {
  assert.deepEqual(pred.predicted, ['a', 'a', 'b', 'b']);
  close(accuracy(truth, pred), 0.75);
  const per = perClassAccuracy(truth, pred);
  assert.deepEqual(per.a, { count: 1, correct: 1, accuracy: 1 });
  assert.equal(per.b.correct, 2);
  close(per.b.accuracy, 2 / 3);
  // A missing truth is skipped, not counted as a miss.
  close(accuracy(['a', 'b', null, 'b'], pred), 2 / 3);
});

test('expected calibration error, hand-computed for two binnings', () => {
  // 2 bins: everything in (0.5, 1]: accuracy 3/4 = mean confidence 3/4 -> ECE 0.
  close(expectedCalibrationError(truth, pred, 2), 0, 1e-12);
  // 5 bins: [0.8, 1.0) holds 0.9, 0.8 (acc 1/2, conf 0.85); [0.6, 0.8) holds 0.7, 0.6 (acc 1, conf 0.65).
  close(expectedCalibrationError(truth, pred, 5), 0.5 * 0.35 + 0.5 * 0.35, 1e-12);
  // 15 bins: one object per bin: (0.1 + 0.8 + 0.3 + 0.4) / 4.
  close(expectedCalibrationError(truth, pred, 15), 0.4, 1e-12);
});

test('log loss and the classification report', () => {
  const expected = -(Math.log(0.9) + Math.log(0.2) + Math.log(0.7) + Math.log(0.6)) / 4;
  close(logLoss(truth, pred), expected);
  const report = evaluateClassification(pred, truth);
  assert.equal(report.count, 4);
  close(report.meanPerClassAccuracy, (1 + 2 / 3) / 2);
});
