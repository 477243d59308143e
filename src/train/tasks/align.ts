/**
 * Contrastive alignment (CLIP / AstroCLIP): per modality a cross-attention pooling head maps
 * the encoder's token sequence into the shared space; the symmetric InfoNCE on L2-normalized
 * vectors pulls an object's image and spectrum together and pushes other objects apart.
 *
 * Two ways to train, as AstroCLIP and open_clip allow:
 * - frozen backbones (the affordable path on CPU): batches carry cached encoder token
 *   sequences and only the two heads learn (`AlignFrozenTask`);
 * - full fine-tuning: batches carry images and spectra and every weight learns (`AlignFullTask`).
 */
import { l2Normalize, type SkyClipModel } from '../../nn/skyclip-model.js';
import { tf } from '../../nn/tf.js';
import { infoNce } from '../losses.js';
import type { TrainTask } from '../loop.js';

export interface CachedFeatureBatch {
  /** Frozen image-encoder outputs, [B, Ti, Di]. */
  imageTokens: tf.Tensor3D;
  /** Frozen spectrum-encoder outputs, [B, Ts, Ds]. */
  spectrumTokens: tf.Tensor3D;
}

export interface PairBatch {
  /** Stretched, cropped cutouts, [B, S, S, C]. */
  images: tf.Tensor4D;
  /** Spectra on the contract's grid, [B, L]. */
  spectra: tf.Tensor2D;
}

export class AlignFrozenTask implements TrainTask<CachedFeatureBatch> {
  constructor(readonly model: SkyClipModel) {}

  parameters() {
    return [
      ...this.model.imageHead.namedParameters('imageHead.'),
      ...this.model.spectrumHead.namedParameters('spectrumHead.'),
    ].filter(([, v]) => v.trainable);
  }

  loss(batch: CachedFeatureBatch): tf.Scalar {
    return tf.tidy(() => {
      const img = l2Normalize(this.model.imageHead.forward(batch.imageTokens)); // [B, E]
      const spec = l2Normalize(this.model.spectrumHead.forward(batch.spectrumTokens)); // [B, E]
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
