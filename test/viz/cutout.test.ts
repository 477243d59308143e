import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import type { CubeShape } from '../../src/preprocess/stretch.js';
import { cutoutPng, cutoutRgb, montagePng, upscaleNearest } from '../../src/viz/cutout.js';

/** A [3, 1, n] cube from [g, r, z] triples. */
function row(...grz: Array<[number, number, number]>): { cube: Float32Array; shape: CubeShape } {
  const n = grz.length;
  const cube = new Float32Array(3 * n);
  grz.forEach((p, i) => p.forEach((v, b) => (cube[b * n + i] = v)));
  return { cube, shape: [3, 1, n] };
}

/** A round "galaxy" on noise-free sky, redder in z: [3, size, size]. */
function galaxy(size: number, amp = 0.5): { cube: Float32Array; shape: CubeShape } {
  const cube = new Float32Array(3 * size * size);
  const c = (size - 1) / 2;
  for (let b = 0; b < 3; b++) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const r = Math.hypot(x - c, y - c);
        cube[(b * size + y) * size + x] = amp * [0.1, 0.4, 1][b] * Math.exp(-r / 2);
      }
    }
  }
  return { cube, shape: [3, size, size] };
}

describe('cutoutRgb', () => {
  it('maps z, r, g to R, G, B after the stretch', () => {
    // Sky: every band 0.127193 -> 32; z-only source: R high, G = B below sky.
    const { cube, shape } = row([0, 0, 0], [0, 0, 0.3]);
    const { data, width, height } = cutoutRgb(cube, shape);
    assert.deepEqual([width, height], [2, 1]);
    assert.deepEqual([...data.subarray(0, 3)], [32, 32, 32]);
    // v = (0.03, 0.03, 0.69), I = 0.25, f/I = asinh(5)/sqrt(20)/0.25 = 2.088364:
    // R = 0.69 * 2.088364 -> clip 1 -> 255; G = B = 0.03 * 2.088364 = 0.062651 -> 16.
    assert.deepEqual([...data.subarray(3, 6)], [255, 16, 16]);
  });

  it('paints masked pixels in the mask colour', () => {
    const { cube, shape } = row([NaN, 0, 0], [0, 0, 0]);
    const { data } = cutoutRgb(cube, shape, { maskColor: [1, 2, 3] });
    assert.deepEqual([...data], [1, 2, 3, 32, 32, 32]);
    assert.deepEqual([...cutoutRgb(cube, shape).data.subarray(0, 3)], [255, 0, 255]);
  });

  it('puts cube row 0 at the bottom (FITS origin) unless asked otherwise', () => {
    // [3, 2, 1]: row 0 bright in every band, row 1 empty sky.
    const cube = new Float32Array([1, 0, 1, 0, 1, 0]);
    const lower = cutoutRgb(cube, [3, 2, 1]).data;
    // 1 nmgy: v = (6.03, 3.43, 2.23), I = 3.8967, f/I = 0.28984 -> R = 0.6463 (165), G = 0.9942 (253), B 255.
    assert.deepEqual([...lower], [32, 32, 32, 165, 253, 255]); // top pixel = row 1 (sky)
    const upper = cutoutRgb(cube, [3, 2, 1], { origin: 'upper' }).data;
    assert.deepEqual([...upper], [165, 253, 255, 32, 32, 32]);
  });

  it('upscales by pixel replication', () => {
    const img = { data: new Uint8Array([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]), width: 2, height: 2 };
    const up = upscaleNearest(img, 2);
    assert.deepEqual([up.width, up.height], [4, 4]);
    const red = Array.from({ length: 16 }, (_, i) => up.data[i * 3]);
    assert.deepEqual(red, [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    assert.throws(() => upscaleNearest(img, 1.5), /integer/);
  });
});

describe('cutout PNGs', () => {
  it('encodes an upscaled cutout with a bright, non-constant centre', async () => {
    const { cube, shape } = galaxy(16);
    const png = await cutoutPng(cube, shape, { upscale: 3 });
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height, info.channels], [48, 48, 3]);
    const at = (x: number, y: number) => [...data.subarray((y * 48 + x) * 3, (y * 48 + x) * 3 + 3)];
    const centre = at(24, 24);
    const corner = at(0, 0);
    assert.ok(centre[0] > 200 && corner[0] < 60, `centre ${centre}, corner ${corner}`);
    assert.ok(centre[0] > centre[2] + 50, 'a source brightest in z (after scaling) is red');
  });

  it('lays out a montage with captions under each cutout', async () => {
    const items = Array.from({ length: 5 }, (_, i) => ({ ...galaxy(8, 0.2 * (i + 1)), caption: `gal ${i}\nz=0.${i}` }));
    const { png, width, height } = await montagePng(items, { upscale: 2, columns: 3, gap: 6, captionSize: 12 });
    // cells 16 x 16, caption 2 lines x round(12 * 1.3) = 16 px + 4: width 6 + 3 x 22, height 6 + 2 x (16 + 36 + 6).
    assert.deepEqual([width, height], [72, 122]);
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [72, 122]);
    // The caption strip of the first cell (x 6-21, y 22-57) has light text pixels on the dark canvas.
    let bright = 0;
    for (let y = 22; y < 58; y++) for (let x = 0; x < 28; x++) if (data[(y * 72 + x) * info.channels] > 128) bright++;
    assert.ok(bright > 5, `caption pixels: ${bright}`);
    // The sixth cell is empty: background only.
    const bg = data[(100 * 72 + 60) * info.channels];
    assert.equal(bg, 0x11);
    await assert.rejects(montagePng([]), /no cutouts/);
  });
});
