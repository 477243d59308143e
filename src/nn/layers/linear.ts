/**
 * Linear: y = x W + b over the last axis, any leading shape.
 * Weight layout [in, out] (tfjs convention; a PyTorch nn.Linear weight [out, in] is its transpose).
 * Init: W ~ trunc_normal(0.02), b = 0 (timm ViT).
 *
 *   const fc = new Linear(init, 64, 256);
 *   fc.forward(x); // [B, T, 64] -> [B, T, 256]
 */
import { Module, type ParamInit } from '../module.js';
import { dense } from '../ops.js';
import { tf } from '../tf.js';

export interface LinearOptions {
  /** Add a bias. Default true. */
  bias?: boolean;
  /** Std of the truncated-normal weight init. Default 0.02. */
  std?: number;
}

export class Linear extends Module {
  readonly weight: tf.Variable; // [in, out]
  readonly bias?: tf.Variable; // [out]

  constructor(
    init: ParamInit,
    readonly inDim: number,
    readonly outDim: number,
    options: LinearOptions = {},
  ) {
    super();
    this.weight = this.param('weight', init.truncNormal([inDim, outDim], options.std ?? 0.02));
    if (options.bias ?? true) this.bias = this.param('bias', init.zeros([outDim]));
  }

  forward<R extends tf.Rank>(x: tf.Tensor<R>): tf.Tensor<R> {
    return tf.tidy(() => {
      const lead = x.shape.slice(0, -1); // [...]
      const x2 = x.reshape([-1, this.inDim]) as tf.Tensor2D; // [M, in]
      const y = dense(x2, this.weight as tf.Tensor2D, this.bias as tf.Tensor1D | undefined); // [M, out]
      return y.reshape([...lead, this.outDim]) as tf.Tensor<R>; // [..., out]
    });
  }
}
