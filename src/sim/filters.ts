/**
 * DECam g, r, z throughputs (speclite's decam2014 curves, airmass 1.3, shipped in data/filters)
 * and AB synthetic photometry on a fixed wavelength grid.
 *
 * For a photon-counting detector the band-averaged f_nu is
 *   <f_nu> = integral(f_lambda R lambda dlambda) / (c * integral(R / lambda dlambda)),
 * i.e. f_lambda weighted by the photon rate (the extra lambda), normalised so that a flat-f_nu
 * source returns its f_nu. Both integrals are done with the same trapezoid weights on the same
 * grid, so a flat-f_nu spectrum comes back exact.
 */
import { readFileSync } from 'node:fs';
import { SkyclipError } from '../util/errors.js';
import { filterPath } from './paths.js';
import { C_ANGSTROM_PER_S, NANOMAGGY_CGS, SPECTRUM_UNIT_CGS } from './units.js';

export type Band = 'g' | 'r' | 'z';
export const BANDS: readonly Band[] = ['g', 'r', 'z'];

export interface Filter {
  band: Band;
  /** Angstrom, increasing. */
  wavelength: Float64Array;
  /** Dimensionless throughput (telescope + instrument + CCD + atmosphere at airmass 1.3). */
  response: Float64Array;
}

/** Parses the two-column ECSV speclite writes (wavelength in nm, response). */
export function parseFilterEcsv(text: string, band: Band, source = 'filter'): Filter {
  const wl: number[] = [];
  const resp: number[] = [];
  let unitNm = false;
  let headerSeen = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      if (/name:\s*wavelength,\s*unit:\s*nm/.test(line)) unitNm = true;
      continue;
    }
    if (!headerSeen) {
      headerSeen = true;
      if (!/^wavelength\s+response$/.test(line)) {
        throw new SkyclipError('UNUSABLE', `${source}: expected a 'wavelength response' header, got '${line}'`);
      }
      continue;
    }
    const [a, b] = line.split(/\s+/).map(Number);
    if (!Number.isFinite(a) || !Number.isFinite(b)) {
      throw new SkyclipError('UNUSABLE', `${source}: bad row '${line}'`);
    }
    wl.push(a);
    resp.push(b);
  }
  if (!unitNm) throw new SkyclipError('UNUSABLE', `${source}: wavelength unit is not nm`);
  if (wl.length < 10) throw new SkyclipError('UNUSABLE', `${source}: only ${wl.length} rows`);
  const wavelength = Float64Array.from(wl, (v) => v * 10);
  for (let i = 1; i < wavelength.length; i++) {
    if (!(wavelength[i] > wavelength[i - 1])) {
      throw new SkyclipError('UNUSABLE', `${source}: wavelengths not increasing at row ${i}`);
    }
  }
  return { band, wavelength, response: Float64Array.from(resp) };
}

export function loadFilters(dataDir: string): Record<Band, Filter> {
  const out = {} as Record<Band, Filter>;
  for (const band of BANDS) {
    const path = filterPath(dataDir, band);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw new SkyclipError('NOT_FOUND', `filter curve not found: ${path}`);
    }
    out[band] = parseFilterEcsv(text, band, path);
  }
  return out;
}

/** Linear interpolation of the throughput; 0 outside the tabulated range. */
export function responseAt(filter: Filter, lambda: number): number {
  const wl = filter.wavelength;
  const n = wl.length;
  if (lambda <= wl[0] || lambda >= wl[n - 1]) return 0;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (wl[mid] <= lambda) lo = mid;
    else hi = mid;
  }
  const f = (lambda - wl[lo]) / (wl[hi] - wl[lo]);
  return filter.response[lo] * (1 - f) + filter.response[hi] * f;
}

/** Pivot wavelength sqrt(int R lambda / int R / lambda) on the filter's own table (Angstrom). */
export function pivotWavelength(filter: Filter): number {
  let num = 0;
  let den = 0;
  const wl = filter.wavelength;
  const r = filter.response;
  for (let i = 1; i < wl.length; i++) {
    const dl = wl[i] - wl[i - 1];
    num += 0.5 * dl * (r[i] * wl[i] + r[i - 1] * wl[i - 1]);
    den += 0.5 * dl * (r[i] / wl[i] + r[i - 1] / wl[i - 1]);
  }
  return Math.sqrt(num / den);
}

/** Trapezoid weights of an increasing grid: integral(f) ~ sum(f_i * t_i). */
export function trapezoidWeights(grid: Float64Array): Float64Array {
  const n = grid.length;
  const t = new Float64Array(n);
  for (let i = 0; i < n - 1; i++) {
    const half = 0.5 * (grid[i + 1] - grid[i]);
    t[i] += half;
    t[i + 1] += half;
  }
  return t;
}

/** Per-band weights on one grid: the band's flux is a dot product, computed once per grid. */
export interface BandWeights {
  band: Band;
  /** First and one-past-last grid index where the weight is non-zero. */
  start: number;
  end: number;
  /** weights[i - start]: nanomaggies per unit f_lambda (1e-17 erg/s/cm2/A) at grid[i]. */
  weights: Float64Array;
}

/**
 * Synthetic AB photometry on a fixed wavelength grid (Angstrom). `nanomaggies` takes f_lambda
 * in the spectra's unit (1e-17 erg/s/cm2/A) sampled on that grid and returns the band flux.
 */
export class Photometer {
  readonly grid: Float64Array;
  readonly bands: Record<Band, BandWeights>;

  constructor(filters: Record<Band, Filter>, grid: Float64Array) {
    this.grid = grid;
    const trap = trapezoidWeights(grid);
    const bands = {} as Record<Band, BandWeights>;
    for (const band of BANDS) {
      const filter = filters[band];
      const resp = new Float64Array(grid.length);
      let start = grid.length;
      let end = 0;
      let den = 0;
      for (let i = 0; i < grid.length; i++) {
        const r = responseAt(filter, grid[i]);
        resp[i] = r;
        if (r > 0) {
          if (i < start) start = i;
          end = i + 1;
          den += (r / grid[i]) * trap[i];
        }
      }
      const lo = filter.wavelength[0];
      const hi = filter.wavelength[filter.wavelength.length - 1];
      if (end === 0 || grid[0] > lo + 1 || grid[grid.length - 1] < hi - 1) {
        throw new SkyclipError(
          'INTERNAL',
          `photometry grid ${grid[0]}-${grid[grid.length - 1]} A does not cover the ${band} filter (${lo}-${hi} A)`,
        );
      }
      const scale = SPECTRUM_UNIT_CGS / (C_ANGSTROM_PER_S * den * NANOMAGGY_CGS);
      const weights = new Float64Array(end - start);
      for (let i = start; i < end; i++) weights[i - start] = resp[i] * grid[i] * trap[i] * scale;
      bands[band] = { band, start, end, weights };
    }
    this.bands = bands;
  }

  /** Band flux in nanomaggies of f_lambda (1e-17 erg/s/cm2/A) sampled on this grid. */
  nanomaggies(fluxLambda: ArrayLike<number>, band: Band): number {
    const { start, end, weights } = this.bands[band];
    let sum = 0;
    for (let i = start; i < end; i++) sum += fluxLambda[i] * weights[i - start];
    return sum;
  }

  /** g, r, z fluxes in nanomaggies. */
  all(fluxLambda: ArrayLike<number>): [number, number, number] {
    return [this.nanomaggies(fluxLambda, 'g'), this.nanomaggies(fluxLambda, 'r'), this.nanomaggies(fluxLambda, 'z')];
  }
}
