/**
 * The report's target checks: the paired bootstrap of an R^2 difference (exact point estimate,
 * zero for identical predictors, an interval that excludes zero only when one predictor is really
 * better), and the verdicts checkGoals gives from constructed results, including "not checked".
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkGoals, pairedBootstrapR2Difference } from '../../src/eval/goals.js';
import type { TargetEntry } from '../../src/eval/report.js';
import { Rng } from '../../src/util/random.js';

const rng = new Rng(7);
const n = 400;
const truth = Array.from({ length: n }, () => 0.3 * rng.uniform());
const good = truth.map((z) => z + 0.01 * rng.normal());
const poor = truth.map((z) => z + 0.05 * rng.normal());

function r2(t: number[], p: number[]): number {
  const m = t.reduce((a, b) => a + b, 0) / t.length;
  const tot = t.reduce((a, v) => a + (v - m) ** 2, 0);
  return 1 - t.reduce((a, v, i) => a + (v - p[i]) ** 2, 0) / tot;
}

describe('pairedBootstrapR2Difference', () => {
  it('gives the exact difference, and an interval above zero when one predictor is better', () => {
    const d = pairedBootstrapR2Difference(truth, good, poor, { samples: 500, seed: 1 });
    assert.ok(Math.abs(d.difference - (r2(truth, good) - r2(truth, poor))) < 1e-12);
    assert.ok(d.lower > 0 && d.lower <= d.difference && d.difference <= d.upper, `${d.lower} ${d.difference} ${d.upper}`);
    assert.equal(d.count, n);
    const back = pairedBootstrapR2Difference(truth, poor, good, { samples: 500, seed: 1 });
    assert.ok(back.upper < 0, 'and below zero the other way round');
  });

  it('is exactly zero for identical predictors, and straddles zero for two equally good ones', () => {
    const same = pairedBootstrapR2Difference(truth, good, good, { samples: 200 });
    assert.deepEqual([same.difference, same.lower, same.upper], [0, 0, 0]);
    const twin = truth.map((z) => z + 0.01 * rng.normal());
    const d = pairedBootstrapR2Difference(truth, good, twin, { samples: 500, seed: 2 });
    assert.ok(d.lower < 0 && d.upper > 0, `${d.lower} ${d.upper}`);
  });

  it('skips unlabelled objects and refuses mismatched lengths', () => {
    const withGaps = truth.map((z, i) => (i % 4 === 0 ? null : z));
    assert.equal(pairedBootstrapR2Difference(withGaps, good, poor, { samples: 10 }).count, n - n / 4);
    assert.throws(() => pairedBootstrapR2Difference(truth, good.slice(1), poor), /400 truths but 399/);
    assert.throws(() => pairedBootstrapR2Difference([null, 1], [1, 1], [1, 1]), /need at least 2/);
  });
});

describe('checkGoals', () => {
  const summary = (r2Galaxies: number, coverage68: number) => ({ method: 'knn', r2: r2Galaxies, r2Galaxies, coverage68 });
  const targets = {
    z: {
      task: 'regression',
      description: 'redshift',
      results: {
        'skyclip-image': { knn: summary(0.9, 0.7), linear: summary(0.85, 0.6), fewshot: { method: 'fewshot', skipped: 'too few' } },
        'skyclip-spectrum': { knn: summary(0.96, 0.69), linear: summary(0.995, 0.68), fewshot: summary(0.7, 0.66) },
        photometry: { knn: summary(0.8, 0.5) },
      },
    },
  } as unknown as Record<string, TargetEntry>;
  const predictions = new Map([
    ['skyclip-image/knn', { point: Float64Array.from(good), intervals: [] }],
    ['photometry/knn', { point: Float64Array.from(poor), intervals: [] }],
  ]);

  it('gives a verdict per target from the numbers', () => {
    const goals = checkGoals({ zGalaxies: truth, zPredictions: predictions, supervisedImageZ: poor, targets, coverageTargets: ['z'], seed: 0, samples: 200 });
    const byId = Object.fromEntries(goals.map((g) => [g.id, g]));
    assert.equal(byId['image-vs-supervised'].met, true);
    assert.equal(byId['image-vs-photometry'].met, true);
    assert.ok(byId['image-vs-photometry'].interval![0] > 0);
    assert.equal(byId['spectrum-redshift'].met, true, 'the best spectrum method (linear 0.995) counts');
    assert.equal(byId['spectrum-redshift'].value, 0.995);
    assert.equal(byId.coverage68.met, false, 'the linear image head covers 60 %');
    assert.match(byId.coverage68.measured, /4 of 5 inside; outside: z skyclip-image linear 60\.0 %/);
    assert.equal(byId.coverage68.value, 0.8, 'photometry is not held to the band');
  });

  it('says "not checked" without a supervised baseline, and "not met" when the image is no better', () => {
    const swapped = new Map([
      ['skyclip-image/knn', { point: Float64Array.from(poor), intervals: [] }],
      ['photometry/knn', { point: Float64Array.from(good), intervals: [] }],
    ]);
    const goals = checkGoals({ zGalaxies: truth, zPredictions: swapped, targets, coverageTargets: ['z'], seed: 0, samples: 200 });
    const byId = Object.fromEntries(goals.map((g) => [g.id, g]));
    assert.equal(byId['image-vs-supervised'].met, null);
    assert.match(byId['image-vs-supervised'].measured, /not checked/);
    assert.equal(byId['image-vs-photometry'].met, false);
  });
});
