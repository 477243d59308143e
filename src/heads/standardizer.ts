/**
 * Standard scaling, fitted on training data only (AstroCLIP's protocol: embeddings standard-
 * scaled, targets z-scored). Fitting on anything else would leak the evaluation set's statistics
 * into the head.
 */
import { badInput } from '../util/errors.js';
import type { Matrix } from './matrix.js';

/** Columns with a spread below this are constant: they are centred but not divided by ~0. */
const MIN_SCALE = 1e-12;

export interface StandardizerJson {
  mean: number[];
  scale: number[];
}

/** Per-column (x - mean) / std of an embedding matrix. */
export class Standardizer {
  private constructor(
    readonly mean: Float64Array,
    readonly scale: Float64Array,
  ) {}

  static fit(x: Matrix): Standardizer {
    if (x.rows < 1) throw badInput('Standardizer.fit: no rows');
    const d = x.cols;
    const mean = new Float64Array(d);
    const scale = new Float64Array(d);
    for (let i = 0; i < x.rows; i++) for (let j = 0; j < d; j++) mean[j] += x.data[i * d + j];
    for (let j = 0; j < d; j++) mean[j] /= x.rows;
    for (let i = 0; i < x.rows; i++) {
      for (let j = 0; j < d; j++) scale[j] += (x.data[i * d + j] - mean[j]) ** 2;
    }
    // Population std (divide by n), as scikit-learn's StandardScaler.
    for (let j = 0; j < d; j++) {
      const s = Math.sqrt(scale[j] / x.rows);
      scale[j] = s > MIN_SCALE ? s : 1;
    }
    return new Standardizer(mean, scale);
  }

  get dim(): number {
    return this.mean.length;
  }

  transform(x: Matrix): Matrix {
    if (x.cols !== this.dim) throw badInput(`Standardizer: expected ${this.dim} columns, got ${x.cols}`);
    const d = this.dim;
    const out = new Float64Array(x.rows * d);
    for (let i = 0; i < x.rows; i++) {
      for (let j = 0; j < d; j++) out[i * d + j] = (x.data[i * d + j] - this.mean[j]) / this.scale[j];
    }
    return { data: out, rows: x.rows, cols: d };
  }

  toJSON(): StandardizerJson {
    return { mean: Array.from(this.mean), scale: Array.from(this.scale) };
  }

  static fromJSON(json: StandardizerJson): Standardizer {
    if (json.mean.length !== json.scale.length) throw badInput('Standardizer: mean and scale lengths differ');
    return new Standardizer(Float64Array.from(json.mean), Float64Array.from(json.scale));
  }
}

export interface TargetScalerJson {
  mean: number;
  scale: number;
}

/** z-scoring of one regression target: heads learn (y - mean) / scale and map back. */
export class TargetScaler {
  constructor(
    readonly mean: number,
    readonly scale: number,
  ) {}

  /** Fits on targets without missing values (see labels.ts). */
  static fit(y: ArrayLike<number>): TargetScaler {
    if (y.length < 1) throw badInput('TargetScaler.fit: no targets');
    let mean = 0;
    for (let i = 0; i < y.length; i++) mean += y[i];
    mean /= y.length;
    let v = 0;
    for (let i = 0; i < y.length; i++) v += (y[i] - mean) ** 2;
    const s = Math.sqrt(v / y.length);
    return new TargetScaler(mean, s > MIN_SCALE ? s : 1);
  }

  forward(y: ArrayLike<number>): Float64Array {
    return Float64Array.from(y, (v) => (v - this.mean) / this.scale);
  }

  inverse(z: ArrayLike<number>): Float64Array {
    return Float64Array.from(z, (v) => v * this.scale + this.mean);
  }

  toJSON(): TargetScalerJson {
    return { mean: this.mean, scale: this.scale };
  }

  static fromJSON(json: TargetScalerJson): TargetScaler {
    return new TargetScaler(json.mean, json.scale);
  }
}
