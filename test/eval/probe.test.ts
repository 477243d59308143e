/**
 * The evaluation protocol on synthetic features with a known answer: a target linear in the
 * features is recovered by every method with calibrated conformal intervals; an imbalanced
 * few-shot class set falls back to prior-corrected prototypes; targets that cannot be scored are
 * skipped with a reason; the shared neighbour cache changes no result; the label-efficiency
 * curve improves with labels.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cachedSearch, classificationProbes, curveSizes, euclideanSearch, labelEfficiency, PriorCorrected, regressionProbes, resolveSettings } from '../../src/eval/index.js';
import { meanOverDraws, type RegressionSummary } from '../../src/eval/probe.js';
import { PrototypeClassifier, type Matrix } from '../../src/heads/index.js';
import { r2Score } from '../../src/heads/metrics.js';
import { Rng } from '../../src/util/random.js';

const D = 6;

function features(n: number, rng: Rng): Matrix {
  return { data: Float64Array.from({ length: n * D }, () => rng.normal()), rows: n, cols: D };
}

function parts(seed: number) {
  const rng = new Rng(seed);
  return { fit: features(400, rng), val: features(100, rng), cal: features(200, rng), test: features(300, rng) };
}

const settings = resolveSettings(true, { fewShotLabels: 60, mlpEpochs: 60 });

describe('regression probes', () => {
  const p = parts(1);
  const noise = new Rng(2);
  const target = (m: Matrix) => Array.from({ length: m.rows }, (_, i) => 0.5 + 0.3 * m.data[i * D] - 0.2 * m.data[i * D + 1] + 0.05 * noise.normal());
  const labels = { fit: target(p.fit), val: target(p.val), cal: target(p.cal), test: target(p.test) };

  it('recovers a linear target with every method, with sensible coverage', () => {
    const out = regressionProbes(p, labels, settings, { photoz: true, seed: 0 });
    for (const m of ['knn', 'linear', 'fewshot'] as const) {
      const o = out[m];
      assert.ok(!('skipped' in o), m);
      const s = (o as Exclude<typeof o, { skipped: string }>).summary;
      assert.ok(s.r2 > (m === 'knn' ? 0.6 : 0.8), `${m} R^2 ${s.r2}`);
      assert.ok(Number.isFinite(s.sigmaNMAD!) && Number.isFinite(s.outlierFraction!) && Number.isFinite(s.bias!));
      assert.equal(s.count, 300);
    }
    const linear = (out.linear as { summary: { coverage68: number; coverage95: number; intervals: string; trainLabels: number } }).summary;
    assert.equal(linear.intervals, 'conformal');
    assert.ok(Math.abs(linear.coverage68 - 0.68) < 0.1 && Math.abs(linear.coverage95 - 0.95) < 0.05, `${linear.coverage68} ${linear.coverage95}`);
    assert.equal(linear.trainLabels, 400);
    const knn = (out.knn as { summary: { coverage68: number; coverage95: number; intervals: string; pit?: unknown; uncalibrated?: unknown } }).summary;
    assert.equal(knn.intervals, 'conformal');
    assert.ok(Math.abs(knn.coverage68 - 0.68) < 0.1 && Math.abs(knn.coverage95 - 0.95) < 0.05, `k-NN ${knn.coverage68} ${knn.coverage95}`);
    assert.ok(knn.pit && knn.uncalibrated, 'k-NN keeps the PIT of its own distribution and its uncalibrated coverage');
    assert.equal((out.fewshot as { summary: { trainLabels: number } }).summary.trainLabels, 60);
  });

  it('few-shot: the mean and sd over independent label draws, each draw the single-draw run of its seed; the first draw\'s prediction kept', () => {
    type Ran = { summary: RegressionSummary; prediction: { point: Float64Array | number[] } };
    const three = regressionProbes(p, labels, { ...settings, fewShotDraws: 3 }, { photoz: false, seed: 4 }).fewshot as Ran;
    const singles = [4, 5, 6].map((seed) => (regressionProbes(p, labels, { ...settings, fewShotDraws: 1 }, { photoz: false, seed }).fewshot as Ran).summary.r2);
    const mean = (singles[0] + singles[1] + singles[2]) / 3;
    const sd = Math.sqrt(singles.reduce((a, x) => a + (x - mean) ** 2, 0) / 2);
    assert.ok(Math.abs(three.summary.r2 - mean) < 1e-12, `${three.summary.r2} vs ${mean}`);
    assert.ok(Math.abs(three.summary.spread!.sd.r2 - sd) < 1e-12);
    assert.ok(sd > 0, 'different draws give different scores');
    assert.equal(three.summary.spread!.draws, 3);
    const first = regressionProbes(p, labels, { ...settings, fewShotDraws: 1 }, { photoz: false, seed: 4 }).fewshot as Ran;
    assert.deepEqual(Array.from(three.prediction.point), Array.from(first.prediction.point));
  });

  it('meanOverDraws: hand-computed means and sample sds of the named metrics; other fields from the first draw', () => {
    const base = { method: 'fewshot', head: 'mlp', trainLabels: 100, count: 10, coverage68: 0.7, coverage95: 0.9, width68: 1, width95: 2, intervals: 'head', hyper: { epochs: 3 } } as const;
    const draws: RegressionSummary[] = [0.5, 0.7, 0.9].map((r2, i) => ({ ...base, r2, hyper: { epochs: 3 + i } }));
    const m = meanOverDraws(draws, ['r2', 'coverage68']);
    assert.ok(Math.abs(m.r2 - 0.7) < 1e-12);
    assert.ok(Math.abs(m.spread!.sd.r2 - 0.2) < 1e-12); // sqrt((0.04 + 0 + 0.04) / 2)
    assert.ok(m.spread!.sd.coverage68 < 1e-12);
    assert.deepEqual(m.hyper, { epochs: 3 });
    assert.equal(m.spread!.draws, 3);
    assert.throws(() => meanOverDraws([], ['r2']), /no draws/);
  });

  it('scores R^2 over the rows the caller marks as galaxies too, for every method', () => {
    const galaxies = labels.test.map((_, i) => i % 4 !== 0);
    type Ran = { summary: RegressionSummary; prediction: { point: ArrayLike<number> } };
    const out = regressionProbes(p, labels, settings, { photoz: true, seed: 0, galaxies });
    for (const m of ['knn', 'linear', 'fewshot'] as const) {
      const o = out[m] as Ran;
      const rows = galaxies.flatMap((g, i) => (g ? [i] : []));
      const expected = r2Score(rows.map((i) => labels.test[i]), rows.map((i) => o.prediction.point[i]));
      // few-shot: the mean over draws; one draw here would equal the first draw's own R^2
      if (m !== 'fewshot') assert.ok(Math.abs(o.summary.r2Galaxies! - expected) < 1e-12, m);
      else assert.ok(Number.isFinite(o.summary.r2Galaxies!) && o.summary.spread!.sd.r2Galaxies !== undefined);
    }
    assert.equal((regressionProbes(p, labels, settings, { photoz: true, seed: 0 }).knn as Ran).summary.r2Galaxies, undefined);
  });

  it('skips, with a reason, a target no held-out object has', () => {
    const out = regressionProbes(p, { ...labels, test: labels.test.map(() => null) }, settings, { photoz: false, seed: 0 });
    for (const o of Object.values(out)) assert.match((o as { skipped: string }).skipped, /no held-out object/);
  });

  it('gives the same answers through the shared cached search, whatever the labelled share', () => {
    const sparse = { ...labels, fit: labels.fit.map((v, i) => (i % 3 === 0 ? v : null)) }; // 1/3 labelled: labelled-only search
    const dense = { ...labels, fit: labels.fit.map((v, i) => (i % 10 === 0 ? null : v)) }; // 90 %: the shared search
    for (const l of [sparse, dense]) {
      const search = cachedSearch(euclideanSearch(p.fit));
      const plain = regressionProbes(p, l, settings, { photoz: false, seed: 0 });
      const shared = regressionProbes(p, l, settings, { photoz: false, seed: 0, search });
      assert.deepEqual(shared.knn, plain.knn);
      // and again from a warm cache
      assert.deepEqual(regressionProbes(p, l, settings, { photoz: false, seed: 0, search }).knn, plain.knn);
    }
  });

  it('label-efficiency: more labels, better R^2; sizes capped by the pool', () => {
    assert.deepEqual(curveSizes([10, 30, 100, 300, 1000], 400), [10, 30, 100, 300, 400]);
    assert.deepEqual(curveSizes([10, 400], 400), [10, 400]);
    const c = labelEfficiency(p, labels, [10, 100, 400], settings);
    assert.equal(c.knn.length, 3);
    assert.ok(c.linear[2] > c.linear[0] && c.linear[2] > 0.9, `linear ${c.linear}`);
    assert.ok(c.knn[2] > c.knn[0], `knn ${c.knn}`);
  });
});

describe('classification probes', () => {
  const p = parts(3);
  // 'rare' for ~4 % of objects (a region of feature space), 'a' / 'b' by the sign of x1
  const cls = (m: Matrix) => Array.from({ length: m.rows }, (_, i) => (m.data[i * D + 2] > 1.75 ? 'rare' : m.data[i * D + 1] > 0 ? 'a' : 'b'));
  const labels = { fit: cls(p.fit), val: cls(p.val), cal: cls(p.cal), test: cls(p.test) };

  it('scores k-NN and softmax, and uses prior-corrected prototypes when a class is rare among the few labels', () => {
    const out = classificationProbes(p, labels, resolveSettings(true, { fewShotLabels: 40 }), { seed: 0 });
    for (const m of ['knn', 'linear'] as const) {
      const s = out[m] as { accuracy: number; classes: number };
      assert.ok(s.accuracy > 0.8, `${m} ${s.accuracy}`);
      assert.equal(s.classes, 3);
    }
    const few = out.fewshot as { head: string; accuracy: number; hyper: Record<string, number> };
    assert.equal(few.head, 'prototype+prior');
    assert.ok(few.hyper.smallestClass < 5);
    assert.ok(few.accuracy > 0.6, `few-shot ${few.accuracy}`);
  });

  it('uses the MLP when every class has enough examples', () => {
    const balanced = { ...labels, fit: labels.fit.map((l) => (l === 'rare' ? 'a' : l)) };
    const out = classificationProbes(p, balanced, resolveSettings(true, { fewShotLabels: 40 }), { seed: 0 });
    assert.equal((out.fewshot as { head: string }).head, 'mlp-classifier');
  });

  it('skips a target with one class in the fit split', () => {
    const one = { ...labels, fit: labels.fit.map(() => 'a') };
    const out = classificationProbes(p, one, settings, { seed: 0 });
    for (const o of Object.values(out)) assert.match((o as { skipped: string }).skipped, /1 class/);
  });

  it('prior correction: equal priors change nothing, skewed priors move the decision to the common class', () => {
    const x = { data: Float64Array.from([1, 0, 0, 1, 0.7, 0.71]), rows: 3, cols: 2 };
    const proto = PrototypeClassifier.fit({ x: { data: Float64Array.from([1, 0, 0, 1]), rows: 2, cols: 2 }, y: ['a', 'b'] });
    assert.deepEqual(new PriorCorrected(proto, ['a', 'b']).predict(x).predicted, proto.predict(x).predicted);
    assert.deepEqual(proto.predict(x).predicted, ['a', 'b', 'b']);
    const skewed = new PriorCorrected(proto, ['a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'b']);
    const pred = skewed.predict(x);
    assert.deepEqual(pred.predicted, ['a', 'b', 'a'], 'the ambiguous third object goes to the common class');
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(pred.probabilities[2 * i] + pred.probabilities[2 * i + 1] - 1) < 1e-12);
    assert.equal(skewed.kind, 'prototype+prior');
  });
});
