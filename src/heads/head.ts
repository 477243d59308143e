/**
 * The common interface of every downstream head. A head is fitted by its class's static
 * `fit(train, val?, config?)` (val, when given, chooses hyperparameters and stops training
 * early), predicts for a matrix of embeddings, and serializes to JSON that `loadHead` reads back.
 *
 * Regression heads answer a point (the predictive median), central intervals at their levels
 * (default 68 % and 95 %) and, where they have one, a full predictive distribution per object
 * (for PIT). Classification heads answer class probabilities.
 */
import { badInput } from '../util/errors.js';
import type { PredictiveDistribution } from './distribution.js';
import { centralInterval } from './distribution.js';
import type { ClassificationSet, RegressionSet } from './labels.js';
import type { Matrix } from './matrix.js';

/** Interval levels reported unless a head's config says otherwise: 1 and 2 sigma. */
export const DEFAULT_LEVELS: readonly number[] = [0.68, 0.95];

export const HEAD_FORMAT = 'skyclip-head';
export const HEAD_FORMAT_VERSION = 1;

export interface PredictionInterval {
  /** Nominal probability that the interval holds the truth, e.g. 0.68. */
  level: number;
  lower: Float64Array;
  upper: Float64Array;
}

export interface RegressionPrediction {
  /** One value per object: the median of the predictive distribution. */
  point: Float64Array;
  intervals: PredictionInterval[];
  /** Per-object predictive distributions (absent when a head only knows intervals). */
  distributions?: PredictiveDistribution[];
}

export interface ClassificationPrediction {
  classes: string[];
  /** [n, K] row-major; each row sums to 1. */
  probabilities: Float64Array;
  /** Index of the most probable class per object (lowest index on ties). */
  predictedIndex: Int32Array;
  /** Its label. */
  predicted: string[];
}

/** Fields every serialized head carries. */
export interface HeadJsonBase {
  format: typeof HEAD_FORMAT;
  version: number;
  kind: string;
}

export interface RegressionHead {
  readonly task: 'regression';
  readonly kind: string;
  readonly levels: readonly number[];
  predict(x: Matrix): RegressionPrediction;
  toJSON(): HeadJsonBase;
}

export interface ClassificationHead {
  readonly task: 'classification';
  readonly kind: string;
  readonly classes: readonly string[];
  predict(x: Matrix): ClassificationPrediction;
  toJSON(): HeadJsonBase;
}

export type Head = RegressionHead | ClassificationHead;

/** The static side every regression head class offers. */
export interface RegressionHeadClass<Config> {
  fit(train: RegressionSet, val?: RegressionSet, config?: Config): RegressionHead;
}

export interface ClassificationHeadClass<Config> {
  fit(train: ClassificationSet, val?: ClassificationSet, config?: Config): ClassificationHead;
}

export function headJsonBase(kind: string): HeadJsonBase {
  return { format: HEAD_FORMAT, version: HEAD_FORMAT_VERSION, kind };
}

/** Point (median) and central intervals of per-object predictive distributions. */
export function predictionFromDistributions(
  distributions: PredictiveDistribution[],
  levels: readonly number[],
): RegressionPrediction {
  const n = distributions.length;
  const point = Float64Array.from(distributions, (d) => d.quantile(0.5));
  const intervals = levels.map((level) => {
    const lower = new Float64Array(n);
    const upper = new Float64Array(n);
    for (let i = 0; i < n; i++) [lower[i], upper[i]] = centralInterval(distributions[i], level);
    return { level, lower, upper };
  });
  return { point, intervals, distributions };
}

/** A prediction's interval at `level`, or undefined. */
export function intervalAt(prediction: RegressionPrediction, level: number): PredictionInterval | undefined {
  return prediction.intervals.find((iv) => Math.abs(iv.level - level) < 1e-12);
}

/** Argmax and labels for a row-major [n, K] probability matrix. */
export function classificationPrediction(classes: string[], probabilities: Float64Array): ClassificationPrediction {
  const k = classes.length;
  const n = k > 0 ? probabilities.length / k : 0;
  const predictedIndex = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probabilities[i * k + c] > probabilities[i * k + best]) best = c;
    predictedIndex[i] = best;
  }
  return { classes, probabilities, predictedIndex, predicted: Array.from(predictedIndex, (c) => classes[c]) };
}

/** Row-wise softmax of [n, K] logits into a new array (max-subtracted for stability). */
export function softmaxRows(logits: ArrayLike<number>, k: number): Float64Array {
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length / k; i++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < k; c++) max = Math.max(max, logits[i * k + c]);
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(logits[i * k + c] - max);
      out[i * k + c] = e;
      sum += e;
    }
    for (let c = 0; c < k; c++) out[i * k + c] /= sum;
  }
  return out;
}

/** Checks interval levels: each strictly between 0 and 1. */
export function validLevels(levels: readonly number[] | undefined): number[] {
  const out = [...(levels ?? DEFAULT_LEVELS)];
  for (const l of out) if (!(l > 0 && l < 1)) throw badInput(`interval level must be in (0, 1), got ${l}`);
  return out;
}
