/**
 * LayerNorm over the last axis: (x - mean) / sqrt(var + eps) * gamma + beta, biased variance
 * (as torch.nn.LayerNorm). Composed from elementary ops, all with gradients on every backend.
 *
 *   const ln = new LayerNorm(init, 64);
 *   ln.forward(x); // [B, T, 64] -> [B, T, 64]
 */
import { Module, type ParamInit } from '../module.js';
import { tf } from '../tf.js';

export class LayerNorm extends Module {
  readonly gamma: tf.Variable; // [D]
  readonly beta: tf.Variable; // [D]

  constructor(
    init: ParamInit,
    readonly dim: number,
    /** Default 1e-6 (timm ViT); torch's own default is 1e-5. */
    readonly eps = 1e-6,
  ) {
    super();
    this.gamma = this.param('weight', init.ones([dim]));
    this.beta = this.param('bias', init.zeros([dim]));
  }

  forward<R extends tf.Rank>(x: tf.Tensor<R>): tf.Tensor<R> {
    return tf.tidy(() => {
      const mean = x.mean(-1, true); // [..., 1]
      const xc = x.sub(mean); // [..., D]
      const variance = xc.square().mean(-1, true); // [..., 1]
      const xn = xc.mul(variance.add(this.eps).rsqrt()); // [..., D]
      return xn.mul(this.gamma).add(this.beta) as tf.Tensor<R>; // [..., D]
    });
  }
}
