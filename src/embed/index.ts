/**
 * Raw object -> preprocessed tensor -> encoder -> unit vector, in batches.
 *
 *   encode.ts           Embedder (prepared images/spectra or a survey split -> unit vectors), encodeInBatches
 *   files.ts            FITS / PNG / JPEG images and spectrum files -> prepared model inputs
 *   embeddings-file.ts  the embeddings file (ids + float32 vectors per modality, JSON header)
 *
 *   const { model } = await loadModel('models/tiny');
 *   const embedder = new Embedder(model);
 *   const img = await imageFromFile('cutout.fits', model.config.preprocess.image);
 *   embedder.images([img.data]);   // Float32Array [64], unit length
 */
export { Embedder, encodeInBatches, range, type EmbedderOptions } from './encode.js';
export { imageFromFile, spectrumFromFile, type FileImage, type FileSpectrum } from './files.js';
export {
  writeEmbeddings,
  readEmbeddings,
  encodeEmbeddings,
  decodeEmbeddings,
  EMBEDDINGS_FORMAT,
  EMBEDDINGS_MAGIC,
  type Embeddings,
  type EmbeddingsHeader,
  type ReadEmbeddings,
  type Modality,
} from './embeddings-file.js';
