/**
 * Alignment head (AstroCLIP's CrossAttentionHead): one learned query cross-attends over an
 * encoder's tokens, then LayerNorm and a residual MLP; output lives in the shared space.
 *   x = norm(pool(tokens));  x = x + mlp(x)
 * With Q > 1 queries the pool's Q outputs are concatenated and a linear layer merges them back
 * to the shared width first: x = norm(merge(pool(tokens))).
 *
 *   const head = new AlignmentHead(init, { kvDim: 96, dim: 64, heads: 4, mlpRatio: 4, eps: 1e-5 });
 *   head.forward(sequence); // [B, T, 96] -> [B, 64]  (not normalized; SkyClipModel normalizes)
 */
import { Module, type ParamInit } from './module.js';
import { tf } from './tf.js';
import { CrossAttentionPool } from './layers/cross-attention-pool.js';
import { LayerNorm } from './layers/layer-norm.js';
import { Linear } from './layers/linear.js';
import { Mlp } from './layers/mlp.js';

export interface AlignmentHeadConfig {
  /** Width of the encoder tokens. */
  kvDim: number;
  /** Width of the shared space. */
  dim: number;
  heads: number;
  mlpRatio: number;
  eps: number;
  /** Learned pooling queries. Default 1 (AstroCLIP). */
  queries?: number;
}

export class AlignmentHead extends Module {
  readonly pool: CrossAttentionPool;
  /** Q * dim -> dim; only when there are several queries (one query needs no merge). */
  readonly merge?: Linear;
  readonly norm: LayerNorm;
  readonly mlp: Mlp;

  constructor(
    init: ParamInit,
    readonly config: AlignmentHeadConfig,
  ) {
    super();
    const { kvDim, dim, heads, mlpRatio, eps, queries = 1 } = config;
    this.pool = this.child('pool', new CrossAttentionPool(init, { kvDim, dim, heads, queries }));
    if (queries > 1) this.merge = this.child('merge', new Linear(init, queries * dim, dim));
    this.norm = this.child('norm', new LayerNorm(init, dim, eps));
    this.mlp = this.child('mlp', new Mlp(init, dim, Math.round(dim * mlpRatio)));
  }

  forward(sequence: tf.Tensor3D, keyMask?: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const pooled = this.pool.forward(sequence, keyMask); // [B, Q*E]
      const x = this.norm.forward(this.merge ? this.merge.forward(pooled) : pooled); // [B, E]
      return x.add(this.mlp.forward(x)) as tf.Tensor2D; // [B, E]
    });
  }
}
