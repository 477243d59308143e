import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  dataExtent,
  formatTick,
  linearScale,
  logScale,
  logTicks,
  niceDomain,
  niceLogDomain,
  niceStep,
  niceTicks,
} from '../../src/viz/scale.js';

describe('nice ticks', () => {
  it('rounds steps to 1, 2 or 5 x 10^k', () => {
    assert.equal(niceStep(1, 5), 0.2);
    assert.equal(niceStep(10000, 5), 2000);
    assert.equal(niceStep(20, 5), 5); // raw 4 is above sqrt(10): 5
    assert.equal(niceStep(7, 5), 1); // raw 1.4 is below sqrt(2): 1
    assert.equal(niceStep(0, 5), 0);
  });

  it('lists multiples of the step inside the interval, without float noise', () => {
    assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(niceTicks(0, 0.3, 3), [0, 0.1, 0.2, 0.3]);
    assert.deepEqual(niceTicks(0.13, 0.87, 4), [0.2, 0.4, 0.6, 0.8]);
    assert.deepEqual(niceTicks(-3, 17, 5), [0, 5, 10, 15]);
    assert.ok(Object.is(niceTicks(-3, 17, 5)[0], 0), 'no -0 tick');
    assert.deepEqual(niceTicks(3600, 9824, 6), [4000, 5000, 6000, 7000, 8000, 9000]);
    assert.deepEqual(niceTicks(2, 2), [2]);
    assert.deepEqual(niceTicks(1, 0, 2), [0, 0.5, 1]); // reversed ends
    assert.deepEqual(niceTicks(NaN, 1), []);
  });

  it('widens domains to ticks', () => {
    assert.deepEqual(niceDomain(0.13, 0.87), [0, 1]);
    assert.deepEqual(niceDomain(3, 97, 5), [0, 100]);
    assert.deepEqual(niceDomain(-0.31, 0.29, 5), [-0.4, 0.3]);
    const [lo, hi] = niceDomain(5, 5);
    assert.ok(lo < 5 && hi > 5 && Number.isInteger(lo) && Number.isInteger(hi));
  });
});

describe('log axes', () => {
  it('ticks at powers of ten, thinned over many decades', () => {
    assert.deepEqual(logTicks(1, 1e4), [1, 10, 100, 1000, 10000]);
    assert.deepEqual(logTicks(0.003, 0.2), [0.005, 0.01, 0.02, 0.05, 0.1, 0.2]);
    assert.deepEqual(logTicks(1e-6, 1e6), [1e-6, 1e-4, 0.01, 1, 100, 1e4, 1e6]);
    assert.deepEqual(logTicks(0.8, 3), [1, 2]);
    const narrow = logTicks(1.1, 1.9);
    assert.ok(narrow.length >= 2 && narrow.every((t) => t >= 1.1 && t <= 1.9), `${narrow}`);
    assert.deepEqual(logTicks(0, 10), []);
  });

  it('widens to 1-2-5 values', () => {
    assert.deepEqual(niceLogDomain(0.8, 3), [0.5, 5]);
    assert.deepEqual(niceLogDomain(12, 9000), [10, 10000]);
    assert.throws(() => niceLogDomain(0, 1), RangeError);
  });

  it('maps by log10 and refuses what it cannot draw', () => {
    const s = logScale([1, 100], [0, 200]);
    assert.equal(s.map(10), 100);
    assert.equal(s.map(100), 200);
    assert.ok(Number.isNaN(s.map(0)));
    assert.ok(Number.isNaN(s.map(-5)));
    assert.throws(() => logScale([0, 10], [0, 1]), RangeError);
  });
});

describe('tick labels', () => {
  it('use the decimals the step needs, the same on one axis', () => {
    const t = [0, 0.5, 1, 1.5];
    assert.deepEqual(t.map((v) => formatTick(v, t)), ['0.0', '0.5', '1.0', '1.5']);
    const big = [0, 2000, 4000];
    assert.deepEqual(big.map((v) => formatTick(v, big)), ['0', '2000', '4000']);
    const small = [0.02, 0.04];
    assert.deepEqual(small.map((v) => formatTick(v, small)), ['0.02', '0.04']);
    assert.equal(formatTick(-0, [0, 1]), '0');
  });

  it('switch to exponents for huge or tiny values, and powers of ten on log axes', () => {
    const huge = [0, 2e6, 4e6];
    assert.equal(formatTick(2e6, huge), '2e+6');
    const tiny = [1e-5, 2e-5];
    assert.equal(formatTick(2e-5, tiny), '2e-5');
    assert.equal(formatTick(100, [], 'log'), '100');
    assert.equal(formatTick(1e-5, [], 'log'), '10\u207b\u2075');
    assert.equal(formatTick(1e6, [], 'log'), '10\u2076');
  });
});

describe('linear scale and extents', () => {
  it('maps domain onto a (reversed) range', () => {
    const s = linearScale([0, 10], [100, 0]);
    assert.equal(s.map(0), 100);
    assert.equal(s.map(2.5), 75);
    assert.ok(Number.isNaN(s.map(NaN)));
    assert.equal(linearScale([3, 3], [0, 10]).map(3), 5);
  });

  it('ignores non-finite values, and non-positive ones for log', () => {
    assert.deepEqual(dataExtent([[3, NaN, -1], new Float32Array([Infinity, 7])]), [-1, 7]);
    assert.deepEqual(dataExtent([[0, -2, 0.5, 4]], true), [0.5, 4]);
    assert.equal(dataExtent([[NaN]]), undefined);
  });
});
