/**
 * Training data for the loop (src/train/loop.ts TrainData): per-step batches that are a pure
 * function of (seed, step) — seeded shuffling per epoch (order.ts), per-sample augmentation and
 * mask generators derived from (seed, step, sample) — and fixed validation batches (no
 * augmentation, masks from (seed, item)). Every call returns new tensors; the loop disposes them.
 *
 *   const data = imageMaeData(train, val, { batchSize: 32, seed: 1, augment: DEFAULT_AUGMENT,
 *     numPatches: 64, maskRatio: 0.75 });
 *   const batch = data.trainBatch(0); // { images: [32, 64, 64, 3], visible: [32, 16] int32 }
 *
 * Masks follow AstroCLIP: MAE-style random patch subsets for images (75 % hidden by default)
 * and contiguous token chunks for spectra (`defaultChunkMask`: 6 runs of 50/777 of the
 * windows, ~39 % at most, as AstroCLIP's 6 x 50 of 778).
 */
import { tf } from '../nn/tf.js';
import { chunkTokenMask, randomPatchMask, type ChunkMaskConfig } from '../preprocess/masking.js';
import type { TrainData } from '../train/loop.js';
import type { ImageMaeBatch } from '../train/tasks/image-mae.js';
import type { PairBatch } from '../train/tasks/align.js';
import type { SpectrumMmBatch } from '../train/tasks/spectrum-mm.js';
import type { AugmentConfig } from './augment.js';
import type { SampleAugment, SurveyDataset } from './dataset.js';
import { EpochOrder, PURPOSE, sampleRng } from './order.js';

export interface BatchOptions {
  batchSize: number;
  /** Seed of the data order, augmentations and masks. */
  seed: number;
  /** Augmentations of training samples (NO_AUGMENT for none). */
  augment: AugmentConfig;
}

/** Step index used for validation samples' generators (never a training step). */
const VAL_STEP = -1;

/** AstroCLIP's 6 chunks of 50 tokens out of 777 windows, scaled to `numTokens` (1 statistics token + windows). */
export function defaultChunkMask(numTokens: number): ChunkMaskConfig {
  const windows = numTokens - 1;
  return { chunks: 6, chunkLength: Math.max(1, Math.min(windows, Math.round((50 * windows) / 777))), skipLeading: 1 };
}

function augmenter(options: BatchOptions, step: number, purpose: number = PURPOSE.augment): (j: number) => SampleAugment {
  return (j) => ({ config: options.augment, rng: sampleRng(options.seed, step, j, purpose) });
}

/** Validation items split into batches (the last one may be smaller). */
function chunks(n: number, size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < n; i += size) out.push(Array.from({ length: Math.min(size, n - i) }, (_, k) => i + k));
  return out;
}

/** Random patch subsets [B, Nv] for the given generators. */
function visibleTensor(count: number, numPatches: number, maskRatio: number, rngOf: (j: number) => () => number): tf.Tensor2D {
  const nv = numPatches - Math.round(maskRatio * numPatches);
  const values = new Int32Array(count * nv);
  for (let j = 0; j < count; j++) values.set(randomPatchMask(numPatches, maskRatio, rngOf(j)).visible, j * nv);
  return tf.tensor2d(values, [count, nv], 'int32'); // [B, Nv]
}

function chunkMaskTensor(count: number, numTokens: number, mask: ChunkMaskConfig, rngOf: (j: number) => () => number): tf.Tensor2D {
  const values = new Float32Array(count * numTokens);
  for (let j = 0; j < count; j++) values.set(chunkTokenMask(numTokens, mask, rngOf(j)), j * numTokens);
  return tf.tensor2d(values, [count, numTokens]); // [B, T]
}

export interface ImageMaeDataOptions extends BatchOptions {
  numPatches: number;
  /** Share of patches hidden from the encoder (MAE: 0.75). */
  maskRatio: number;
}

/** Masked-image-modeling batches: augmented crops and random visible-patch subsets. */
export function imageMaeData(train: SurveyDataset, val: SurveyDataset, options: ImageMaeDataOptions): TrainData<ImageMaeBatch> {
  const order = new EpochOrder(train.size, options.seed);
  const { numPatches, maskRatio, batchSize, seed } = options;
  const valImages = new Map<number, Float32Array>();
  return {
    batchSize,
    trainBatch(step) {
      const items = order.indicesForStep(step, batchSize);
      const maskRng = (j: number) => {
        const rng = sampleRng(seed, step, j, PURPOSE.mask);
        return () => rng.uniform();
      };
      return {
        images: train.imageTensor(items, augmenter(options, step)),
        visible: visibleTensor(items.length, numPatches, maskRatio, maskRng),
      };
    },
    *valBatches() {
      const { cropSize: s, stretch } = val.contract.image;
      const c = stretch.bands.length;
      for (const items of chunks(val.size, batchSize)) {
        const values = new Float32Array(items.length * s * s * c);
        items.forEach((item, j) => {
          let data = valImages.get(item);
          if (!data) valImages.set(item, (data = val.image(item).data));
          values.set(data, j * s * s * c);
        });
        const maskRng = (j: number) => {
          const rng = sampleRng(seed, VAL_STEP, items[j], PURPOSE.validation);
          return () => rng.uniform();
        };
        yield { images: tf.tensor4d(values, [items.length, s, s, c]), visible: visibleTensor(items.length, numPatches, maskRatio, maskRng) };
      }
    },
  };
}

export interface SpectrumMmDataOptions extends BatchOptions {
  numTokens: number;
  mask: ChunkMaskConfig;
}

/** Masked-spectrum-modeling batches: augmented spectra and contiguous token-chunk masks. */
export function spectrumMmData(train: SurveyDataset, val: SurveyDataset, options: SpectrumMmDataOptions): TrainData<SpectrumMmBatch> {
  const order = new EpochOrder(train.size, options.seed);
  const { numTokens, mask, batchSize, seed } = options;
  const valSpectra = new Map<number, Float32Array>();
  return {
    batchSize,
    trainBatch(step) {
      const items = order.indicesForStep(step, batchSize);
      const maskRng = (j: number) => {
        const rng = sampleRng(seed, step, j, PURPOSE.mask);
        return () => rng.uniform();
      };
      return {
        spectra: train.spectrumTensor(items, augmenter(options, step, PURPOSE.augmentSpectrum)),
        mask: chunkMaskTensor(items.length, numTokens, mask, maskRng),
      };
    },
    *valBatches() {
      const l = val.contract.spectrum.grid.length;
      for (const items of chunks(val.size, batchSize)) {
        const values = new Float32Array(items.length * l);
        items.forEach((item, j) => {
          let data = valSpectra.get(item);
          if (!data) valSpectra.set(item, (data = val.spectrum(item).flux));
          values.set(data, j * l);
        });
        const maskRng = (j: number) => {
          const rng = sampleRng(seed, VAL_STEP, items[j], PURPOSE.validation);
          return () => rng.uniform();
        };
        yield { spectra: tf.tensor2d(values, [items.length, l]), mask: chunkMaskTensor(items.length, numTokens, mask, maskRng) };
      }
    },
  };
}

/** Image-spectrum pairs for full contrastive fine-tuning (both modalities augmented independently). */
export function pairData(train: SurveyDataset, val: SurveyDataset, options: BatchOptions): TrainData<PairBatch> {
  const order = new EpochOrder(train.size, options.seed);
  const { batchSize } = options;
  return {
    batchSize,
    trainBatch(step) {
      const items = order.indicesForStep(step, batchSize);
      return {
        images: train.imageTensor(items, augmenter(options, step)),
        spectra: train.spectrumTensor(items, augmenter(options, step, PURPOSE.augmentSpectrum)),
      };
    },
    *valBatches() {
      for (const items of chunks(val.size, batchSize)) {
        yield { images: val.imageTensor(items), spectra: val.spectrumTensor(items) };
      }
    },
  };
}
