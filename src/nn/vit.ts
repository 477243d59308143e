/**
 * Image encoder: a ViT over the stretched, centre-cropped g,r,z cutout (channels last).
 *   patch embed (reshape + matMul) -> + learned positions -> [cls] -> pre-norm blocks -> LayerNorm
 *   -> pooled embedding (cls token or mean of patch tokens).
 * For masked-image pretraining (MAE), `forward(images, { visible })` embeds only the patches
 * whose indices are given per sample, with their own positions.
 *
 *   const vit = new VisionTransformer(new ParamInit(0), vitConfigFrom(presetConfig('tiny')));
 *   const { sequence, embedding } = vit.forward(images); // [B, 64, 64, 3] -> [B, 65, 96], [B, 96]
 *   vit.forward(images, { visible });                    // visible [B, 16] int32 -> [B, 17, 96], [B, 96]
 */
import type { ImageEncoderConfig, ModelConfig } from '../config/model-config.js';
import { Module, type ParamInit } from './module.js';
import { tf } from './tf.js';
import { activation } from './layers/activations.js';
import { LayerNorm } from './layers/layer-norm.js';
import { PatchEmbed } from './layers/patch-embed.js';
import { clsPool, meanPool } from './layers/pooling.js';
import { PositionEmbedding } from './layers/position-embedding.js';
import { TransformerBlock } from './layers/transformer-block.js';

export interface ViTConfig extends ImageEncoderConfig {
  /** Input side, pixels (the contract's crop). */
  imageSize: number;
  /** Input channels (the contract's bands). */
  channels: number;
}

export function vitConfigFrom(config: ModelConfig): ViTConfig {
  const img = config.preprocess.image;
  return { ...config.image, imageSize: img.cropSize, channels: img.stretch.bands.length };
}

/** What an encoder returns: the final-norm token sequence and the pooled embedding. */
export type EncoderOutput = {
  /** All tokens after the final LayerNorm, prefix tokens (cls) first: [B, T, D]. */
  sequence: tf.Tensor3D;
  /** Pooled embedding [B, D]. */
  embedding: tf.Tensor2D;
};

export interface ViTForwardOptions {
  /** Per-sample indices of the patches to keep, [B, Nv] int32 (row-major over the patch grid). */
  visible?: tf.Tensor2D;
}

export class VisionTransformer extends Module {
  readonly patchEmbed: PatchEmbed;
  readonly cls?: tf.Variable; // [1, 1, D]
  readonly pos: PositionEmbedding; // [N, D]
  readonly blocks: TransformerBlock[];
  readonly norm: LayerNorm;
  /** Tokens before the patch tokens in `sequence` (1 with a cls token, else 0). */
  readonly numPrefixTokens: number;

  constructor(
    init: ParamInit,
    readonly config: ViTConfig,
  ) {
    super();
    const { imageSize, patchSize, channels, dim, depth } = config;
    this.patchEmbed = this.child('patchEmbed', new PatchEmbed(init, { imageSize, patchSize, channels, dim }));
    if (config.pool === 'cls') this.cls = this.param('cls', init.truncNormal([1, 1, dim], 0.02));
    this.numPrefixTokens = this.cls ? 1 : 0;
    this.pos = this.child('pos', new PositionEmbedding(init, this.patchEmbed.numPatches, dim));
    const act = activation(config.act);
    this.blocks = Array.from({ length: depth }, (_, i) =>
      this.child(`blocks.${i}`, new TransformerBlock(init, dim, { heads: config.heads, mlpRatio: config.mlpRatio, qkvBias: config.qkvBias, eps: config.eps, act })),
    );
    this.norm = this.child('norm', new LayerNorm(init, dim, config.eps));
  }

  /** Patches per image. */
  get numPatches(): number {
    return this.patchEmbed.numPatches;
  }

  forward(images: tf.Tensor4D, options: ViTForwardOptions = {}): EncoderOutput {
    return tf.tidy(() => {
      const { visible } = options;
      const b = images.shape[0];
      const patches = this.patchEmbed.forward(images, visible); // [B, N|Nv, D]
      const pos = visible ? this.pos.at(visible) : this.pos.first(this.numPatches); // [B|1, N|Nv, D]
      let x = patches.add(pos) as tf.Tensor3D; // [B, N|Nv, D]
      if (this.cls) {
        const cls = this.cls.broadcastTo([b, 1, this.config.dim]); // [B, 1, D]
        x = tf.concat([cls, x], 1) as tf.Tensor3D; // [B, 1+N|Nv, D]
      }
      for (const block of this.blocks) x = block.forward(x); // [B, T, D]
      const sequence = this.norm.forward(x); // [B, T, D]
      const embedding = this.cls ? clsPool(sequence) : meanPool(sequence); // [B, D]
      return { sequence, embedding };
    });
  }
}
