/**
 * Training-time augmentations that respect the physics (AstroCLIP's recipe: flips, and blur
 * and noise drawn from the survey's PSF/noise distributions). Pure functions on typed arrays,
 * randomness from a caller's seeded Rng (src/util/random.ts), so a batch is a function of
 * (seed, step). Used for training batches only, never for validation, evaluation or embedding.
 *
 * Images, in nanomaggies, before the stretch:
 * - extra PSF blur: a target seeing is drawn per band from the survey's PSF fit; when it is
 *   worse than the object's own PSF (catalogue psf_fwhm_*), the cutout is convolved with a
 *   normalised Gaussian of sigma sqrt(target^2 - own^2), so the result looks as if observed
 *   in the drawn seeing. Flux is conserved exactly (light leaving the stamp is reflected back).
 * - extra noise: a target sky noise is drawn per band from the survey's noise fit; when it is
 *   larger than the object's own (catalogue noise_*), zero-mean Gaussian noise of sigma
 *   sqrt(target^2 - own^2) is added (flux conserved in expectation).
 * - the 8 symmetries of the square (90-degree rotations and a flip): a permutation of pixels,
 *   so flux is conserved exactly; applied to the crop (about its centre).
 * Spectra, before resampling, on their native pixels:
 * - extra noise scaled by the ivar: flux_i += a * N(0, 1) / sqrt(ivar_i) with a drawn in
 *   [0, maxScale], and ivar_i /= 1 + a^2 (the new inverse variance). Masked pixels (ivar 0)
 *   are left alone. Wavelengths are never touched: no shift, stretch or resampling changes a
 *   redshift.
 *
 *   const rng = new Rng(hashKeys(seed, step, sample));
 *   blurAndNoise(cube, [3, 96, 96], { psfSigmaPx: [1.4, 1.2, 1.1], noiseNmgy: [...] }, survey.conditions, DEFAULT_AUGMENT, rng);
 *   const turned = dihedral(crop, [3, 64, 64], rng.int(8));
 */
import type { CubeShape } from '../preprocess/stretch.js';
import type { Rng } from '../util/random.js';
import type { SurveyConditions } from './survey.js';

export interface AugmentConfig {
  /** Apply a random one of the 8 square symmetries (rotations by 90 degrees, flips). Default true. */
  dihedral: boolean;
  /** Probability of the extra PSF blur per image. Default 0.5. */
  blurProb: number;
  /** Probability of the extra sky noise per image. Default 0.5. */
  noiseProb: number;
  /** Probability of extra spectrum noise per spectrum. Default 0.5. */
  spectrumNoiseProb: number;
  /** Largest extra noise of a spectrum, in units of its own per-pixel sigma. Default 1 (variance at most doubled). */
  spectrumNoiseMax: number;
}

export const DEFAULT_AUGMENT: Readonly<AugmentConfig> = Object.freeze({
  dihedral: true,
  blurProb: 0.5,
  noiseProb: 0.5,
  spectrumNoiseProb: 0.5,
  spectrumNoiseMax: 1,
});

/** No augmentation at all (validation, evaluation, embedding). */
export const NO_AUGMENT: Readonly<AugmentConfig> = Object.freeze({
  dihedral: false,
  blurProb: 0,
  noiseProb: 0,
  spectrumNoiseProb: 0,
  spectrumNoiseMax: 0,
});

const FWHM_PER_SIGMA = 2 * Math.sqrt(2 * Math.LN2);

/** The observing conditions of one object, per band g, r, z. */
export interface ObjectConditions {
  /** Its PSF sigma in pixels. */
  psfSigmaPx: readonly number[];
  /** Its sky noise per pixel in nanomaggies. */
  noiseNmgy: readonly number[];
}

/** Conditions from the catalogue columns psf_fwhm_* (arcsec) and noise_* (nanomaggies). */
export function conditionsOfRow(
  row: { psf_fwhm_g: number; psf_fwhm_r: number; psf_fwhm_z: number; noise_g: number; noise_r: number; noise_z: number },
  pixelScale: number,
): ObjectConditions {
  const sigma = (fwhm: number) => fwhm / FWHM_PER_SIGMA / pixelScale;
  return {
    psfSigmaPx: [sigma(row.psf_fwhm_g), sigma(row.psf_fwhm_r), sigma(row.psf_fwhm_z)],
    noiseNmgy: [row.noise_g, row.noise_r, row.noise_z],
  };
}

/** Normalised 1-D Gaussian kernel of half-width ceil(4 sigma). */
export function gaussianKernel(sigma: number): Float64Array {
  const radius = Math.max(1, Math.ceil(4 * sigma));
  const k = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    k[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
    sum += k[i + radius];
  }
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/** Mirror index into [0, n) (reflection about the edge pixels' outer borders: ... 1 0 | 0 1 ... ). */
function reflect(i: number, n: number): number {
  const period = 2 * n;
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - 1 - j;
  return j;
}

/** One separable pass: every input value is spread over its neighbours, light leaving the edge folded back in. */
function spread1d(src: Float64Array, dst: Float64Array, n: number, count: number, stride: number, step: number, k: Float64Array): void {
  const r = (k.length - 1) / 2;
  for (let line = 0; line < count; line++) {
    const base = line * stride;
    for (let i = 0; i < n; i++) {
      const v = src[base + i * step];
      if (v === 0) continue;
      for (let t = -r; t <= r; t++) dst[base + reflect(i + t, n) * step] += k[t + r] * v;
    }
  }
}

/**
 * Convolves one H x W plane (in place) with a separable Gaussian of `sigma` pixels. Each pixel's
 * light is spread with the normalised kernel and what would leave the stamp is reflected back
 * in, so the total flux is conserved exactly (up to rounding). Non-finite pixels stay
 * non-finite and contribute nothing (their neighbours' light that lands on them is lost).
 */
export function gaussianBlurPlane(plane: Float32Array, height: number, width: number, sigma: number): void {
  if (!(sigma > 0)) return;
  const k = gaussianKernel(sigma);
  const src = new Float64Array(height * width);
  for (let p = 0; p < src.length; p++) src[p] = Number.isFinite(plane[p]) ? plane[p] : 0;
  const rows = new Float64Array(height * width);
  spread1d(src, rows, width, height, width, 1, k); // along x, one row per line
  const out = new Float64Array(height * width);
  spread1d(rows, out, height, width, 1, width, k); // along y, one column per line
  for (let p = 0; p < out.length; p++) if (Number.isFinite(plane[p])) plane[p] = out[p];
}

/** Draws from the survey's log-normal fit, with the simulator's clamps (src/sim/population.ts). */
function drawPsf(fit: { shape: number; loc: number; scale: number }, rng: Rng): number {
  return Math.max(0.5, rng.lognormal(fit.shape, fit.loc, fit.scale));
}
function drawNoise(fit: { shape: number; loc: number; scale: number }, rng: Rng): number {
  return Math.max(0.3 * (fit.scale + fit.loc), rng.lognormal(fit.shape, fit.loc, fit.scale));
}

/** What blurAndNoise did (for tests and logs). */
export interface ImageAugmentation {
  /** Extra Gaussian sigma per band, pixels (0 = none). */
  blurSigmaPx: number[];
  /** Extra noise sigma per band, nanomaggies (0 = none). */
  noiseNmgy: number[];
}

/**
 * Extra PSF blur and extra sky noise (in place, nanomaggies, [bands, H, W] with bands g, r, z),
 * drawn from the survey's distributions; see the module comment.
 */
export function blurAndNoise(
  cube: Float32Array,
  shape: CubeShape,
  own: ObjectConditions,
  survey: SurveyConditions,
  config: AugmentConfig,
  rng: Rng,
): ImageAugmentation {
  const [nb, h, w] = shape;
  const plane = h * w;
  const done: ImageAugmentation = { blurSigmaPx: new Array<number>(nb).fill(0), noiseNmgy: new Array<number>(nb).fill(0) };
  // Decide and draw first, in a fixed order, so the random stream does not depend on the data.
  const blur = rng.uniform() < config.blurProb;
  const noise = rng.uniform() < config.noiseProb;
  const psfTarget = survey.psfSigmaPx.map((fit) => drawPsf(fit, rng));
  const noiseTarget = survey.noiseNmgy.map((fit) => drawNoise(fit, rng));
  for (let b = 0; b < Math.min(nb, 3); b++) {
    const view = cube.subarray(b * plane, (b + 1) * plane);
    if (blur) {
      const extra = Math.sqrt(Math.max(0, psfTarget[b] ** 2 - own.psfSigmaPx[b] ** 2));
      if (extra > 0.05) {
        gaussianBlurPlane(view, h, w, extra);
        done.blurSigmaPx[b] = extra;
      }
    }
  }
  for (let b = 0; b < Math.min(nb, 3); b++) {
    const extra = Math.sqrt(Math.max(0, noiseTarget[b] ** 2 - own.noiseNmgy[b] ** 2));
    const normals = new Float64Array(plane);
    rng.fillNormal(normals); // always drawn: the stream stays aligned whatever was decided
    if (!noise || !(extra > 0)) continue;
    const view = cube.subarray(b * plane, (b + 1) * plane);
    for (let p = 0; p < plane; p++) view[p] += extra * normals[p];
    done.noiseNmgy[b] = extra;
  }
  return done;
}

/**
 * One of the 8 symmetries of the square, applied to every band of [bands, S, S]: `k` in 0..7,
 * rotation by (k mod 4) x 90 degrees counter-clockwise, then a left-right flip when k >= 4.
 */
export function dihedral(cube: Float32Array, shape: CubeShape, k: number): Float32Array {
  const [nb, h, w] = shape;
  if (h !== w) throw new RangeError(`dihedral needs a square image, got ${h}x${w}`);
  if (!(Number.isInteger(k) && k >= 0 && k < 8)) throw new RangeError(`dihedral index must be 0..7, got ${k}`);
  if (k === 0) return cube.slice();
  const n = h;
  const out = new Float32Array(cube.length);
  const rot = k % 4;
  const flip = k >= 4;
  for (let b = 0; b < nb; b++) {
    const off = b * n * n;
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        // source pixel of output (y, x): undo the flip, then the rotation
        const fx = flip ? n - 1 - x : x;
        let sy = y;
        let sx = fx;
        for (let r = 0; r < rot; r++) {
          const ty = sy;
          sy = sx;
          sx = n - 1 - ty;
        }
        out[off + y * n + x] = cube[off + sy * n + sx];
      }
    }
  }
  return out;
}

/**
 * Extra spectrum noise scaled by the ivar (see the module comment). Returns new arrays
 * (flux, ivar) and the scale used (0 = none). The wavelengths are not an argument on purpose.
 */
export function spectrumNoise(
  flux: Float32Array,
  ivar: Float32Array,
  config: AugmentConfig,
  rng: Rng,
): { flux: Float32Array; ivar: Float32Array; scale: number } {
  const apply = rng.uniform() < config.spectrumNoiseProb;
  const scale = rng.uniform() * config.spectrumNoiseMax;
  if (!apply || !(scale > 0)) return { flux, ivar, scale: 0 };
  const normals = new Float64Array(flux.length);
  rng.fillNormal(normals);
  const outFlux = new Float32Array(flux.length);
  const outIvar = new Float32Array(ivar.length);
  const shrink = 1 / (1 + scale * scale);
  for (let i = 0; i < flux.length; i++) {
    const w = ivar[i];
    if (w > 0 && Number.isFinite(flux[i])) {
      outFlux[i] = flux[i] + (scale * normals[i]) / Math.sqrt(w);
      outIvar[i] = w * shrink;
    } else {
      outFlux[i] = flux[i];
      outIvar[i] = w;
    }
  }
  return { flux: outFlux, ivar: outIvar, scale };
}
