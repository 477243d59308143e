/**
 * Prototype classifier for classes with very few examples (one to a few): each class is the
 * mean of its examples' unit-normalized embeddings, and an object belongs to the class whose
 * prototype is most cosine-similar. Nothing is fitted beyond the means, so it cannot overfit a
 * handful of labels the way an MLP can. Probabilities are softmax(logitScale x cosine); the
 * scale only sets their sharpness (temperature.ts calibrates it on held-out data).
 *
 * ```ts
 * const head = PrototypeClassifier.fit({ x: threeLensesAndTenOthers, y: ['lens', ...] });
 * head.predict(candidates).probabilities;
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

/** Cosine similarities span [-1, 1]; a scale of 10 turns a 0.1 gap into odds of e (~2.7 : 1). */
export const DEFAULT_LOGIT_SCALE = 10;

export interface PrototypeConfig {
  /** Multiplies cosine similarities before the softmax (default 10). */
  logitScale?: number;
}

export interface PrototypeJson extends HeadJsonBase {
  kind: 'prototype';
  classes: string[];
  /** [K, d] row-major, unit rows. */
  prototypes: number[];
  dim: number;
  logitScale: number;
  /** Examples per class. */
  counts: number[];
}

function normalize(v: Float64Array): void {
  let n = 0;
  for (const x of v) n += x * x;
  const s = n > 0 ? 1 / Math.sqrt(n) : 0;
  for (let i = 0; i < v.length; i++) v[i] *= s;
}

export class PrototypeClassifier implements ClassificationHead {
  readonly task = 'classification' as const;
  readonly kind = 'prototype' as const;

  private constructor(
    readonly classes: string[],
    /** [K, d], unit rows. */
    readonly prototypes: Float64Array,
    readonly dim: number,
    readonly logitScale: number,
    readonly counts: number[],
  ) {}

  /** `val` is not needed (there is nothing to tune) and is ignored. */
  static fit(train: ClassificationSet, _val?: ClassificationSet, config: PrototypeConfig = {}): PrototypeClassifier {
    assertMatrix(train.x, undefined, 'PrototypeClassifier train');
    const data = labelledClassification(train, { what: 'PrototypeClassifier train' });
    const k = data.classes.length;
    if (k === 0) throw badInput('PrototypeClassifier: no labelled example');
    const logitScale = config.logitScale ?? DEFAULT_LOGIT_SCALE;
    if (!(logitScale > 0)) throw badInput('PrototypeClassifier: logitScale must be > 0');
    const d = data.x.cols;
    const protos = new Float64Array(k * d);
    const counts = new Array<number>(k).fill(0);
    const unit = new Float64Array(d);
    for (let i = 0; i < data.y.length; i++) {
      for (let j = 0; j < d; j++) unit[j] = data.x.data[i * d + j];
      normalize(unit);
      const c = data.y[i];
      counts[c]++;
      for (let j = 0; j < d; j++) protos[c * d + j] += unit[j];
    }
    // The direction of the mean is all a cosine needs; unit length makes scores comparable.
    for (let c = 0; c < k; c++) normalize(protos.subarray(c * d, (c + 1) * d));
    return new PrototypeClassifier(data.classes, protos, d, logitScale, counts);
  }

  /** Cosine similarity of each row of x to each prototype, [n, K]. */
  similarities(x: Matrix): Float64Array {
    assertMatrix(x, this.dim, 'PrototypeClassifier query');
    const k = this.classes.length;
    const d = this.dim;
    const out = new Float64Array(x.rows * k);
    const unit = new Float64Array(d);
    for (let i = 0; i < x.rows; i++) {
      for (let j = 0; j < d; j++) unit[j] = x.data[i * d + j];
      normalize(unit);
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += unit[j] * this.prototypes[c * d + j];
        out[i * k + c] = s;
      }
    }
    return out;
  }

  predict(x: Matrix): ClassificationPrediction {
    const logits = this.similarities(x).map((s) => s * this.logitScale);
    return classificationPrediction(this.classes, softmaxRows(logits, this.classes.length));
  }

  toJSON(): PrototypeJson {
    return {
      ...headJsonBase(this.kind),
      kind: this.kind,
      classes: [...this.classes],
      prototypes: Array.from(this.prototypes),
      dim: this.dim,
      logitScale: this.logitScale,
      counts: [...this.counts],
    };
  }

  static fromJSON(json: PrototypeJson): PrototypeClassifier {
    if (json.kind !== 'prototype') throw badInput(`PrototypeClassifier.fromJSON: kind is ${json.kind}`);
    if (json.prototypes.length !== json.classes.length * json.dim) throw badInput('PrototypeClassifier.fromJSON: shape mismatch');
    return new PrototypeClassifier(json.classes, Float64Array.from(json.prototypes), json.dim, json.logitScale, json.counts);
  }
}
