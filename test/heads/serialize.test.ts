import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadHead } from '../../src/heads/serialize.js';
import type { Head } from '../../src/heads/head.js';
import { exactCosineSearch } from '../../src/heads/neighbours.js';
import { KnnRegressor } from '../../src/heads/knn-regressor.js';
import { KnnClassifier } from '../../src/heads/knn-classifier.js';
import { RidgeRegressor } from '../../src/heads/ridge.js';
import { SoftmaxClassifier } from '../../src/heads/softmax.js';
import { MlpClassifier, MlpRegressor } from '../../src/heads/mlp-heads.js';
import { PrototypeClassifier } from '../../src/heads/prototype.js';
import { ConformalRegressor } from '../../src/heads/conformal.js';
import { TemperatureScaledClassifier } from '../../src/heads/temperature.js';
import type { Matrix } from '../../src/heads/matrix.js';
import { blobs, curveSet } from './synthetic.js';

const noise = (t: number) => 0.02 + 0.1 * t;
const reg = curveSet(300, 1, noise);
// Some missing targets, to check they survive the trip as missing.
const regY = Array.from(reg.y, (v, i) => (i % 10 === 0 ? null : v));
const regVal = curveSet(100, 2, noise);
const regCal = curveSet(100, 3, noise);
const regQuery = curveSet(50, 4, noise).x;

const classes = ['merger', 'none', 'tidal'];
const cls = blobs(classes, 20, 8, 0.3, 1);
const clsY = cls.y.map((v, i) => (i % 9 === 0 ? null : v));
const clsVal = blobs(classes, 10, 8, 0.3, 2);
const clsQuery = blobs(classes, 10, 8, 0.3, 3).x;

/** JSON text -> loadHead -> the same predictions, bit for bit. */
function roundTrip(head: Head, query: Matrix, search?: ReturnType<typeof exactCosineSearch>): void {
  const text = JSON.stringify(head);
  const loaded = loadHead(JSON.parse(text), { search });
  assert.equal(loaded.kind, head.kind);
  assert.equal(JSON.stringify(loaded), text, 'serializing again gives the same document');
  if (head.task === 'regression' && loaded.task === 'regression') {
    const a = head.predict(query);
    const b = loaded.predict(query);
    assert.deepEqual(b.point, a.point);
    assert.deepEqual(b.intervals, a.intervals);
  } else if (head.task === 'classification' && loaded.task === 'classification') {
    const a = head.predict(query);
    const b = loaded.predict(query);
    assert.deepEqual(b.probabilities, a.probabilities);
    assert.deepEqual(b.predicted, a.predicted);
  } else {
    assert.fail('task changed');
  }
}

test('JSON round trip: k-NN heads (with the search given back)', () => {
  const search = exactCosineSearch(reg.x);
  roundTrip(KnnRegressor.fit({ x: reg.x, y: regY }, regVal, { kGrid: [4, 16], kernelWidth: 0.1 }), regQuery, search);
  roundTrip(KnnClassifier.fit({ x: cls.x, y: clsY }, clsVal, { kGrid: [3, 9] }), clsQuery, exactCosineSearch(cls.x));
});

test('JSON round trip: linear probes', () => {
  roundTrip(RidgeRegressor.fit({ x: reg.x, y: regY }, regVal), regQuery);
  roundTrip(SoftmaxClassifier.fit({ x: cls.x, y: clsY }, clsVal), clsQuery);
});

test('JSON round trip: few-shot heads', () => {
  roundTrip(MlpRegressor.fit({ x: reg.x, y: regY }, regVal, { epochs: 20, seed: 4 }), regQuery);
  roundTrip(MlpClassifier.fit({ x: cls.x, y: clsY }, undefined, { epochs: 20, hidden: [16, 16], seed: 4 }), clsQuery);
  roundTrip(PrototypeClassifier.fit({ x: cls.x, y: clsY }), clsQuery);
});

test('JSON round trip: calibrated heads wrapping other heads', () => {
  const knn = KnnRegressor.fit({ x: reg.x, y: regY }, undefined, { k: 4 });
  roundTrip(ConformalRegressor.calibrate(knn, regCal, { method: 'cqr' }), regQuery, exactCosineSearch(reg.x));
  roundTrip(ConformalRegressor.calibrate(RidgeRegressor.fit({ x: reg.x, y: regY }, regVal), regCal, { method: 'scaled' }), regQuery);
  // Too few calibration objects for 95 %: the interval is infinite, stored as null, read back as Infinity.
  const tiny = ConformalRegressor.calibrate(knn, { x: { data: regCal.x.data.subarray(0, 5 * 8), rows: 5, cols: 8 }, y: regCal.y.subarray(0, 5) });
  assert.equal(tiny.calibration[1].offset, Infinity);
  roundTrip(tiny, regQuery, exactCosineSearch(reg.x));
  const proto = PrototypeClassifier.fit({ x: cls.x, y: clsY });
  roundTrip(TemperatureScaledClassifier.calibrate(proto, clsVal), clsQuery);
});

test('loadHead refuses what it cannot load', () => {
  const knn = KnnRegressor.fit({ x: reg.x, y: regY }, undefined, { k: 4 });
  assert.throws(() => loadHead(knn.toJSON()), /needs the neighbour search/);
  assert.throws(() => loadHead({ format: 'other' }), /not a skyclip-head/);
  assert.throws(() => loadHead({ format: 'skyclip-head', version: 99, kind: 'ridge' }), (e: Error & { code?: string }) => e.code === 'UNSUPPORTED');
  assert.throws(() => loadHead({ format: 'skyclip-head', version: 1, kind: 'forest' }), /unknown head kind/);
  const ridge = RidgeRegressor.fit({ x: reg.x, y: regY }, regVal).toJSON();
  assert.throws(() => loadHead({ ...ridge, weights: ridge.weights.slice(1) }), /differ in size/);
  const wrongWidth = { data: new Float64Array(3), rows: 1, cols: 3 };
  assert.throws(() => RidgeRegressor.fit({ x: reg.x, y: regY }, regVal).predict(wrongWidth), /expected 8 columns, got 3/);
});
