import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromRows } from '../../src/heads/matrix.js';
import { exactCosineSearch, type NeighbourSearch } from '../../src/heads/neighbours.js';
import { KnnRegressor } from '../../src/heads/knn-regressor.js';
import { KnnClassifier } from '../../src/heads/knn-classifier.js';
import { intervalAt } from '../../src/heads/head.js';
import { selectKByPit } from '../../src/heads/select-k.js';
import { evaluateRegression } from '../../src/heads/evaluate.js';
import { curveSet } from './synthetic.js';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);
const deg = (a: number) => [Math.cos((a * Math.PI) / 180), Math.sin((a * Math.PI) / 180)];

// Four reference objects on the unit circle at 0, 60, 90 and 180 degrees; the query at 30 degrees
// is 30 degrees from the first two, 60 from the third and 150 from the last.
const reference = fromRows([deg(0), deg(60), deg(90), deg(180)]);
const query = fromRows([deg(30)]);
// Chord distance between unit vectors at angle theta: 2 sin(theta / 2).
const w30 = 1 / (2 * Math.sin((15 * Math.PI) / 180));
const w60 = 1 / (2 * Math.sin((30 * Math.PI) / 180)); // = 1

test('exact cosine search: order, similarities and deterministic ties', () => {
  const search = exactCosineSearch(reference);
  const found = search(deg(30), 3);
  // Objects 0 and 1 tie at cos 30; the lower index comes first.
  assert.deepEqual(found.map((n) => n.index), [0, 1, 2]);
  close(found[0].similarity, Math.cos(Math.PI / 6));
  close(found[2].similarity, 0.5);
  assert.equal(search(deg(30), 10).length, 4, 'asks beyond the set return all rows');
  // Vector length does not matter for cosine.
  assert.deepEqual(search([5, 0], 1).map((n) => n.index), [0]);
});

test('k-NN regression: distance-weighted median and interval, by hand', () => {
  // k = 3 -> values 1, 2, 4 with weights a, a, 1 (a = w30). W = 2a + 1; positions a/2W, 1.5a/W, (2a + 0.5)/W.
  // Median: 1 + (0.5 - a/2W) / (a/W) = 1.5 + 1/(2a) = 1.5 + sin(15 deg) = 1.758819...
  const head = KnnRegressor.fit({ x: reference, y: [1, 2, 4, 10] }, undefined, { k: 3 });
  const p = head.predict(query);
  close(p.point[0], 1.5 + Math.sin((15 * Math.PI) / 180), 1e-12);
  close(p.point[0], 1.7588190451, 1e-9);
  const a = w30;
  const W = 2 * a + w60;
  const iv = intervalAt(p, 0.68)!;
  assert.equal(iv.lower[0], 1, '0.16 is below the first position a/2W = 0.199');
  // 0.84 lies between positions 1.5a/W and (2a + 0.5)/W, i.e. between values 2 and 4.
  const p2 = (1.5 * a) / W;
  const p3 = (2 * a + 0.5) / W;
  close(iv.upper[0], 2 + ((0.84 - p2) / (p3 - p2)) * 2, 1e-12);
});

test('k-NN regression with uniform weights is the plain sample median', () => {
  const head = KnnRegressor.fit({ x: reference, y: [1, 2, 4, 10] }, undefined, { k: 3, weighting: 'uniform' });
  assert.equal(head.predict(query).point[0], 2);
});

test('missing targets are skipped, not read as 0: the next labelled neighbour is used', () => {
  // Object 1 has no label: neighbours become 0, 2, 3 (values 1, 4, 10), median 4 with uniform weights.
  for (const missing of [null, Number.NaN, undefined]) {
    const head = KnnRegressor.fit({ x: reference, y: [1, missing, 4, 10] }, undefined, { k: 3, weighting: 'uniform' });
    assert.equal(head.predict(query).point[0], 4);
  }
  assert.throws(() => KnnRegressor.fit({ x: reference, y: [1, Infinity, 4, 10] }), /not a finite number/);
  assert.throws(() => KnnRegressor.fit({ x: reference, y: [null, null, null, null] }), /no labelled/);
});

test('an injected search is used as given (a stand-in for the HNSW index)', () => {
  const calls: number[] = [];
  // A fake index that always answers objects 3, 2, 1, 0 with made-up similarities.
  const fake: NeighbourSearch = (_q, k) => {
    calls.push(k);
    return [3, 2, 1, 0].slice(0, k).map((index, r) => ({ index, similarity: 0.9 - 0.1 * r }));
  };
  const head = KnnRegressor.fromSearch({ search: fake, y: [1, 2, null, 10] }, undefined, { k: 2, weighting: 'uniform' });
  // Object 2 is unlabelled, so the head asks again for more: neighbours 3 and 1 -> median 6.
  assert.equal(head.predict(query).point[0], 6);
  assert.deepEqual(calls, [2, 4]);
  const bad: NeighbourSearch = () => [{ index: 7, similarity: 1 }];
  assert.throws(() => KnnRegressor.fromSearch({ search: bad, y: [1, 2] }, undefined, { k: 1 }).predict(query), /returned row 7/);
});

test('k-NN classification: weighted vote shares, by hand', () => {
  // Neighbours 0 (a, weight w30), 1 (b, w30), 2 (b, 1).
  const head = KnnClassifier.fit({ x: reference, y: ['a', 'b', 'b', 'a'] }, undefined, { k: 3, smoothing: 0 });
  const p = head.predict(query);
  const W = 2 * w30 + w60;
  close(p.probabilities[0], w30 / W, 1e-12);
  close(p.probabilities[1], (w30 + w60) / W, 1e-12);
  assert.deepEqual(p.predicted, ['b']);
  // Smoothing mixes in a uniform share.
  const smooth = KnnClassifier.fit({ x: reference, y: ['a', 'b', 'b', 'a'] }, undefined, { k: 3, smoothing: 0.1 });
  close(smooth.predict(query).probabilities[0], 0.9 * (w30 / W) + 0.05, 1e-12);
});

test('PIT rule, on constructed candidates: flattest within the slack, then most accurate', () => {
  const n = 100;
  const truth = Float64Array.from({ length: n }, (_, i) => i);
  // PIT spread evenly then shifted by s: KS = 0.005 + s.
  const pit = (s: number) => Float64Array.from({ length: n }, (_, i) => Math.min(1, (i + 0.5) / n + s));
  const point = (noise: number) => Float64Array.from(truth, (t, i) => t + (i % 2 ? noise : -noise));
  const sel = selectKByPit(
    [
      { k: 4, pit: pit(0.1), point: point(1) }, // most accurate but too far from flat
      { k: 8, pit: pit(0), point: point(10) }, // flattest
      { k: 16, pit: pit(0.03), point: point(5) }, // within 0.5 / sqrt(100) = 0.05 of the flattest, more accurate
    ],
    truth,
  );
  close(sel.tolerance, 0.05);
  assert.equal(sel.chosen, 16);
  close(sel.candidates[0].flatness, 0.105, 1e-12);
  // With no slack the flattest wins.
  assert.equal(selectKByPit([{ k: 8, pit: pit(0), point: point(10) }, { k: 16, pit: pit(0.03), point: point(5) }], truth, { slack: 0 }).chosen, 8);
});

test('PIT-based k choice picks a calibrated, accurate k on synthetic data', () => {
  const noise = (t: number) => 0.02 + 0.15 * t;
  const train = curveSet(1500, 1, noise);
  const val = curveSet(400, 2, noise);
  const grid = [2, 4, 8, 16, 32, 64, 128, 256, 512];
  const head = KnnRegressor.fit(train, val, { kGrid: grid });
  const sel = head.selection!;
  const byK = new Map(sel.candidates.map((c) => [c.k, c]));
  // Too few neighbours are visibly miscalibrated (PIT piles at 0 and 1) ...
  assert.ok(byK.get(2)!.flatness > 0.25, `k=2 KS ${byK.get(2)!.flatness}`);
  // ... so the choice is an interior k with a flat PIT and near-best accuracy.
  assert.ok(head.k >= 16 && head.k <= 256, `chose k=${head.k}`);
  assert.ok(byK.get(head.k)!.flatness < 0.06);
  const bestR2 = Math.max(...sel.candidates.map((c) => c.r2));
  assert.ok(byK.get(head.k)!.r2 > bestR2 - 0.005);
  // And it holds on fresh data. (KS weighs the bulk of the PIT, not its far tails: raw 95 %
  // intervals of a finite neighbourhood still under-cover, which conformal calibration fixes.)
  const heldOut = curveSet(600, 3, noise);
  const report = evaluateRegression(head.predict(heldOut.x), heldOut.y);
  assert.ok(report.pit!.ks < 0.07, `test KS ${report.pit!.ks}`);
  const off = Math.abs(report.intervals[0].coverage - 0.68);
  assert.ok(off < 0.06, `68% coverage ${report.intervals[0].coverage}`);
  const tiny = KnnRegressor.fit(train, undefined, { k: 2 });
  const tinyOff = Math.abs(evaluateRegression(tiny.predict(heldOut.x), heldOut.y).intervals[0].coverage - 0.68);
  assert.ok(off < tinyOff / 2, `chosen k is off by ${off}, k = 2 by ${tinyOff}`);
});

test('k-NN classification chooses k by validation log loss', () => {
  // Labels from the noisy target: near class edges a single neighbour is often wrong.
  const noise = () => 0.1;
  const train = curveSet(600, 5, noise);
  const val = curveSet(200, 6, noise);
  const label = (y: number) => (y < 0.33 ? 'low' : y < 0.66 ? 'mid' : 'high');
  const head = KnnClassifier.fit({ x: train.x, y: Array.from(train.y, label) }, { x: val.x, y: Array.from(val.y, label) }, { kGrid: [1, 8, 32] });
  const sel = head.selection!;
  const best = sel.candidates.reduce((a, b) => (b.logLoss < a.logLoss ? b : a));
  assert.equal(head.k, best.k);
  assert.notEqual(head.k, 1, 'k = 1 gives overconfident 0/1 votes and a poor log loss');
});
