/**
 * Learned absolute position embeddings, a table [L, D] (init trunc_normal(0.02)).
 * Positions at arbitrary indices are picked by a one-hot matMul rather than tf.gather, because
 * gather's gradient (UnsortedSegmentSum) does not exist on the wasm backend.
 *
 *   const pos = new PositionEmbedding(init, 64, 96);
 *   pos.first(64);   // [1, 64, 96]   (add to a full sequence)
 *   pos.at(visible); // [B, Nv] int32 -> [B, Nv, 96]
 */
import { badInput } from '../../util/errors.js';
import { Module, type ParamInit } from '../module.js';
import { dense } from '../ops.js';
import { tf } from '../tf.js';

export class PositionEmbedding extends Module {
  readonly table: tf.Variable; // [L, D]

  constructor(
    init: ParamInit,
    readonly maxLen: number,
    readonly dim: number,
  ) {
    super();
    this.table = this.param('weight', init.truncNormal([maxLen, dim], 0.02));
  }

  /** Embeddings of positions 0..t-1, broadcastable over the batch. */
  first(t: number): tf.Tensor3D {
    if (t > this.maxLen) throw badInput(`sequence of ${t} tokens exceeds the ${this.maxLen} learned positions`);
    return tf.tidy(() => this.table.slice([0, 0], [t, this.dim]).expandDims(0) as tf.Tensor3D); // [1, T, D]
  }

  /** Embeddings at per-sample positions [B, K] (int32) -> [B, K, D]; differentiable on every backend. */
  at(indices: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const [b, k] = indices.shape;
      const oneHot = tf.oneHot(indices.toInt().reshape([b * k]), this.maxLen).toFloat() as tf.Tensor2D; // [B*K, L]
      return dense(oneHot, this.table as tf.Tensor2D).reshape([b, k, this.dim]) as tf.Tensor3D; // [B, K, D]
    });
  }
}
