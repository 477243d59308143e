/**
 * Alignment head (AstroCLIP's CrossAttentionHead): one learned query cross-attends over an
 * encoder's tokens, then LayerNorm and a residual MLP; output lives in the shared space.
 *   x = norm(pool(tokens));  x = x + mlp(x)
 *
 *   const head = new AlignmentHead(init, { kvDim: 96, dim: 64, heads: 4, mlpRatio: 4, eps: 1e-5 });
 *   head.forward(sequence); // [B, T, 96] -> [B, 64]  (not normalized; SkyClipModel normalizes)
 */
import { Module, type ParamInit } from './module.js';
import { tf } from './tf.js';
import { CrossAttentionPool } from './layers/cross-attention-pool.js';
import { LayerNorm } from './layers/layer-norm.js';
import { Mlp } from './layers/mlp.js';

export interface AlignmentHeadConfig {
  /** Width of the encoder tokens. */
  kvDim: number;
  /** Width of the shared space. */
  dim: number;
  heads: number;
  mlpRatio: number;
  eps: number;
}

export class AlignmentHead extends Module {
  readonly pool: CrossAttentionPool;
  readonly norm: LayerNorm;
  readonly mlp: Mlp;

  constructor(
    init: ParamInit,
    readonly config: AlignmentHeadConfig,
  ) {
    super();
    const { kvDim, dim, heads, mlpRatio, eps } = config;
    this.pool = this.child('pool', new CrossAttentionPool(init, { kvDim, dim, heads }));
    this.norm = this.child('norm', new LayerNorm(init, dim, eps));
    this.mlp = this.child('mlp', new Mlp(init, dim, Math.round(dim * mlpRatio)));
  }

  forward(sequence: tf.Tensor3D, keyMask?: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const x = this.norm.forward(this.pool.forward(sequence, keyMask)); // [B, E]
      return x.add(this.mlp.forward(x)) as tf.Tensor2D; // [B, E]
    });
  }
}
