/**
 * Model inputs -> unit vectors (or token sequences), in batches. Each batch is built, encoded
 * and read back inside one tf.tidy, so embedding leaves no tensor behind
 * (test/embed/embed.test.ts checks tf.memory().numTensors).
 *
 *   const embedder = new Embedder(model, { batchSize: 64 });
 *   const z = embedder.images(preparedImages);   // Float32Array [n * E], unit rows
 *   const s = embedder.spectra(preparedFluxes);   // Float32Array [n * E]
 *   embedder.datasetImages(testSplit);            // every item of a SurveyDataset
 */
import type { SurveyDataset } from '../data/dataset.js';
import type { SkyClipModel } from '../nn/skyclip-model.js';
import { tf } from '../nn/tf.js';

export interface EmbedderOptions {
  /** Objects per forward pass (default 64). */
  batchSize?: number;
  /** Called after each batch with the number of objects done. */
  onProgress?: (done: number) => void;
}

/**
 * Runs `encode` over items 0..n-1 in batches: `input(start, end)` builds the batch tensor,
 * `encode` maps it to [b, ...] (rowSize values per item); returns all rows back to back.
 */
export function encodeInBatches(
  n: number,
  rowSize: number,
  batchSize: number,
  input: (start: number, end: number) => tf.Tensor,
  encode: (x: tf.Tensor) => tf.Tensor,
  onProgress?: (done: number) => void,
): Float32Array {
  const out = new Float32Array(n * rowSize);
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const values = tf.tidy(() => encode(input(start, end)).dataSync() as Float32Array);
    if (values.length !== (end - start) * rowSize) {
      throw new RangeError(`encoder returned ${values.length} values for ${end - start} items of ${rowSize}`);
    }
    out.set(values, start * rowSize);
    onProgress?.(end);
  }
  return out;
}

export class Embedder {
  readonly batchSize: number;
  /** Width of the shared space. */
  readonly dim: number;

  constructor(
    readonly model: SkyClipModel,
    private readonly options: EmbedderOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 64;
    this.dim = model.config.align.dim;
  }

  /** Prepared images (channels last, contract crop; see src/data/preprocess.ts) -> unit vectors. */
  images(images: readonly Float32Array[]): Float32Array {
    const { cropSize: s, stretch } = this.model.config.preprocess.image;
    const c = stretch.bands.length;
    return encodeInBatches(
      images.length,
      this.dim,
      this.batchSize,
      (start, end) => {
        const values = new Float32Array((end - start) * s * s * c);
        for (let i = start; i < end; i++) values.set(images[i], (i - start) * s * s * c);
        return tf.tensor4d(values, [end - start, s, s, c]); // [b, S, S, C]
      },
      (x) => this.model.encodeImage(x as tf.Tensor4D), // [b, E]
      this.options.onProgress,
    );
  }

  /** Spectra on the contract grid (filled; see src/data/preprocess.ts) -> unit vectors. */
  spectra(spectra: readonly Float32Array[]): Float32Array {
    const l = this.model.config.preprocess.spectrum.grid.length;
    return encodeInBatches(
      spectra.length,
      this.dim,
      this.batchSize,
      (start, end) => {
        const values = new Float32Array((end - start) * l);
        for (let i = start; i < end; i++) values.set(spectra[i], (i - start) * l);
        return tf.tensor2d(values, [end - start, l]); // [b, L]
      },
      (x) => this.model.encodeSpectrum(x as tf.Tensor2D), // [b, E]
      this.options.onProgress,
    );
  }

  /** Every item of a survey split, image side (no augmentation). */
  datasetImages(dataset: SurveyDataset): Float32Array {
    return encodeInBatches(
      dataset.size,
      this.dim,
      this.batchSize,
      (start, end) => dataset.imageTensor(range(start, end)),
      (x) => this.model.encodeImage(x as tf.Tensor4D),
      this.options.onProgress,
    );
  }

  /** Every item of a survey split, spectrum side (no augmentation). */
  datasetSpectra(dataset: SurveyDataset): Float32Array {
    return encodeInBatches(
      dataset.size,
      this.dim,
      this.batchSize,
      (start, end) => dataset.spectrumTensor(range(start, end)),
      (x) => this.model.encodeSpectrum(x as tf.Tensor2D),
      this.options.onProgress,
    );
  }
}

/** [start, start + 1, ..., end - 1]. */
export function range(start: number, end: number): Int32Array {
  return Int32Array.from({ length: end - start }, (_, i) => start + i);
}
