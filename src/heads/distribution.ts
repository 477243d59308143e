/**
 * Predictive distributions of one object's target: what a regression head returns besides its
 * point estimate. Every distribution answers cdf (for PIT) and quantile (for median and
 * intervals), and the two are inverse to each other, so an interval [Q(a), Q(1 - a)] contains y
 * exactly when a <= PIT(y) <= 1 - a.
 */
import { badInput } from '../util/errors.js';
import { normalCdf, normalPdf, normalQuantile } from './special.js';

export interface PredictiveDistribution {
  /** P(Y <= y). */
  cdf(y: number): number;
  /** Smallest y with cdf(y) >= q, q in [0, 1]. */
  quantile(q: number): number;
}

/** Central interval holding `level` of the mass: [Q((1 - level) / 2), Q((1 + level) / 2)]. */
export function centralInterval(dist: PredictiveDistribution, level: number): [number, number] {
  const a = (1 - level) / 2;
  return [dist.quantile(a), dist.quantile(1 - a)];
}

export class NormalDistribution implements PredictiveDistribution {
  constructor(
    readonly mean: number,
    readonly sd: number,
  ) {
    if (!(sd > 0)) throw badInput(`NormalDistribution: sd must be > 0, got ${sd}`);
  }

  cdf(y: number): number {
    return normalCdf((y - this.mean) / this.sd);
  }

  quantile(q: number): number {
    return this.mean + this.sd * normalQuantile(q);
  }
}

/**
 * A weighted sample of values (a k-NN neighbourhood), as a continuous distribution.
 *
 * Without a kernel (width 0): each sorted value v_i sits at plotting position
 * p_i = (sum of weights before i + w_i / 2) / W and the CDF interpolates linearly between these
 * points; below v_1 it is 0 and from v_m on it is 1 (half of each end value's weight is an atom).
 * For equal weights this gives the usual median (mean of the middle two for even m), and the
 * quantile function is the CDF's exact inverse.
 *
 * With a kernel width h > 0: a mixture of normals N(v_i, h^2) with weights w_i, which smooths the
 * neighbourhood so that a few neighbours do not give a stepped, overconfident distribution.
 */
export class WeightedSampleDistribution implements PredictiveDistribution {
  private readonly values: Float64Array;
  private readonly weights: Float64Array;
  private readonly positions: Float64Array;

  constructor(
    values: ArrayLike<number>,
    weights: ArrayLike<number>,
    readonly kernelWidth = 0,
  ) {
    const m = values.length;
    if (m < 1 || weights.length !== m) throw badInput('WeightedSampleDistribution: need m >= 1 values and m weights');
    if (!(kernelWidth >= 0)) throw badInput('WeightedSampleDistribution: kernel width must be >= 0');
    const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => values[a] - values[b] || a - b);
    this.values = Float64Array.from(order, (i) => values[i]);
    this.weights = Float64Array.from(order, (i) => weights[i]);
    let total = 0;
    for (const w of this.weights) {
      if (!(w >= 0) || !Number.isFinite(w)) throw badInput('WeightedSampleDistribution: weights must be finite and >= 0');
      total += w;
    }
    if (!(total > 0)) throw badInput('WeightedSampleDistribution: weights sum to 0');
    for (let i = 0; i < m; i++) this.weights[i] /= total;
    this.positions = new Float64Array(m);
    let cum = 0;
    for (let i = 0; i < m; i++) {
      this.positions[i] = cum + this.weights[i] / 2;
      cum += this.weights[i];
    }
  }

  cdf(y: number): number {
    return this.kernelWidth > 0 ? this.mixtureCdf(y) : this.sampleCdf(y);
  }

  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) throw badInput(`quantile: q must be in [0, 1], got ${q}`);
    return this.kernelWidth > 0 ? this.mixtureQuantile(q) : this.sampleQuantile(q);
  }

  private sampleCdf(y: number): number {
    const v = this.values;
    const m = v.length;
    if (y < v[0]) return 0;
    if (y >= v[m - 1]) return 1;
    // Last i with v[i] <= y (binary search); then interpolate towards i + 1.
    let lo = 0;
    let hi = m - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (v[mid] <= y) lo = mid;
      else hi = mid;
    }
    const span = v[lo + 1] - v[lo];
    const t = span > 0 ? (y - v[lo]) / span : 0;
    return this.positions[lo] + t * (this.positions[lo + 1] - this.positions[lo]);
  }

  private sampleQuantile(q: number): number {
    const p = this.positions;
    const v = this.values;
    const m = v.length;
    if (q <= p[0]) return v[0];
    if (q >= p[m - 1]) return v[m - 1];
    let lo = 0;
    let hi = m - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (p[mid] <= q) lo = mid;
      else hi = mid;
    }
    const span = p[lo + 1] - p[lo];
    const t = span > 0 ? (q - p[lo]) / span : 0;
    return v[lo] + t * (v[lo + 1] - v[lo]);
  }

  private mixtureCdf(y: number): number {
    let s = 0;
    for (let i = 0; i < this.values.length; i++) s += this.weights[i] * normalCdf((y - this.values[i]) / this.kernelWidth);
    return s;
  }

  private mixtureQuantile(q: number): number {
    const h = this.kernelWidth;
    if (q <= 0) return Number.NEGATIVE_INFINITY;
    if (q >= 1) return Number.POSITIVE_INFINITY;
    // The mixture quantile lies between the components' own q-quantiles.
    const z = normalQuantile(q) * h;
    let lo = this.values[0] + z;
    let hi = this.values[this.values.length - 1] + z;
    let x = this.sampleQuantile(q);
    if (!(x > lo && x < hi)) x = (lo + hi) / 2;
    // Newton steps kept inside the bracket, falling back to bisection.
    for (let iter = 0; iter < 100 && hi - lo > 1e-12 * (1 + Math.abs(x)); iter++) {
      const f = this.mixtureCdf(x) - q;
      if (f === 0) return x;
      if (f > 0) hi = x;
      else lo = x;
      let density = 0;
      for (let i = 0; i < this.values.length; i++) density += this.weights[i] * normalPdf((x - this.values[i]) / h);
      density /= h;
      const next = density > 0 ? x - f / density : Number.NaN;
      if (Math.abs(next - x) <= 1e-12 * (1 + Math.abs(x))) return next;
      x = next > lo && next < hi ? next : (lo + hi) / 2;
    }
    return x;
  }
}
