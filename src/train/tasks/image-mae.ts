/**
 * Masked-autoencoder pretraining of the image encoder: the ViT sees a random subset of
 * patches, the light decoder predicts the pixels of the hidden ones, and the loss is the
 * MSE over hidden patches only (per-patch normalized targets, as in MAE, so the model learns
 * structure rather than the sky level).
 */
import { MaeDecoder } from '../../nn/mae-decoder.js';
import type { ParamInit } from '../../nn/module.js';
import { patchify } from '../../nn/layers/patch-embed.js';
import { tf } from '../../nn/tf.js';
import type { VisionTransformer } from '../../nn/vit.js';
import { maskedMse } from '../losses.js';
import type { TrainTask } from '../loop.js';

export interface ImageMaeBatch {
  /** Stretched, cropped cutouts, [B, H, W, C]. */
  images: tf.Tensor4D;
  /** Indices of the visible patches per sample, [B, Nv] int32 (the rest are hidden). */
  visible: tf.Tensor2D;
}

export interface ImageMaeOptions {
  decoderDim?: number; // default: half the encoder width
  decoderDepth?: number; // default 1
  decoderHeads?: number; // default 4
  /** Normalize each target patch to zero mean and unit variance (MAE's default; default true). */
  normalizeTargets?: boolean;
}

export class ImageMaeTask implements TrainTask<ImageMaeBatch> {
  readonly decoder: MaeDecoder;
  private readonly normalizeTargets: boolean;

  constructor(
    readonly encoder: VisionTransformer,
    init: ParamInit,
    options: ImageMaeOptions = {},
  ) {
    const { patchSize, channels, dim } = encoder.config;
    this.decoder = new MaeDecoder(init, {
      numPatches: encoder.numPatches,
      encoderDim: dim,
      dim: options.decoderDim ?? Math.max(32, Math.round(dim / 2)),
      depth: options.decoderDepth ?? 1,
      heads: options.decoderHeads ?? 4,
      patchDim: patchSize * patchSize * channels,
    });
    this.normalizeTargets = options.normalizeTargets ?? true;
  }

  parameters() {
    return [
      ...this.encoder.namedParameters('image.'),
      ...this.decoder.namedParameters('image_decoder.'),
    ].filter(([, v]) => v.trainable);
  }

  /** Pixel targets for every patch, [B, N, P] (normalized per patch when configured). */
  targets(images: tf.Tensor4D): tf.Tensor3D {
    return tf.tidy(() => {
      const patches = patchify(images, this.encoder.config.patchSize); // [B, N, P]
      if (!this.normalizeTargets) return patches;
      const { mean, variance } = tf.moments(patches, 2, true); // [B, N, 1] each
      return patches.sub(mean).div(variance.add(1e-6).sqrt()) as tf.Tensor3D; // [B, N, P]
    });
  }

  /** Hidden-patch indicator [B, N] from the visible indices (1 = hidden). */
  hiddenMask(visible: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const [b, nv] = visible.shape;
      const n = this.encoder.numPatches;
      const seen = tf.oneHot(visible.toInt().reshape([b * nv]), n).reshape([b, nv, n]).sum(1); // [B, N]
      return tf.scalar(1).sub(seen.toFloat()) as tf.Tensor2D; // [B, N]
    });
  }

  /** Reconstructed pixels for every patch, [B, N, P]. */
  reconstruct(batch: ImageMaeBatch): tf.Tensor3D {
    return tf.tidy(() => {
      const { sequence } = this.encoder.forward(batch.images, { visible: batch.visible }); // [B, prefix+Nv, D]
      const prefix = this.encoder.numPrefixTokens;
      const [b, t, d] = sequence.shape;
      const patchTokens = sequence.slice([0, prefix, 0], [b, t - prefix, d]); // [B, Nv, D]
      return this.decoder.forward(patchTokens, batch.visible); // [B, N, P]
    });
  }

  loss(batch: ImageMaeBatch): tf.Scalar {
    return tf.tidy(() =>
      maskedMse(this.reconstruct(batch), this.targets(batch.images), this.hiddenMask(batch.visible)),
    );
  }

  /**
   * The predict-the-mean baseline on the same batch: the loss of predicting every hidden
   * target value by the batch mean of the targets (0 for normalized targets). Pretraining is
   * useful only if its validation loss sits well below this.
   */
  baselineLoss(batch: ImageMaeBatch): tf.Scalar {
    return tf.tidy(() => {
      const targets = this.targets(batch.images); // [B, N, P]
      const mean = targets.mean([0, 1], true); // [1, 1, P]
      return maskedMse(mean.broadcastTo(targets.shape) as tf.Tensor3D, targets, this.hiddenMask(batch.visible));
    });
  }

  dispose(): void {
    this.decoder.dispose();
  }
}
