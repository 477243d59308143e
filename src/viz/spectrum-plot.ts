/**
 * A spectrum plot: flux against observed wavelength, pixels with ivar = 0 (or non-finite
 * flux) drawn as gaps over a light grey band, an optional smoothed line on top, and
 * optional markers for the main emission and absorption lines at a given redshift.
 */
import { badInput } from '../util/errors.js';
import { createAxes, type AxesOptions, type LegendEntry, type RefLine } from './axes.js';
import { decimateColumns, el, num, polylinePath, type Panel } from './svg.js';

/** A line (or a close multiplet drawn under one label) at rest-frame vacuum wavelengths. */
export interface SpectralLine {
  name: string;
  /** Rest-frame vacuum wavelengths in Angstrom. */
  rest: readonly number[];
  kind: 'emission' | 'absorption';
}

/** The lines PHYSICS.md lists for galaxy spectra (vacuum Angstrom). */
export const SPECTRAL_LINES: readonly SpectralLine[] = Object.freeze([
  { name: '[OII]', rest: [3727.09, 3729.87], kind: 'emission' },
  { name: 'H\u03b2', rest: [4862.68], kind: 'emission' },
  { name: '[OIII]', rest: [5008.24], kind: 'emission' },
  { name: 'H\u03b1', rest: [6564.61], kind: 'emission' },
  { name: '[NII]', rest: [6585.28], kind: 'emission' },
  { name: '[SII]', rest: [6718.29], kind: 'emission' },
  // Ca II H and K are 35 A apart; one label keeps the pair readable at survey resolution.
  { name: 'Ca II K,H', rest: [3934.8, 3969.6], kind: 'absorption' },
]);

/**
 * Broad lines that dominate QSO spectra at the redshifts where the galaxy lines have left
 * the DESI range (z > ~1). Laboratory vacuum wavelengths (NIST); C IV and Mg II are doublets.
 * Not in PHYSICS.md, which lists galaxy lines only.
 */
export const QSO_LINES: readonly SpectralLine[] = Object.freeze([
  { name: 'Ly\u03b1', rest: [1215.67], kind: 'emission' },
  { name: 'C IV', rest: [1548.2, 1550.77], kind: 'emission' },
  { name: 'C III]', rest: [1908.73], kind: 'emission' },
  { name: 'Mg II', rest: [2796.35, 2803.53], kind: 'emission' },
  { name: 'H\u03b2', rest: [4862.68], kind: 'emission' },
  { name: '[OIII]', rest: [5008.24], kind: 'emission' },
  { name: 'H\u03b1', rest: [6564.61], kind: 'emission' },
]);

/** Absorption features of stars and old stellar populations (PHYSICS.md, vacuum Angstrom). */
export const STELLAR_LINES: readonly SpectralLine[] = Object.freeze([
  { name: 'Ca II K,H', rest: [3934.8, 3969.6], kind: 'absorption' },
  { name: 'H\u03b4', rest: [4102.89], kind: 'absorption' },
  { name: 'G band', rest: [4305.6], kind: 'absorption' },
  { name: 'H\u03b3', rest: [4341.68], kind: 'absorption' },
  { name: 'H\u03b2', rest: [4862.68], kind: 'absorption' },
  { name: 'Mg b', rest: [5168.8, 5185.0], kind: 'absorption' },
  { name: 'Na D', rest: [5891.6, 5897.6], kind: 'absorption' },
  { name: 'H\u03b1', rest: [6564.61], kind: 'absorption' },
]);

export interface SpectrumData {
  /** Observed wavelength in Angstrom, increasing. */
  wavelength: ArrayLike<number>;
  flux: ArrayLike<number>;
  /** Inverse variance; pixels with ivar <= 0 (or non-finite) are masked. All valid if omitted. */
  ivar?: ArrayLike<number>;
}

export interface SpectrumPlotOptions extends AxesOptions {
  /** Redshift of the object; when given, `lines` are marked at rest x (1 + z). */
  redshift?: number;
  /** Lines to mark (default SPECTRAL_LINES). */
  lines?: readonly SpectralLine[];
  /** Boxcar width in pixels of a smoothed line over the raw flux (default 0: none). */
  smooth?: number;
  /** Raw flux colour; default a pale blue-grey when smoothing (the smooth line leads), else dark blue. */
  color?: string;
  /** Smoothed flux colour (default '#1b3a5c'). */
  smoothColor?: string;
  /** Shade masked wavelength ranges in light grey (default true), so gaps read as "no data". */
  shadeMasked?: boolean;
  /**
   * Percentiles that set the automatic y range, so a few noise spikes or a bad pixel do not
   * flatten the spectrum. With smoothing they are taken over the smoothed flux, default
   * [0.5, 100]: the raw noise then runs off the panel, as in DESI's own viewers (at a
   * continuum S/N of ~1 per pixel a range that holds the noise hides the continuum shape),
   * while emission peaks, real in the smoothed line, stay in. Without smoothing, over the
   * raw flux, default [0.5, 99.5]. Ignored when yDomain is given.
   */
  yPercentiles?: readonly [number, number];
  /** Legend label for the raw flux; none by default. */
  label?: string;
}

export const SPECTRUM_DEFAULTS = Object.freeze({
  smooth: 0,
  smoothColor: '#1b3a5c',
  rawColorSmoothed: '#b9c6d3',
  rawColor: '#1b3a5c',
  emissionColor: '#2f7fc1',
  absorptionColor: '#c0392b',
  maskFill: '#eeeeee',
  xLabel: 'Observed wavelength [\u00c5]',
  yLabel: 'Flux [10\u207b\u00b9\u2077 erg s\u207b\u00b9 cm\u207b\u00b2 \u00c5\u207b\u00b9]',
  yPercentiles: Object.freeze([0.5, 99.5]) as readonly [number, number],
  yPercentilesSmoothed: Object.freeze([0.5, 100]) as readonly [number, number],
});

/** True where a pixel carries data: finite flux and ivar > 0 (ivar optional). */
export function validPixels(spectrum: SpectrumData): Uint8Array {
  const n = spectrum.flux.length;
  const valid = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const iv = spectrum.ivar ? spectrum.ivar[i] : 1;
    valid[i] = Number.isFinite(spectrum.flux[i]) && Number.isFinite(iv) && iv > 0 ? 1 : 0;
  }
  return valid;
}

/**
 * Boxcar mean over the valid pixels within width/2 of each pixel (masked pixels neither
 * contribute nor get a value: NaN there, so the smoothed line has the same gaps). Pure.
 */
export function smoothMasked(flux: ArrayLike<number>, valid: ArrayLike<number>, width: number): Float64Array {
  if (!(Number.isInteger(width) && width >= 1)) throw badInput(`smoothing width must be a positive integer, got ${width}`);
  const n = flux.length;
  // Prefix sums of valid flux and of the valid count: each window is O(1).
  const sum = new Float64Array(n + 1);
  const count = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const ok = valid[i] ? 1 : 0;
    sum[i + 1] = sum[i] + (ok ? flux[i] : 0);
    count[i + 1] = count[i] + ok;
  }
  const half = Math.floor(width / 2);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (!valid[i]) {
      out[i] = NaN;
      continue;
    }
    const lo = Math.max(0, i - half);
    const hi = Math.min(n, i + half + 1);
    out[i] = (sum[hi] - sum[lo]) / (count[hi] - count[lo]);
  }
  return out;
}

/** The p-th percentile (0-100) of the finite values, by linear interpolation; NaN if none. */
function percentile(values: readonly number[], p: number): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const pos = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const i = Math.floor(pos);
  return i + 1 < sorted.length ? sorted[i] + (pos - i) * (sorted[i + 1] - sorted[i]) : sorted[i];
}

export function spectrumPlot(spectrum: SpectrumData, options: SpectrumPlotOptions = {}): Panel {
  const { wavelength, flux, ivar } = spectrum;
  if (wavelength.length !== flux.length || (ivar && ivar.length !== flux.length)) {
    throw badInput(`spectrum: wavelength ${wavelength.length}, flux ${flux.length}, ivar ${ivar?.length ?? '-'} differ in length`);
  }
  if (flux.length === 0) throw badInput('spectrum: no pixels');
  const {
    redshift,
    lines = SPECTRAL_LINES,
    smooth = SPECTRUM_DEFAULTS.smooth,
    shadeMasked = true,
    yPercentiles,
    label,
    color,
    smoothColor = SPECTRUM_DEFAULTS.smoothColor,
    ...axesOptions
  } = options;
  if (redshift !== undefined && !(Number.isFinite(redshift) && redshift > -1)) {
    throw badInput(`redshift must be a number > -1, got ${redshift}`);
  }

  const valid = validPixels(spectrum);
  const shownFlux = Array.from(flux, (f, i) => (valid[i] ? f : NaN));
  const smoothed = smooth > 1 ? smoothMasked(flux, valid, smooth) : undefined;

  const wl = Array.from(wavelength);
  const wlMin = Math.min(...wl.filter(Number.isFinite));
  const wlMax = Math.max(...wl.filter(Number.isFinite));
  let yDomain = axesOptions.yDomain;
  if (!yDomain) {
    const basis = smoothed ? Array.from(smoothed) : shownFlux;
    const [pLo, pHi] = yPercentiles ?? (smoothed ? SPECTRUM_DEFAULTS.yPercentilesSmoothed : SPECTRUM_DEFAULTS.yPercentiles);
    const lo = percentile(basis, pLo);
    const hi = percentile(basis, pHi);
    if (Number.isFinite(lo) && Number.isFinite(hi) && axesOptions.yScale !== 'log') {
      const pad = (hi - lo) * (smoothed ? 0.15 : 0.08) || Math.abs(hi) * 0.1 || 1;
      yDomain = [lo - pad, hi + pad * 2.5]; // extra headroom at the top for line labels
    }
  }

  const vLines: RefLine[] = [...(axesOptions.vLines ?? [])];
  if (redshift !== undefined) {
    for (const line of lines) {
      vLines.push({
        at: line.rest.map((w) => w * (1 + redshift)),
        label: line.name,
        color: line.kind === 'emission' ? SPECTRUM_DEFAULTS.emissionColor : SPECTRUM_DEFAULTS.absorptionColor,
        dash: line.kind === 'emission' ? '4 3' : '1 3',
      });
    }
  }

  const axes = createAxes(
    {
      xLabel: SPECTRUM_DEFAULTS.xLabel,
      yLabel: SPECTRUM_DEFAULTS.yLabel,
      xDomain: wlMin < wlMax ? [wlMin, wlMax] : undefined,
      ...axesOptions,
      yDomain,
      vLines,
    },
    { x: [wavelength], y: [shownFlux] },
  );

  const marks: string[] = [];
  const px = wl.map((w) => axes.x.map(w));
  if (shadeMasked) marks.push(maskedBands(px, valid, axes.plot.height));
  const rawColor = color ?? (smoothed ? SPECTRUM_DEFAULTS.rawColorSmoothed : SPECTRUM_DEFAULTS.rawColor);
  // Paths are thinned to ~4 points per pixel column (decimateColumns): same picture, a
  // fraction of the SVG size for a 7781-pixel spectrum.
  const linePath = (ys: ArrayLike<number>) => {
    const thin = decimateColumns(px, Array.from(ys, (f) => axes.y.map(f)));
    return polylinePath(thin.x, thin.y);
  };
  const rawPath = linePath(shownFlux);
  // Under a smoothed line the raw flux is context, not the message: thinner.
  const rawWidth = smoothed ? 0.7 : 1;
  if (rawPath) marks.push(el('path', { d: rawPath, fill: 'none', stroke: rawColor, 'stroke-width': rawWidth, 'stroke-linejoin': 'round' }));
  if (smoothed) {
    const d = linePath(smoothed);
    if (d) marks.push(el('path', { d, fill: 'none', stroke: smoothColor, 'stroke-width': 1.5, 'stroke-linejoin': 'round' }));
  }
  const legend: LegendEntry[] = [];
  if (label) legend.push({ label, color: rawColor, kind: 'line' });
  if (label && smoothed) legend.push({ label: `smoothed (${smooth} px)`, color: smoothColor, kind: 'line' });
  return axes.render(marks.join(''), legend);
}

/** Grey rectangles over runs of masked pixels, reaching halfway to the neighbouring valid pixels. */
function maskedBands(px: readonly number[], valid: ArrayLike<number>, height: number): string {
  const rects: string[] = [];
  const n = px.length;
  const step = n > 1 ? (px[n - 1] - px[0]) / (n - 1) : 1; // mean pixel width, for the array ends
  let i = 0;
  while (i < n) {
    if (valid[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < n && !valid[j + 1]) j++;
    const x0 = i > 0 ? (px[i - 1] + px[i]) / 2 : px[i] - step / 2;
    const x1 = j < n - 1 ? (px[j] + px[j + 1]) / 2 : px[j] + step / 2;
    if (Number.isFinite(x0) && Number.isFinite(x1)) {
      rects.push(`<rect x="${num(Math.min(x0, x1))}" y="0" width="${num(Math.max(Math.abs(x1 - x0), 0.5))}" height="${num(height)}"/>`);
    }
    i = j + 1;
  }
  return rects.length ? el('g', { fill: SPECTRUM_DEFAULTS.maskFill }, rects) : '';
}
