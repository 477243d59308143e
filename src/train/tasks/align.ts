/**
 * Contrastive alignment (CLIP / AstroCLIP): per modality a cross-attention pooling head maps
 * the encoder's token sequence into the shared space; the symmetric InfoNCE on L2-normalized
 * vectors pulls an object's image and spectrum together and pushes other objects apart.
 *
 * Two ways to train, as AstroCLIP and open_clip allow:
 * - frozen backbones (the affordable path on CPU): batches carry cached encoder token
 *   sequences and only the two heads learn (`AlignFrozenTask`);
 * - full fine-tuning: batches carry images and spectra and every weight learns (`AlignFullTask`).
 *
 * Optional, frozen path only: a retention term (`SpectrumRetention`). The InfoNCE keeps only
 * what the other modality can match, and images know redshift far less precisely than spectra,
 * so the spectrum side of the shared space loses the fine redshift its encoder holds (a whitened
 * label-free readout of the frozen token sequence predicts z with R^2 0.99; the aligned vector
 * 0.97). The term asks a linear decoder to recover, from the unit spectrum embedding, the
 * object's coordinates on the leading principal axes of its frozen token sequence (whitened,
 * precomputed, label-free): loss = InfoNCE + weight * mean squared error. The decoder is
 * trained with the heads and discarded; validation stays the InfoNCE alone.
 */
import { l2Normalize, type SkyClipModel } from '../../nn/skyclip-model.js';
import { tf } from '../../nn/tf.js';
import { Linear } from '../../nn/layers/linear.js';
import type { ParamInit } from '../../nn/module.js';
import { infoNce } from '../losses.js';
import type { TrainTask } from '../loop.js';

export interface CachedFeatureBatch {
  /** Frozen image-encoder outputs, [B, Ti, Di]. */
  imageTokens: tf.Tensor3D;
  /** Frozen spectrum-encoder outputs, [B, Ts, Ds]. */
  spectrumTokens: tf.Tensor3D;
  /** With a retention term: whitened principal-axis coordinates of those sequences, [B, P]. */
  spectrumTargets?: tf.Tensor2D;
}

/** The retention term's decoder (shared width -> P axes) and its weight in the loss. */
export class SpectrumRetention {
  readonly decoder: Linear;

  constructor(
    init: ParamInit,
    embedDim: number,
    readonly axes: number,
    readonly weight: number,
  ) {
    this.decoder = new Linear(init, embedDim, axes);
  }

  /** Mean squared error of the decoded unit embeddings against the targets. */
  loss(unitEmbeddings: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => this.decoder.forward(unitEmbeddings).sub(targets).square().mean() as tf.Scalar); // [B, P] -> []
  }
}

export interface PairBatch {
  /** Stretched, cropped cutouts, [B, S, S, C]. */
  images: tf.Tensor4D;
  /** Spectra on the contract's grid, [B, L]. */
  spectra: tf.Tensor2D;
}

export class AlignFrozenTask implements TrainTask<CachedFeatureBatch> {
  constructor(
    readonly model: SkyClipModel,
    readonly retention?: SpectrumRetention,
  ) {}

  parameters() {
    return [
      ...this.model.imageHead.namedParameters('imageHead.'),
      ...this.model.spectrumHead.namedParameters('spectrumHead.'),
      ...(this.retention ? this.retention.decoder.namedParameters('retention.decoder.') : []),
    ].filter(([, v]) => v.trainable);
  }

  private embed(batch: CachedFeatureBatch): { img: tf.Tensor2D; spec: tf.Tensor2D } {
    const img = l2Normalize(this.model.imageHead.forward(batch.imageTokens)); // [B, E]
    const spec = l2Normalize(this.model.spectrumHead.forward(batch.spectrumTokens)); // [B, E]
    return { img, spec };
  }

  loss(batch: CachedFeatureBatch): tf.Scalar {
    return tf.tidy(() => {
      const { img, spec } = this.embed(batch);
      const contrastive = infoNce(img, spec, this.model.logitScale);
      if (!this.retention) return contrastive;
      if (!batch.spectrumTargets) throw new RangeError('AlignFrozenTask: a retention term needs spectrumTargets in every batch');
      return contrastive.add(this.retention.loss(spec, batch.spectrumTargets).mul(this.retention.weight)) as tf.Scalar;
    });
  }

  /** Validation: the InfoNCE alone, comparable with runs without the retention term. */
  valLoss(batch: CachedFeatureBatch): tf.Scalar {
    return tf.tidy(() => {
      const { img, spec } = this.embed(batch);
      return infoNce(img, spec, this.model.logitScale);
    });
  }
}

export class AlignFullTask implements TrainTask<PairBatch> {
  constructor(readonly model: SkyClipModel) {}

  parameters() {
    return this.model.namedParameters().filter(([, v]) => v.trainable);
  }

  loss(batch: PairBatch): tf.Scalar {
    return tf.tidy(() =>
      infoNce(this.model.encodeImage(batch.images), this.model.encodeSpectrum(batch.spectra), this.model.logitScale),
    );
  }
}
