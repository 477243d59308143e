/**
 * Principal-axis readout of a whole token sequence: the flattened sequence projected onto its P
 * leading principal axes (whitened), then a learned linear map to the output width.
 *   coords = (flatten(tokens) - center) @ axes     [B, T*D] -> [B, P]   (frozen, label-free)
 *   out    = proj(coords)                           [B, P] -> [B, E]     (learned)
 * `center` and `axes` are not trained: they are fitted on the training split's frozen tokens
 * (PCA, each axis scaled by 1/sqrt(its variance)) and set with `setAxes`, so the readout cannot
 * memorize objects through the 9,312 raw inputs of a tiny spectrum sequence; only the P
 * coordinates' use is learned. Until fitted, both are zero and the readout adds only proj's bias.
 * Why: pooling is a weighted mean over positions and cannot say where along a spectrum a line
 * sits, which is the redshift; a per-position linear readout can.
 *
 *   const readout = new PrincipalReadout(init, { tokens: 97, width: 96, axes: 20, dim: 64 });
 *   readout.setAxes(center, whitenedAxes); // Float32Array [97*96], [97*96 * 20]
 *   readout.forward(tokens);               // [B, 97, 96] -> [B, 64]
 */
import { Module, type ParamInit } from '../module.js';
import { tf } from '../tf.js';
import { Linear } from './linear.js';

export interface PrincipalReadoutConfig {
  /** Sequence length T and token width D the axes were fitted on. */
  tokens: number;
  width: number;
  /** Principal axes P. */
  axes: number;
  /** Output width E. */
  dim: number;
}

export class PrincipalReadout extends Module {
  readonly center: tf.Variable; // [T*D], frozen
  readonly axes: tf.Variable; // [T*D, P], frozen, whitened
  readonly proj: Linear; // P -> E

  constructor(
    init: ParamInit,
    readonly config: PrincipalReadoutConfig,
  ) {
    super();
    const { tokens, width, axes, dim } = config;
    for (const [name, v] of Object.entries({ tokens, width, axes, dim })) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`PrincipalReadout: ${name} must be a positive integer, got ${v}`);
    }
    this.center = this.param('center', init.zeros([tokens * width]), false);
    this.axes = this.param('axes', init.zeros([tokens * width, axes]), false);
    this.proj = this.child('proj', new Linear(init, axes, dim));
  }

  /** Sets the fitted axes: `center` [T*D] and `axes` [T*D * P] (row-major, already whitened). */
  setAxes(center: Float32Array, axes: Float32Array): void {
    const d = this.config.tokens * this.config.width;
    if (center.length !== d || axes.length !== d * this.config.axes) {
      throw new RangeError(`PrincipalReadout: expected ${d} centre values and ${d} x ${this.config.axes} axes, got ${center.length} and ${axes.length}`);
    }
    tf.tidy(() => {
      this.center.assign(tf.tensor1d(center));
      this.axes.assign(tf.tensor2d(axes, [d, this.config.axes]));
    });
  }

  /** False until `setAxes` (or loaded weights) gave it axes: an unfitted readout adds only proj's bias. */
  isFitted(): boolean {
    return tf.tidy(() => this.axes.abs().max().dataSync()[0]) > 0;
  }

  /** Whitened principal-axis coordinates, [B, T, D] -> [B, P]. */
  coordinates(sequence: tf.Tensor3D): tf.Tensor2D {
    return tf.tidy(() => {
      const [batch, tokens, width] = sequence.shape;
      if (tokens !== this.config.tokens || width !== this.config.width) {
        throw new RangeError(`PrincipalReadout: fitted on sequences of ${this.config.tokens} x ${this.config.width}, got ${tokens} x ${width}`);
      }
      const flat = sequence.reshape([batch, tokens * width]).sub(this.center); // [B, T*D]
      return tf.matMul(flat, this.axes as tf.Tensor2D) as tf.Tensor2D; // [B, P]
    });
  }

  forward(sequence: tf.Tensor3D): tf.Tensor2D {
    return tf.tidy(() => this.proj.forward(this.coordinates(sequence))); // [B, T, D] -> [B, E]
  }
}
