import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LEGACY_STRETCH, centerCrop, resolveStretchConfig, stretchCube, type CubeShape } from '../../src/preprocess/stretch.js';
import { SkyclipError } from '../../src/util/errors.js';

/** A [3, 1, n] cube from per-pixel [g, r, z] triples. */
function pixels(...grz: Array<[number, number, number]>): { cube: Float32Array; shape: CubeShape } {
  const n = grz.length;
  const cube = new Float32Array(3 * n);
  grz.forEach((p, i) => p.forEach((v, b) => (cube[b * n + i] = v)));
  return { cube, shape: [3, 1, n] };
}

/** Band values of pixel i of a [3, 1, n] result. */
function pixel(data: Float32Array, n: number, i: number): number[] {
  return [0, 1, 2].map((b) => data[b * n + i]);
}

function close(actual: number[], expected: number[], tol = 1e-6): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, k) => assert.ok(Math.abs(a - expected[k]) <= tol, `band ${k}: ${a} vs ${expected[k]}`));
}

describe('stretchCube (PHYSICS.md: v = img*s + 0.03, I = mean max(0, v), f = asinh(20 I)/sqrt(20))', () => {
  it('uses the Legacy viewer constants', () => {
    assert.deepEqual([...LEGACY_STRETCH.bands], ['g', 'r', 'z']);
    assert.deepEqual([...LEGACY_STRETCH.scales], [6.0, 3.4, 2.2]);
    assert.equal(LEGACY_STRETCH.offset, 0.03);
    assert.equal(LEGACY_STRETCH.q, 20);
    assert.ok(Object.isFrozen(LEGACY_STRETCH) && Object.isFrozen(LEGACY_STRETCH.scales));
  });

  it('matches hand-computed values', () => {
    const { cube, shape } = pixels([0, 0, 0], [0.1, 0.2, 0.3], [-0.05, 0.01, 0.02], [10, 10, 10]);
    const { data, mask, maskedCount } = stretchCube(cube, shape);
    // Empty sky: v = 0.03 in every band, I = 0.03, out = f = asinh(0.6)/sqrt(20) = 0.568825/4.472136.
    close(pixel(data, 4, 0), [0.127193, 0.127193, 0.127193]);
    // v = (0.63, 0.71, 0.69), I = 0.676667, f = asinh(13.5333)/sqrt(20) = 3.299671/4.472136 = 0.737828,
    // f/I = 1.090386: out = (0.686943, 0.774174, 0.752366).
    close(pixel(data, 4, 1), [0.686943, 0.774174, 0.752366]);
    // v_g = -0.27 is left out of I: I = (0.064 + 0.074)/3 = 0.046, f = asinh(0.92)/sqrt(20) = 0.184176;
    // g clips to 0, r = 0.064 f/I = 0.256245, z = 0.074 f/I = 0.296283.
    close(pixel(data, 4, 2), [0, 0.256245, 0.296283]);
    // Bright core: v = (60.03, 34.03, 22.03), I = 38.6967, f/I = 0.042441: g, r saturate, z = 0.934967.
    close(pixel(data, 4, 3), [1, 1, 0.934967]);
    assert.deepEqual([...mask], [0, 0, 0, 0]);
    assert.equal(maskedCount, 0);
  });

  it('keeps band ratios below saturation (one gain per pixel)', () => {
    const { cube, shape } = pixels([0.02, 0.05, 0.08]);
    const { data } = stretchCube(cube, shape);
    const v = [0.02 * 6 + 0.03, 0.05 * 3.4 + 0.03, 0.08 * 2.2 + 0.03];
    assert.ok(Math.abs(data[1] / data[0] - v[1] / v[0]) < 1e-5);
    assert.ok(Math.abs(data[2] / data[0] - v[2] / v[0]) < 1e-5);
  });

  it('outputs 0 where I = 0 (all bands <= 0) without masking it', () => {
    const { cube, shape } = pixels([-1, -1, -1], [-0.005, -0.00882353, -0.01363636]); // second: v ~ 0 in every band
    const { data, mask } = stretchCube(cube, shape);
    assert.deepEqual([...pixel(data, 2, 0)], [0, 0, 0]);
    assert.ok(pixel(data, 2, 1).every((x) => x >= 0 && x <= 1e-4));
    assert.deepEqual([...mask], [0, 0]);
  });

  it('masks a pixel with a NaN or infinite band: 0 in every band, mask = 1, neighbours untouched', () => {
    const { cube, shape } = pixels([0.1, NaN, 0.3], [0, 0, 0], [Infinity, 0, 0], [0.1, 0.2, -Infinity]);
    const { data, mask, maskedCount } = stretchCube(cube, shape);
    assert.deepEqual(pixel(data, 4, 0), [0, 0, 0]);
    close(pixel(data, 4, 1), [0.127193, 0.127193, 0.127193]);
    assert.deepEqual(pixel(data, 4, 2), [0, 0, 0]);
    assert.deepEqual(pixel(data, 4, 3), [0, 0, 0]);
    assert.deepEqual([...mask], [1, 0, 1, 1]);
    assert.equal(maskedCount, 3);
    assert.ok(data.every((x) => Number.isFinite(x) && x >= 0 && x <= 1));
  });

  it('reads the cube band-major ([3, H, W] row-major) and keeps its shape; input untouched', () => {
    // 2 x 2 image; only pixel (y=1, x=0) is bright, and only in z.
    const shape: CubeShape = [3, 2, 2];
    const cube = new Float32Array(12);
    cube[2 * 4 + 1 * 2 + 0] = 1;
    const before = cube.slice();
    const { data, shape: outShape, mask } = stretchCube(cube, shape);
    assert.deepEqual(outShape, [3, 2, 2]);
    assert.equal(data.length, 12);
    assert.equal(mask.length, 4);
    assert.deepEqual(cube, before);
    // z is brightest at (1, 0) and sky-level elsewhere.
    assert.ok(data[2 * 4 + 2] > 0.9);
    for (const p of [0, 1, 3]) close([data[2 * 4 + p]], [0.127193]);
    // g and r there fall below sky (same offset, larger I).
    assert.ok(data[0 * 4 + 2] < 0.127 && data[1 * 4 + 2] < 0.127);
  });

  it('honours a different Q (the constants are the contract)', () => {
    const { cube, shape } = pixels([0, 0, 0]);
    const { data } = stretchCube(cube, shape, { q: 5 });
    close([data[0]], [Math.asinh(5 * 0.03) / Math.sqrt(5)]);
  });

  it('rejects bad shapes and configs', () => {
    const isBadInput = (e: unknown) => e instanceof SkyclipError && e.code === 'BAD_INPUT';
    assert.throws(() => stretchCube(new Float32Array(8), [2, 2, 2]), isBadInput);
    assert.throws(() => stretchCube(new Float32Array(11), [3, 2, 2]), isBadInput);
    assert.throws(() => resolveStretchConfig({ scales: [1, 2] }), isBadInput);
    assert.throws(() => resolveStretchConfig({ q: 0 }), isBadInput);
    assert.deepEqual(resolveStretchConfig({ q: undefined }), { ...LEGACY_STRETCH });
  });
});

describe('centerCrop', () => {
  /** A [bands, h, w] cube whose value encodes its position: b*100 + y*10 + x. */
  function coded(bands: number, h: number, w: number): Float32Array {
    const c = new Float32Array(bands * h * w);
    for (let b = 0; b < bands; b++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) c[(b * h + y) * w + x] = b * 100 + y * 10 + x;
    return c;
  }

  it('takes the central square of every band', () => {
    const { data, shape } = centerCrop(coded(3, 4, 4), [3, 4, 4], 2);
    assert.deepEqual(shape, [3, 2, 2]);
    assert.deepEqual([...data], [11, 12, 21, 22, 111, 112, 121, 122, 211, 212, 221, 222]);
  });

  it('starts at floor((H - h) / 2) for odd excess, and crops rectangles', () => {
    const { data, shape } = centerCrop(coded(1, 5, 6), [1, 5, 6], [2, 3]);
    assert.deepEqual(shape, [1, 2, 3]);
    // rows 1-2 (floor(3/2) = 1), columns 1-3 (floor(3/2) = 1)
    assert.deepEqual([...data], [11, 12, 13, 21, 22, 23]);
  });

  it('returns a copy for a full-size crop and refuses crops larger than the image', () => {
    const src = coded(3, 3, 3);
    const { data } = centerCrop(src, [3, 3, 3], 3);
    assert.deepEqual(data, src);
    assert.notEqual(data, src);
    assert.throws(() => centerCrop(src, [3, 3, 3], 4), /cannot crop 4x4/);
    assert.throws(() => centerCrop(src, [3, 3, 3], 0), /positive integers/);
  });
});
