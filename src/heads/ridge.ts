/**
 * Linear probe for regression: ridge regression on standardized embeddings with a z-scored
 * target, solved in closed form (Cholesky of the d x d normal equations), the penalty chosen on
 * validation data over a log grid. Its predictive distribution is Normal(prediction, sigma) with
 * sigma the RMS residual on data the weights never saw; conformal.ts can recalibrate it.
 *
 * Objective, in standardized units: (1/n) ||y - X w||^2 + alpha ||w||^2, i.e.
 * (X^T X / n + alpha I) w = X^T y / n. Scaling by n keeps alpha meaningful across set sizes.
 *
 * ```ts
 * const head = RidgeRegressor.fit({ x: trainEmb, y: logmstar }, { x: valEmb, y: valLogmstar });
 * head.predict(testEmb).point;
 * ```
 */
import { badInput } from '../util/errors.js';
import { NormalDistribution } from './distribution.js';
import {
  DEFAULT_LEVELS,
  headJsonBase,
  type HeadJsonBase,
  predictionFromDistributions,
  type RegressionHead,
  type RegressionPrediction,
  validLevels,
} from './head.js';
import { labelledRegression, type LabelledRegression, type RegressionSet } from './labels.js';
import { normalEquations, solveRidge } from './linalg.js';
import { assertMatrix, type Matrix, selectRows } from './matrix.js';
import { holdoutSplit } from './holdout.js';
import { Standardizer, type StandardizerJson, TargetScaler, type TargetScalerJson } from './standardizer.js';

/** Per-sample penalties tried (standardized inputs, z-scored target). */
export const DEFAULT_ALPHA_GRID: readonly number[] = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100];
/** Share of the training set held out to choose alpha and estimate sigma when no val is given. */
export const DEFAULT_HOLDOUT_FRACTION = 0.2;

export interface RidgeConfig {
  /** Fixed penalty; default: chosen from alphaGrid by validation mean squared error. */
  alpha?: number;
  alphaGrid?: readonly number[];
  levels?: readonly number[];
  /** Without val: the share of train held out (default 0.2); the final fit uses all of train. */
  holdoutFraction?: number;
  /** Seed of that hold-out split (default 0). */
  seed?: number;
}

export interface RidgeSelection {
  chosen: number;
  /** 'val' or 'holdout' (a seeded part of train). */
  source: 'val' | 'holdout';
  candidates: { alpha: number; mse: number }[];
}

export interface RidgeJson extends HeadJsonBase {
  kind: 'ridge';
  alpha: number;
  /** Weights in standardized units. */
  weights: number[];
  standardizer: StandardizerJson;
  target: TargetScalerJson;
  /** Predictive standard deviation in target units. */
  sigma: number;
  levels: number[];
  selection?: RidgeSelection;
}

/** Normal equations of standardized data, solvable for any alpha. */
class RidgeProblem {
  readonly standardizer: Standardizer;
  readonly target: TargetScaler;
  private readonly gram: Float64Array;
  private readonly rhs: Float64Array;

  constructor(data: LabelledRegression) {
    this.standardizer = Standardizer.fit(data.x);
    this.target = TargetScaler.fit(data.y);
    const { gram, rhs } = normalEquations(this.standardizer.transform(data.x), this.target.forward(data.y));
    const n = data.y.length;
    for (let i = 0; i < gram.length; i++) gram[i] /= n;
    for (let i = 0; i < rhs.length; i++) rhs[i] /= n;
    this.gram = gram;
    this.rhs = rhs;
  }

  solve(alpha: number): Float64Array {
    return solveRidge(this.gram, this.rhs.length, this.rhs, alpha);
  }

  /** Predictions in target units. */
  predict(weights: Float64Array, x: Matrix): Float64Array {
    return linearPredict(this.standardizer, this.target, weights, x);
  }
}

function linearPredict(standardizer: Standardizer, target: TargetScaler, weights: Float64Array, x: Matrix): Float64Array {
  const xs = standardizer.transform(x);
  const d = xs.cols;
  const z = new Float64Array(xs.rows);
  for (let i = 0; i < xs.rows; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += xs.data[i * d + j] * weights[j];
    z[i] = s;
  }
  return target.inverse(z);
}

function mse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s / a.length;
}

export class RidgeRegressor implements RegressionHead {
  readonly task = 'regression' as const;
  readonly kind = 'ridge' as const;

  private constructor(
    readonly alpha: number,
    private readonly weights: Float64Array,
    private readonly standardizer: Standardizer,
    private readonly target: TargetScaler,
    readonly sigma: number,
    readonly levels: readonly number[],
    readonly selection?: RidgeSelection,
  ) {}

  static fit(train: RegressionSet, val?: RegressionSet, config: RidgeConfig = {}): RidgeRegressor {
    assertMatrix(train.x, undefined, 'RidgeRegressor train');
    const data = labelledRegression(train, 'RidgeRegressor train');
    const levels = validLevels(config.levels ?? DEFAULT_LEVELS);
    const grid = config.alpha !== undefined ? [config.alpha] : [...(config.alphaGrid ?? DEFAULT_ALPHA_GRID)];
    if (grid.length === 0 || grid.some((a) => !(a > 0))) throw badInput('RidgeRegressor: alphas must be > 0');

    // Weights come from `fitData`; alpha and sigma are judged on `judge`, which they never saw.
    let fitData = data;
    let judge: LabelledRegression;
    let source: RidgeSelection['source'];
    if (val !== undefined) {
      assertMatrix(val.x, train.x.cols, 'RidgeRegressor val');
      judge = labelledRegression(val, 'RidgeRegressor val');
      source = 'val';
    } else {
      if (data.y.length < 3) throw badInput('RidgeRegressor: need at least 3 labelled objects without a validation set');
      const split = holdoutSplit(data.y.length, config.holdoutFraction ?? DEFAULT_HOLDOUT_FRACTION, config.seed ?? 0);
      fitData = { x: selectRows(data.x, split.fit), y: Float64Array.from(split.fit, (i) => data.y[i]), rows: split.fit };
      judge = { x: selectRows(data.x, split.holdout), y: Float64Array.from(split.holdout, (i) => data.y[i]), rows: split.holdout };
      source = 'holdout';
    }
    if (judge.y.length === 0) throw badInput('RidgeRegressor: the validation set has no labels');
    if (fitData.y.length === 0) throw badInput('RidgeRegressor: no labelled training object');

    const problem = new RidgeProblem(fitData);
    const candidates = grid.map((alpha) => {
      const w = problem.solve(alpha);
      return { alpha, mse: mse(problem.predict(w, judge.x), judge.y), w };
    });
    let best = candidates[0];
    for (const c of candidates) if (c.mse < best.mse) best = c;
    const sigmaFloor = 1e-9 * problem.target.scale;
    const sigma = Math.max(Math.sqrt(best.mse), sigmaFloor);
    const selection: RidgeSelection = {
      chosen: best.alpha,
      source,
      candidates: candidates.map(({ alpha, mse: m }) => ({ alpha, mse: m })),
    };
    if (source === 'val') {
      return new RidgeRegressor(best.alpha, best.w, problem.standardizer, problem.target, sigma, levels, selection);
    }
    // The hold-out only chose alpha and measured sigma; the weights use every training label.
    const full = new RidgeProblem(data);
    return new RidgeRegressor(best.alpha, full.solve(best.alpha), full.standardizer, full.target, sigma, levels, selection);
  }

  /** Weights in the original embedding units and the intercept: y = x . coef + intercept. */
  coefficients(): { coef: Float64Array; intercept: number } {
    const d = this.weights.length;
    const coef = new Float64Array(d);
    let intercept = this.target.mean;
    for (let j = 0; j < d; j++) {
      coef[j] = (this.target.scale * this.weights[j]) / this.standardizer.scale[j];
      intercept -= coef[j] * this.standardizer.mean[j];
    }
    return { coef, intercept };
  }

  predict(x: Matrix): RegressionPrediction {
    assertMatrix(x, this.weights.length, 'RidgeRegressor query');
    const mean = linearPredict(this.standardizer, this.target, this.weights, x);
    return predictionFromDistributions(
      Array.from(mean, (m) => new NormalDistribution(m, this.sigma)),
      this.levels,
    );
  }

  toJSON(): RidgeJson {
    return {
      ...headJsonBase(this.kind),
      kind: this.kind,
      alpha: this.alpha,
      weights: Array.from(this.weights),
      standardizer: this.standardizer.toJSON(),
      target: this.target.toJSON(),
      sigma: this.sigma,
      levels: [...this.levels],
      ...(this.selection ? { selection: this.selection } : {}),
    };
  }

  static fromJSON(json: RidgeJson): RidgeRegressor {
    if (json.kind !== 'ridge') throw badInput(`RidgeRegressor.fromJSON: kind is ${json.kind}`);
    const standardizer = Standardizer.fromJSON(json.standardizer);
    if (standardizer.dim !== json.weights.length) throw badInput('RidgeRegressor.fromJSON: weights and standardizer differ in size');
    return new RidgeRegressor(
      json.alpha,
      Float64Array.from(json.weights),
      standardizer,
      TargetScaler.fromJSON(json.target),
      json.sigma,
      validLevels(json.levels),
      json.selection,
    );
  }
}
