/**
 * Masked-modeling pretraining of the spectrum encoder, as AstroCLIP does it: tokenize the
 * standardized spectrum, zero contiguous chunks of tokens, and regress the original token
 * values at the hidden positions (MSE on masked positions only).
 */
import type { SpecFormer } from '../../nn/specformer.js';
import { tf } from '../../nn/tf.js';
import { maskedMse } from '../losses.js';
import type { TrainTask } from '../loop.js';

export interface SpectrumMmBatch {
  /** Spectra on the contract's grid, [B, L] (the tokenizer standardizes them). */
  spectra: tf.Tensor2D;
  /** 1 where a token is hidden, [B, T] (from chunkTokenMask). */
  mask: tf.Tensor2D;
}

export class SpectrumMmTask implements TrainTask<SpectrumMmBatch> {
  constructor(readonly encoder: SpecFormer) {}

  parameters() {
    return this.encoder.namedParameters('spectrum.').filter(([, v]) => v.trainable);
  }

  loss(batch: SpectrumMmBatch): tf.Scalar {
    return tf.tidy(() => {
      const tokens = this.encoder.tokenize(batch.spectra); // [B, T, F]
      const keep = tf.scalar(1).sub(batch.mask).expandDims(2); // [B, T, 1]
      const hidden = tokens.mul(keep) as tf.Tensor3D; // [B, T, F], masked tokens zeroed
      const { reconstruction } = this.encoder.forwardTokens(hidden, { reconstruct: true });
      return maskedMse(reconstruction!, tokens, batch.mask);
    });
  }

  /** Predict-the-mean baseline: every hidden token predicted by the batch's mean token. */
  baselineLoss(batch: SpectrumMmBatch): tf.Scalar {
    return tf.tidy(() => {
      const tokens = this.encoder.tokenize(batch.spectra); // [B, T, F]
      const mean = tokens.mean([0, 1], true); // [1, 1, F]
      return maskedMse(mean.broadcastTo(tokens.shape) as tf.Tensor3D, tokens, batch.mask);
    });
  }
}
