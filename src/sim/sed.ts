/**
 * Spectral energy distributions: a rest-frame mix of real templates, seen at redshift z, with
 * emission lines, on the model grid (desi.ts). The same array feeds the DESI spectrum (a slice of
 * it) and the DECam g, r, z fluxes (a dot product with each band's weights), which is what makes an
 * object's image colours and its spectrum agree.
 *
 * Flux bookkeeping: a rest SED is scaled to unit rest-frame r-band flux "at 10 pc" (1 nanomaggy in
 * the spectra's unit, 1e-17 erg/s/cm2/A). For an absolute magnitude M_r the observed f_lambda is
 *   f_obs(lambda) = 10^(-0.4 (M_r - 22.5)) * T(lambda / (1+z)) * (10 pc / d_L)^2 / (1+z),
 * the standard redshifting of a luminosity density (K-corrections come from the templates
 * themselves). Lines add L / (4 pi d_L^2) each, spread over pixels as a Gaussian of the intrinsic
 * width and the DESI camera's line-spread function combined.
 *
 * Resolution: the continuum keeps the templates' SDSS resolution (R ~ 1800-2000, FWHM >= 2 A in the
 * observed frame), which is already coarser than DESI's (FWHM 1.8-2.0 A), so it is not smoothed
 * again (a second convolution would double-count the instrument); lines, which the mock adds itself,
 * get the per-camera DESI line-spread function.
 */
import { Cosmology, C_KMS } from './cosmology.js';
import { DESI_STEP, MODEL_N, MODEL_START, lsfSigma, modelWavelength } from './desi.js';
import { Photometer, type Band, type Filter } from './filters.js';
import type { LineLuminosity } from './lines.js';
import { normalCdfFast as normalCdf } from './special.js';
import { MASTER_DLOG, MASTER_LOG0, MASTER_N, type TemplateId, type TemplateLibrary } from './templates.js';
import { MPC_CM } from './cosmology.js';
import { SPECTRUM_UNIT_CGS } from './units.js';

export interface MixEntry {
  id: TemplateId;
  /** Fraction of rest-frame r-band light (the templates are r-normalised). */
  weight: number;
}

export type SedNorm =
  /** Rest-frame absolute AB magnitude in DECam r (galaxies: from stellar mass and M/L). */
  | { kind: 'absolute-r'; mag: number }
  /** Observed apparent AB magnitude in DECam r (stars, QSOs: drawn from number counts). */
  | { kind: 'apparent-r'; mag: number };

export interface SedSpec {
  mix: MixEntry[];
  /** Factor on the templates' metal absorption features (1 = as observed by SDSS). */
  metalScale: number;
  /** Exponent of a (lambda / 5500 A)^tilt colour term (the mock's metallicity reddening). */
  tilt: number;
  z: number;
  /** Emission lines with attenuated luminosities (erg/s); empty for stars and QSOs. */
  lines: LineLuminosity[];
  /** Intrinsic line width (km/s), before the instrument. */
  lineSigmaKms: number;
  norm: SedNorm;
}

/** A rest-frame SED on the master grid, unit rest r-band flux. */
export interface RestSed {
  flux: Float64Array;
  valid: Uint8Array;
  /** Rest-frame colours of the continuum (no lines), DECam filters. */
  gMinusR: number;
  rMinusZ: number;
  /** Dn4000 (Balogh+99 narrow bands, f_nu) of the continuum. */
  dn4000: number;
  /** First master pixel that was built (below it the array is 0): enough for observing up to `zMax`. */
  start: number;
}

const LOG_5500 = Math.log10(5500);
/** Rest SEDs remembered (a galaxy, its companion, a lensed source, and a few screening leftovers). */
const REST_CACHE_SIZE = 8;

/** What a rest SED depends on: the mix, metal scaling and tilt (not z, lines or normalisation). */
function restKey(spec: SedSpec): string {
  let key = `${spec.metalScale}|${spec.tilt}`;
  for (const m of spec.mix) key += `|${m.id}:${m.weight}`;
  return key;
}

export class SedBuilder {
  readonly cosmology: Cosmology;
  readonly library: TemplateLibrary;
  /** Observed-frame wavelengths of the model grid. */
  readonly modelLambda: Float64Array;
  readonly modelPhotometer: Photometer;
  private readonly modelLogScaled: Float64Array;
  private readonly dnBlue: [number, number];
  private readonly dnRed: [number, number];
  private readonly restTrap: Float64Array;
  private readonly restCache = new Map<string, RestSed>();

  constructor(library: TemplateLibrary, cosmology: Cosmology, filters: Record<Band, Filter>) {
    this.library = library;
    this.cosmology = cosmology;
    this.modelLambda = modelWavelength();
    this.modelPhotometer = new Photometer(filters, this.modelLambda);
    this.modelLogScaled = new Float64Array(MODEL_N);
    for (let j = 0; j < MODEL_N; j++) this.modelLogScaled[j] = Math.log10(this.modelLambda[j]) / MASTER_DLOG;
    const idx = (l: number) => Math.round((Math.log10(l) - MASTER_LOG0) / MASTER_DLOG);
    this.dnBlue = [idx(3850), idx(3950)];
    this.dnRed = [idx(4000), idx(4100)];
    const lam = library.lambda;
    this.restTrap = new Float64Array(MASTER_N);
    for (let i = 1; i < MASTER_N - 1; i++) this.restTrap[i] = 0.5 * (lam[i + 1] - lam[i - 1]);
  }

  newRestSed(): RestSed {
    return { flux: new Float64Array(MASTER_N), valid: new Uint8Array(MASTER_N), gMinusR: 0, rMinusZ: 0, dn4000: 0, start: 0 };
  }

  /**
   * Builds the rest-frame continuum of `spec` into `out` (mix, metal scaling, tilt; unit rest r).
   * A small cache keyed by the recipe skips rebuilding a galaxy the population just built.
   */
  buildRest(spec: SedSpec, out: RestSed, zMax = spec.z): RestSed {
    // Only the rest wavelengths that the model grid (>= 3000 A observed) reaches up to zMax, and the
    // rest-frame filters (>= 3300 A), are needed.
    const start = Math.max(0, Math.floor((Math.log10(Math.min(3300, MODEL_START / (1 + Math.max(0, zMax)))) - MASTER_LOG0) / MASTER_DLOG) - 2);
    const key = `${start}|${restKey(spec)}`;
    const hit = this.restCache.get(key);
    if (hit) {
      out.flux.set(hit.flux);
      out.valid.set(hit.valid);
      out.gMinusR = hit.gMinusR;
      out.rMinusZ = hit.rMinusZ;
      out.dn4000 = hit.dn4000;
      out.start = hit.start;
      return out;
    }
    this.buildRestUncached(spec, out, start);
    if (this.restCache.size >= REST_CACHE_SIZE) this.restCache.delete(this.restCache.keys().next().value as string);
    this.restCache.set(key, { ...out, flux: out.flux.slice(), valid: out.valid.slice() });
    return out;
  }

  private buildRestUncached(spec: SedSpec, out: RestSed, start: number): void {
    const flux = out.flux;
    const valid = out.valid;
    out.start = start;
    flux.fill(0, 0, start);
    valid.fill(0, 0, start);
    flux.fill(0, start);
    valid.fill(1, start);
    const metalFactor = spec.metalScale - 1;
    for (const { id, weight } of spec.mix) {
      if (!(weight > 0)) continue;
      const t = this.library.byId[id];
      const tf = t.flux;
      const tm = t.metal;
      const tv = t.valid;
      for (let i = start; i < MASTER_N; i++) {
        flux[i] += weight * (tf[i] + metalFactor * tm[i]);
        valid[i] &= tv[i];
      }
    }
    if (spec.tilt !== 0) {
      // (lambda/5500)^tilt on a log grid is a geometric sequence: one pow, then multiplications.
      const ratio = Math.pow(10, spec.tilt * MASTER_DLOG);
      let factor = Math.pow(10, spec.tilt * (MASTER_LOG0 + start * MASTER_DLOG - LOG_5500));
      for (let i = start; i < MASTER_N; i++) {
        flux[i] *= factor;
        factor *= ratio;
      }
    }
    const ph = this.library.restPhotometer;
    const r = ph.nanomaggies(flux, 'r');
    const inv = 1 / r;
    for (let i = start; i < MASTER_N; i++) flux[i] *= inv;
    out.gMinusR = -2.5 * Math.log10(ph.nanomaggies(flux, 'g'));
    out.rMinusZ = 2.5 * Math.log10(ph.nanomaggies(flux, 'z'));
    out.dn4000 = this.dn4000(flux);
  }

  /** Dn4000 of a rest SED on the master grid: <f_nu>(4000-4100) / <f_nu>(3850-3950). */
  dn4000(flux: Float64Array): number {
    const lam = this.library.lambda;
    const band = ([a, b]: [number, number]) => {
      let num = 0;
      let den = 0;
      for (let i = a; i <= b; i++) {
        num += flux[i] * lam[i] * lam[i] * this.restTrap[i];
        den += this.restTrap[i];
      }
      return num / den;
    };
    return band(this.dnRed) / band(this.dnBlue);
  }

  /** Observed-frame f_lambda per unit rest SED value for `spec` (absolute-r normalisation only). */
  private absoluteScale(spec: SedSpec): number {
    if (spec.norm.kind !== 'absolute-r') return 1;
    const dl = this.cosmology.luminosityDistanceMpc(spec.z);
    const dist = 1e-5 / dl; // 10 pc / d_L
    return (Math.pow(10, -0.4 * (spec.norm.mag - 22.5)) * dist * dist) / (1 + spec.z);
  }

  /**
   * Adds factor * (observed spectrum of `spec`) to `out` on the model grid and ANDs the template
   * coverage into `valid` (pixels whose rest wavelength no template covers become 0).
   * Returns the multiplicative scale applied to the rest SED (for apparent-r normalisation).
   */
  observeInto(spec: SedSpec, rest: RestSed, out: Float64Array, valid: Uint8Array, factor = 1): number {
    const z = spec.z;
    let scale = this.absoluteScale(spec);
    if (spec.norm.kind === 'apparent-r') {
      // Render once at unit scale, measure r, then scale to the target magnitude.
      const tmp = new Float64Array(MODEL_N);
      this.interpolate(rest, z, tmp, null, 1);
      const r = this.modelPhotometer.nanomaggies(tmp, 'r');
      scale = Math.pow(10, -0.4 * (spec.norm.mag - 22.5)) / r;
    }
    this.interpolate(rest, z, out, valid, scale * factor);
    if (spec.lines.length > 0) this.addLines(spec, out, factor);
    return scale;
  }

  /**
   * Observed band flux (nanomaggies) of an absolute-r `spec` without rendering the whole model grid:
   * the continuum only over the band's pixels, lines through the band's weight at their centre.
   * Agrees with the full render to ~1e-4; used to screen galaxies against magnitude limits.
   */
  bandFlux(spec: SedSpec, rest: RestSed, band: Band): number {
    if (spec.norm.kind !== 'absolute-r') throw new Error('bandFlux needs an absolute-r normalisation');
    const w = this.modelPhotometer.bands[band];
    const scale = this.absoluteScale(spec);
    const flux = rest.flux;
    const offset = -(Math.log10(1 + spec.z) + MASTER_LOG0) / MASTER_DLOG;
    const logs = this.modelLogScaled;
    let sum = 0;
    for (let j = w.start; j < w.end; j++) {
      const x = logs[j] + offset;
      const i = Math.floor(x);
      const f = x - i;
      sum += (flux[i] + f * (flux[i + 1] - flux[i])) * w.weights[j - w.start];
    }
    sum *= scale;
    if (spec.lines.length > 0) {
      const dl = this.cosmology.luminosityDistanceMpc(spec.z) * MPC_CM;
      const toFlux = 1 / (4 * Math.PI * dl * dl) / SPECTRUM_UNIT_CGS;
      for (const line of spec.lines) {
        const j = Math.round((line.restLambda * (1 + spec.z) - MODEL_START) / DESI_STEP);
        if (j >= w.start && j < w.end) sum += (line.luminosity * toFlux * w.weights[j - w.start]) / DESI_STEP;
      }
    }
    return sum;
  }

  private interpolate(rest: RestSed, z: number, out: Float64Array, valid: Uint8Array | null, scale: number): void {
    const flux = rest.flux;
    const rv = rest.valid;
    const offset = -(Math.log10(1 + z) + MASTER_LOG0) / MASTER_DLOG;
    const logs = this.modelLogScaled;
    if (Math.floor(logs[0] + offset) < rest.start) {
      throw new Error(`rest SED built from pixel ${rest.start} cannot be observed at z = ${z}: build it with zMax >= z`);
    }
    for (let j = 0; j < MODEL_N; j++) {
      const x = logs[j] + offset;
      let i = Math.floor(x);
      let f = x - i;
      if (i < 0) {
        i = 0;
        f = 0;
      } else if (i >= MASTER_N - 1) {
        i = MASTER_N - 2;
        f = 1;
      }
      out[j] += scale * (flux[i] + f * (flux[i + 1] - flux[i]));
      if (valid) valid[j] &= f > 1e-9 ? rv[i] & rv[i + 1] : rv[i];
    }
  }

  /** Emission lines as pixel-integrated Gaussians (flux-conserving), width = intrinsic (+) LSF. */
  private addLines(spec: SedSpec, out: Float64Array, factor: number): void {
    const dl = this.cosmology.luminosityDistanceMpc(spec.z) * MPC_CM;
    const toFlux = (factor / (4 * Math.PI * dl * dl)) / SPECTRUM_UNIT_CGS; // erg/s -> 1e-17 erg/s/cm2
    const half = DESI_STEP / 2;
    for (const line of spec.lines) {
      const center = line.restLambda * (1 + spec.z);
      const sInt = (center * spec.lineSigmaKms) / C_KMS;
      const sLsf = lsfSigma(center);
      const sigma = Math.sqrt(sInt * sInt + sLsf * sLsf);
      const jc = Math.round((center - MODEL_START) / DESI_STEP);
      const reach = Math.ceil((7 * sigma) / DESI_STEP) + 1;
      if (jc + reach < 0 || jc - reach >= MODEL_N) continue;
      const total = line.luminosity * toFlux;
      for (let j = Math.max(0, jc - reach); j <= Math.min(MODEL_N - 1, jc + reach); j++) {
        const lam = MODEL_START + DESI_STEP * j;
        const w = normalCdf((lam + half - center) / sigma) - normalCdf((lam - half - center) / sigma);
        out[j] += (total * w) / DESI_STEP;
      }
    }
  }
}
