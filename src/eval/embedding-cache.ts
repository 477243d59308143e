/**
 * Embeddings of a survey by a model, cached on disk so a rerun of `skyclip eval` does not
 * re-embed (embedding 12,500 objects with two models is most of the evaluation's time on CPU).
 * The cache file is the project's embeddings file (src/embed/embeddings-file.ts), named by what
 * determines its content: model id (a hash of weights + config + contract), survey content key
 * and the number of objects (the first N of the catalogue). A file whose ids, dimension or blocks
 * do not match is ignored and rewritten.
 *
 *   const e = await embedDataset(model, { id, name }, dataset, { cacheDir: 'out/cache' });
 *   e.image; e.spectrum;   // Float32Array [n * E], unit rows
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SurveyDataset } from '../data/dataset.js';
import { Embedder } from '../embed/encode.js';
import { readEmbeddings, writeEmbeddings } from '../embed/embeddings-file.js';
import type { SkyClipModel } from '../nn/skyclip-model.js';
import { ProgressBar } from '../util/progress.js';

export interface DatasetEmbeddings {
  dim: number;
  /** [n * dim] unit rows, dataset order. */
  image: Float32Array;
  spectrum: Float32Array;
  /** True when read from the cache. */
  cached: boolean;
  /** Seconds spent embedding (0 when cached). */
  seconds: number;
  file?: string;
}

export interface EmbedDatasetOptions {
  /** Folder of cache files; none = no cache. */
  cacheDir?: string;
  batchSize?: number;
  progress?: boolean;
  /** Progress bar label. */
  label?: string;
}

/** The cache file of (model, survey, n). */
export function cacheFileName(modelId: string, surveyKey: string, split: string, n: number): string {
  return `emb-${modelId}-${surveyKey}-${split}-${n}.bin`;
}

export async function embedDataset(
  model: SkyClipModel,
  identity: { id: string; name: string },
  dataset: SurveyDataset,
  options: EmbedDatasetOptions = {},
): Promise<DatasetEmbeddings> {
  const dim = model.config.align.dim;
  const ids = dataset.ids();
  const file = options.cacheDir ? join(options.cacheDir, cacheFileName(identity.id, dataset.survey.key, dataset.split, dataset.size)) : undefined;
  if (file && existsSync(file)) {
    try {
      const e = await readEmbeddings(file);
      if (e.dim === dim && e.image && e.spectrum && e.ids.length === ids.length && e.ids.every((id, i) => id === ids[i])) {
        return { dim, image: e.image, spectrum: e.spectrum, cached: true, seconds: 0, file };
      }
    } catch {
      // unreadable or torn by a crash before the atomic rename existed: recompute below
    }
  }
  const started = performance.now();
  const bar = new ProgressBar(options.label ?? `embed ${identity.name}`, 2 * dataset.size, { unit: 'objects', enabled: options.progress ?? true });
  const image = new Embedder(model, { batchSize: options.batchSize, onProgress: (d) => bar.update(d) }).datasetImages(dataset);
  const spectrum = new Embedder(model, { batchSize: options.batchSize, onProgress: (d) => bar.update(dataset.size + d) }).datasetSpectra(dataset);
  bar.finish();
  const seconds = (performance.now() - started) / 1000;
  if (file && options.cacheDir) {
    await mkdir(options.cacheDir, { recursive: true });
    await writeEmbeddings(file, {
      ids,
      dim,
      image,
      spectrum,
      model: { id: identity.id, name: identity.name },
      data: { dir: dataset.survey.dir, key: dataset.survey.key, seed: dataset.survey.seed, split: dataset.split, n: dataset.size },
    });
  }
  return { dim, image, spectrum, cached: false, seconds, file };
}
