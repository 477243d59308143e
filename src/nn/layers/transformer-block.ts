/**
 * Pre-norm Transformer block (timm `Block`, nanoGPT `Block`): two residual lines,
 *   x = x + attn(norm1(x));  x = x + mlp(norm2(x)).
 *
 *   const block = new TransformerBlock(init, 64, { heads: 4 });
 *   block.forward(x, keyMask); // [B, T, 64] -> [B, T, 64]
 */
import { Module, type ParamInit } from '../module.js';
import { tf } from '../tf.js';
import { type Activation } from './activations.js';
import { MultiHeadSelfAttention } from './attention.js';
import { LayerNorm } from './layer-norm.js';
import { Mlp } from './mlp.js';

export interface BlockOptions {
  heads: number;
  /** Hidden width of the MLP as a multiple of the block width. Default 4. */
  mlpRatio?: number;
  /** Default true. */
  qkvBias?: boolean;
  /** LayerNorm epsilon. Default 1e-6. */
  eps?: number;
  /** MLP activation. Default exact GELU. */
  act?: Activation;
}

export class TransformerBlock extends Module {
  readonly norm1: LayerNorm;
  readonly attn: MultiHeadSelfAttention;
  readonly norm2: LayerNorm;
  readonly mlp: Mlp;

  constructor(init: ParamInit, dim: number, options: BlockOptions) {
    super();
    this.norm1 = this.child('norm1', new LayerNorm(init, dim, options.eps));
    this.attn = this.child('attn', new MultiHeadSelfAttention(init, dim, options.heads, { qkvBias: options.qkvBias }));
    this.norm2 = this.child('norm2', new LayerNorm(init, dim, options.eps));
    const hidden = Math.round(dim * (options.mlpRatio ?? 4));
    this.mlp = this.child('mlp', new Mlp(init, dim, hidden, { act: options.act }));
  }

  forward(x: tf.Tensor3D, keyMask?: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const h = x.add(this.attn.forward(this.norm1.forward(x), keyMask)) as tf.Tensor3D; // [B, T, D]
      return h.add(this.mlp.forward(this.norm2.forward(h))) as tf.Tensor3D; // [B, T, D]
    });
  }
}
