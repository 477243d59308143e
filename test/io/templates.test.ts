/** The real SDSS / RVSAO template files in data/templates/. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { readFits } from '../../src/io/fits/read.js';
import { cardNumber } from '../../src/io/fits/header.js';
import { readSpectrum } from '../../src/io/spectrum.js';

const DIR = 'data/templates';

test('every template file reads, with its image and tables', async () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.fits'));
  assert.equal(files.length, 16);
  for (const name of files) {
    const file = await readFits(`${DIR}/${name}`);
    const primary = file.hdus[0]!;
    assert.equal(primary.kind, 'image', name);
    if (primary.kind !== 'image') continue;
    assert.equal(primary.bitpix, -32);
    assert.equal(primary.data.length, primary.shape.reduce((a, b) => a * b, 1));
    assert.equal(file.warnings, undefined, name);
  }
});

test('sdssDR2temp023: 4 x 4197 image, log-lambda WCS lambda = 10^(CRVAL1 + CD1_1 * i)', async () => {
  const path = `${DIR}/sdssDR2temp023.fits`;
  const file = await readFits(path);
  const primary = file.hdus[0]!;
  assert.equal(primary.kind, 'image');
  if (primary.kind !== 'image') return;
  assert.deepEqual(primary.shape, [4, 4197]);
  assert.equal(cardNumber(primary.cards, 'CRVAL1'), 3.544068);
  assert.equal(cardNumber(primary.cards, 'CD1_1'), 1e-4);
  assert.equal(cardNumber(primary.cards, 'DC-FLAG'), 1);
  // Values astropy reads (test/fixtures/astropy/sdssDR2temp023.json has the statistics).
  assert.equal(primary.data[0], 0.004559100139886141);
  assert.equal(primary.data[1], 0.004729200154542923);
  assert.equal(file.hdus.length, 7);
  assert.ok(file.hdus.slice(1).every((h) => h.kind === 'bintable' && h.nrows === 0));

  const spectrum = await readSpectrum(path);
  assert.equal(spectrum.layout, 'image-wcs');
  assert.equal(spectrum.wavelength.length, 4197);
  for (const i of [0, 1, 1000, 4196]) {
    const expected = 10 ** (3.544068 + 1e-4 * i);
    assert.ok(Math.abs(spectrum.wavelength[i]! - expected) <= expected * 1e-14, `pixel ${i}`);
  }
  assert.ok(Math.abs(spectrum.wavelength[0]! - 3499.9987) < 1e-3);
  assert.deepEqual(spectrum.flux, primary.data.subarray(0, 4197), 'flux is row 0');
  assert.equal(spectrum.meta.ivarSource, 'uniform', 'no error row is marked: equal weights');
  assert.ok(spectrum.ivar.every((v) => v === 1));
});

test('femtemp97: 1-D image with linear WCS lambda = CRVAL1 + CDELT1 * (p - CRPIX1)', async () => {
  const spectrum = await readSpectrum(`${DIR}/femtemp97.fits`);
  assert.equal(spectrum.layout, 'image-wcs');
  assert.equal(spectrum.wavelength.length, 10001);
  assert.equal(spectrum.wavelength[0], 3000);
  assert.equal(spectrum.wavelength[10000], 8000);
  assert.equal(spectrum.wavelength[123], 3061.5);
});

test('sdssAstar: the ERROR row marked by ARRAY3 gives ivar = 1 / err^2', async () => {
  const path = `${DIR}/sdssAstar.fits`;
  const file = await readFits(path);
  const primary = file.hdus[0]!;
  if (primary.kind !== 'image') throw new Error('expected an image');
  const npix = primary.shape[1]!;
  const spectrum = await readSpectrum(path);
  assert.equal(spectrum.meta.ivarSource, 'error');
  assert.equal(spectrum.meta.fluxUnit, '1.0E-17 erg/cm/s/Ang');
  assert.equal(spectrum.meta.z, -4.336e-6);
  const error = primary.data.subarray(2 * npix, 3 * npix);
  let checked = 0;
  for (let i = 0; i < npix; i += 1) {
    const e = error[i]!;
    const expected = e > 0 ? Math.fround(1 / (e * e)) : 0;
    assert.equal(spectrum.ivar[i], Number.isFinite(spectrum.flux[i]!) ? expected : 0, `pixel ${i}`);
    checked += 1;
  }
  assert.equal(checked, 3815);
  assert.ok(spectrum.meta.maskedPixels > 0 && spectrum.meta.maskedPixels < npix, 'pixels with error 0 are masked');
  // Its binary tables: 36 Lick indices with 19-character names.
  const lick = file.hdus[5]!;
  assert.equal(lick.kind, 'bintable');
  if (lick.kind === 'bintable') {
    assert.equal(lick.nrows, 36);
    assert.deepEqual((lick.columns[0]!.data as string[]).slice(0, 3), ['Lick_CN1', 'Lick_CN2', 'Lick_Ca4227']);
    assert.equal(lick.columns[1]!.data[0], Math.fround(-4.1702247));
  }
});
