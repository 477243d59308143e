/**
 * Histogram binning for plots (PIT histograms, redshift distributions). Pure; kept apart from
 * drawing so callers can bin once and test or reuse the counts.
 */
import { badInput } from '../util/errors.js';
import { dataExtent } from './scale.js';

export interface Histogram {
  /** bins + 1 increasing bin edges. */
  edges: number[];
  /** Per bin: counts, or densities when `density` was asked for. */
  counts: number[];
  /** Finite values that fell outside the range (not counted in any bin). */
  outside: number;
  /** Non-finite values skipped. */
  skipped: number;
}

export interface HistogramOptions {
  /** Number of equal-width bins (default 20). */
  bins?: number;
  /** Binned interval [low, high]; default the extent of the finite values (a unit interval if they are all equal). */
  range?: readonly [number, number];
  /**
   * Divide counts by (number of binned values x bin width), so the bars integrate to 1 and
   * histograms of different sizes compare (a calibrated PIT histogram is flat at 1).
   * Default false.
   */
  density?: boolean;
}

/**
 * Counts values into equal-width bins [e_i, e_i+1); the last bin is closed so the range's
 * upper end is counted. Non-finite values are skipped, values outside the range counted in
 * `outside`.
 */
export function histogram(values: ArrayLike<number>, options: HistogramOptions = {}): Histogram {
  const bins = options.bins ?? 20;
  if (!(Number.isInteger(bins) && bins > 0)) throw badInput(`bins must be a positive integer, got ${bins}`);
  let [lo, hi] = options.range ?? dataExtent([values]) ?? [0, 1];
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi)) throw badInput(`histogram range [${lo}, ${hi}] is not an interval`);
  if (lo === hi) [lo, hi] = [lo - 0.5, hi + 0.5];
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  const counts = new Array<number>(bins).fill(0);
  let outside = 0;
  let skipped = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      skipped++;
      continue;
    }
    if (v < lo || v > hi) {
      outside++;
      continue;
    }
    counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  }
  if (options.density) {
    const total = counts.reduce((a, b) => a + b, 0);
    if (total > 0) for (let i = 0; i < bins; i++) counts[i] /= total * width;
  }
  return { edges, counts, outside, skipped };
}
