import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NormalDistribution, WeightedSampleDistribution, centralInterval } from '../../src/heads/distribution.js';
import { normalCdf, normalQuantile } from '../../src/heads/special.js';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test('normal CDF and quantile match tabulated values', () => {
  close(normalCdf(0), 0.5, 1e-7);
  close(normalCdf(1), 0.8413447460685429, 2e-7);
  close(normalCdf(-1.96), 0.024997895148220435, 2e-8);
  close(normalQuantile(0.975), 1.959963984540054, 1e-8);
  close(normalQuantile(0.84), 0.994457883209753, 1e-8);
  close(normalQuantile(0.001), -3.090232306167813, 1e-8);
  close(normalQuantile(0.5), 0, 0);
  for (const p of [0.01, 0.16, 0.5, 0.9, 0.999]) close(normalCdf(normalQuantile(p)), p, 2e-7);
});

test('equal weights: the usual median and linear plotting-position quantiles', () => {
  // Values 1, 2, 4 sit at positions 1/6, 1/2, 5/6.
  const d = new WeightedSampleDistribution([4, 1, 2], [1, 1, 1]);
  assert.equal(d.quantile(0.5), 2);
  close(d.quantile(0.25), 1.25); // 1 + (0.25 - 1/6) / (1/3) * (2 - 1)
  assert.equal(d.quantile(0.1), 1); // below the first position: the smallest value
  assert.equal(d.quantile(0.9), 4);
  close(d.cdf(3), 0.5 + (1 / 3) * 0.5);
  assert.equal(d.cdf(0.99), 0);
  assert.equal(d.cdf(4), 1);
  const even = new WeightedSampleDistribution([1, 2, 3, 4], [1, 1, 1, 1]);
  assert.equal(even.quantile(0.5), 2.5);
});

test('unequal weights move the median towards the heavy value, by hand', () => {
  // Weights 3:1 -> positions 3/8 and 7/8; median = 1 + (0.5 - 3/8) / (1/2) * (3 - 1) = 1.5.
  const d = new WeightedSampleDistribution([1, 3], [3, 1]);
  close(d.quantile(0.5), 1.5);
  close(d.cdf(1.5), 0.5);
});

test('cdf and quantile are inverse, so intervals and PIT agree', () => {
  const d = new WeightedSampleDistribution([0.3, 1.1, 0.7, 2.5, 1.9], [0.5, 2, 1, 0.25, 1.5]);
  for (const q of [0.2, 0.35, 0.5, 0.66, 0.8]) close(d.cdf(d.quantile(q)), q, 1e-12);
  const [lo, hi] = centralInterval(d, 0.68);
  close(d.cdf(lo), 0.16, 1e-12);
  close(d.cdf(hi), 0.84, 1e-12);
});

test('a kernel width turns the sample into a Gaussian mixture', () => {
  // Symmetric pair with equal weights: the median is the midpoint; cdf at a centre is known.
  const d = new WeightedSampleDistribution([-1, 1], [1, 1], 0.5);
  close(d.quantile(0.5), 0, 1e-9);
  close(d.cdf(1), 0.5 * normalCdf(4) + 0.5 * normalCdf(0), 1e-12);
  for (const q of [0.025, 0.16, 0.84, 0.975]) close(d.cdf(d.quantile(q)), q, 1e-9);
  // One value: exactly a normal.
  const one = new WeightedSampleDistribution([3], [1], 2);
  close(one.quantile(0.975), new NormalDistribution(3, 2).quantile(0.975), 1e-6);
});

test('bad inputs are refused', () => {
  assert.throws(() => new WeightedSampleDistribution([], []), /need m >= 1/);
  assert.throws(() => new WeightedSampleDistribution([1, 2], [0, 0]), /sum to 0/);
  assert.throws(() => new NormalDistribution(0, 0), /sd must be > 0/);
});
