/**
 * MLP: Linear(dim -> hidden) -> activation -> Linear(hidden -> out). The feed-forward half of a
 * Transformer block, and the residual MLP of the alignment head.
 *
 *   const mlp = new Mlp(init, 64, 256);
 *   mlp.forward(x); // [B, T, 64] -> [B, T, 64]
 */
import { Module, type ParamInit } from '../module.js';
import { tf } from '../tf.js';
import { gelu, type Activation } from './activations.js';
import { Linear } from './linear.js';

export interface MlpOptions {
  /** Output width. Default: the input width. */
  outDim?: number;
  /** Default exact GELU. */
  act?: Activation;
}

export class Mlp extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;
  private readonly act: Activation;

  constructor(init: ParamInit, dim: number, hidden: number, options: MlpOptions = {}) {
    super();
    this.fc1 = this.child('fc1', new Linear(init, dim, hidden));
    this.fc2 = this.child('fc2', new Linear(init, hidden, options.outDim ?? dim));
    this.act = options.act ?? gelu;
  }

  forward<R extends tf.Rank>(x: tf.Tensor<R>): tf.Tensor<R> {
    return tf.tidy(() => {
      const h = this.act(this.fc1.forward(x)); // [..., hidden]
      return this.fc2.forward(h); // [..., out]
    });
  }
}
