/**
 * One downstream target on one feature set, by the three methods AstroCLIP-style reports use:
 * - 'knn' (zero-shot): distance-weighted k-NN over the fit split (Euclidean on standardized
 *   features, see neighbours.ts); regression answers the neighbours' weighted distribution, with
 *   k chosen on the val split by PIT flatness; its intervals are that distribution's quantiles
 *   made split-conformal (CQR) on the calibration split, as the service's /v1/predict does (the
 *   PIT histogram and the uncalibrated coverage are of the k-NN's own distribution);
 *   classification votes, k by validation log loss.
 * - 'linear': ridge (alpha on val) or softmax (l2 on val) on the whole fit split; regression
 *   intervals are split-conformal (CQR) on the calibration split.
 * - 'fewshot': a small MLP on `fewShotLabels` labelled fit objects (a seeded draw; 20 % of them
 *   stop training early), conformal on the calibration split; for classes, the prototype head
 *   instead when a class has fewer than `fewShotMinPerClass` examples among the few. Which 100
 *   objects are drawn moves the score a lot, so it is repeated over `fewShotDraws` independent
 *   draws (seeds seed, seed + 1, ...): the summary's metrics are the means over the draws, their
 *   standard deviations are in `spread`, and the prediction (for plots) is the first draw's.
 * Each answers a summary with every metric (computed on the held-out objects whose label is
 * present) and the heads' chosen hyperparameters; a method that cannot run (a single class,
 * no labelled test object) is reported as skipped with the reason, never as a number.
 */
import {
  ConformalRegressor,
  evaluateClassification,
  evaluateRegression,
  intervalAt,
  intervalCoverage,
  KnnClassifier,
  KnnRegressor,
  labelledRegression,
  MlpClassifier,
  MlpRegressor,
  PrototypeClassifier,
  r2Score,
  RidgeRegressor,
  selectRows,
  SoftmaxClassifier,
  type CategoricalLabel,
  type ClassificationHead,
  type ClassificationPrediction,
  type Matrix,
  type NeighbourSearch,
  type NumericLabel,
  type RegressionHead,
  type RegressionPrediction,
} from '../heads/index.js';
import type { EvalSettings } from './config.js';
import type { FeatureParts } from './features.js';
import { euclideanSearch } from './neighbours.js';
import { shuffledLabelled } from './pool.js';

export type Method = 'knn' | 'linear' | 'fewshot';
export const METHODS: readonly Method[] = ['knn', 'linear', 'fewshot'];
export const METHOD_LABELS: Record<Method, string> = { knn: 'k-NN (zero-shot)', linear: 'linear probe', fewshot: 'few-shot' };

/** Labels of the four parts, aligned with FeatureParts. */
export interface PartLabels<L> {
  fit: L[];
  val: L[];
  cal: L[];
  test: L[];
}

export interface Skipped {
  method: Method;
  skipped: string;
}

export interface RegressionSummary {
  method: Method;
  /** Head kind, e.g. 'knn-regressor', 'ridge+conformal'. */
  head: string;
  /** Labelled objects the head was fitted on. */
  trainLabels: number;
  /** Held-out objects scored. */
  count: number;
  r2: number;
  /** Redshift only: R^2 over galaxies (class GALAXY; AstroCLIP's sample has no QSOs or stars). */
  r2Galaxies?: number;
  /** Photo-z metrics (redshift only). */
  sigmaNMAD?: number;
  outlierFraction?: number;
  bias?: number;
  /** Coverage and mean width of the 68 % and 95 % intervals. */
  coverage68: number;
  coverage95: number;
  width68: number;
  width95: number;
  /** How the intervals were made. */
  intervals: 'knn-quantiles' | 'conformal' | 'head';
  /** Coverage of the head's own intervals before conformal calibration (k-NN only). */
  uncalibrated?: { coverage68: number; coverage95: number };
  /** PIT histogram (10 bins, density) and KS distance, for heads with a predictive distribution. */
  pit?: { density: number[]; ks: number };
  hyper: Record<string, number | string>;
  /** Few-shot only: the metrics above are means over `draws` label draws; `sd` their standard deviations. */
  spread?: DrawSpread;
}

/** How much a few-shot metric moves with the draw of the few labels. */
export interface DrawSpread {
  draws: number;
  /** Sample standard deviation (n - 1) over the draws, per averaged metric. */
  sd: Record<string, number>;
}

export interface ClassificationSummary {
  method: Method;
  head: string;
  trainLabels: number;
  count: number;
  accuracy: number;
  /** Mean over true classes of their accuracy. */
  balancedAccuracy: number;
  classes: number;
  hyper: Record<string, number | string>;
  /** Few-shot only: accuracies are means over `draws` label draws. */
  spread?: DrawSpread;
}

export type RegressionOutcome = { summary: RegressionSummary; prediction: RegressionPrediction } | Skipped;
export type ClassificationOutcome = ClassificationSummary | Skipped;

export interface ProbeOptions {
  /** Seed of the first few-shot draw (draw d uses seed + d). */
  seed: number;
  /** A search over the whole (standardized) fit split, shared by the targets (see cachedSearch). */
  search?: NeighbourSearch;
}

export function isSkipped(x: unknown): x is Skipped {
  return typeof x === 'object' && x !== null && 'skipped' in x;
}

function count<L>(labels: L[], present: (l: L) => boolean): number {
  return labels.reduce((n, l) => n + (present(l) ? 1 : 0), 0);
}

const hasNumber = (v: NumericLabel) => v !== null && v !== undefined && !Number.isNaN(v);
const hasCategory = (v: CategoricalLabel) => v !== null && v !== undefined && v !== '';

/** Share of the fit split labelled above which the shared search over the whole fit split is used. */
const SHARED_SEARCH_MIN_LABELLED = 0.5;

/**
 * The k-NN reference of a target: the shared (cached) search over the whole fit split when most
 * rows are labelled (the head skips unlabelled neighbours), else a search over the labelled rows
 * only (a rarely asked Galaxy Zoo question). Both find the same k nearest labelled objects.
 */
function knnReference<L>(x: Matrix, y: L[], present: (l: L) => boolean, shared?: NeighbourSearch): { search: NeighbourSearch; y: L[] } {
  const labelled = count(y, present);
  if (shared && labelled >= SHARED_SEARCH_MIN_LABELLED * y.length) return { search: shared, y };
  const rows: number[] = [];
  y.forEach((l, i) => present(l) && rows.push(i));
  return { search: euclideanSearch(selectRows(x, rows)), y: rows.map((i) => y[i]) };
}

/**
 * The mean of each named metric over the draws' summaries (the first summary's other fields),
 * with the standard deviations alongside. NaN metrics stay NaN (a draw that could not score).
 */
export function meanOverDraws<S extends RegressionSummary | ClassificationSummary>(summaries: readonly S[], metrics: readonly (keyof S & string)[]): S {
  if (summaries.length === 0) throw new RangeError('meanOverDraws: no draws');
  const out = { ...summaries[0] };
  const sd: Record<string, number> = {};
  for (const key of metrics) {
    const values = summaries.map((s) => s[key]);
    if (values.some((v) => typeof v !== 'number')) continue;
    const xs = values as number[];
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    Object.assign(out, { [key]: mean });
    sd[key] = xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1)) : 0;
  }
  out.spread = { draws: summaries.length, sd };
  return out;
}

const REGRESSION_DRAW_METRICS = ['r2', 'r2Galaxies', 'sigmaNMAD', 'outlierFraction', 'bias', 'coverage68', 'coverage95', 'width68', 'width95'] as const;
const CLASSIFICATION_DRAW_METRICS = ['accuracy', 'balancedAccuracy'] as const;

/** Few-shot draw: `n` labelled fit rows (seeded), cut 80/20 into train and early-stopping val. */
function fewShotDraw<L>(x: Matrix, y: L[], present: (l: L) => boolean, n: number, seed: number) {
  const order = shuffledLabelled(y.map(present), seed);
  const chosen = order.subarray(0, Math.min(n, order.length));
  const nVal = chosen.length >= 10 ? Math.round(0.2 * chosen.length) : 0;
  const val = chosen.subarray(0, nVal);
  const train = chosen.subarray(nVal);
  const take = (rows: Int32Array) => ({ x: selectRows(x, rows), y: Array.from(rows, (i) => y[i]) });
  return { train: take(train), val: nVal > 0 ? take(val) : undefined, total: chosen.length };
}

function regressionSummary(
  method: Method,
  head: string,
  trainLabels: number,
  prediction: RegressionPrediction,
  truth: NumericLabel[],
  photoz: boolean,
  intervals: RegressionSummary['intervals'],
  hyper: Record<string, number | string>,
): RegressionSummary {
  const report = evaluateRegression(prediction, truth, { photoz });
  const at = (level: number) => report.intervals.find((iv) => Math.abs(iv.level - level) < 1e-9);
  const summary: RegressionSummary = {
    method,
    head,
    trainLabels,
    count: report.count,
    r2: report.r2,
    coverage68: at(0.68)?.coverage ?? Number.NaN,
    coverage95: at(0.95)?.coverage ?? Number.NaN,
    width68: at(0.68)?.meanWidth ?? Number.NaN,
    width95: at(0.95)?.meanWidth ?? Number.NaN,
    intervals,
    hyper,
  };
  if (report.photoz) {
    summary.sigmaNMAD = report.photoz.sigmaNMAD;
    summary.outlierFraction = report.photoz.outlierFraction;
    summary.bias = report.photoz.bias;
  }
  if (report.pit) summary.pit = { density: report.pit.histogram.density, ks: report.pit.ks };
  return summary;
}

/** Conformal calibration on the calibration split when it has labels; else none. */
function conformalFor(head: RegressionHead, x: Matrix, y: NumericLabel[]): ConformalRegressor | undefined {
  return count(y, hasNumber) === 0 ? undefined : ConformalRegressor.calibrate(head, { x, y });
}

/** Conformal calibration on the calibration split when it has labels; else the head as is. */
function calibrated(head: RegressionHead, x: Matrix, y: NumericLabel[]): { head: RegressionHead; conformal: boolean } {
  const conformal = conformalFor(head, x, y);
  return conformal ? { head: conformal, conformal: true } : { head, conformal: false };
}

/** Coverage of a prediction's own interval at `level` (NaN when it has none). */
function ownCoverage(prediction: RegressionPrediction, truth: NumericLabel[], level: number): number {
  const iv = intervalAt(prediction, level);
  return iv ? intervalCoverage(truth, iv.lower, iv.upper) : Number.NaN;
}

/** The three regression methods for one target. */
export function regressionProbes(
  parts: FeatureParts,
  labels: PartLabels<NumericLabel>,
  settings: EvalSettings,
  options: ProbeOptions & { photoz: boolean; galaxies?: readonly boolean[] },
): Record<Method, RegressionOutcome> {
  const testCount = count(labels.test, hasNumber);
  const fitCount = count(labels.fit, hasNumber);
  const skip = (why: string) => Object.fromEntries(METHODS.map((m) => [m, { method: m, skipped: why }])) as Record<Method, RegressionOutcome>;
  if (testCount === 0) return skip('no held-out object has this label');
  if (fitCount < 3) return skip(`only ${fitCount} labelled fit objects`);
  const val = count(labels.val, hasNumber) > 0 ? { x: parts.val, y: labels.val } : undefined;
  const out = {} as Record<Method, RegressionOutcome>;
  // R^2 over the galaxies among the held-out objects too, when the caller says which they are.
  const withGalaxies = (summary: RegressionSummary, prediction: RegressionPrediction): RegressionSummary => {
    const galaxies = options.galaxies;
    if (!galaxies) return summary;
    const rows = labels.test.flatMap((v, i) => (galaxies[i] && hasNumber(v) ? [i] : []));
    return { ...summary, r2Galaxies: r2Score(rows.map((i) => labels.test[i] as number), rows.map((i) => prediction.point[i])) };
  };

  const knn = KnnRegressor.fromSearch(knnReference(parts.fit, labels.fit, hasNumber, options.search), val, { kGrid: settings.kGrid });
  const knnOwn = knn.predict(parts.test);
  const knnConformal = conformalFor(knn, parts.cal, labels.cal);
  // Calibrated intervals; the k-NN's own distributions kept for the PIT (a statement about them).
  const knnPrediction: RegressionPrediction = knnConformal ? { ...knnConformal.adjust(knnOwn), distributions: knnOwn.distributions } : knnOwn;
  const knnSummary = regressionSummary('knn', knnConformal ? 'knn-regressor+conformal' : 'knn-regressor', fitCount, knnPrediction, labels.test, options.photoz, knnConformal ? 'conformal' : 'knn-quantiles', {
    k: knn.k,
    kChosenBy: knn.selection ? `PIT ${knn.selection.statistic} on val` : 'default',
  });
  if (knnConformal) knnSummary.uncalibrated = { coverage68: ownCoverage(knnOwn, labels.test, 0.68), coverage95: ownCoverage(knnOwn, labels.test, 0.95) };
  out.knn = { summary: withGalaxies(knnSummary, knnPrediction), prediction: knnPrediction };

  const ridge = RidgeRegressor.fit({ x: parts.fit, y: labels.fit }, val);
  const ridgeCal = calibrated(ridge, parts.cal, labels.cal);
  const ridgePrediction = ridgeCal.head.predict(parts.test);
  out.linear = {
    summary: withGalaxies(
      regressionSummary('linear', ridgeCal.conformal ? 'ridge+conformal' : 'ridge', fitCount, ridgePrediction, labels.test, options.photoz, ridgeCal.conformal ? 'conformal' : 'head', {
        alpha: ridge.alpha,
      }),
      ridgePrediction,
    ),
    prediction: ridgePrediction,
  };

  const draws: Array<{ summary: RegressionSummary; prediction: RegressionPrediction }> = [];
  for (let d = 0; d < settings.fewShotDraws; d++) {
    const few = fewShotDraw(parts.fit, labels.fit, hasNumber, settings.fewShotLabels, options.seed + d);
    if (few.train.y.length < 3) break;
    const mlp = MlpRegressor.fit(few.train, few.val, { hidden: settings.fewShotHidden, epochs: settings.mlpEpochs, seed: options.seed + d });
    const mlpCal = calibrated(mlp, parts.cal, labels.cal);
    const mlpPrediction = mlpCal.head.predict(parts.test);
    const summary = regressionSummary('fewshot', mlpCal.conformal ? 'mlp+conformal' : 'mlp', few.total, mlpPrediction, labels.test, options.photoz, mlpCal.conformal ? 'conformal' : 'head', {
      hidden: settings.fewShotHidden.join('x'),
      epochs: mlp.training.epochs,
      bestEpoch: mlp.training.bestEpoch,
    });
    draws.push({ summary: withGalaxies(summary, mlpPrediction), prediction: mlpPrediction });
  }
  out.fewshot =
    draws.length === 0
      ? { method: 'fewshot', skipped: `only ${count(labels.fit, hasNumber)} labelled objects for the few-shot draw` }
      : { summary: meanOverDraws(draws.map((d) => d.summary), REGRESSION_DRAW_METRICS), prediction: draws[0].prediction };
  return out;
}

function classificationSummary(method: Method, head: ClassificationHead, trainLabels: number, x: Matrix, truth: CategoricalLabel[], hyper: Record<string, number | string>): ClassificationSummary {
  const report = evaluateClassification(head.predict(x), truth);
  return {
    method,
    head: head.kind,
    trainLabels,
    count: report.count,
    accuracy: report.accuracy,
    balancedAccuracy: report.meanPerClassAccuracy,
    classes: head.classes.length,
    hyper,
  };
}

/**
 * A classifier's probabilities re-weighted by class priors (p(c | x) x prior_c, renormalized):
 * the Bayes correction for a head that assumes equal priors, such as prototypes. Priors are the
 * Laplace-smoothed class frequencies of the labels it was fitted on.
 */
export class PriorCorrected implements ClassificationHead {
  readonly task = 'classification' as const;
  readonly prior: Float64Array;

  constructor(
    readonly base: ClassificationHead,
    labels: readonly string[],
  ) {
    const counts = base.classes.map((c) => labels.filter((l) => l === c).length + 1);
    const total = counts.reduce((a, b) => a + b, 0);
    this.prior = Float64Array.from(counts, (c) => c / total);
  }

  get kind(): string {
    return `${this.base.kind}+prior`;
  }

  get classes(): readonly string[] {
    return this.base.classes;
  }

  predict(x: Matrix): ClassificationPrediction {
    const p = this.base.predict(x);
    const k = p.classes.length;
    const probabilities = new Float64Array(p.probabilities.length);
    const predictedIndex = new Int32Array(p.predictedIndex.length);
    for (let i = 0; i < predictedIndex.length; i++) {
      let sum = 0;
      for (let c = 0; c < k; c++) sum += (probabilities[i * k + c] = p.probabilities[i * k + c] * this.prior[c]);
      let best = 0;
      for (let c = 0; c < k; c++) {
        probabilities[i * k + c] /= sum;
        if (probabilities[i * k + c] > probabilities[i * k + best]) best = c;
      }
      predictedIndex[i] = best;
    }
    return { classes: p.classes, probabilities, predictedIndex, predicted: Array.from(predictedIndex, (c) => p.classes[c]) };
  }

  toJSON() {
    return { ...this.base.toJSON(), kind: this.kind, prior: Array.from(this.prior) };
  }
}

/** One few-shot classification draw: an MLP on the few labels, or prototypes when a class is too rare among them. */
function fewShotClassifier(parts: FeatureParts, labels: PartLabels<CategoricalLabel>, settings: EvalSettings, seed: number): ClassificationSummary {
  const few = fewShotDraw(parts.fit, labels.fit, hasCategory, settings.fewShotLabels, seed);
  const perClass = new Map<string, number>();
  for (const l of few.train.y) perClass.set(l as string, (perClass.get(l as string) ?? 0) + 1);
  const smallest = Math.min(...perClass.values());
  if (perClass.size < 2 || smallest < settings.fewShotMinPerClass) {
    // Too few examples of some class for an MLP: class prototypes, with the few labels' class
    // frequencies as the prior (a prototype alone assumes equal priors and over-calls rare classes).
    const proto = new PriorCorrected(PrototypeClassifier.fit(few.train), few.train.y as string[]);
    return classificationSummary('fewshot', proto, few.total, parts.test, labels.test, { classesSeen: perClass.size, smallestClass: smallest });
  }
  const mlp = MlpClassifier.fit(few.train, few.val, { hidden: settings.fewShotHidden, epochs: settings.mlpEpochs, seed });
  return classificationSummary('fewshot', mlp, few.total, parts.test, labels.test, {
    hidden: settings.fewShotHidden.join('x'),
    epochs: mlp.training.epochs,
    bestEpoch: mlp.training.bestEpoch,
  });
}

/** The three classification methods for one target. */
export function classificationProbes(parts: FeatureParts, labels: PartLabels<CategoricalLabel>, settings: EvalSettings, options: ProbeOptions): Record<Method, ClassificationOutcome> {
  const testCount = count(labels.test, hasCategory);
  const fitClasses = new Set(labels.fit.filter(hasCategory));
  const fitCount = count(labels.fit, hasCategory);
  const skip = (why: string) => Object.fromEntries(METHODS.map((m) => [m, { method: m, skipped: why }])) as Record<Method, ClassificationOutcome>;
  if (testCount === 0) return skip('no held-out object has this label');
  if (fitClasses.size < 2) return skip(`the fit split has ${fitClasses.size} class${fitClasses.size === 1 ? '' : 'es'}`);
  const val = count(labels.val, (l) => hasCategory(l) && fitClasses.has(l as string)) > 0 ? { x: parts.val, y: labels.val } : undefined;
  const out = {} as Record<Method, ClassificationOutcome>;

  const knn = KnnClassifier.fromSearch(knnReference(parts.fit, labels.fit, hasCategory, options.search), val, { kGrid: settings.kGrid });
  out.knn = classificationSummary('knn', knn, fitCount, parts.test, labels.test, { k: knn.k });

  const softmax = SoftmaxClassifier.fit({ x: parts.fit, y: labels.fit }, val, { l2Grid: settings.l2Grid });
  out.linear = classificationSummary('linear', softmax, fitCount, parts.test, labels.test, { l2: softmax.l2 });

  const draws: ClassificationSummary[] = [];
  for (let d = 0; d < settings.fewShotDraws; d++) draws.push(fewShotClassifier(parts, labels, settings, options.seed + d));
  out.fewshot = meanOverDraws(draws, CLASSIFICATION_DRAW_METRICS);
  return out;
}

/**
 * Redshift R^2 of k-NN and ridge trained on nested random subsets of the fit split's labels;
 * hyperparameters use only those N labels (k = min(curveK, N); ridge's alpha on its own 20 %
 * hold-out), so the curve shows what N labels buy.
 */
export function labelEfficiency(parts: FeatureParts, labels: PartLabels<NumericLabel>, sizes: readonly number[], settings: EvalSettings): { knn: number[]; linear: number[] } {
  const order = shuffledLabelled(labels.fit.map(hasNumber), settings.seed + 1);
  const knn: number[] = [];
  const linear: number[] = [];
  for (const n of sizes) {
    const rows = order.subarray(0, Math.min(n, order.length));
    const sub = { x: selectRows(parts.fit, rows), y: Array.from(rows, (i) => labels.fit[i]) };
    const data = labelledRegression(sub);
    const k = KnnRegressor.fromSearch({ search: euclideanSearch(data.x), y: data.y }, undefined, { k: Math.min(settings.curveK, rows.length) });
    knn.push(evaluateRegression(k.predict(parts.test), labels.test).r2);
    linear.push(rows.length >= 3 ? evaluateRegression(RidgeRegressor.fit(sub).predict(parts.test), labels.test).r2 : Number.NaN);
  }
  return { knn, linear };
}
