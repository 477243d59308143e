/**
 * One report per head and split: every metric the field asks for, computed on the objects
 * whose truth is present (missing labels are skipped, never scored as 0).
 */
import type { ClassificationPrediction, RegressionPrediction } from './head.js';
import { type CategoricalLabel, isMissingCategory, isMissingNumber, type NumericLabel } from './labels.js';
import {
  accuracy,
  chi2Uniform,
  type ClassAccuracy,
  DEFAULT_ECE_BINS,
  DEFAULT_PIT_BINS,
  expectedCalibrationError,
  intervalCoverage,
  ksUniform,
  logLoss,
  meanIntervalWidth,
  OUTLIER_THRESHOLD,
  perClassAccuracy,
  type PhotozMetrics,
  photozMetrics,
  type PitHistogram,
  pitHistogram,
  pitValues,
  r2Score,
} from './metrics.js';

export interface RegressionReport {
  /** Objects with a present truth. */
  count: number;
  r2: number;
  /** Per interval level: the share of truths inside (should equal the level) and the mean width. */
  intervals: { level: number; coverage: number; meanWidth: number }[];
  /** Only for heads that return predictive distributions. */
  pit?: { histogram: PitHistogram; ks: number; chi2: number };
  /** Only when asked for (redshift targets). */
  photoz?: PhotozMetrics;
}

export interface RegressionReportOptions {
  /** Add sigma_NMAD, outlier fraction and bias (for redshift). Default false. */
  photoz?: boolean;
  outlierThreshold?: number;
  pitBins?: number;
}

export function evaluateRegression(
  prediction: RegressionPrediction,
  truth: ArrayLike<NumericLabel>,
  options: RegressionReportOptions = {},
): RegressionReport {
  let count = 0;
  for (let i = 0; i < truth.length; i++) if (!isMissingNumber(truth[i])) count++;
  const report: RegressionReport = {
    count,
    r2: r2Score(truth, prediction.point),
    intervals: prediction.intervals.map((iv) => ({
      level: iv.level,
      coverage: intervalCoverage(truth, iv.lower, iv.upper),
      meanWidth: meanIntervalWidth(truth, iv.lower, iv.upper),
    })),
  };
  if (prediction.distributions) {
    const bins = options.pitBins ?? DEFAULT_PIT_BINS;
    const pit = pitValues(prediction.distributions, truth);
    report.pit = { histogram: pitHistogram(pit, bins), ks: ksUniform(pit), chi2: chi2Uniform(pit, bins) };
  }
  if (options.photoz) report.photoz = photozMetrics(truth, prediction.point, options.outlierThreshold ?? OUTLIER_THRESHOLD);
  return report;
}

export interface ClassificationReport {
  count: number;
  accuracy: number;
  /** Mean over true classes of their accuracy (balanced accuracy: rare classes count equally). */
  meanPerClassAccuracy: number;
  perClass: Record<string, ClassAccuracy>;
  ece: number;
  logLoss: number;
}

export function evaluateClassification(
  prediction: ClassificationPrediction,
  truth: ArrayLike<CategoricalLabel>,
  options: { eceBins?: number } = {},
): ClassificationReport {
  let count = 0;
  for (let i = 0; i < truth.length; i++) if (!isMissingCategory(truth[i])) count++;
  const perClass = perClassAccuracy(truth, prediction);
  const per = Object.values(perClass);
  return {
    count,
    accuracy: accuracy(truth, prediction),
    meanPerClassAccuracy: per.length > 0 ? per.reduce((s, c) => s + c.accuracy, 0) / per.length : Number.NaN,
    perClass,
    ece: expectedCalibrationError(truth, prediction, options.eceBins ?? DEFAULT_ECE_BINS),
    logLoss: logLoss(truth, prediction),
  };
}
