/**
 * Few-shot heads: a small MLP (AstroCLIP: hidden [32] or [64, 64]) trained on frozen,
 * standardized embeddings from a handful of labelled examples. Regression learns the z-scored
 * target with a squared loss and answers Normal(prediction, sigma), sigma the RMS residual on
 * the validation set (on the training set without one, which understates it: calibrate with
 * conformal.ts). Classification learns softmax cross-entropy.
 *
 * ```ts
 * const head = MlpClassifier.fit({ x: tenPerClassEmb, y: labels }, undefined, { hidden: [32], seed: 7 });
 * head.predict(testEmb).predicted;
 * ```
 */
import { badInput } from '../util/errors.js';
import { NormalDistribution } from './distribution.js';
import {
  type ClassificationHead,
  type ClassificationPrediction,
  classificationPrediction,
  DEFAULT_LEVELS,
  headJsonBase,
  type HeadJsonBase,
  predictionFromDistributions,
  type RegressionHead,
  type RegressionPrediction,
  softmaxRows,
  validLevels,
} from './head.js';
import { type ClassificationSet, labelledClassification, labelledRegression, type RegressionSet } from './labels.js';
import { assertMatrix, type Matrix } from './matrix.js';
import { type BatchLoss, MlpNetwork, type MlpNetworkJson, type MlpTrainConfig, type MlpTrainReport, trainMlp } from './mlp-network.js';
import { Standardizer, type StandardizerJson, TargetScaler, type TargetScalerJson } from './standardizer.js';

/** AstroCLIP's smaller few-shot head: fewer weights for a handful of labels. */
export const DEFAULT_HIDDEN: readonly number[] = [32];

export interface MlpHeadConfig extends MlpTrainConfig {
  /** Hidden layer widths (default [32]; AstroCLIP also used [64, 64]). */
  hidden?: readonly number[];
}

export interface MlpRegressorConfig extends MlpHeadConfig {
  levels?: readonly number[];
}

export interface MlpRegressorJson extends HeadJsonBase {
  kind: 'mlp-regressor';
  network: MlpNetworkJson;
  standardizer: StandardizerJson;
  target: TargetScalerJson;
  sigma: number;
  /** 'val' or 'train': where sigma was measured. */
  sigmaSource: 'val' | 'train';
  levels: number[];
  training: MlpTrainReport;
}

export interface MlpClassifierJson extends HeadJsonBase {
  kind: 'mlp-classifier';
  network: MlpNetworkJson;
  standardizer: StandardizerJson;
  classes: string[];
  training: MlpTrainReport;
}

function sizes(d: number, hidden: readonly number[] | undefined, out: number): number[] {
  return [d, ...(hidden ?? DEFAULT_HIDDEN), out];
}

function squaredLoss(targets: Float64Array): BatchLoss {
  return (outputs, rows) => {
    const b = rows.length;
    const grad = new Float64Array(b);
    let loss = 0;
    for (let r = 0; r < b; r++) {
      const e = outputs[r] - targets[rows[r]];
      loss += e * e;
      grad[r] = (2 * e) / b;
    }
    return { loss: loss / b, grad };
  };
}

function crossEntropyLoss(labels: Int32Array, k: number): BatchLoss {
  return (outputs, rows) => {
    const b = rows.length;
    const grad = softmaxRows(outputs, k);
    let loss = 0;
    for (let r = 0; r < b; r++) {
      const y = labels[rows[r]];
      loss -= Math.log(Math.max(grad[r * k + y], 1e-300));
      grad[r * k + y] -= 1;
    }
    for (let p = 0; p < grad.length; p++) grad[p] /= b;
    return { loss: loss / b, grad };
  };
}

function rms(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s / a.length);
}

export class MlpRegressor implements RegressionHead {
  readonly task = 'regression' as const;
  readonly kind = 'mlp-regressor' as const;

  private constructor(
    private readonly network: MlpNetwork,
    private readonly standardizer: Standardizer,
    private readonly target: TargetScaler,
    readonly sigma: number,
    readonly sigmaSource: 'val' | 'train',
    readonly levels: readonly number[],
    readonly training: MlpTrainReport,
  ) {}

  static fit(train: RegressionSet, val?: RegressionSet, config: MlpRegressorConfig = {}): MlpRegressor {
    assertMatrix(train.x, undefined, 'MlpRegressor train');
    const data = labelledRegression(train, 'MlpRegressor train');
    if (data.y.length === 0) throw badInput('MlpRegressor: no labelled training object');
    const levels = validLevels(config.levels ?? DEFAULT_LEVELS);
    const standardizer = Standardizer.fit(data.x);
    const target = TargetScaler.fit(data.y);
    const xs = standardizer.transform(data.x);
    const network = MlpNetwork.init(sizes(xs.cols, config.hidden, 1), config.seed ?? 0);
    let judge: { x: Matrix; y: Float64Array } | undefined;
    if (val !== undefined) {
      assertMatrix(val.x, train.x.cols, 'MlpRegressor val');
      const v = labelledRegression(val, 'MlpRegressor val');
      if (v.y.length > 0) judge = { x: standardizer.transform(v.x), y: v.y };
    }
    const zJudge = judge ? target.forward(judge.y) : undefined;
    const valLoss = judge ? (net: MlpNetwork) => rms(net.forward(judge.x), zJudge as Float64Array) ** 2 : undefined;
    const training = trainMlp(network, xs, squaredLoss(target.forward(data.y)), config, valLoss);
    const on = judge ?? { x: xs, y: data.y };
    const residual = rms(target.inverse(network.forward(on.x)), on.y);
    const sigma = Math.max(residual, 1e-9 * target.scale);
    return new MlpRegressor(network, standardizer, target, sigma, judge ? 'val' : 'train', levels, training);
  }

  predict(x: Matrix): RegressionPrediction {
    assertMatrix(x, this.standardizer.dim, 'MlpRegressor query');
    const mean = this.target.inverse(this.network.forward(this.standardizer.transform(x)));
    return predictionFromDistributions(Array.from(mean, (m) => new NormalDistribution(m, this.sigma)), this.levels);
  }

  toJSON(): MlpRegressorJson {
    return {
      ...headJsonBase(this.kind),
      kind: this.kind,
      network: this.network.toJSON(),
      standardizer: this.standardizer.toJSON(),
      target: this.target.toJSON(),
      sigma: this.sigma,
      sigmaSource: this.sigmaSource,
      levels: [...this.levels],
      training: this.training,
    };
  }

  static fromJSON(json: MlpRegressorJson): MlpRegressor {
    if (json.kind !== 'mlp-regressor') throw badInput(`MlpRegressor.fromJSON: kind is ${json.kind}`);
    const network = MlpNetwork.fromJSON(json.network);
    const standardizer = Standardizer.fromJSON(json.standardizer);
    if (network.inputSize !== standardizer.dim || network.outputSize !== 1) throw badInput('MlpRegressor.fromJSON: shapes disagree');
    return new MlpRegressor(
      network,
      standardizer,
      TargetScaler.fromJSON(json.target),
      json.sigma,
      json.sigmaSource,
      validLevels(json.levels),
      json.training,
    );
  }
}

export class MlpClassifier implements ClassificationHead {
  readonly task = 'classification' as const;
  readonly kind = 'mlp-classifier' as const;

  private constructor(
    private readonly network: MlpNetwork,
    private readonly standardizer: Standardizer,
    readonly classes: string[],
    readonly training: MlpTrainReport,
  ) {}

  static fit(train: ClassificationSet, val?: ClassificationSet, config: MlpHeadConfig = {}): MlpClassifier {
    assertMatrix(train.x, undefined, 'MlpClassifier train');
    const data = labelledClassification(train, { what: 'MlpClassifier train' });
    const k = data.classes.length;
    if (k < 2) throw badInput('MlpClassifier: need at least 2 classes in the training labels');
    const standardizer = Standardizer.fit(data.x);
    const xs = standardizer.transform(data.x);
    const network = MlpNetwork.init(sizes(xs.cols, config.hidden, k), config.seed ?? 0);
    let valLoss: ((net: MlpNetwork) => number) | undefined;
    if (val !== undefined) {
      assertMatrix(val.x, train.x.cols, 'MlpClassifier val');
      const v = labelledClassification(val, { classes: data.classes, unknown: 'skip', what: 'MlpClassifier val' });
      if (v.y.length > 0) {
        const vx = standardizer.transform(v.x);
        const all = Int32Array.from(v.y, (_, i) => i);
        const ce = crossEntropyLoss(v.y, k);
        valLoss = (net) => ce(net.forward(vx), all).loss;
      }
    }
    const training = trainMlp(network, xs, crossEntropyLoss(data.y, k), config, valLoss);
    return new MlpClassifier(network, standardizer, data.classes, training);
  }

  predict(x: Matrix): ClassificationPrediction {
    assertMatrix(x, this.standardizer.dim, 'MlpClassifier query');
    return classificationPrediction(this.classes, softmaxRows(this.network.forward(this.standardizer.transform(x)), this.classes.length));
  }

  toJSON(): MlpClassifierJson {
    return {
      ...headJsonBase(this.kind),
      kind: this.kind,
      network: this.network.toJSON(),
      standardizer: this.standardizer.toJSON(),
      classes: [...this.classes],
      training: this.training,
    };
  }

  static fromJSON(json: MlpClassifierJson): MlpClassifier {
    if (json.kind !== 'mlp-classifier') throw badInput(`MlpClassifier.fromJSON: kind is ${json.kind}`);
    const network = MlpNetwork.fromJSON(json.network);
    const standardizer = Standardizer.fromJSON(json.standardizer);
    if (network.inputSize !== standardizer.dim || network.outputSize !== json.classes.length) {
      throw badInput('MlpClassifier.fromJSON: shapes disagree');
    }
    return new MlpClassifier(network, standardizer, json.classes, json.training);
  }
}
