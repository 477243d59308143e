/**
 * Linear probe for classification: multinomial logistic regression on standardized embeddings,
 * with an L2 penalty chosen on validation data (by log loss) over a log grid, trained full-batch
 * by L-BFGS from zero weights, so it is deterministic.
 *
 * Objective: mean cross-entropy + (l2 / 2) ||W||^2 (the bias is not penalized).
 *
 * ```ts
 * const head = SoftmaxClassifier.fit({ x: trainEmb, y: gzBar }, { x: valEmb, y: valGzBar });
 * head.predict(testEmb).probabilities;   // [n, K]
 * ```
 */
import { badInput } from '../util/errors.js';
import {
  type ClassificationHead,
  type ClassificationPrediction,
  classificationPrediction,
  headJsonBase,
  type HeadJsonBase,
  softmaxRows,
} from './head.js';
import { type ClassificationSet, type LabelledClassification, labelledClassification } from './labels.js';
import { type LbfgsOptions, minimizeLbfgs } from './lbfgs.js';
import { assertMatrix, type Matrix, selectRows } from './matrix.js';
import { holdoutSplit } from './holdout.js';
import { DEFAULT_HOLDOUT_FRACTION } from './ridge.js';
import { Standardizer, type StandardizerJson } from './standardizer.js';

export const DEFAULT_L2_GRID: readonly number[] = [1e-4, 1e-3, 1e-2, 1e-1, 1];

export interface SoftmaxConfig {
  /** Fixed penalty; default: chosen from l2Grid by validation log loss. */
  l2?: number;
  l2Grid?: readonly number[];
  /** Optimizer limits (defaults: 300 iterations, gradient tolerance 1e-5). */
  optimizer?: LbfgsOptions;
  /** Without val: the share of train held out to choose l2 (default 0.2); the final fit uses all of train. */
  holdoutFraction?: number;
  seed?: number;
}

export interface SoftmaxSelection {
  chosen: number;
  source: 'val' | 'holdout';
  candidates: { l2: number; logLoss: number; accuracy: number }[];
}

export interface SoftmaxJson extends HeadJsonBase {
  kind: 'softmax';
  classes: string[];
  l2: number;
  /** [d, K] row-major, in standardized units. */
  weights: number[];
  bias: number[];
  standardizer: StandardizerJson;
  selection?: SoftmaxSelection;
}

/** Logits [n, K] = X W + b for standardized X [n, d]; params = W (d x K, row-major) then b. */
function logitsOf(x: Matrix, params: Float64Array, k: number): Float64Array {
  const d = x.cols;
  const out = new Float64Array(x.rows * k);
  for (let i = 0; i < x.rows; i++) {
    const o = i * k;
    for (let c = 0; c < k; c++) out[o + c] = params[d * k + c];
    for (let j = 0; j < d; j++) {
      const v = x.data[i * d + j];
      if (v === 0) continue;
      const w = j * k;
      for (let c = 0; c < k; c++) out[o + c] += v * params[w + c];
    }
  }
  return out;
}

/**
 * Penalized mean cross-entropy and its gradient, for standardized x [n, d] and class indices y;
 * params = W ([d, K] row-major) then b ([K]). Exported for its gradient test.
 */
export function softmaxObjective(x: Matrix, y: Int32Array, k: number, l2: number): (params: Float64Array, grad: Float64Array) => number {
  const d = x.cols;
  const n = x.rows;
  return (params: Float64Array, grad: Float64Array): number => {
    const probs = softmaxRows(logitsOf(x, params, k), k);
    grad.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      loss -= Math.log(Math.max(probs[i * k + y[i]], 1e-300));
      probs[i * k + y[i]] -= 1; // now dLoss/dlogits
    }
    for (let i = 0; i < n; i++) {
      const o = i * k;
      for (let j = 0; j < d; j++) {
        const v = x.data[i * d + j];
        if (v === 0) continue;
        const w = j * k;
        for (let c = 0; c < k; c++) grad[w + c] += v * probs[o + c];
      }
      for (let c = 0; c < k; c++) grad[d * k + c] += probs[o + c];
    }
    let penalty = 0;
    for (let p = 0; p < grad.length; p++) grad[p] /= n;
    for (let p = 0; p < d * k; p++) {
      penalty += params[p] * params[p];
      grad[p] += l2 * params[p];
    }
    return loss / n + 0.5 * l2 * penalty;
  };
}

function meanLogLossAndAccuracy(probs: Float64Array, y: Int32Array, k: number): { logLoss: number; accuracy: number } {
  let loss = 0;
  let hits = 0;
  for (let i = 0; i < y.length; i++) {
    loss -= Math.log(Math.max(probs[i * k + y[i]], 1e-15));
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + best]) best = c;
    if (best === y[i]) hits++;
  }
  return { logLoss: loss / y.length, accuracy: hits / y.length };
}

export class SoftmaxClassifier implements ClassificationHead {
  readonly task = 'classification' as const;
  readonly kind = 'softmax' as const;

  private constructor(
    readonly classes: string[],
    readonly l2: number,
    private readonly params: Float64Array,
    private readonly standardizer: Standardizer,
    readonly selection?: SoftmaxSelection,
  ) {}

  static fit(train: ClassificationSet, val?: ClassificationSet, config: SoftmaxConfig = {}): SoftmaxClassifier {
    assertMatrix(train.x, undefined, 'SoftmaxClassifier train');
    const data = labelledClassification(train, { what: 'SoftmaxClassifier train' });
    const classes = data.classes;
    if (classes.length < 2) throw badInput('SoftmaxClassifier: need at least 2 classes in the training labels');
    const grid = config.l2 !== undefined ? [config.l2] : [...(config.l2Grid ?? DEFAULT_L2_GRID)];
    if (grid.length === 0 || grid.some((a) => !(a > 0))) throw badInput('SoftmaxClassifier: l2 values must be > 0');
    const optimizer: LbfgsOptions = { maxIterations: 300, gradientTolerance: 1e-5, ...config.optimizer };

    let fitData: LabelledClassification = data;
    let judge: LabelledClassification;
    let source: SoftmaxSelection['source'];
    if (val !== undefined) {
      assertMatrix(val.x, train.x.cols, 'SoftmaxClassifier val');
      judge = labelledClassification(val, { classes, unknown: 'skip', what: 'SoftmaxClassifier val' });
      source = 'val';
    } else {
      const split = holdoutSplit(data.y.length, config.holdoutFraction ?? DEFAULT_HOLDOUT_FRACTION, config.seed ?? 0);
      const part = (rows: Int32Array): LabelledClassification => ({
        x: selectRows(data.x, rows),
        y: Int32Array.from(rows, (i) => data.y[i]),
        classes,
        rows,
      });
      fitData = part(split.fit);
      judge = part(split.holdout);
      source = 'holdout';
    }
    if (judge.y.length === 0) throw badInput('SoftmaxClassifier: the validation set has no usable labels');

    const standardizer = Standardizer.fit(fitData.x);
    const xs = standardizer.transform(fitData.x);
    const xj = standardizer.transform(judge.x);
    const k = classes.length;
    // Strongest penalty first, each fit warm-started from the previous one (a smooth path).
    const order = [...grid].sort((a, b) => b - a);
    let start: Float64Array = new Float64Array((xs.cols + 1) * k);
    const fits = new Map<number, { params: Float64Array; logLoss: number; accuracy: number }>();
    for (const l2 of order) {
      const { x: params } = minimizeLbfgs(softmaxObjective(xs, fitData.y, k, l2), start, optimizer);
      fits.set(l2, { params, ...meanLogLossAndAccuracy(softmaxRows(logitsOf(xj, params, k), k), judge.y, k) });
      start = params;
    }
    const candidates = grid.map((l2) => {
      const f = fits.get(l2) as { logLoss: number; accuracy: number };
      return { l2, logLoss: f.logLoss, accuracy: f.accuracy };
    });
    let best = candidates[0];
    for (const c of candidates) if (c.logLoss < best.logLoss) best = c;
    const selection: SoftmaxSelection = { chosen: best.l2, source, candidates };
    if (source === 'val') {
      const params = (fits.get(best.l2) as { params: Float64Array }).params;
      return new SoftmaxClassifier(classes, best.l2, params, standardizer, selection);
    }
    const fullStandardizer = Standardizer.fit(data.x);
    const full = fullStandardizer.transform(data.x);
    const { x: params } = minimizeLbfgs(softmaxObjective(full, data.y, k, best.l2), new Float64Array((full.cols + 1) * k), optimizer);
    return new SoftmaxClassifier(classes, best.l2, params, fullStandardizer, selection);
  }

  /** Logits [n, K] (before softmax). */
  logits(x: Matrix): Float64Array {
    assertMatrix(x, this.standardizer.dim, 'SoftmaxClassifier query');
    return logitsOf(this.standardizer.transform(x), this.params, this.classes.length);
  }

  predict(x: Matrix): ClassificationPrediction {
    return classificationPrediction(this.classes, softmaxRows(this.logits(x), this.classes.length));
  }

  toJSON(): SoftmaxJson {
    const k = this.classes.length;
    const d = this.standardizer.dim;
    return {
      ...headJsonBase(this.kind),
      kind: this.kind,
      classes: [...this.classes],
      l2: this.l2,
      weights: Array.from(this.params.subarray(0, d * k)),
      bias: Array.from(this.params.subarray(d * k)),
      standardizer: this.standardizer.toJSON(),
      ...(this.selection ? { selection: this.selection } : {}),
    };
  }

  static fromJSON(json: SoftmaxJson): SoftmaxClassifier {
    if (json.kind !== 'softmax') throw badInput(`SoftmaxClassifier.fromJSON: kind is ${json.kind}`);
    const standardizer = Standardizer.fromJSON(json.standardizer);
    const k = json.classes.length;
    if (json.weights.length !== standardizer.dim * k || json.bias.length !== k) {
      throw badInput('SoftmaxClassifier.fromJSON: weight shapes do not match classes and dimension');
    }
    const params = new Float64Array((standardizer.dim + 1) * k);
    params.set(json.weights);
    params.set(json.bias, standardizer.dim * k);
    return new SoftmaxClassifier(json.classes, json.l2, params, standardizer, json.selection);
  }
}
