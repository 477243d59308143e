/**
 * The worker-side half of an ingest job: load the model once, then turn planned items into
 * embedded batches (reading files, preprocessing, both encoders). Plain data in and out, so
 * it runs on a worker thread; the manager writes each batch into the store on the main thread
 * (the store has one writer) and commits the chunk after it.
 */
import type { Embedder } from '../embed/index.js';
import { SkyclipError } from '../util/errors.js';
import type { EmbeddedBatch, IngestItem } from '../ingest/types.js';

let loaded: { modelDir: string; batchSize: number; embedder: Embedder; modelId: string } | undefined;

/** Loads the model (once per directory) on this thread's tfjs backend. */
export async function loadIngestModel(args: { modelDir: string; batchSize?: number }): Promise<{ modelId: string; dimension: number }> {
  const batchSize = args.batchSize ?? 32;
  if (!loaded || loaded.modelDir !== args.modelDir || loaded.batchSize !== batchSize) {
    const [{ initBackend }, { loadModel }, { Embedder: EmbedderClass }] = await Promise.all([
      import('../nn/backend.js'),
      import('../nn/weights-io.js'),
      import('../embed/encode.js'),
    ]);
    await initBackend();
    loaded?.embedder.model.dispose();
    const model = await loadModel(args.modelDir);
    loaded = { modelDir: args.modelDir, batchSize, embedder: new EmbedderClass(model.model, { batchSize }), modelId: model.id };
  }
  return { modelId: loaded.modelId, dimension: loaded.embedder.dim };
}

export async function embedIngestItems(args: { items: IngestItem[] }): Promise<EmbeddedBatch> {
  if (!loaded) throw new SkyclipError('INTERNAL', 'embedIngestItems before loadIngestModel');
  const { embedIngestBatch } = await import('../ingest/batch.js');
  return embedIngestBatch(args.items, loaded.embedder);
}

export function releaseIngestModel(): void {
  loaded?.embedder.model.dispose();
  loaded = undefined;
}
