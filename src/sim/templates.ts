/**
 * The real spectra the mock survey is built from (data/templates, SDSS DR2 cross-correlation
 * templates and SDSS stellar templates from iraf-rvsao; see COPYRIGHT.rvsao), put on one rest-frame
 * log-lambda grid so that mixing them is a weighted sum of arrays.
 *
 * Each SDSS template is 4 rows x N pixels (flux, continuum-subtracted flux, error, mask) with
 * lambda = 10^(CRVAL1 + CD1_1 i) Angstrom (vacuum, rest frame). What is done to them, and why:
 * - Galaxy templates (023-028) lose their own nebular emission lines: the mock adds lines scaled to
 *   each galaxy's SFR (lines.ts), so keeping the template's lines would count them twice. Row 1
 *   isolates the lines; inside +-9 A windows around each line the feature row is capped by a straight
 *   line through the window edges, which removes the emission and keeps the absorption outside the core.
 * - The absorption features outside the Balmer lines (row 1 with emission removed) are kept as a
 *   separate "metal" array so a galaxy's metallicity can deepen or weaken them (sed.ts).
 * - Pixels the template does not cover (outside its data, masked, or with zero error) are flagged
 *   invalid. Spectra mask them (ivar = 0). Only broad-band photometry, which needs the whole filter,
 *   sees a power-law continuation of the edge continuum there (extendPowerLaw); that continuation
 *   never reaches a spectrum pixel.
 * - Each template is scaled to unit rest-frame DECam r flux, so mixing weights are r-band light fractions.
 */
import { readFits } from '../io/fits/read.js';
import type { HeaderCard, ImageHdu } from '../io/fits/types.js';
import { SkyclipError } from '../util/errors.js';
import { Photometer, type Band, type Filter } from './filters.js';
import { BALMER_WAVELENGTHS, LINE_WAVELENGTHS, type FemtempRatios } from './lines.js';
import { templatePath } from './paths.js';

/**
 * The shared rest-frame grid: log10(lambda) = MASTER_LOG0 + MASTER_DLOG * i. The step is the SDSS
 * templates' own (1e-4 dex, 69 km/s), and the origin puts the galaxy templates 023-027 exactly on
 * grid points (no resampling of the spectra that matter most). 600 A to 12,500 A covers QSOs seen at
 * z = 3.5 and stars seen in the z band.
 */
export const MASTER_DLOG = 1e-4;
export const MASTER_LOG0 = 3.544068 - 7660 * MASTER_DLOG;
export const MASTER_N = 13200;

export type TemplateKind = 'galaxy' | 'qso' | 'star';

export type TemplateId =
  | 'gal023'
  | 'gal024'
  | 'gal025'
  | 'gal026'
  | 'gal027'
  | 'lrg028'
  | 'qso029'
  | 'qso032'
  | 'starOB'
  | 'starA'
  | 'starF'
  | 'starG'
  | 'starK'
  | 'starM1'
  | 'starM5';

export interface TemplateSpec {
  id: TemplateId;
  file: string;
  kind: TemplateKind;
  description: string;
  /**
   * Power-law slopes (f_lambda ~ lambda^beta) continuing the template beyond its data, for
   * broad-band photometry only. Left out, they are fitted to the template's edges. Galaxy templates
   * set them, because their edges mislead: the blue edge (3500-3700 A) sits on the Balmer break, and
   * the DR2 red edge loses flux. UV slopes (below 3500 A) follow typical GALEX NUV - r and SDSS u - r
   * colours of each type (Wyder+07: red sequence NUV - r ~ 5.5-6, i.e. beta ~ +4 over 2300-3500 A;
   * blue cloud NUV - r ~ 1.5-3, beta ~ -1.5..0); the red continuation is flat in f_nu (beta = -2).
   */
  uvSlope?: number;
  irSlope?: number;
}

export const TEMPLATE_SPECS: readonly TemplateSpec[] = [
  { id: 'gal023', file: 'sdssDR2temp023.fits', kind: 'galaxy', description: 'early-type (passive) galaxy', uvSlope: 4, irSlope: -2 },
  { id: 'gal024', file: 'sdssDR2temp024.fits', kind: 'galaxy', description: 'galaxy, weakly star-forming', uvSlope: 2, irSlope: -2 },
  { id: 'gal025', file: 'sdssDR2temp025.fits', kind: 'galaxy', description: 'galaxy, star-forming', uvSlope: 0.5, irSlope: -2 },
  { id: 'gal026', file: 'sdssDR2temp026.fits', kind: 'galaxy', description: 'galaxy, strongly star-forming', uvSlope: -0.5, irSlope: -2 },
  { id: 'gal027', file: 'sdssDR2temp027.fits', kind: 'galaxy', description: 'late-type star-forming galaxy', uvSlope: -1.4, irSlope: -2 },
  { id: 'lrg028', file: 'sdssDR2temp028.fits', kind: 'galaxy', description: 'luminous red galaxy', uvSlope: 4, irSlope: -2 },
  { id: 'qso029', file: 'sdssDR2temp029.fits', kind: 'qso', description: 'QSO composite' },
  { id: 'qso032', file: 'sdssDR2temp032.fits', kind: 'qso', description: 'high-luminosity QSO' },
  { id: 'starOB', file: 'sdssOBstar.fits', kind: 'star', description: 'OB star' },
  { id: 'starA', file: 'sdssAstar.fits', kind: 'star', description: 'A star' },
  { id: 'starF', file: 'sdssFstar.fits', kind: 'star', description: 'F star' },
  { id: 'starG', file: 'sdssGstar.fits', kind: 'star', description: 'G star' },
  { id: 'starK', file: 'sdssKstar.fits', kind: 'star', description: 'K star' },
  { id: 'starM1', file: 'sdssM1star.fits', kind: 'star', description: 'M1 star' },
  { id: 'starM5', file: 'sdssM5star.fits', kind: 'star', description: 'M5 star' },
];

/** The passive-to-star-forming sequence, in order (PHYSICS.md). */
export const GALAXY_SEQUENCE: readonly TemplateId[] = ['gal023', 'gal024', 'gal025', 'gal026', 'gal027'];

export interface RestTemplate {
  id: TemplateId;
  kind: TemplateKind;
  file: string;
  /** Flux on the master grid (emission-free for galaxies), continued past the coverage by power laws. */
  flux: Float64Array;
  /** The metal-line absorption part of `flux` (row 1 outside Balmer windows); 0 where not covered. */
  metal: Float64Array;
  /** 1 where the template's own data cover the master pixel. */
  valid: Uint8Array;
  /** Master-grid index range [start, end) of the template's data. */
  start: number;
  end: number;
  /** Rest-frame wavelength range of the data (Angstrom). */
  coverage: [number, number];
  /** Equivalent width (A) of the H-alpha emission removed from the template (0 for non-galaxies). */
  removedHaEw: number;
}

export interface TemplateLibrary {
  byId: Record<TemplateId, RestTemplate>;
  /** Rest-frame wavelength of each master pixel (Angstrom). */
  lambda: Float64Array;
  /** log10 of `lambda`. */
  logLambda: Float64Array;
  /** Synthetic photometry on the rest grid (rest-frame colours, normalisation). */
  restPhotometer: Photometer;
  femtemp: FemtempRatios;
}

/** Master-grid index (fractional) of a rest wavelength. */
export function masterIndex(lambda: number): number {
  return (Math.log10(lambda) - MASTER_LOG0) / MASTER_DLOG;
}

function card(cards: readonly HeaderCard[], key: string): HeaderCard['value'] | undefined {
  return cards.find((c) => c.key === key)?.value;
}

function numberCard(cards: readonly HeaderCard[], key: string, source: string): number {
  const value = card(cards, key);
  if (typeof value !== 'number') throw new SkyclipError('UNUSABLE', `${source}: missing numeric ${key} card`);
  return value;
}

async function readImage(path: string): Promise<ImageHdu> {
  const fits = await readFits(path);
  const hdu = fits.hdus[0];
  if (!hdu || hdu.kind !== 'image') throw new SkyclipError('UNUSABLE', `${path}: primary HDU is not an image`);
  return hdu;
}

/** Emission windows: +-9 A around each line the mock re-adds (wide enough for the templates' ~6 A FWHM lines). */
function emissionWindowMask(lambda: Float64Array): Uint8Array {
  const mask = new Uint8Array(lambda.length);
  const lines = Object.values(LINE_WAVELENGTHS);
  for (let i = 0; i < lambda.length; i++) {
    for (const l of lines) {
      if (Math.abs(lambda[i] - l) <= 9) {
        mask[i] = 1;
        break;
      }
    }
  }
  return mask;
}

/**
 * Removes emission from the feature row in place: within each run of window pixels the features are
 * capped by the straight line joining the values just outside the run. Returns the removed part.
 */
function removeEmission(features: Float64Array, windows: Uint8Array, lambda: Float64Array): Float64Array {
  const removed = new Float64Array(features.length);
  let i = 0;
  while (i < features.length) {
    if (!windows[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < features.length && windows[j]) j++;
    const left = i > 0 ? i - 1 : j < features.length ? j : i;
    const right = j < features.length ? j : left;
    for (let k = i; k < j; k++) {
      const f = right === left ? 0 : (lambda[k] - lambda[left]) / (lambda[right] - lambda[left]);
      const base = features[left] * (1 - f) + features[right] * f;
      if (features[k] > base) {
        removed[k] = features[k] - base;
        features[k] = base;
      }
    }
    i = j;
  }
  return removed;
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

/**
 * Continues `flux` beyond [start, end) as power laws f ~ lambda^beta from the median level just
 * inside each edge (robust to lines). The slopes are given (galaxy templates, see TemplateSpec) or
 * fitted to the medians of two edge windows, clipped to [-3, 3] so a noisy edge cannot run away.
 * Only photometry ever reads these pixels.
 */
export function extendPowerLaw(
  flux: Float64Array,
  valid: Uint8Array,
  lambda: Float64Array,
  start: number,
  end: number,
  slopes: { blue?: number; red?: number } = {},
): void {
  const windowMedian = (lo: number, hi: number): [number, number] => {
    const vals: number[] = [];
    for (let i = start; i < end; i++) if (valid[i] && lambda[i] >= lo && lambda[i] <= hi) vals.push(flux[i]);
    return [median(vals), Math.sqrt(lo * hi)];
  };
  const fit = (inner: [number, number], edge: [number, number]): { level: number; at: number; beta: number } => {
    const [m1, l1] = inner;
    const [m2, l2] = edge;
    if (!(m1 > 0) || !(m2 > 0)) return { level: Math.max(0, Number.isFinite(m2) ? m2 : 0), at: l2, beta: 0 };
    const beta = Math.min(3, Math.max(-3, Math.log(m2 / m1) / Math.log(l2 / l1)));
    return { level: m2, at: l2, beta };
  };
  const lo = lambda[start];
  const hi = lambda[end - 1];
  const blue = fit(windowMedian(lo * 1.025, lo * 1.06), windowMedian(lo, lo * 1.025));
  const red = fit(windowMedian(hi / 1.06, hi / 1.025), windowMedian(hi / 1.025, hi));
  const betaBlue = slopes.blue ?? blue.beta;
  const betaRed = slopes.red ?? red.beta;
  for (let i = 0; i < start; i++) flux[i] = blue.level * Math.pow(lambda[i] / blue.at, betaBlue);
  for (let i = end; i < flux.length; i++) flux[i] = red.level * Math.pow(lambda[i] / red.at, betaRed);
}

/** Reads one SDSS template and puts it on the master grid. */
async function loadSdssTemplate(spec: TemplateSpec, dataDir: string, lambda: Float64Array, logLambda: Float64Array, restPhotometer: Photometer): Promise<RestTemplate> {
  const path = templatePath(dataDir, spec.file);
  const hdu = await readImage(path);
  if (hdu.shape.length !== 2 || hdu.shape[0] !== 4) {
    throw new SkyclipError('UNUSABLE', `${path}: expected 4 rows (flux, continuum-subtracted, error, mask), got shape [${hdu.shape}]`);
  }
  const n = hdu.shape[1];
  const crval = numberCard(hdu.cards, 'CRVAL1', path);
  const cd = numberCard(hdu.cards, 'CD1_1', path);
  const row = (r: number) => Float64Array.from(hdu.data.subarray(r * n, (r + 1) * n));
  const flux = row(0);
  const features = row(1);
  const error = row(2);
  const mask = row(3);
  const srcLambda = new Float64Array(n);
  for (let i = 0; i < n; i++) srcLambda[i] = Math.pow(10, crval + cd * i);

  // The template's data: the span between the first and last pixel with flux, no mask bit and an error.
  const good = new Uint8Array(n);
  for (let i = 0; i < n; i++) good[i] = flux[i] !== 0 && mask[i] === 0 && error[i] > 0 && Number.isFinite(flux[i]) ? 1 : 0;
  let first = 0;
  while (first < n && !good[first]) first++;
  let last = n - 1;
  while (last >= 0 && !good[last]) last--;
  if (last - first < 100) throw new SkyclipError('UNUSABLE', `${path}: fewer than 100 usable pixels`);

  let removedHaEw = 0;
  let metalSrc = new Float64Array(n);
  if (spec.kind === 'galaxy') {
    const continuum = new Float64Array(n);
    for (let i = 0; i < n; i++) continuum[i] = flux[i] - features[i];
    const removed = removeEmission(features, emissionWindowMask(srcLambda), srcLambda);
    // The removed H-alpha emission as an equivalent width: calibrates sSFR against the template (population.ts).
    let haFlux = 0;
    const cont: number[] = [];
    for (let i = first + 1; i <= last; i++) {
      if (Math.abs(srcLambda[i] - LINE_WAVELENGTHS.Halpha) <= 9) {
        haFlux += removed[i] * (srcLambda[i] - srcLambda[i - 1]);
        cont.push(continuum[i]);
      }
    }
    removedHaEw = cont.length > 0 ? haFlux / median(cont) : 0;
    for (let i = 0; i < n; i++) {
      flux[i] = continuum[i] + features[i];
      let balmer = false;
      for (const b of BALMER_WAVELENGTHS) if (Math.abs(srcLambda[i] - b) <= 15) balmer = true;
      metalSrc[i] = balmer ? 0 : Math.min(0, features[i]);
    }
  } else {
    metalSrc = new Float64Array(n);
  }

  // Resample onto the master grid (linear in log lambda; exact copies where the grids coincide).
  const out = new Float64Array(MASTER_N);
  const metal = new Float64Array(MASTER_N);
  const valid = new Uint8Array(MASTER_N);
  let start = MASTER_N;
  let end = 0;
  for (let i = 0; i < MASTER_N; i++) {
    let s = (logLambda[i] - crval) / cd;
    const r = Math.round(s);
    if (Math.abs(s - r) < 1e-6) s = r;
    if (s < first || s > last) continue;
    const j = Math.min(Math.floor(s), last);
    const f = s - j;
    const k = f > 0 ? j + 1 : j;
    out[i] = flux[j] * (1 - f) + flux[k] * f;
    metal[i] = metalSrc[j] * (1 - f) + metalSrc[k] * f;
    valid[i] = good[j] && good[k] ? 1 : 0;
    if (i < start) start = i;
    end = i + 1;
  }
  extendPowerLaw(out, valid, lambda, start, end, { blue: spec.uvSlope, red: spec.irSlope });

  const rFlux = restPhotometer.nanomaggies(out, 'r' satisfies Band);
  if (!(rFlux > 0)) throw new SkyclipError('UNUSABLE', `${path}: no rest-frame r-band flux`);
  for (let i = 0; i < MASTER_N; i++) {
    out[i] /= rFlux;
    metal[i] /= rFlux;
  }
  return {
    id: spec.id,
    kind: spec.kind,
    file: spec.file,
    flux: out,
    metal,
    valid,
    start,
    end,
    coverage: [lambda[start], lambda[end - 1]],
    removedHaEw,
  };
}

/**
 * Line ratios from femtemp97's EMLINE cards ('  name rest obs peak sigma ... flux weight'):
 * ([SII]6716 + [SII]6731)/H-alpha and the [SII] doublet ratio.
 */
async function loadFemtempRatios(dataDir: string): Promise<FemtempRatios> {
  const path = templatePath(dataDir, 'femtemp97.fits');
  const hdu = await readImage(path);
  const fluxes = new Map<string, number>();
  for (const c of hdu.cards) {
    if (!/^EMLINE\d+$/.test(c.key) || typeof c.value !== 'string') continue;
    const parts = c.value.trim().split(/\s+/);
    const flux = Number(parts[7]);
    if (parts.length >= 8 && Number.isFinite(flux)) fluxes.set(parts[0], flux);
  }
  const ha = fluxes.get('Ha');
  const s1 = fluxes.get('S1');
  const s2 = fluxes.get('S2');
  if (!ha || !s1 || !s2) throw new SkyclipError('UNUSABLE', `${path}: EMLINE cards for Ha, S1, S2 not found`);
  return { siiToHa: (s1 + s2) / ha, siiDoublet: s1 / s2 };
}

/** Loads every template once (about 30 ms); the library is shared by all objects. */
export async function loadTemplateLibrary(dataDir: string, filters: Record<Band, Filter>): Promise<TemplateLibrary> {
  const lambda = new Float64Array(MASTER_N);
  const logLambda = new Float64Array(MASTER_N);
  for (let i = 0; i < MASTER_N; i++) {
    logLambda[i] = MASTER_LOG0 + MASTER_DLOG * i;
    lambda[i] = Math.pow(10, logLambda[i]);
  }
  const restPhotometer = new Photometer(filters, lambda);
  const loaded = await Promise.all(TEMPLATE_SPECS.map((s) => loadSdssTemplate(s, dataDir, lambda, logLambda, restPhotometer)));
  const byId = {} as Record<TemplateId, RestTemplate>;
  for (const t of loaded) byId[t.id] = t;
  return { byId, lambda, logLambda, restPhotometer, femtemp: await loadFemtempRatios(dataDir) };
}
