import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import sharp from 'sharp';
import { readFitsBuffer } from '../../src/io/fits/read.js';
import { encodeFits, writeFits } from '../../src/io/fits/write.js';
import type { BinTableHdu, WritableHdu } from '../../src/io/fits/types.js';
import { readSpectrum, readSpectrumBuffer, requireColumn } from '../../src/io/spectrum.js';
import { rejectsWith } from './helpers/errors.js';
import { tempDir } from './helpers/tmp.js';

const dir = tempDir('spectrum');
const N = 50;
const wave = Float64Array.from({ length: N }, (_, i) => 3600 + 2 * i);
const flux = Float32Array.from({ length: N }, (_, i) => 10 + (i % 5));
const ivar = Float32Array.from({ length: N }, (_, i) => 0.5 + (i % 3));

async function written(name: string, hdus: WritableHdu[]): Promise<string> {
  const path = join(dir, name);
  await writeFits(path, hdus);
  return path;
}

test('table-wavelength: one row per pixel, column names matched case-insensitively', async () => {
  const path = await written('desi-scalar.fits', [
    { kind: 'bintable', columns: [{ name: 'Wavelength', data: wave, unit: 'Angstrom' }, { name: 'flux', data: flux, unit: '1e-17 erg/s/cm2/A' }, { name: 'IVar', data: ivar }] },
  ]);
  const s = await readSpectrum(path);
  assert.equal(s.layout, 'table-wavelength');
  assert.deepEqual(s.wavelength, wave);
  assert.deepEqual(s.flux, flux);
  assert.deepEqual(s.ivar, ivar);
  assert.equal(s.source, path);
  assert.equal(s.meta.hdu, 1);
  assert.equal(s.meta.ivarSource, 'ivar');
  assert.equal(s.meta.fluxUnit, '1e-17 erg/s/cm2/A');
});

test('table-wavelength: vector columns (e.g. 7781E) in rows, one spectrum per row; nm converted to Angstrom', async () => {
  const npix = 7781;
  const rows = 2;
  const waveNm = Float64Array.from({ length: rows * npix }, (_, i) => 360 + (i % npix) * 0.08);
  const fluxes = Float32Array.from({ length: rows * npix }, (_, i) => (i < npix ? 1 : 2));
  const ivars = Float32Array.from({ length: rows * npix }, () => 4);
  const path = await written('desi-vector.fits', [
    {
      kind: 'bintable',
      extname: 'SPECTRA',
      columns: [
        { name: 'WAVELENGTH', repeat: npix, data: waveNm, unit: 'nm' },
        { name: 'FLUX', repeat: npix, data: fluxes },
        { name: 'IVAR', repeat: npix, data: ivars },
      ],
    },
  ]);
  const second = await readSpectrum(path, { row: 1 });
  assert.equal(second.wavelength.length, npix);
  assert.equal(second.wavelength[0], 3600);
  assert.ok(Math.abs(second.wavelength[npix - 1]! - (360 + 7780 * 0.08) * 10) < 1e-9);
  assert.ok(second.flux.every((v) => v === 2));
  assert.equal(second.meta.row, 1);
  assert.equal(second.meta.extname, 'SPECTRA');
  assert.ok((await readSpectrum(path)).flux.every((v) => v === 1), 'row 0 by default');
  await rejectsWith(readSpectrum(path, { row: 5 }), 'BAD_INPUT', [path, 'row 5']);
});

test('table-loglam: SDSS loglam/flux/ivar columns give 10^loglam Angstrom', async () => {
  const loglam = Float32Array.from({ length: N }, (_, i) => 3.5798 + 1e-4 * i);
  const path = await written('sdss-coadd.fits', [
    { kind: 'image', shape: [], data: new Uint8Array(0), cards: [{ key: 'Z', value: 0.1 }] },
    { kind: 'bintable', extname: 'COADD', columns: [{ name: 'flux', data: flux }, { name: 'loglam', data: loglam }, { name: 'ivar', data: ivar }] },
  ]);
  const s = await readSpectrum(path);
  assert.equal(s.layout, 'table-loglam');
  s.wavelength.forEach((w, i) => assert.ok(Math.abs(w - 10 ** loglam[i]!) <= w * 1e-15));
  assert.equal(s.meta.z, 0.1, 'redshift from the primary header');
});

test('image-wcs: row-stacked image with an ERROR row marked by ARRAYn; linear CDELT1 with CRPIX1', async () => {
  const err = Float32Array.from({ length: N }, (_, i) => (i === 3 ? 0 : 0.5));
  const data = new Float32Array(2 * N);
  data.set(flux, 0);
  data.set(err, N);
  const path = await written('stacked.fits', [
    {
      kind: 'image',
      shape: [2, N],
      data,
      cards: [
        { key: 'CRVAL1', value: 5000 },
        { key: 'CDELT1', value: 1.5 },
        { key: 'CRPIX1', value: 11 },
        { key: 'ARRAY1', value: 'SPECTRUM' },
        { key: 'ARRAY2', value: 'ERROR' },
        { key: 'BUNIT', value: 'erg/s/cm2/A' },
      ],
    },
  ]);
  const s = await readSpectrum(path);
  assert.equal(s.layout, 'image-wcs');
  assert.equal(s.wavelength[10], 5000, 'CRPIX1 = 11 is pixel index 10');
  assert.equal(s.wavelength[0], 5000 - 15);
  assert.equal(s.meta.ivarSource, 'error');
  assert.equal(s.ivar[0], 4);
  assert.equal(s.ivar[3], 0, 'error 0 -> masked');
  assert.equal(s.meta.fluxUnit, 'erg/s/cm2/A');
});

test('non-finite flux gets ivar 0; decreasing wavelengths are reversed', async () => {
  const f = Float32Array.from(flux);
  f[0] = Number.NaN;
  f[1] = Number.POSITIVE_INFINITY;
  const path = await written('reversed.fits', [
    { kind: 'bintable', columns: [{ name: 'WAVE', data: Float64Array.from(wave).reverse() }, { name: 'FLUX', data: f }, { name: 'IVAR', data: ivar }] },
  ]);
  const s = await readSpectrum(path);
  assert.equal(s.meta.reversed, true);
  assert.deepEqual(s.wavelength, wave);
  // Pixels 0 and 1 of the file are now the last two.
  assert.ok(Number.isNaN(s.flux[N - 1]!));
  assert.equal(s.ivar[N - 1], 0);
  assert.equal(s.ivar[N - 2], 0);
  assert.equal(s.meta.maskedPixels, 2);
});

test('a spectrum whose ivar is all zero is UNUSABLE', async () => {
  const path = await written('zero-ivar.fits', [
    { kind: 'bintable', columns: [{ name: 'WAVELENGTH', data: wave }, { name: 'FLUX', data: flux }, { name: 'IVAR', data: new Float32Array(N) }] },
  ]);
  await rejectsWith(readSpectrum(path), 'UNUSABLE', [path, 'no usable pixel']);
});

test('a table missing the column the caller needs is UNUSABLE, naming file, HDU and columns', async () => {
  const path = await written('no-flux.fits', [{ kind: 'bintable', columns: [{ name: 'WAVELENGTH', data: wave }, { name: 'IVAR', data: ivar }] }]);
  await rejectsWith(readSpectrum(path, { hdu: 1 }), 'UNUSABLE', [path, 'no FLUX column', 'WAVELENGTH, IVAR']);
  await rejectsWith(readSpectrum(path), 'UNUSABLE', [path, 'no spectrum found']);
  const file = await readFitsBuffer(encodeFits([{ kind: 'bintable', columns: [{ name: 'A', data: flux }] }]), 'direct.fits');
  await rejectsWith(() => requireColumn(file.hdus[1] as BinTableHdu, ['FLUX'], file.source), 'UNUSABLE', ['direct.fits', 'FLUX']);
});

test('no wavelength solution, and unsupported units or DC-FLAG, are clear errors', async () => {
  const noWcs = encodeFits([{ kind: 'image', shape: [N], data: flux }]);
  await rejectsWith(readSpectrumBuffer(noWcs, 'nowcs.fits'), 'UNUSABLE', ['nowcs.fits', 'no wavelength solution']);
  const badFlag = encodeFits([{ kind: 'image', shape: [N], data: flux, cards: [{ key: 'CRVAL1', value: 1 }, { key: 'CDELT1', value: 1 }, { key: 'DC-FLAG', value: 2 }] }]);
  await rejectsWith(readSpectrumBuffer(badFlag, 'flag.fits'), 'UNSUPPORTED', ['flag.fits', 'DC-FLAG = 2']);
  const furlongs = encodeFits([{ kind: 'bintable', columns: [{ name: 'WAVELENGTH', data: wave, unit: 'furlong' }, { name: 'FLUX', data: flux }] }]);
  await rejectsWith(readSpectrumBuffer(furlongs, 'units.fits'), 'UNSUPPORTED', ['units.fits', "'furlong'"]);
});

test('without any uncertainty, ivar = 1 where flux is finite', async () => {
  const f = Float32Array.from(flux);
  f[4] = Number.NaN;
  const s = await readSpectrumBuffer(
    encodeFits([{ kind: 'image', shape: [N], data: f, cards: [{ key: 'CRVAL1', value: 3.5 }, { key: 'CD1_1', value: 1e-4 }, { key: 'DC-FLAG', value: 1 }] }]),
    'uniform.fits',
  );
  assert.equal(s.meta.ivarSource, 'uniform');
  assert.equal(s.ivar[4], 0);
  assert.equal(s.ivar.filter((v) => v === 1).length, N - 1);
});

test('spectra must be FITS: a PNG is refused by content, not by name', async () => {
  const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } }).png().toBuffer();
  await rejectsWith(readSpectrumBuffer(png, 'spectrum.fits'), 'UNSUPPORTED', ['spectrum.fits', 'PNG image']);
});
