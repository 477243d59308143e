/**
 * The DESI spectrograph as the mock needs it: the coadded wavelength grid and the resolution of
 * each camera (PHYSICS.md). Everything spectral is rendered on one "model grid" with the same
 * 0.8 A step that extends the DESI grid to 3000-11000 A, so that broad-band photometry (which needs
 * the whole DECam z filter, up to 10,990 A) and the DESI spectrum are cut from the same array:
 * the spectrum is model[DESI_OFFSET .. DESI_OFFSET + DESI_N).
 */

/** DESI coadded b+r+z grid: 7781 pixels from 3600 A in 0.8 A steps (vacuum). */
export const DESI_START = 3600;
export const DESI_STEP = 0.8;
export const DESI_N = 7781;

/** The model grid: 3000-11000 A at the DESI step. */
export const MODEL_START = 3000;
export const MODEL_N = 10001;
/** Index of 3600 A on the model grid. */
export const DESI_OFFSET = Math.round((DESI_START - MODEL_START) / DESI_STEP);

export function desiWavelength(): Float64Array {
  const out = new Float64Array(DESI_N);
  for (let i = 0; i < DESI_N; i++) out[i] = DESI_START + DESI_STEP * i;
  return out;
}

export function modelWavelength(): Float64Array {
  const out = new Float64Array(MODEL_N);
  for (let i = 0; i < MODEL_N; i++) out[i] = MODEL_START + DESI_STEP * i;
  return out;
}

export interface Camera {
  name: 'b' | 'r' | 'z';
  /** Wavelength range, Angstrom. */
  lo: number;
  hi: number;
  /** Resolving power at lo and hi (linear in between). */
  rLo: number;
  rHi: number;
}

/** PHYSICS.md: b 3600-5800 (R 2000-3200), r 5760-7620 (3200-4100), z 7520-9824 (4100-5000). */
export const CAMERAS: readonly Camera[] = [
  { name: 'b', lo: 3600, hi: 5800, rLo: 2000, rHi: 3200 },
  { name: 'r', lo: 5760, hi: 7620, rLo: 3200, rHi: 4100 },
  { name: 'z', lo: 7520, hi: 9824, rLo: 4100, rHi: 5000 },
];

const FWHM_TO_SIGMA = 1 / (2 * Math.sqrt(2 * Math.LN2));

/**
 * Gaussian line-spread sigma (Angstrom) at an observed wavelength: lambda / R / 2.355 for the camera
 * that sees it, averaged where two cameras overlap (the coadd mixes both); outside 3600-9824 the
 * nearest camera edge (those pixels only feed photometry).
 */
export function lsfSigma(lambda: number): number {
  let sum = 0;
  let count = 0;
  for (const cam of CAMERAS) {
    if (lambda >= cam.lo && lambda <= cam.hi) {
      const r = cam.rLo + ((cam.rHi - cam.rLo) * (lambda - cam.lo)) / (cam.hi - cam.lo);
      sum += (lambda / r) * FWHM_TO_SIGMA;
      count++;
    }
  }
  if (count > 0) return sum / count;
  const edge = lambda < CAMERAS[0].lo ? CAMERAS[0] : CAMERAS[CAMERAS.length - 1];
  const at = lambda < edge.lo ? edge.lo : edge.hi;
  const r = lambda < edge.lo ? edge.rLo : edge.rHi;
  return (at / r) * FWHM_TO_SIGMA;
}

/** Which camera a DESI pixel belongs to (the bluer one in overlaps), for headers and docs. */
export function cameraOf(lambda: number): Camera['name'] {
  for (const cam of CAMERAS) if (lambda <= cam.hi) return cam.name;
  return 'z';
}
