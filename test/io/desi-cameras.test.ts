/**
 * DESI's per-camera layout: cameras merged onto one increasing grid (inverse-variance mean where
 * their lattices coincide, a midpoint split where they do not), masks honoured, one spectrum per
 * row, FIBERMAP position and TARGETID (only when exact), and clear errors for a missing
 * wavelength HDU, a row that does not exist and inconsistent shapes.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { WritableHdu } from '../../src/io/fits/types.js';
import { writeFits } from '../../src/io/fits/write.js';
import { readSpectrum } from '../../src/io/spectrum.js';
import { rejectsWith } from './helpers/errors.js';
import { DESI_STEP, FLUX, IVAR, SMALL_CAMERAS, desiLikeHdus } from './helpers/desi.js';
import { tempDir } from './helpers/tmp.js';

const dir = tempDir('desi-cameras');

async function written(name: string, hdus: WritableHdu[]): Promise<string> {
  const path = join(dir, name);
  await writeFits(path, hdus);
  return path;
}

test('merges B, R and Z into one grid: ivar-weighted where B and R share pixels, split at the midpoint where R and Z do not', async () => {
  const path = await written('coadd.fits', desiLikeHdus());
  const s = await readSpectrum(path);
  assert.equal(s.layout, 'desi-cameras');
  assert.deepEqual(s.meta.cameras, ['B', 'R', 'Z']);
  assert.equal(s.meta.spectra, 2);
  assert.equal(s.meta.row, 0);
  assert.equal(s.meta.fluxUnit, '10**-17 erg/(s cm2 Angstrom)');
  assert.equal(s.meta.ivarSource, 'ivar');
  const w = s.wavelength;
  for (let i = 1; i < w.length; i++) assert.ok(w[i]! > w[i - 1]!, `increasing at ${i}`);
  assert.equal(w[0], 3600);
  assert.ok(Math.abs(w[w.length - 1]! - (3720.4 + DESI_STEP * 49)) < 1e-9);

  const at = (lambda: number) => w.findIndex((v) => Math.abs(v - lambda) < 1e-6);
  // B alone, R+B shared (25 pixels from 3660.0 to 3679.2), R alone.
  assert.equal(s.flux[at(3600.8)], FLUX.B);
  assert.equal(s.ivar[at(3600.8)], IVAR.B);
  const shared = at(3670.4);
  assert.ok(shared > 0, '3670.4 A is on the shared lattice');
  assert.ok(Math.abs(s.flux[shared]! - (IVAR.B * FLUX.B + IVAR.R * FLUX.R) / (IVAR.B + IVAR.R)) < 1e-6);
  assert.equal(s.ivar[shared], IVAR.B + IVAR.R);
  assert.equal(s.flux[at(3700)], FLUX.R);
  // R ends at 3739.2 and Z starts at 3720.4: the midpoint 3729.8 separates them.
  const mid = (3720.4 + 3739.2) / 2;
  for (let i = 0; i < w.length; i++) {
    if (w[i]! > 3700 && w[i]! < mid) assert.equal(s.flux[i], FLUX.R, `R below the midpoint at ${w[i]}`);
    if (w[i]! > mid) assert.equal(s.flux[i], FLUX.Z, `Z above the midpoint at ${w[i]}`);
  }
  // 100 B + 75 R beyond the shared pixels; R keeps 3680.0..3729.6 and Z 3730.0 on.
  assert.equal(w.length, 100 + 75 - (100 - Math.round((mid - SMALL_CAMERAS.R.start) / DESI_STEP) - 1) + (50 - Math.round((3730 - 3720.4) / DESI_STEP)));
  // The masked B pixel (index 10: 3608 A) has ivar 0; nothing else is masked.
  assert.equal(s.ivar[at(3608)], 0);
  assert.equal(s.meta.maskedPixels, 1);
  // FIBERMAP row 0.
  assert.deepEqual([s.meta.targetId, s.meta.ra, s.meta.dec], ['1000', 150, 2]);
});

test('picks a spectrum by row, with its own FIBERMAP entry, and refuses a row that does not exist', async () => {
  const path = await written('coadd-rows.fits', desiLikeHdus({ nspec: 3 }));
  const s = await readSpectrum(path, { row: 2 });
  assert.equal(s.meta.row, 2);
  assert.equal(s.flux[0], FLUX.B + 2);
  assert.deepEqual([s.meta.targetId, s.meta.ra, s.meta.dec], ['1002', 152, 2.2]);
  await rejectsWith(readSpectrum(path, { row: 3 }), 'BAD_INPUT', [path, 'row 3 does not exist', '3 spectra']);
});

test('does not report a TARGETID that a double cannot hold exactly (most real DESI ids)', async () => {
  const path = await written('coadd-bigid.fits', desiLikeHdus({ nspec: 1, targetIds: [39627745627672286n] }));
  const s = await readSpectrum(path);
  assert.equal(s.meta.targetId, undefined);
  assert.equal(s.meta.ra, 150, 'the position is still there');
});

test('refuses a camera without its wavelength, and shapes that disagree', async () => {
  const noWave = desiLikeHdus().filter((h) => h.extname !== 'R_WAVELENGTH');
  const p1 = await written('coadd-nowave.fits', noWave);
  await rejectsWith(readSpectrum(p1), 'UNUSABLE', [p1, 'R_FLUX', 'no R_WAVELENGTH']);
  const badIvar = desiLikeHdus().map((h) => (h.extname === 'Z_IVAR' && h.kind === 'image' ? { ...h, shape: [1, 100], data: new Float32Array(100) } : h));
  const p2 = await written('coadd-badivar.fits', badIvar);
  await rejectsWith(readSpectrum(p2), 'UNUSABLE', [p2, 'Z_IVAR has shape [1, 100]']);
  const fewerRows = desiLikeHdus().map((h) => (h.extname === 'R_FLUX' && h.kind === 'image' ? { ...h, shape: [1, 100], data: new Float32Array(100).fill(3) } : h));
  const p3 = await written('coadd-rows-disagree.fits', fewerRows);
  await rejectsWith(readSpectrum(p3), 'UNUSABLE', [p3, 'camera R holds 1 spectra']);
});

test('an explicit HDU still reads that HDU alone', async () => {
  const path = await written('coadd-hdu.fits', desiLikeHdus());
  await rejectsWith(readSpectrum(path, { hdu: 'B_FLUX' }), 'UNUSABLE', [path]);
});
