/**
 * Temperature scaling (Guo et al. 2017): calibrated probabilities p_c ∝ exp(log p_c / T), with
 * the one scalar T fitted by minimum log loss on a held-out calibration split. It leaves the
 * ranking of classes (so accuracy) unchanged and fixes over- (T > 1) or under-confidence
 * (T < 1), which is what deep and k-NN classifiers typically get wrong. Works on any head's
 * probabilities (for softmax heads log p equals the logits up to a per-row constant).
 *
 * ```ts
 * const head = TemperatureScaledClassifier.calibrate(MlpClassifier.fit(train, val), calibration);
 * head.calibrationReport;   // T, ECE and log loss before / after on the calibration split
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
import { type ClassificationSet, labelledClassification } from './labels.js';
import { assertMatrix, type Matrix } from './matrix.js';
import { expectedCalibrationError, logLoss } from './metrics.js';

/** Search range of T: beyond it, a head is too broken for one scalar to repair. */
const MIN_T = 0.02;
const MAX_T = 50;
/** log p is clipped here so that a probability of exactly 0 stays finite. */
const MIN_LOG_P = Math.log(1e-300);

export interface TemperatureReport {
  temperature: number;
  count: number;
  before: { ece: number; logLoss: number };
  after: { ece: number; logLoss: number };
}

export interface TemperatureJson extends HeadJsonBase {
  kind: 'temperature';
  temperature: number;
  report: TemperatureReport;
  base: HeadJsonBase;
}

/** Rescales probabilities [n, K] by temperature T. */
export function applyTemperature(probabilities: ArrayLike<number>, k: number, temperature: number): Float64Array {
  const logits = Float64Array.from(probabilities, (p) => Math.max(Math.log(p), MIN_LOG_P) / temperature);
  return softmaxRows(logits, k);
}

/**
 * T minimizing the mean log loss. The loss is convex in 1 / T, hence unimodal in log T, so a
 * golden-section search on log T over [0.02, 50] finds it deterministically.
 */
export function fitTemperature(probabilities: ArrayLike<number>, k: number, labels: Int32Array): number {
  const logp = Float64Array.from(probabilities, (p) => Math.max(Math.log(p), MIN_LOG_P));
  const n = labels.length;
  const loss = (logT: number): number => {
    const beta = Math.exp(-logT);
    let total = 0;
    for (let i = 0; i < n; i++) {
      let max = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < k; c++) max = Math.max(max, beta * logp[i * k + c]);
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp(beta * logp[i * k + c] - max);
      total += max + Math.log(sum) - beta * logp[i * k + labels[i]];
    }
    return total / n;
  };
  const g = (Math.sqrt(5) - 1) / 2;
  let a = Math.log(MIN_T);
  let b = Math.log(MAX_T);
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = loss(c);
  let fd = loss(d);
  while (b - a > 1e-6) {
    if (fc <= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = loss(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = loss(d);
    }
  }
  return Math.exp((a + b) / 2);
}

export class TemperatureScaledClassifier implements ClassificationHead {
  readonly task = 'classification' as const;
  readonly kind = 'temperature' as const;

  private constructor(
    readonly base: ClassificationHead,
    readonly temperature: number,
    readonly calibrationReport: TemperatureReport,
  ) {}

  get classes(): readonly string[] {
    return this.base.classes;
  }

  static calibrate(base: ClassificationHead, calib: ClassificationSet): TemperatureScaledClassifier {
    assertMatrix(calib.x, undefined, 'TemperatureScaledClassifier calibration set');
    const classes = [...base.classes];
    const data = labelledClassification(calib, { classes, unknown: 'skip', what: 'calibration set' });
    if (data.y.length === 0) throw badInput('TemperatureScaledClassifier: the calibration set has no usable labels');
    const before = base.predict(data.x);
    const k = classes.length;
    const temperature = fitTemperature(before.probabilities, k, data.y);
    const after = classificationPrediction(classes, applyTemperature(before.probabilities, k, temperature));
    const truth = Array.from(data.y, (c) => classes[c]);
    const report: TemperatureReport = {
      temperature,
      count: data.y.length,
      before: { ece: expectedCalibrationError(truth, before), logLoss: logLoss(truth, before) },
      after: { ece: expectedCalibrationError(truth, after), logLoss: logLoss(truth, after) },
    };
    return new TemperatureScaledClassifier(base, temperature, report);
  }

  predict(x: Matrix): ClassificationPrediction {
    const p = this.base.predict(x);
    return classificationPrediction(p.classes, applyTemperature(p.probabilities, p.classes.length, this.temperature));
  }

  toJSON(): TemperatureJson {
    return {
      ...headJsonBase(this.kind),
      kind: this.kind,
      temperature: this.temperature,
      report: this.calibrationReport,
      base: this.base.toJSON(),
    };
  }

  static fromJSON(json: TemperatureJson, base: ClassificationHead): TemperatureScaledClassifier {
    if (json.kind !== 'temperature') throw badInput(`TemperatureScaledClassifier.fromJSON: kind is ${json.kind}`);
    if (!(json.temperature > 0)) throw badInput('TemperatureScaledClassifier.fromJSON: temperature must be > 0');
    return new TemperatureScaledClassifier(base, json.temperature, json.report);
  }
}
