/**
 * The light MAE decoder (He et al. 2022): visible-patch tokens from the encoder are projected
 * to a narrow width, a shared learned mask token fills every hidden position, positions are
 * added for the whole grid, a few Transformer blocks run, and a linear layer predicts each
 * patch's pixels. Used only for pretraining; the encoder alone is kept for embeddings.
 *
 *   const decoder = new MaeDecoder(init, { numPatches: 64, encoderDim: 96, dim: 64, depth: 1, heads: 4, patchDim: 192 });
 *   decoder.forward(tokens, visible); // [B, Nv, 96], [B, Nv] int32 -> [B, 64, 192]
 */
import { Module, type ParamInit } from './module.js';
import { tf } from './tf.js';
import { LayerNorm } from './layers/layer-norm.js';
import { Linear } from './layers/linear.js';
import { PositionEmbedding } from './layers/position-embedding.js';
import { TransformerBlock } from './layers/transformer-block.js';

export interface MaeDecoderConfig {
  numPatches: number;
  encoderDim: number;
  /** Decoder width (MAE uses a narrower decoder than encoder). */
  dim: number;
  depth: number;
  heads: number;
  /** Values per patch to predict: patchSize * patchSize * channels. */
  patchDim: number;
}

export class MaeDecoder extends Module {
  readonly embed: Linear;
  readonly maskToken: tf.Variable; // [1, 1, Dd]
  readonly pos: PositionEmbedding; // [N, Dd]
  readonly blocks: TransformerBlock[];
  readonly norm: LayerNorm;
  readonly head: Linear;

  constructor(
    init: ParamInit,
    readonly config: MaeDecoderConfig,
  ) {
    super();
    const { numPatches, encoderDim, dim, depth, heads, patchDim } = config;
    this.embed = this.child('embed', new Linear(init, encoderDim, dim));
    this.maskToken = this.param('mask_token', init.truncNormal([1, 1, dim], 0.02));
    this.pos = this.child('pos', new PositionEmbedding(init, numPatches, dim));
    this.blocks = Array.from({ length: depth }, (_, i) =>
      this.child(`blocks.${i}`, new TransformerBlock(init, dim, { heads, mlpRatio: 4 })),
    );
    this.norm = this.child('norm', new LayerNorm(init, dim));
    this.head = this.child('head', new Linear(init, dim, patchDim));
  }

  /**
   * tokens: encoder outputs for the visible patches only (no cls token), [B, Nv, De];
   * visible: their patch indices, [B, Nv] int32. Returns predicted pixels for every patch.
   */
  forward(tokens: tf.Tensor3D, visible: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const [b, nv] = visible.shape;
      const { numPatches: n, dim } = this.config;
      const x = this.embed.forward(tokens); // [B, Nv, Dd]
      // Scatter by one-hot matMul: tf.scatterND / gather have no gradient on wasm.
      const place = tf.oneHot(visible.toInt().reshape([b * nv]), n).toFloat().reshape([b, nv, n]); // [B, Nv, N]
      const placed = tf.matMul(place, x, true, false); // [B, N, Dd]
      const hidden = tf.scalar(1).sub(place.sum(1)).expandDims(2); // [B, N, 1], 1 where masked
      let full = placed.add(hidden.mul(this.maskToken)) as tf.Tensor3D; // [B, N, Dd]
      full = full.add(this.pos.first(n)) as tf.Tensor3D; // [B, N, Dd]
      for (const block of this.blocks) full = block.forward(full); // [B, N, Dd]
      return this.head.forward(this.norm.forward(full)) as tf.Tensor3D; // [B, N, P]
    });
  }
}
