/**
 * Cross-attention pooling with Q learned queries (AstroCLIP's alignment head core, torch
 * nn.MultiheadAttention with kdim = vdim = the encoder width): each query attends over the
 * encoder's tokens and returns one vector per sample; the Q vectors are concatenated.
 * AstroCLIP uses one query (a learned weighted mean). Several queries (as in Set Transformer's
 * pooling by multihead attention, or CoCa's attentional pooler) can each watch a different part
 * of the sequence, so where a feature sits (a spectral line's wavelength, hence redshift) is not
 * averaged away.
 * Init: queries ~ N(0, 1) (torch.randn), projections trunc_normal(0.02), biases 0.
 *
 *   const pool = new CrossAttentionPool(init, { kvDim: 96, dim: 64, heads: 4 });
 *   pool.forward(tokens, keyMask); // [B, T, 96], [B, T] -> [B, 64]
 *   new CrossAttentionPool(init, { kvDim: 96, dim: 64, heads: 4, queries: 8 }).forward(tokens); // -> [B, 8 * 64]
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
  /** Learned queries; the output is their concatenation, Q * dim wide. Default 1. */
  queries?: number;
}

export class CrossAttentionPool extends Module {
  readonly query: tf.Variable; // [1, Q, E]
  readonly queries: number;
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
    this.queries = config.queries ?? 1;
    if (!Number.isInteger(this.queries) || this.queries < 1) throw new SkyclipError('BAD_INPUT', `pool queries must be a positive integer, got ${config.queries}`);
    this.query = this.param('query', init.normal([1, this.queries, dim], 1));
    this.q = this.child('q', new Linear(init, dim, dim));
    this.k = this.child('k', new Linear(init, kvDim, dim));
    this.v = this.child('v', new Linear(init, kvDim, dim));
    this.out = this.child('out', new Linear(init, dim, dim));
  }

  /** Width of the output: queries * dim. */
  get outDim(): number {
    return this.queries * this.config.dim;
  }

  private attend(x: tf.Tensor3D, keyMask?: tf.Tensor2D): { out: tf.Tensor2D; weights: tf.Tensor4D } {
    const [b] = x.shape;
    const { dim, heads } = this.config;
    const query = this.q.forward(this.query.broadcastTo([b, this.queries, dim]) as tf.Tensor3D); // [B, Q, E]
    const { out, weights } = scaledDotProductAttention(
      splitHeads(query, heads), // [B, H, Q, Dh]
      splitHeads(this.k.forward(x), heads), // [B, H, T, Dh]
      splitHeads(this.v.forward(x), heads), // [B, H, T, Dh]
      keyMask,
    );
    const pooled = this.out.forward(mergeHeads(out)); // [B, Q, E]
    return { out: pooled.reshape([b, this.outDim]) as tf.Tensor2D, weights }; // [B, Q*E], [B, H, Q, T]
  }

  forward(x: tf.Tensor3D, keyMask?: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.attend(x, keyMask).out); // [B, Q*E]
  }

  /** Attention of each query over the tokens, [B, H, Q, T]. */
  attentionWeights(x: tf.Tensor3D, keyMask?: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => this.attend(x, keyMask).weights); // [B, H, Q, T]
  }
}
