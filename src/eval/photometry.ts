/**
 * The photometry-only baseline's features, measured from the cutouts themselves (never read from
 * the catalogue's true magnitudes): circular-aperture g, r, z fluxes around the stamp centre,
 * turned into asinh magnitudes and colours, the inputs a classical photo-z method would use.
 *
 * - Aperture sums: exact for pixels wholly inside or outside the circle, and by 8 x 8 sub-pixel
 *   sampling for pixels the edge crosses. The object sits at the stamp centre ((size - 1) / 2 in
 *   pixel-centre coordinates, as the mock survey and the Legacy cutout service place it). Legacy
 *   Surveys coadds are sky-subtracted, and so are the mock cutouts: no local sky is removed.
 * - Noise: per band, the robust pixel sigma of the whole stamp (1.4826 x MAD; most pixels are
 *   sky), so the aperture-flux sigma is sigma_pix x sqrt(area).
 * - Asinh magnitudes (Lupton, Gunn & Szalay 1999) with softening b = that aperture sigma:
 *   m = 22.5 - 2.5 / ln 10 x (asinh(f / 2b) + ln b), f in nanomaggies. They equal
 *   22.5 - 2.5 log10 f for f >> b and stay finite for faint or negative fluxes.
 * - Features per object: g, r, z magnitudes in the large aperture (a near-total flux), g - r and
 *   r - z in the small one (colours are less noisy in a PSF-sized aperture).
 *
 *   const f = photometryFeatures(cube, [3, 72, 72], 0.262);   // [m_g, m_r, m_z, g-r, r-z]
 */
import { badInput } from '../util/errors.js';

/** Aperture radii in arcsec (documented defaults). */
export interface ApertureConfig {
  /** Radius of the colour aperture (default 1.5": about the seeing FWHM). */
  colourRadiusArcsec: number;
  /** Radius of the magnitude aperture (default 4": most of the light of a z ~ 0.2 galaxy). */
  magnitudeRadiusArcsec: number;
}

export const DEFAULT_APERTURES: Readonly<ApertureConfig> = Object.freeze({ colourRadiusArcsec: 1.5, magnitudeRadiusArcsec: 4 });

/** Feature names, in the order photometryFeatures returns them. */
export const PHOTOMETRY_FEATURES = ['mag_g', 'mag_r', 'mag_z', 'g_r', 'r_z'] as const;

/** Sub-samples per pixel side where the aperture edge crosses a pixel. */
const SUBSAMPLES = 8;
/** Half-diagonal of a pixel: a pixel whose centre is farther than this from the edge is wholly in or out. */
const HALF_DIAGONAL = Math.SQRT1_2;
/** Pixels kept away from the stamp edge when an aperture must be shrunk to fit. */
const EDGE_MARGIN = 1;

/**
 * Weights [h * w] (0..1) of each pixel's area inside a circle of `radius` pixels centred at
 * (cx, cy) in pixel-centre coordinates (pixel (x, y) covers [x - 0.5, x + 0.5]).
 */
export function apertureWeights(h: number, w: number, cx: number, cy: number, radius: number): Float64Array {
  if (!(radius > 0)) throw badInput(`aperture radius must be > 0, got ${radius}`);
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const d = Math.hypot(x - cx, y - cy);
      if (d + HALF_DIAGONAL <= radius) out[y * w + x] = 1;
      else if (d - HALF_DIAGONAL >= radius) out[y * w + x] = 0;
      else {
        let inside = 0;
        for (let sy = 0; sy < SUBSAMPLES; sy++) {
          const py = y - 0.5 + (sy + 0.5) / SUBSAMPLES;
          for (let sx = 0; sx < SUBSAMPLES; sx++) {
            const px = x - 0.5 + (sx + 0.5) / SUBSAMPLES;
            if ((px - cx) ** 2 + (py - cy) ** 2 <= radius * radius) inside++;
          }
        }
        out[y * w + x] = inside / (SUBSAMPLES * SUBSAMPLES);
      }
    }
  }
  return out;
}

/** Sum of plane values times weights; non-finite pixels count as 0 (masked). */
export function apertureSum(plane: ArrayLike<number>, weights: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < weights.length; i++) {
    const v = plane[i];
    if (weights[i] > 0 && Number.isFinite(v)) s += v * weights[i];
  }
  return s;
}

/** 1.4826 x median absolute deviation of the finite values: a robust sigma. */
export function robustSigma(values: ArrayLike<number>): number {
  const finite = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) finite[n++] = values[i];
  if (n === 0) return Number.NaN;
  const work = finite.subarray(0, n);
  const med = medianInPlace(work);
  for (let i = 0; i < n; i++) work[i] = Math.abs(work[i] - med);
  return 1.4826 * medianInPlace(work);
}

/** Median of a (reordered in place) array: quickselect, O(n) (the stamp has ~5,000 pixels per band). */
function medianInPlace(a: Float64Array): number {
  const n = a.length;
  const hi = select(a, n >> 1);
  if (n % 2 === 1) return hi;
  let lo = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n >> 1; i++) if (a[i] > lo) lo = a[i]; // after select, a[0 .. n/2) holds the smaller half
  return (lo + hi) / 2;
}

/** The k-th smallest value (0-based) of a; partitions a around it (Hoare, middle pivot). */
function select(a: Float64Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  while (left < right) {
    const pivot = a[(left + right) >> 1];
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return a[k];
}

/** Asinh AB magnitude of a flux in nanomaggies with softening b > 0 (nanomaggies). */
export function asinhMagnitude(flux: number, softening: number): number {
  if (!(softening > 0)) throw badInput(`asinh magnitude softening must be > 0, got ${softening}`);
  return 22.5 - (2.5 / Math.LN10) * (Math.asinh(flux / (2 * softening)) + Math.log(softening));
}

export interface PhotometryMeasurement {
  /** Aperture fluxes in nanomaggies per band, [small, large] aperture. */
  flux: { small: number[]; large: number[] };
  /** 1-sigma noise of those fluxes per band (the asinh softening). */
  sigma: { small: number[]; large: number[] };
  /** The 5 features (see PHOTOMETRY_FEATURES). */
  features: Float64Array;
  /** Radii actually used, in pixels (shrunk to fit small stamps). */
  radiiPx: { small: number; large: number };
}

/** Cached aperture weights per (h, w, radius). */
const weightCache = new Map<string, Float64Array>();

function cachedWeights(h: number, w: number, radius: number): Float64Array {
  const key = `${h}x${w}@${radius}`;
  let weights = weightCache.get(key);
  if (!weights) {
    weights = apertureWeights(h, w, (w - 1) / 2, (h - 1) / 2, radius);
    if (weightCache.size > 16) weightCache.clear();
    weightCache.set(key, weights);
  }
  return weights;
}

/** Aperture radii in pixels for a stamp, each shrunk to stay EDGE_MARGIN pixels inside it. */
export function apertureRadiiPx(size: number, pixelScale: number, apertures: ApertureConfig = DEFAULT_APERTURES): { small: number; large: number } {
  if (!(pixelScale > 0)) throw badInput(`pixel scale must be > 0, got ${pixelScale}`);
  const fit = size / 2 - EDGE_MARGIN;
  if (!(fit > 0)) throw badInput(`a ${size}-pixel stamp is too small for aperture photometry`);
  return {
    small: Math.min(apertures.colourRadiusArcsec / pixelScale, fit),
    large: Math.min(apertures.magnitudeRadiusArcsec / pixelScale, fit),
  };
}

/**
 * Measures one g, r, z cube [3, H, W] (band-major, nanomaggies) with the object at its centre.
 */
export function measurePhotometry(
  cube: Float32Array | Float64Array,
  shape: readonly [number, number, number],
  pixelScale: number,
  apertures: ApertureConfig = DEFAULT_APERTURES,
): PhotometryMeasurement {
  const [bands, h, w] = shape;
  if (bands !== 3) throw badInput(`photometry needs a g, r, z cube, got ${bands} bands`);
  if (h !== w) throw badInput(`photometry needs a square stamp, got ${h}x${w}`);
  if (cube.length !== bands * h * w) throw badInput(`cube has ${cube.length} values, shape says ${bands * h * w}`);
  const radiiPx = apertureRadiiPx(h, pixelScale, apertures);
  const small = cachedWeights(h, w, radiiPx.small);
  const large = cachedWeights(h, w, radiiPx.large);
  const areaSmall = small.reduce((a, b) => a + b, 0);
  const areaLarge = large.reduce((a, b) => a + b, 0);
  const flux = { small: [] as number[], large: [] as number[] };
  const sigma = { small: [] as number[], large: [] as number[] };
  const plane = h * w;
  for (let b = 0; b < 3; b++) {
    const pixels = cube.subarray(b * plane, (b + 1) * plane);
    // A noiseless or constant stamp has MAD 0: floor the softening at a tiny positive flux.
    const pix = Math.max(robustSigma(pixels), 1e-6);
    flux.small.push(apertureSum(pixels, small));
    flux.large.push(apertureSum(pixels, large));
    sigma.small.push(pix * Math.sqrt(areaSmall));
    sigma.large.push(pix * Math.sqrt(areaLarge));
  }
  const magL = flux.large.map((f, b) => asinhMagnitude(f, sigma.large[b]));
  const magS = flux.small.map((f, b) => asinhMagnitude(f, sigma.small[b]));
  const features = Float64Array.from([magL[0], magL[1], magL[2], magS[0] - magS[1], magS[1] - magS[2]]);
  return { flux, sigma, features, radiiPx };
}

/** The 5 photometry features of one cube (see measurePhotometry). */
export function photometryFeatures(
  cube: Float32Array | Float64Array,
  shape: readonly [number, number, number],
  pixelScale: number,
  apertures: ApertureConfig = DEFAULT_APERTURES,
): Float64Array {
  return measurePhotometry(cube, shape, pixelScale, apertures).features;
}
