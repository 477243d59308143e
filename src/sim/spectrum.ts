/**
 * The observed DESI spectrum of a mock object: the noiseless model cut to the DESI grid, noise
 * drawn from the object's brightness, and IVAR, with ivar = 0 (and flux = 0) wherever the templates
 * do not cover the observed wavelength.
 *
 * Flux scale: the spectrum carries the object's total flux (like an aperture-corrected spectrum), so
 * its synthetic g, r, z photometry equals the image's. The noise, however, is set by the light that
 * enters a 1.5" fibre: per 0.8 A pixel, in fibre units,
 *   var = (sigma0 * cond * shape(lambda))^2 + fibreFlux * sigma0^2 / F_shot
 * (sky-limited noise plus the object's own shot noise), then divided by the fibre fraction^2 to put
 * it on the total-flux scale. A galaxy whose fibre catches 40 % of its light has S/N per pixel
 * = fibre flux / fibre noise, as in DESI, whatever the flux scale.
 */
import { DESI_N, DESI_OFFSET, DESI_START, DESI_STEP } from './desi.js';
import type { Rng } from '../util/random.js';

/**
 * Relative sky-limited noise vs wavelength: throughput falls at the blue end (x2.5 at 3600 A), and
 * the z camera sees a brighter (OH-dominated) sky (x1.8 at 9800 A). A smooth stand-in: individual
 * sky lines are not modelled.
 */
export function noiseShape(lambda: number): number {
  const blue = 1 + 1.5 * Math.exp(-(lambda - 3600) / 250);
  const x = Math.max(0, (lambda - 7400) / 2400);
  return blue * (1 + 0.8 * x * x);
}

export interface SpectrumNoise {
  /** Sky-limited noise at shape = 1 (fibre units, 1e-17 erg/s/cm2/A per pixel), after conditions. */
  sigma0: number;
  /** Fraction of the object's light inside the fibre (0, 1]. */
  fibreFraction: number;
  /** Fibre flux at which shot noise equals sky noise. */
  shotNoiseFlux: number;
}

export interface ObservedSpectrum {
  flux: Float32Array;
  ivar: Float32Array;
  /** The model on the DESI grid with masked pixels zeroed (the spectrum without noise). */
  noiseless: Float32Array;
  /** Median S/N per pixel over covered pixels of the r camera (5760-7620 A) and of the z camera (7520-9824 A). */
  snrMedianR: number;
  snrMedianZ: number;
  /** Fraction of DESI pixels with ivar = 0. */
  maskedFraction: number;
}

/** Element n >> 1 of the first n values in sorted order (quickselect, reorders them); 0 when n = 0. */
export function upperMedian(values: Float64Array, n: number): number {
  if (n === 0) return 0;
  const k = n >> 1;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return values[k];
}

let shapeCache: Float64Array | null = null;
function shapeOnGrid(): Float64Array {
  if (!shapeCache) {
    shapeCache = new Float64Array(DESI_N);
    for (let i = 0; i < DESI_N; i++) shapeCache[i] = noiseShape(DESI_START + DESI_STEP * i);
  }
  return shapeCache;
}

/**
 * Cuts models (model grid) to the DESI grid and adds noise. Holds its scratch buffers, so one
 * instance serves a whole survey without allocating more than the returned flux and ivar.
 */
export class SpectrumObserver {
  private readonly normals = new Float64Array(DESI_N);
  private readonly snr = new Float64Array(DESI_N);
  private readonly snrZ = new Float64Array(DESI_N);
  private readonly noiseless = new Float32Array(DESI_N);

  /** The returned `noiseless` is this observer's scratch: copy it before the next call if needed. */
  observe(model: Float64Array, valid: Uint8Array, noise: SpectrumNoise, rng: Rng): ObservedSpectrum {
    const flux = new Float32Array(DESI_N);
    const ivar = new Float32Array(DESI_N);
    const noiseless = this.noiseless;
    noiseless.fill(0);
    const normals = this.normals;
    rng.fillNormal(normals);
    const shape = shapeOnGrid();
    const ff = Math.min(1, Math.max(1e-3, noise.fibreFraction));
    const s0 = noise.sigma0;
    const shot = (s0 * s0) / noise.shotNoiseFlux;
    const snr = this.snr;
    const snrZ = this.snrZ;
    let nSnr = 0;
    let nSnrZ = 0;
    const rLo = Math.round((5760 - DESI_START) / DESI_STEP);
    const rHi = Math.round((7620 - DESI_START) / DESI_STEP);
    const zLo = Math.round((7520 - DESI_START) / DESI_STEP);
    let masked = 0;
    for (let i = 0; i < DESI_N; i++) {
      const j = i + DESI_OFFSET;
      if (!valid[j]) {
        masked++;
        continue; // not covered by the templates: flux 0, ivar 0, never invented
      }
      const m = model[j];
      const sky = s0 * shape[i];
      const fibreVar = sky * sky + Math.max(0, ff * m) * shot;
      const sigma = Math.sqrt(fibreVar) / ff;
      noiseless[i] = m;
      flux[i] = m + sigma * normals[i];
      ivar[i] = 1 / (sigma * sigma);
      if (i >= rLo && i <= rHi) snr[nSnr++] = m / sigma;
      if (i >= zLo) snrZ[nSnrZ++] = m / sigma;
    }
    return {
      flux,
      ivar,
      noiseless,
      snrMedianR: upperMedian(snr, nSnr),
      snrMedianZ: upperMedian(snrZ, nSnrZ),
      maskedFraction: masked / DESI_N,
    };
  }
}
