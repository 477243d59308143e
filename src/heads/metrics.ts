/**
 * The metrics the field reports for downstream heads (see docs: ANCHORS.md). Pure functions on
 * arrays. Throughout, a pair whose truth is missing (null / undefined / NaN) is skipped, never
 * counted as 0; a prediction must be finite where the truth is present.
 */
import { badInput } from '../util/errors.js';
import type { PredictiveDistribution } from './distribution.js';
import type { ClassificationPrediction } from './head.js';
import { type CategoricalLabel, isMissingCategory, isMissingNumber, type NumericLabel } from './labels.js';

/** AstroCLIP / photo-z convention: |dz| above this is an outlier. */
export const OUTLIER_THRESHOLD = 0.15;
/** Makes the MAD a consistent estimator of a Gaussian sigma: 1 / Phi^-1(3/4). */
export const NMAD_FACTOR = 1.4826;
/** PIT histogram bins (the common choice in photo-z papers). */
export const DEFAULT_PIT_BINS = 10;
/** Confidence bins of the expected calibration error (Guo et al. 2017). */
export const DEFAULT_ECE_BINS = 15;
/** Probabilities are clipped here in log loss, so one impossible-looking truth stays finite. */
const LOG_LOSS_EPS = 1e-15;

/** (truth, prediction) pairs with a present truth. */
function pairs(truth: ArrayLike<NumericLabel>, predicted: ArrayLike<number>, what: string): [Float64Array, Float64Array] {
  if (truth.length !== predicted.length) throw badInput(`${what}: ${truth.length} truths but ${predicted.length} predictions`);
  const t: number[] = [];
  const p: number[] = [];
  for (let i = 0; i < truth.length; i++) {
    const y = truth[i];
    if (isMissingNumber(y)) continue;
    if (!Number.isFinite(predicted[i])) throw badInput(`${what}: prediction ${i} is not finite`, { index: i });
    t.push(y);
    p.push(predicted[i]);
  }
  return [Float64Array.from(t), Float64Array.from(p)];
}

/** Median of values (mean of the middle two for an even count); NaN for none. */
export function median(values: ArrayLike<number>): number {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  if (n === 0) return Number.NaN;
  return n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/**
 * Coefficient of determination 1 - SS_res / SS_tot: 1 for perfect predictions, 0 for always
 * predicting the truth's mean, negative when worse. NaN when the truth is constant or absent.
 */
export function r2Score(truth: ArrayLike<NumericLabel>, predicted: ArrayLike<number>): number {
  const [t, p] = pairs(truth, predicted, 'r2Score');
  if (t.length === 0) return Number.NaN;
  let mean = 0;
  for (const v of t) mean += v;
  mean /= t.length;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < t.length; i++) {
    ssRes += (t[i] - p[i]) ** 2;
    ssTot += (t[i] - mean) ** 2;
  }
  return ssTot > 0 ? 1 - ssRes / ssTot : Number.NaN;
}

export interface PhotozMetrics {
  /** 1.4826 * median(|dz - median(dz)|). */
  sigmaNMAD: number;
  /** Share of objects with |dz| > threshold. */
  outlierFraction: number;
  /** median(dz). */
  bias: number;
  count: number;
}

/** Photometric-redshift metrics on dz = (z_pred - z_true) / (1 + z_true). */
export function photozMetrics(
  zTrue: ArrayLike<NumericLabel>,
  zPred: ArrayLike<number>,
  outlierThreshold = OUTLIER_THRESHOLD,
): PhotozMetrics {
  const [t, p] = pairs(zTrue, zPred, 'photozMetrics');
  const dz = Float64Array.from(t, (z, i) => (p[i] - z) / (1 + z));
  const bias = median(dz);
  const sigmaNMAD = NMAD_FACTOR * median(Float64Array.from(dz, (v) => Math.abs(v - bias)));
  let outliers = 0;
  for (const v of dz) if (Math.abs(v) > outlierThreshold) outliers++;
  return { sigmaNMAD, outlierFraction: dz.length > 0 ? outliers / dz.length : Number.NaN, bias, count: dz.length };
}

/** Share of present truths inside [lower, upper] (edges included). */
export function intervalCoverage(truth: ArrayLike<NumericLabel>, lower: ArrayLike<number>, upper: ArrayLike<number>): number {
  if (lower.length !== truth.length || upper.length !== truth.length) throw badInput('intervalCoverage: length mismatch');
  let inside = 0;
  let count = 0;
  for (let i = 0; i < truth.length; i++) {
    const y = truth[i];
    if (isMissingNumber(y)) continue;
    count++;
    if (y >= lower[i] && y <= upper[i]) inside++;
  }
  return count > 0 ? inside / count : Number.NaN;
}

/** Mean of upper - lower over rows with a present truth (the price paid for coverage). */
export function meanIntervalWidth(truth: ArrayLike<NumericLabel>, lower: ArrayLike<number>, upper: ArrayLike<number>): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < truth.length; i++) {
    if (isMissingNumber(truth[i])) continue;
    sum += upper[i] - lower[i];
    count++;
  }
  return count > 0 ? sum / count : Number.NaN;
}

/** PIT_i = F_i(y_i), each object's predictive CDF at its truth; NaN where the truth is missing. */
export function pitValues(distributions: readonly PredictiveDistribution[], truth: ArrayLike<NumericLabel>): Float64Array {
  if (distributions.length !== truth.length) throw badInput('pitValues: length mismatch');
  return Float64Array.from(distributions, (d, i) => {
    const y = truth[i];
    return isMissingNumber(y) ? Number.NaN : d.cdf(y);
  });
}

function presentPit(pit: ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < pit.length; i++) {
    const u = pit[i];
    if (Number.isNaN(u)) continue;
    if (!(u >= 0 && u <= 1)) throw badInput(`PIT value ${u} at ${i} is outside [0, 1]`);
    out.push(u);
  }
  return Float64Array.from(out);
}

export interface PitHistogram {
  /** Counts in `bins` equal bins over [0, 1] (a value of exactly 1 goes to the last bin). */
  counts: number[];
  /** counts / expected count: 1 everywhere for a calibrated head. */
  density: number[];
  count: number;
}

export function pitHistogram(pit: ArrayLike<number>, bins = DEFAULT_PIT_BINS): PitHistogram {
  const u = presentPit(pit);
  const counts = new Array<number>(bins).fill(0);
  for (const v of u) counts[Math.min(bins - 1, Math.floor(v * bins))]++;
  const expected = u.length / bins;
  return { counts, density: counts.map((c) => (expected > 0 ? c / expected : Number.NaN)), count: u.length };
}

/** Kolmogorov-Smirnov distance sup |F_n(u) - u| between the PIT sample and U(0, 1). */
export function ksUniform(pit: ArrayLike<number>): number {
  const u = presentPit(pit).sort();
  const n = u.length;
  if (n === 0) return Number.NaN;
  let d = 0;
  for (let i = 0; i < n; i++) d = Math.max(d, (i + 1) / n - u[i], u[i] - i / n);
  return d;
}

/** Pearson's chi^2 of the PIT histogram against a flat one (bins - 1 degrees of freedom). */
export function chi2Uniform(pit: ArrayLike<number>, bins = DEFAULT_PIT_BINS): number {
  const { counts, count } = pitHistogram(pit, bins);
  if (count === 0) return Number.NaN;
  const e = count / bins;
  return counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
}

export type FlatnessStatistic = 'ks' | 'chi2';

/** A PIT-flatness statistic: 0 is perfectly flat, larger is worse. */
export function pitFlatness(pit: ArrayLike<number>, statistic: FlatnessStatistic = 'ks', bins = DEFAULT_PIT_BINS): number {
  return statistic === 'ks' ? ksUniform(pit) : chi2Uniform(pit, bins);
}

/** Class index of each present truth label (-1 for a label the head does not know). */
function truthIndices(truth: ArrayLike<CategoricalLabel>, classes: readonly string[]): { rows: number[]; index: number[] } {
  const lookup = new Map(classes.map((c, i) => [c, i]));
  const rows: number[] = [];
  const index: number[] = [];
  for (let i = 0; i < truth.length; i++) {
    const y = truth[i];
    if (isMissingCategory(y)) continue;
    rows.push(i);
    index.push(lookup.get(y) ?? -1);
  }
  return { rows, index };
}

function checkLength(truth: ArrayLike<unknown>, prediction: ClassificationPrediction, what: string): void {
  if (truth.length !== prediction.predictedIndex.length) {
    throw badInput(`${what}: ${truth.length} truths but ${prediction.predictedIndex.length} predictions`);
  }
}

/** Share of present truths predicted exactly. A truth outside the head's classes is an error. */
export function accuracy(truth: ArrayLike<CategoricalLabel>, prediction: ClassificationPrediction): number {
  checkLength(truth, prediction, 'accuracy');
  const { rows, index } = truthIndices(truth, prediction.classes);
  let correct = 0;
  rows.forEach((r, j) => {
    if (prediction.predictedIndex[r] === index[j]) correct++;
  });
  return rows.length > 0 ? correct / rows.length : Number.NaN;
}

export interface ClassAccuracy {
  /** Objects whose truth is this class. */
  count: number;
  correct: number;
  /** correct / count (the class's recall). */
  accuracy: number;
}

/** Accuracy within each true class (classes with no present truth are left out). */
export function perClassAccuracy(
  truth: ArrayLike<CategoricalLabel>,
  prediction: ClassificationPrediction,
): Record<string, ClassAccuracy> {
  checkLength(truth, prediction, 'perClassAccuracy');
  const out: Record<string, ClassAccuracy> = {};
  for (let i = 0; i < truth.length; i++) {
    const y = truth[i];
    if (isMissingCategory(y)) continue;
    const entry = (out[y] ??= { count: 0, correct: 0, accuracy: 0 });
    entry.count++;
    if (prediction.predicted[i] === y) entry.correct++;
  }
  for (const entry of Object.values(out)) entry.accuracy = entry.correct / entry.count;
  return out;
}

/**
 * Expected calibration error: objects binned by confidence (their top probability) into equal
 * bins over [0, 1]; ECE = sum over bins of (bin share) * |bin accuracy - bin mean confidence|.
 */
export function expectedCalibrationError(
  truth: ArrayLike<CategoricalLabel>,
  prediction: ClassificationPrediction,
  bins = DEFAULT_ECE_BINS,
): number {
  checkLength(truth, prediction, 'expectedCalibrationError');
  const k = prediction.classes.length;
  const { rows, index } = truthIndices(truth, prediction.classes);
  if (rows.length === 0) return Number.NaN;
  const count = new Float64Array(bins);
  const conf = new Float64Array(bins);
  const hits = new Float64Array(bins);
  rows.forEach((r, j) => {
    const top = prediction.predictedIndex[r];
    const c = prediction.probabilities[r * k + top];
    const b = Math.min(bins - 1, Math.floor(c * bins));
    count[b]++;
    conf[b] += c;
    if (top === index[j]) hits[b]++;
  });
  let ece = 0;
  for (let b = 0; b < bins; b++) if (count[b] > 0) ece += Math.abs(hits[b] - conf[b]) / rows.length;
  return ece;
}

/** Mean negative log-probability of the true class (probabilities clipped at 1e-15). */
export function logLoss(truth: ArrayLike<CategoricalLabel>, prediction: ClassificationPrediction): number {
  checkLength(truth, prediction, 'logLoss');
  const k = prediction.classes.length;
  const { rows, index } = truthIndices(truth, prediction.classes);
  if (rows.length === 0) return Number.NaN;
  let sum = 0;
  rows.forEach((r, j) => {
    const p = index[j] >= 0 ? prediction.probabilities[r * k + index[j]] : 0;
    sum -= Math.log(Math.max(p, LOG_LOSS_EPS));
  });
  return sum / rows.length;
}
