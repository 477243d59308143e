import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { encodeFits, writeFits } from '../../src/io/fits/write.js';
import { readImage, readImageBuffer, readImageCube, readImageCubeBuffer } from '../../src/io/image.js';
import { DISPLAY_UNITS, readRasterImage } from '../../src/io/raster.js';
import { rejectsWith } from './helpers/errors.js';
import { png16 } from './helpers/png16.js';
import { tempDir } from './helpers/tmp.js';

const dir = tempDir('image');
const [NB, NY, NX] = [3, 4, 5];
const cubeData = Float32Array.from({ length: NB * NY * NX }, (_, i) => i / 10);
cubeData[7] = Number.NaN;

test("grz cube with BANDS = 'grz' (Legacy Surveys cutout layout)", async () => {
  const path = join(dir, 'cutout.fits');
  await writeFits(path, [{ kind: 'image', shape: [NB, NY, NX], data: cubeData, cards: [{ key: 'BANDS', value: 'grz' }, { key: 'BUNIT', value: 'nanomaggy' }] }]);
  const cube = await readImageCube(path);
  assert.equal(cube.kind, 'fits');
  assert.deepEqual(cube.bands, ['g', 'r', 'z']);
  assert.deepEqual(cube.shape, [3, 4, 5]);
  assert.equal(cube.units, 'nanomaggy');
  assert.equal(cube.meta.layout, 'cube');
  assert.ok(Number.isNaN(cube.data[7]!), 'NaN stays NaN');
  assert.equal(cube.meta.maskedPixels, 1);
  // r band, row 2, column 3.
  assert.equal(cube.data[(1 * NY + 2) * NX + 3], cubeData[(1 * NY + 2) * NX + 3]);
  const zg = await readImageCube(path, { bands: ['z', 'g'] });
  assert.deepEqual(zg.bands, ['z', 'g']);
  assert.deepEqual(zg.data.subarray(0, NY * NX), cubeData.subarray(2 * NY * NX));
  await rejectsWith(readImageCube(path, { bands: ['i'] }), 'UNUSABLE', [path, "band 'i'", 'g, r, z']);
});

test('band lists with separators and BAND0..n cards; missing or wrong band names are UNUSABLE', async () => {
  const listed = encodeFits([{ kind: 'image', shape: [NB, NY, NX], data: cubeData, cards: [{ key: 'BANDS', value: 'g, r, z' }] }]);
  assert.deepEqual((await readImageCubeBuffer(listed, 'listed.fits')).bands, ['g', 'r', 'z']);
  const perCard = encodeFits([{ kind: 'image', shape: [NB, NY, NX], data: cubeData, cards: ['G', 'R', 'Z'].map((b, i) => ({ key: `BAND${i}`, value: b })) }]);
  assert.deepEqual((await readImageCubeBuffer(perCard, 'bandn.fits')).bands, ['g', 'r', 'z']);
  const unnamed = encodeFits([{ kind: 'image', shape: [NB, NY, NX], data: cubeData }]);
  await rejectsWith(readImageCubeBuffer(unnamed, 'unnamed.fits'), 'UNUSABLE', ['unnamed.fits', 'BANDS']);
  const mismatch = encodeFits([{ kind: 'image', shape: [NB, NY, NX], data: cubeData, cards: [{ key: 'BANDS', value: 'gr' }] }]);
  await rejectsWith(readImageCubeBuffer(mismatch, 'mismatch.fits'), 'UNUSABLE', ['mismatch.fits', '2 bands', 'has 3']);
});

test('one band per HDU, named by FILTER, BAND or EXTNAME', async () => {
  const plane = (b: number) => Float32Array.from({ length: NY * NX }, (_, i) => b * 100 + i);
  const bytes = encodeFits([
    { kind: 'image', shape: [NY, NX], data: plane(0), cards: [{ key: 'FILTER', value: 'g DECam SDSS c0001 4720.0 1520.0' }] },
    { kind: 'image', shape: [NY, NX], data: plane(1), cards: [{ key: 'BAND', value: 'R' }] },
    { kind: 'image', shape: [NY, NX], data: plane(2), extname: 'z' },
  ]);
  const cube = await readImageCubeBuffer(bytes, 'bands.fits');
  assert.deepEqual(cube.bands, ['g', 'r', 'z']);
  assert.deepEqual(cube.shape, [3, NY, NX]);
  assert.equal(cube.meta.layout, 'hdu-per-band');
  assert.deepEqual(cube.meta.hdus, [0, 1, 2]);
  assert.equal(cube.data[2 * NY * NX + 1], 201);
  const unequal = encodeFits([
    { kind: 'image', shape: [NY, NX], data: plane(0), extname: 'g' },
    { kind: 'image', shape: [NX, NY + 1], data: new Float32Array(NX * (NY + 1)), extname: 'r' },
  ]);
  await rejectsWith(readImageCubeBuffer(unequal, 'unequal.fits'), 'UNUSABLE', ['unequal.fits', 'share a shape']);
  const nameless = encodeFits([{ kind: 'image', shape: [NY, NX], data: plane(0) }]);
  await rejectsWith(readImageCubeBuffer(nameless, 'nameless.fits'), 'UNUSABLE', ['nameless.fits', 'FILTER, BAND or EXTNAME']);
});

/** A 3 x 2 RGB picture; top row red, green, blue; bottom row greys. */
const PIXELS = Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 51, 102, 153, 0, 0, 0, 255, 255, 255]);

test('PNG: R <- z, G <- r, B <- g, values 0..1 in display units, row 0 = bottom', async () => {
  const png = await sharp(PIXELS, { raw: { width: 3, height: 2, channels: 3 } }).png().toBuffer();
  const image = await readRasterImage(png, 'cutout.png');
  assert.equal(image.kind, 'raster');
  assert.equal(image.format, 'png');
  assert.equal(image.units, DISPLAY_UNITS);
  assert.deepEqual(image.bands, ['g', 'r', 'z']);
  assert.deepEqual(image.shape, [3, 2, 3]);
  const at = (band: number, y: number, x: number) => image.data[(band * 2 + y) * 3 + x];
  // Picture top row is FITS row 1: red pixel (x 0) is all z, green (x 1) all r, blue (x 2) all g.
  assert.deepEqual([at(0, 1, 0), at(1, 1, 0), at(2, 1, 0)], [0, 0, 1]);
  assert.deepEqual([at(0, 1, 1), at(1, 1, 1), at(2, 1, 1)], [0, 1, 0]);
  assert.deepEqual([at(0, 1, 2), at(1, 1, 2), at(2, 1, 2)], [1, 0, 0]);
  // Bottom-left picture pixel (51, 102, 153): g = B = 153/255, r = G = 102/255, z = R = 51/255.
  assert.deepEqual([at(0, 0, 0), at(1, 0, 0), at(2, 0, 0)], [153 / 255, 102 / 255, 51 / 255].map(Math.fround));
  assert.ok(image.data.every((v) => v >= 0 && v <= 1));
});

test('a PNG named .fits is recognised as PNG by readImage and refused clearly by readImageCube', async () => {
  const png = await sharp(PIXELS, { raw: { width: 3, height: 2, channels: 3 } }).png().toBuffer();
  const path = join(dir, 'looks-like.fits');
  writeFileSync(path, png);
  const image = await readImage(path);
  assert.equal(image.kind, 'raster');
  assert.equal(image.source, path);
  await rejectsWith(readImageCube(path), 'UNSUPPORTED', [path, 'PNG image', 'not a FITS image']);
});

test('JPEG decodes through sharp (lossy: values close to the originals)', async () => {
  const flat = Buffer.alloc(8 * 8 * 3);
  for (let i = 0; i < 64; i += 1) flat.set([200, 100, 50], i * 3);
  const jpeg = await sharp(flat, { raw: { width: 8, height: 8, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();
  const image = await readImageBuffer(jpeg, 'cutout.jpg');
  assert.equal(image.kind, 'raster');
  if (image.kind !== 'raster') return;
  assert.equal(image.format, 'jpeg');
  const mean = (band: number) => image.data.subarray(band * 64, (band + 1) * 64).reduce((a, b) => a + b, 0) / 64;
  assert.ok(Math.abs(mean(0) - 50 / 255) < 0.03, 'g from blue');
  assert.ok(Math.abs(mean(1) - 100 / 255) < 0.03, 'r from green');
  assert.ok(Math.abs(mean(2) - 200 / 255) < 0.03, 'z from red');
});

test('16-bit PNG keeps 16-bit precision; grey and RGBA pictures give three bands', async () => {
  const deep = await readRasterImage(png16(2, 1, [65535, 0, 1000, 0, 0, 0]), 'deep.png');
  assert.equal(deep.meta.bitsPerChannel, 16);
  assert.equal(deep.data[0], Math.fround(1000 / 65535), 'g = blue channel of pixel 0');
  assert.equal(deep.data[4], 1, 'z = red channel of pixel 0');
  const grey = await sharp(Buffer.from([0, 128]), { raw: { width: 2, height: 1, channels: 1 } }).png().toBuffer();
  const g = await readRasterImage(grey, 'grey.png');
  assert.deepEqual(Array.from(g.data), [0, 128 / 255, 0, 128 / 255, 0, 128 / 255].map(Math.fround));
  const rgba = await sharp(PIXELS, { raw: { width: 3, height: 2, channels: 3 } }).ensureAlpha(0.5).png().toBuffer();
  const withAlpha = await readRasterImage(rgba, 'alpha.png');
  assert.equal(withAlpha.meta.hadAlpha, true);
  assert.deepEqual(withAlpha.shape, [3, 2, 3]);
});

test('bytes that are neither FITS nor a picture, and broken pictures, are clear errors', async () => {
  await rejectsWith(readRasterImage(Buffer.from('GIF89a....'), 'anim.gif'), 'UNSUPPORTED', ['anim.gif', 'neither']);
  await rejectsWith(readImageBuffer(Buffer.from('plain text'), 'notes.txt'), 'FITS_INVALID', ['notes.txt', 'not a FITS file']);
  const png = await sharp(PIXELS, { raw: { width: 3, height: 2, channels: 3 } }).png().toBuffer();
  await rejectsWith(readRasterImage(png.subarray(0, 40), 'cut.png'), 'BAD_INPUT', ['cut.png', 'could not be decoded']);
  await rejectsWith(readRasterImage(encodeFits([{ kind: 'image', shape: [1], data: Float32Array.from([1]) }]), 'x.png'), 'UNSUPPORTED', ['x.png', 'FITS']);
});
