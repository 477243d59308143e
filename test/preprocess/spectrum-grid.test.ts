import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resampleToGrid } from '../../src/preprocess/spectrum-grid.js';

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);

/** The DESI grid: 3600 + 0.8 k Angstrom. */
const desi = Float64Array.from({ length: 7781 }, (_, k) => 3600 + 0.8 * k);

test('4x rebinning of the DESI grid averages four pixels and adds their ivar', () => {
  const flux = Float32Array.from(desi, (_, k) => k); // a ramp
  const ivar = new Float32Array(desi.length).fill(2);
  // Output pixel centres at the mean of four input centres: 3601.2 + 3.2 i.
  const out = resampleToGrid(desi, flux, ivar, { start: 3601.2, step: 3.2, length: 1945 });
  close(out.flux[0], (0 + 1 + 2 + 3) / 4);
  close(out.flux[10], (40 + 41 + 42 + 43) / 4);
  close(out.ivar[10], 4 * 2);
});

test('masked input pixels are ignored; bins with none valid are masked, not zero data', () => {
  const flux = new Float32Array(desi.length).fill(5);
  const ivar = new Float32Array(desi.length).fill(1);
  flux[4] = 1e6; // a cosmic ray flagged by ivar = 0 must not leak into the output
  ivar[4] = 0;
  ivar.fill(0, 8, 12); // a whole output bin masked
  flux[9] = Number.NaN;
  const out = resampleToGrid(desi, flux, ivar, { start: 3601.2, step: 3.2, length: 10 });
  close(out.flux[1], 5);
  close(out.ivar[1], 3); // three valid pixels of ivar 1
  assert.equal(out.ivar[2], 0);
  assert.equal(out.flux[2], 0);
});

test('flux density is conserved across grids that do not align', () => {
  const wave = Float64Array.from({ length: 1000 }, (_, k) => 4000 + 1.0 * k);
  const flux = Float32Array.from(wave, (w) => 2 + Math.sin(w / 30));
  const ivar = new Float32Array(wave.length).fill(1);
  const out = resampleToGrid(wave, flux, ivar, { start: 4100.3, step: 2.7, length: 300 });
  let inIntegral = 0;
  let outIntegral = 0;
  for (let k = 0; k < wave.length; k++) if (wave[k] >= 4100.3 - 1.35 + 0.5 && wave[k] <= 4100.3 + 299 * 2.7 + 1.35 - 0.5) inIntegral += flux[k];
  for (let i = 0; i < 300; i++) outIntegral += out.flux[i] * 2.7;
  close(outIntegral, inIntegral, 2e-3);
  // Outside the input coverage: masked.
  const beyond = resampleToGrid(wave, flux, ivar, { start: 6000, step: 2, length: 5 });
  assert.deepEqual(Array.from(beyond.ivar), [0, 0, 0, 0, 0]);
});
