/**
 * Alignment head (AstroCLIP's CrossAttentionHead): one learned query cross-attends over an
 * encoder's tokens, then LayerNorm and a residual MLP; output lives in the shared space.
 *   x = norm(pool(tokens));  x = x + mlp(x)
 * With Q > 1 queries the pool's Q outputs are concatenated and a linear layer merges them back
 * to the shared width first: x = norm(merge(pool(tokens))).
 * With a principal-axis readout (layers/principal-readout.ts) a learned map of the whole
 * sequence's P whitened principal-axis coordinates is added before the norm:
 * x = norm(pool(tokens) + readout(tokens)). Pooling is a weighted mean over positions, so it
 * cannot say where in the sequence a feature sits; on a spectrum that position is the redshift,
 * and those coordinates hold it (scripts/backbone-knn.ts --segments T --pca P).
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
import { PrincipalReadout } from './layers/principal-readout.js';

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
  /** A principal-axis readout of sequences of `tokens` tokens on `axes` axes; absent = none. */
  readout?: { tokens: number; axes: number };
}

export class AlignmentHead extends Module {
  readonly pool: CrossAttentionPool;
  /** Q * dim -> dim; only when there are several queries (one query needs no merge). */
  readonly merge?: Linear;
  /** [B, T, kvDim] -> [B, dim]; only with `readout`. */
  readonly readout?: PrincipalReadout;
  readonly norm: LayerNorm;
  readonly mlp: Mlp;

  constructor(
    init: ParamInit,
    readonly config: AlignmentHeadConfig,
  ) {
    super();
    const { kvDim, dim, heads, mlpRatio, eps, queries = 1, readout } = config;
    this.pool = this.child('pool', new CrossAttentionPool(init, { kvDim, dim, heads, queries }));
    if (queries > 1) this.merge = this.child('merge', new Linear(init, queries * dim, dim));
    if (readout) this.readout = this.child('readout', new PrincipalReadout(init, { tokens: readout.tokens, width: kvDim, axes: readout.axes, dim }));
    this.norm = this.child('norm', new LayerNorm(init, dim, eps));
    this.mlp = this.child('mlp', new Mlp(init, dim, Math.round(dim * mlpRatio)));
  }

  forward(sequence: tf.Tensor3D, keyMask?: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const pooled = this.pool.forward(sequence, keyMask); // [B, Q*E]
      let summary = this.merge ? this.merge.forward(pooled) : pooled; // [B, E]
      if (this.readout) summary = summary.add(this.readout.forward(sequence)); // [B, E]
      const x = this.norm.forward(summary as tf.Tensor2D); // [B, E]
      return x.add(this.mlp.forward(x)) as tf.Tensor2D; // [B, E]
    });
  }
}
