/**
 * Sersic profiles I(r) = I_e exp(-b_n [(r/R_e)^(1/n) - 1]), truncated smoothly far out the way SDSS
 * model magnitudes are (exponential between 3 and 4 R_e, de Vaucouleurs between 7 and 8 R_e;
 * Stoughton+02), so every profile has a finite extent and a well-defined total flux.
 */
import { gammaP, lnGamma } from './special.js';

/** b_n such that R_e encloses half the light (Ciotti & Bertin 1999 asymptotic series; < 1e-6 for n > 0.36). */
export function sersicB(n: number): number {
  return 2 * n - 1 / 3 + 4 / (405 * n) + 46 / (25515 * n * n) + 131 / (1148175 * n ** 3) - 2194697 / (30690717750 * n ** 4);
}

export interface Truncation {
  /** Taper starts (units of R_e). */
  inner: number;
  /** Profile is zero beyond (units of R_e). */
  outer: number;
}

/** SDSS-style truncation radii, interpolated linearly in n between the exponential and de Vaucouleurs cases. */
export function sersicTruncation(n: number): Truncation {
  const f = Math.min(1, Math.max(0, (n - 1) / 3));
  const inner = 3 + 4 * f;
  return { inner, outer: inner + 1 };
}

/** Smooth taper: 1 inside `inner`, (1 - t^2)^2 across the band, 0 beyond `outer` (x in R_e). */
export function taper(x: number, t: Truncation): number {
  if (x <= t.inner) return 1;
  if (x >= t.outer) return 0;
  const s = (x - t.inner) / (t.outer - t.inner);
  const a = 1 - s * s;
  return a * a;
}

/** Truncated profile at x = r / R_e with I_e = 1. */
export function sersicValue(x: number, n: number, b: number, t: Truncation): number {
  if (x >= t.outer) return 0;
  return Math.exp(-b * (Math.pow(x, 1 / n) - 1)) * taper(x, t);
}

/**
 * integral_0^inf I(x) x dx of the truncated profile (I_e = 1, R_e = 1), so that a profile with
 * axis ratio q has total flux 2 pi q R_e^2 I_e times this. Substituting x = u^n makes the integrand
 * n e^b u^(2n-1) e^(-b u) smooth even for large n; Simpson's rule on 400 intervals is exact to ~1e-9.
 */
export function sersicRadialIntegral(n: number): number {
  const b = sersicB(n);
  const t = sersicTruncation(n);
  const uMax = Math.pow(t.outer, 1 / n);
  const steps = 400;
  const h = uMax / steps;
  const f = (u: number) => (u === 0 ? (n === 0.5 ? 1 : 0) : Math.pow(u, 2 * n - 1) * Math.exp(-b * u) * taper(Math.pow(u, n), t));
  let sum = f(0) + f(uMax);
  for (let i = 1; i < steps; i++) sum += (i % 2 ? 4 : 2) * f(i * h);
  return n * Math.exp(b) * (sum * h) / 3;
}

/**
 * Fraction of the (untruncated) Sersic light inside x = r / R_e: P(2n, b x^(1/n)). Used by tests
 * and to check the truncated integral.
 */
export function sersicEnclosedFraction(n: number, x: number): number {
  return gammaP(2 * n, sersicB(n) * Math.pow(x, 1 / n));
}

/** integral_0^inf of the untruncated profile times x: n e^b Gamma(2n) / b^(2n). */
export function sersicRadialIntegralUntruncated(n: number): number {
  const b = sersicB(n);
  return n * Math.exp(b + lnGamma(2 * n) - 2 * n * Math.log(b));
}

/**
 * A Sersic profile (with its truncation) tabulated against ln(x^2), x = r / R_e, for fast rendering:
 * one Math.log and a linear interpolation per sample instead of pow + exp. 2048 nodes from x = 1e-4
 * to the truncation radius keep the interpolation error below 1e-4 (relative) for 0.5 <= n <= 6.
 * Also tabulates (b/n) x^(1/n - 1), the profile's logarithmic slope, used to choose sub-sampling.
 */
export class SersicTable {
  readonly n: number;
  readonly b: number;
  readonly truncation: Truncation;
  /** integral_0^inf I(x) x dx of the truncated profile (see sersicRadialIntegral). */
  readonly radialIntegral: number;
  /** Largest x^2 with non-zero light. */
  readonly outer2: number;
  private readonly values: Float64Array;
  private readonly slopes: Float64Array;
  private readonly y0: number;
  private readonly invStep: number;

  private static readonly NODES = 2048;
  private static readonly cache = new Map<number, SersicTable>();

  /** Shared table for index n (callers round n, e.g. to 0.01, so tables are reused). */
  static get(n: number): SersicTable {
    let t = SersicTable.cache.get(n);
    if (!t) {
      t = new SersicTable(n);
      if (SersicTable.cache.size > 4096) SersicTable.cache.clear();
      SersicTable.cache.set(n, t);
    }
    return t;
  }

  private constructor(n: number) {
    this.n = n;
    this.b = sersicB(n);
    this.truncation = sersicTruncation(n);
    this.radialIntegral = sersicRadialIntegral(n);
    this.outer2 = this.truncation.outer ** 2;
    const nodes = SersicTable.NODES;
    this.y0 = Math.log(1e-8);
    const y1 = Math.log(this.outer2);
    const step = (y1 - this.y0) / (nodes - 1);
    this.invStep = 1 / step;
    this.values = new Float64Array(nodes + 1);
    this.slopes = new Float64Array(nodes + 1);
    for (let i = 0; i < nodes; i++) {
      const x = Math.exp(0.5 * (this.y0 + i * step));
      this.values[i] = sersicValue(x, n, this.b, this.truncation);
      this.slopes[i] = (this.b / n) * Math.pow(x, 1 / n - 1);
    }
    this.values[nodes] = 0;
    this.slopes[nodes] = this.slopes[nodes - 1];
  }

  /** Profile value (I_e = 1) at x^2 = (r / R_e)^2. */
  value(x2: number): number {
    if (x2 >= this.outer2) return 0;
    let f = (Math.log(Math.max(x2, 1e-8)) - this.y0) * this.invStep;
    const i = Math.floor(f);
    f -= i;
    return this.values[i] + f * (this.values[i + 1] - this.values[i]);
  }

  /** (b/n) x^(1/n - 1) at x^2 (clamped inside x = 1e-4). */
  slope(x2: number): number {
    const f = (Math.log(Math.min(Math.max(x2, 1e-8), this.outer2)) - this.y0) * this.invStep;
    return this.slopes[Math.min(Math.floor(f), this.slopes.length - 1)];
  }
}
