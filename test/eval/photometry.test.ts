/**
 * The photometry baseline's features against hand-made cubes with known aperture fluxes: exact
 * circle areas, a compact source's total flux, asinh magnitudes that equal Pogson magnitudes for
 * bright sources and stay finite for zero or negative flux, and colours that follow the bands'
 * flux ratios. Also the Euclidean neighbour search the k-NN heads use.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  apertureRadiiPx,
  apertureSum,
  apertureWeights,
  asinhMagnitude,
  euclideanSearch,
  measurePhotometry,
  photometryFeatures,
  robustSigma,
} from '../../src/eval/index.js';
import { KnnRegressor } from '../../src/heads/index.js';

/** A [3, n, n] cube: per band a constant sky level plus a Gaussian source of total `flux[b]` and width `sigma` at the centre. */
function cube(n: number, flux: [number, number, number], sigma: number, noise = 0, seed = 1): Float32Array {
  const out = new Float32Array(3 * n * n);
  const c = (n - 1) / 2;
  let s = seed;
  const gauss = () => {
    // Box-Muller on a small LCG: deterministic noise
    s = (s * 1103515245 + 12345) % 2147483648;
    const u = (s + 1) / 2147483649;
    s = (s * 1103515245 + 12345) % 2147483648;
    const v = s / 2147483648;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  for (let b = 0; b < 3; b++) {
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const r2 = (x - c) ** 2 + (y - c) ** 2;
        out[b * n * n + y * n + x] = (flux[b] * Math.exp(-r2 / (2 * sigma * sigma))) / (2 * Math.PI * sigma * sigma) + noise * gauss();
      }
    }
  }
  return out;
}

describe('aperture photometry', () => {
  it('aperture weights integrate to the circle area (sub-pixel edges)', () => {
    for (const r of [3, 5.7, 10.25]) {
      const w = apertureWeights(48, 48, 23.5, 23.5, r);
      const area = w.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(area - Math.PI * r * r) / (Math.PI * r * r) < 0.005, `r=${r}: area ${area} vs ${Math.PI * r * r}`);
      assert.ok(w.every((v) => v >= 0 && v <= 1));
    }
  });

  it('a uniform plane gives level x area; masked pixels count as 0', () => {
    const n = 40;
    const plane = new Float64Array(n * n).fill(2);
    const w = apertureWeights(n, n, (n - 1) / 2, (n - 1) / 2, 6);
    const area = w.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(apertureSum(plane, w) - 2 * area) < 1e-9);
    plane[(n / 2) * n + n / 2] = Number.NaN; // a masked pixel wholly inside
    assert.ok(Math.abs(apertureSum(plane, w) - 2 * (area - 1)) < 1e-9);
  });

  it('recovers a compact source\'s total flux in the large aperture and its colours in the small one', () => {
    const flux: [number, number, number] = [10, 25, 40]; // nanomaggies: g 20.0, r 19.0, z 18.5 mag
    const m = measurePhotometry(cube(72, flux, 1.2), [3, 72, 72], 0.262);
    assert.ok(m.radiiPx.large > 15 && m.radiiPx.large < 15.5, `4" = ${m.radiiPx.large} px`);
    flux.forEach((f, b) => assert.ok(Math.abs(m.flux.large[b] - f) / f < 1e-3, `band ${b}: ${m.flux.large[b]} vs ${f}`));
    // small aperture (1.5" = 5.7 px) holds 1 - exp(-r^2 / 2 sigma^2) of a Gaussian's light
    const inside = 1 - Math.exp(-(m.radiiPx.small ** 2) / (2 * 1.2 ** 2));
    flux.forEach((f, b) => assert.ok(Math.abs(m.flux.small[b] - f * inside) / f < 2e-3));
    // noiseless stamp: the softening is tiny, so asinh magnitudes are Pogson magnitudes
    const pogson = flux.map((f) => 22.5 - 2.5 * Math.log10(f));
    for (let b = 0; b < 3; b++) assert.ok(Math.abs(m.features[b] - pogson[b]) < 1e-6, `mag ${b}`);
    assert.ok(Math.abs(m.features[3] - (pogson[0] - pogson[1])) < 1e-6, 'g - r');
    assert.ok(Math.abs(m.features[4] - (pogson[1] - pogson[2])) < 1e-6, 'r - z');
  });

  it('measures the noise from the stamp and stays finite for faint, zero and negative flux', () => {
    const noisy = cube(72, [0, 0, 0], 1.2, 0.01, 7);
    const sigma = robustSigma(noisy.subarray(0, 72 * 72));
    assert.ok(Math.abs(sigma - 0.01) < 0.001, `robust sigma ${sigma}`);
    const f = photometryFeatures(noisy, [3, 72, 72], 0.262);
    assert.ok(f.every(Number.isFinite), `features ${Array.from(f)}`);
    // asinh magnitudes: bright limit = Pogson, and monotonic through zero and negative flux
    assert.ok(Math.abs(asinhMagnitude(100, 0.01) - (22.5 - 5)) < 1e-6);
    assert.ok(asinhMagnitude(0, 0.1) > asinhMagnitude(0.1, 0.1));
    assert.ok(asinhMagnitude(-0.1, 0.1) > asinhMagnitude(0, 0.1));
    assert.ok(Number.isFinite(asinhMagnitude(-5, 0.1)));
  });

  it('shrinks apertures to fit small stamps and refuses bad input', () => {
    const r = apertureRadiiPx(24, 0.262);
    assert.equal(r.large, 11);
    assert.ok(r.small < r.large);
    assert.throws(() => measurePhotometry(new Float32Array(2 * 24 * 24), [2, 24, 24], 0.262), /g, r, z/);
    assert.throws(() => measurePhotometry(new Float32Array(3 * 24 * 20), [3, 24, 20], 0.262), /square/);
    assert.throws(() => measurePhotometry(new Float32Array(10), [3, 24, 24], 0.262), /values/);
    assert.throws(() => apertureRadiiPx(24, 0), /pixel scale/);
  });
});

describe('Euclidean neighbour search', () => {
  const ref = { data: Float64Array.from([0, 0, 1, 0, 3, 0, 0, 2, 10, 10]), rows: 5, cols: 2 };

  it('returns the nearest rows first, with similarity 1 - d^2/2 (so the heads weight by 1/d)', () => {
    const found = euclideanSearch(ref)([0.9, 0], 3);
    assert.deepEqual(found.map((n) => n.index), [1, 0, 2]);
    assert.ok(Math.abs(found[0].similarity - (1 - 0.01 / 2)) < 1e-12);
    assert.ok(Math.abs(found[2].similarity - (1 - 2.1 ** 2 / 2)) < 1e-12);
    assert.equal(euclideanSearch(ref)([0, 0], 99).length, 5);
    assert.throws(() => euclideanSearch(ref)([0, 0, 0], 1), /expected 2/);
  });

  it('makes the k-NN head a distance-weighted (1/d) regressor', () => {
    // two neighbours at distances 1 and 3 with targets 0 and 4: weights 1 and 1/3 -> weighted median 0, mean 1
    const search = euclideanSearch({ data: Float64Array.from([1, 0, -3, 0]), rows: 2, cols: 2 });
    const head = KnnRegressor.fromSearch({ search, y: [0, 4] }, undefined, { k: 2 });
    const dist = head.predict({ data: Float64Array.from([0, 0]), rows: 1, cols: 2 }).distributions![0];
    // the weighted sample's CDF sits at half a value's weight share on the value: 0.75 / 2 for weights 1 : 1/3 (uniform: 0.25)
    assert.ok(Math.abs(dist.cdf(0) - 0.375) < 1e-9, `cdf(0) = ${dist.cdf(0)}`);
  });
});
