import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConformalRegressor, conformalQuantile } from '../../src/heads/conformal.js';
import { KnnRegressor } from '../../src/heads/knn-regressor.js';
import { MlpRegressor } from '../../src/heads/mlp-heads.js';
import { classificationPrediction, type ClassificationHead, softmaxRows } from '../../src/heads/head.js';
import { TemperatureScaledClassifier, applyTemperature, fitTemperature } from '../../src/heads/temperature.js';
import { evaluateRegression } from '../../src/heads/evaluate.js';
import { accuracy, expectedCalibrationError } from '../../src/heads/metrics.js';
import { matrix, type Matrix } from '../../src/heads/matrix.js';
import { Rng } from '../../src/util/random.js';
import { curveSet } from './synthetic.js';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test('split-conformal quantile: the ceil((n + 1) L)-th smallest score', () => {
  const scores = [5, 1, 4, 2, 3];
  assert.equal(conformalQuantile(scores, 0.5), 3); // ceil(6 * 0.5) = 3
  assert.equal(conformalQuantile(scores, 0.68), 5); // ceil(4.08) = 5
  assert.equal(conformalQuantile(scores, 0.9), Infinity); // ceil(5.4) = 6 > 5: no finite guarantee
  // 99 scores at level 0.95: (n + 1) L = 95 exactly (despite floating point), not 96.
  assert.equal(conformalQuantile(Array.from({ length: 99 }, (_, i) => i + 1), 0.95), 95);
});

// Heteroscedastic: noise grows 8x from t = 0 to t = 1.
const noise = (t: number) => 0.02 + 0.15 * t;
const train = curveSet(1000, 1, noise);
const heldOut = curveSet(1000, 4, noise);

test('conformal intervals reach nominal coverage where raw k-NN intervals do not', () => {
  // k = 5: too few neighbours for a distribution, so raw intervals are far too narrow.
  const knn = KnnRegressor.fit(train, undefined, { k: 5 });
  const raw = evaluateRegression(knn.predict(heldOut.x), heldOut.y);
  assert.ok(raw.intervals[0].coverage < 0.6, `raw 68%: ${raw.intervals[0].coverage}`);
  assert.ok(raw.intervals[1].coverage < 0.8, `raw 95%: ${raw.intervals[1].coverage}`);
  for (const method of ['cqr', 'scaled'] as const) {
    const head = ConformalRegressor.calibrate(knn, curveSet(500, 2, noise), { method });
    const report = evaluateRegression(head.predict(heldOut.x), heldOut.y);
    const [c68, c95] = report.intervals.map((iv) => iv.coverage);
    assert.ok(Math.abs(c68 - 0.68) < 0.04, `${method} 68%: ${c68}`);
    assert.ok(Math.abs(c95 - 0.95) < 0.025, `${method} 95%: ${c95}`);
    assert.equal(head.calibration[0].baseCoverage < 0.6, true);
    // Point predictions are the head's own.
    assert.deepEqual(head.predict(heldOut.x).point, knn.predict(heldOut.x).point);
  }
});

test('conformal intervals stay adaptive on heteroscedastic data', () => {
  const knn = KnnRegressor.fit(train, undefined, { k: 32 });
  const head = ConformalRegressor.calibrate(knn, curveSet(500, 2, noise));
  const iv = head.predict(heldOut.x).intervals[1];
  let low = 0;
  let nLow = 0;
  let high = 0;
  let nHigh = 0;
  for (let i = 0; i < heldOut.y.length; i++) {
    const width = iv.upper[i] - iv.lower[i];
    if (heldOut.t[i] < 0.2) (low += width), nLow++;
    if (heldOut.t[i] > 0.8) (high += width), nHigh++;
  }
  // Noise sd is ~0.04 near t = 0.1 and ~0.155 near t = 0.9; the widths follow.
  assert.ok(high / nHigh > 2.5 * (low / nLow), `widths ${low / nLow} vs ${high / nHigh}`);
});

test('adjust() calibrates a prediction the base head already made, exactly as predict() does', () => {
  const knn = KnnRegressor.fit(train, undefined, { k: 32 });
  for (const method of ['cqr', 'scaled'] as const) {
    const head = ConformalRegressor.calibrate(knn, curveSet(500, 2, noise), { method });
    const own = knn.predict(heldOut.x);
    const adjusted = head.adjust(own);
    const direct = head.predict(heldOut.x);
    assert.deepEqual(adjusted.point, direct.point, method);
    assert.deepEqual(adjusted.intervals, direct.intervals, method);
    assert.notDeepEqual(adjusted.intervals, own.intervals, `${method}: the intervals did change`);
    assert.equal(adjusted.distributions, undefined, 'the base distributions are not passed on as calibrated');
  }
});

test('conformal calibration fixes an MLP whose sigma came from its own training set', () => {
  // 30 examples, a big network, long training, no weight decay: it overfits, so its training
  // residuals understate the error on new objects.
  const few = curveSet(30, 7, noise);
  const mlp = MlpRegressor.fit(few, undefined, { hidden: [64, 64], epochs: 400, learningRate: 1e-2, weightDecay: 0, seed: 2 });
  assert.equal(mlp.sigmaSource, 'train');
  const raw = evaluateRegression(mlp.predict(heldOut.x), heldOut.y);
  const head = ConformalRegressor.calibrate(mlp, curveSet(500, 8, noise), { method: 'cqr' });
  const cal = evaluateRegression(head.predict(heldOut.x), heldOut.y);
  assert.ok(raw.intervals[1].coverage < 0.85, `raw 95%: ${raw.intervals[1].coverage}`);
  assert.ok(Math.abs(cal.intervals[1].coverage - 0.95) < 0.025, `calibrated 95%: ${cal.intervals[1].coverage}`);
});

test('conformal calibration needs labelled calibration data', () => {
  const knn = KnnRegressor.fit(train, undefined, { k: 5 });
  assert.throws(() => ConformalRegressor.calibrate(knn, { x: matrix(new Float64Array(8), 8), y: [null] }), /no labels/);
});

/** A fixed "head" returning given probabilities (to test calibration in isolation). */
function fixedHead(classes: string[], probs: Float64Array): ClassificationHead {
  return {
    task: 'classification',
    kind: 'fixed',
    classes,
    predict: (x: Matrix) => classificationPrediction(classes, probs.slice(0, x.rows * classes.length)),
    toJSON: () => ({ format: 'skyclip-head', version: 1, kind: 'fixed' }),
  };
}

test('temperature scaling recovers a known over-confidence and lowers the ECE', () => {
  // The head reports softmax(z); the truth is drawn from softmax(z / 2): it is over-confident by T = 2.
  const rng = new Rng(5);
  const n = 4000;
  const k = 4;
  const classes = ['a', 'b', 'c', 'd'];
  const z = Float64Array.from({ length: n * k }, () => 3 * rng.normal());
  const reported = softmaxRows(z, k);
  const truthProbs = softmaxRows(z.map((v) => v / 2), k);
  const labels = Int32Array.from({ length: n }, (_, i) => {
    let u = rng.uniform();
    for (let c = 0; c < k; c++) {
      u -= truthProbs[i * k + c];
      if (u < 0) return c;
    }
    return k - 1;
  });
  const t = fitTemperature(reported, k, labels);
  assert.ok(Math.abs(t - 2) < 0.15, `T = ${t}`);
  // Scaling by T is exact on log-probabilities.
  const scaled = applyTemperature(reported, k, 2);
  for (let p = 0; p < 8; p++) close(scaled[p], truthProbs[p], 1e-12);

  const half = n / 2;
  const x = matrix(new Float64Array(half), 1);
  const truth = Array.from(labels.subarray(0, half), (c) => classes[c]);
  const head = TemperatureScaledClassifier.calibrate(fixedHead(classes, reported), { x, y: truth });
  const r = head.calibrationReport;
  assert.ok(r.after.ece < r.before.ece / 2, `ECE ${r.before.ece} -> ${r.after.ece}`);
  assert.ok(r.after.logLoss < r.before.logLoss);
  // Accuracy is unchanged: temperature never reorders classes.
  assert.equal(accuracy(truth, head.predict(x)), accuracy(truth, fixedHead(classes, reported).predict(x)));
  assert.ok(expectedCalibrationError(truth, head.predict(x)) < 0.03);
});
