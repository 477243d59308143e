/**
 * Cross-attention pooling with one learned query (AstroCLIP's alignment head core, torch
 * nn.MultiheadAttention with kdim = vdim = the encoder width): the query attends over the
 * encoder's tokens and returns one vector per sample.
 * Init: query ~ N(0, 1) (torch.randn), projections trunc_normal(0.02), biases 0.
 *
 *   const pool = new CrossAttentionPool(init, { kvDim: 96, dim: 64, heads: 4 });
 *   pool.forward(tokens, keyMask); // [B, T, 96], [B, T] -> [B, 64]
 */
import { Module, type ParamInit } from '../module.js';
import { tf } from '../tf.js';
import { mergeHeads, scaledDotProductAttention, splitHeads } from './attention.js';
import { Linear } from './linear.js';
import { SkyclipError } from '../../util/errors.js';

export interface CrossAttentionPoolConfig {
  /** Width of the tokens attended over. */
  kvDim: number;
  /** Width of the query and of the output. */
  dim: number;
  heads: number;
}

export class CrossAttentionPool extends Module {
  readonly query: tf.Variable; // [1, 1, E]
  readonly q: Linear;
  readonly k: Linear;
  readonly v: Linear;
  readonly out: Linear;

  constructor(
    init: ParamInit,
    readonly config: CrossAttentionPoolConfig,
  ) {
    super();
    const { kvDim, dim, heads } = config;
    if (dim % heads !== 0) throw new SkyclipError('BAD_INPUT', `pool width ${dim} is not divisible by ${heads} heads`);
    this.query = this.param('query', init.normal([1, 1, dim], 1));
    this.q = this.child('q', new Linear(init, dim, dim));
    this.k = this.child('k', new Linear(init, kvDim, dim));
    this.v = this.child('v', new Linear(init, kvDim, dim));
    this.out = this.child('out', new Linear(init, dim, dim));
  }

  private attend(x: tf.Tensor3D, keyMask?: tf.Tensor2D): { out: tf.Tensor2D; weights: tf.Tensor4D } {
    const [b] = x.shape;
    const { dim, heads } = this.config;
    const query = this.q.forward(this.query.broadcastTo([b, 1, dim]) as tf.Tensor3D); // [B, 1, E]
    const { out, weights } = scaledDotProductAttention(
      splitHeads(query, heads), // [B, H, 1, Dh]
      splitHeads(this.k.forward(x), heads), // [B, H, T, Dh]
      splitHeads(this.v.forward(x), heads), // [B, H, T, Dh]
      keyMask,
    );
    const pooled = this.out.forward(mergeHeads(out)); // [B, 1, E]
    return { out: pooled.reshape([b, dim]) as tf.Tensor2D, weights }; // [B, E], [B, H, 1, T]
  }

  forward(x: tf.Tensor3D, keyMask?: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.attend(x, keyMask).out); // [B, E]
  }

  /** Attention of the query over the tokens, [B, H, 1, T]. */
  attentionWeights(x: tf.Tensor3D, keyMask?: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => this.attend(x, keyMask).weights); // [B, H, 1, T]
  }
}
