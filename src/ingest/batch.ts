/**
 * The two halves of one ingest step, split so the heavy half can run on a worker thread:
 *
 *   embedIngestBatch(items, embedder)  files -> contract -> encoders -> unit vectors (CPU heavy;
 *                                      touches no store; input and output are plain data)
 *   writeIngestBatch(store, batch)     catalog rows (one upsert), then each modality's vectors
 *
 * A bad file (unreadable, wrong content, no position, a non-finite embedding) is a failure of
 * that object or that file; the rest of the batch goes on. An object lands only with at least
 * one vector, and its row goes in before its vectors, so a crash between the two leaves a row
 * the next plan sees as unfinished.
 *
 *   const batch = await embedIngestBatch(plan.items.slice(0, 64), embedder);
 *   const written = await writeIngestBatch(store, batch);   // { objects, image, spectrum }
 */
import type { Embedder } from '../embed/index.js';
import { MODALITIES, type Modality, type Store } from '../store/index.js';
import { SkyclipError } from '../util/errors.js';
import { prepareItem, type PreparedObject } from './read.js';
import type { EmbeddedBatch, IngestFailure, IngestItem } from './types.js';

export interface EmbedBatchOptions {
  /** Files read at once (reads overlap; parsing and the encoders do not). Default 8. */
  concurrency?: number;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** True when a row of `dim` values is finite and not all zero. */
function usableVector(values: Float32Array, row: number, dim: number): boolean {
  let sum = 0;
  for (let j = row * dim; j < (row + 1) * dim; j++) {
    const v = values[j];
    if (!Number.isFinite(v)) return false;
    sum += v * v;
  }
  return sum > 0;
}

/** Reads, prepares and embeds a batch of planned items. Plain data in and out (structured-clone friendly). */
export async function embedIngestBatch(items: readonly IngestItem[], embedder: Embedder, options: EmbedBatchOptions = {}): Promise<EmbeddedBatch> {
  const contract = embedder.model.config.preprocess;
  const dim = embedder.dim;
  const prepared: PreparedObject[] = await mapLimit(items, options.concurrency ?? 8, (item) => prepareItem(item, contract));
  const failed: IngestFailure[] = prepared.flatMap((p) => p.failed);
  const landed = new Set<string>();
  const out: EmbeddedBatch = {
    dim,
    objects: [],
    image: { ids: [], vectors: new Float32Array(0) },
    spectrum: { ids: [], vectors: new Float32Array(0) },
    failed,
    count: items.length,
  };
  for (const m of MODALITIES) {
    const withInput = prepared.filter((p) => p.row && p[m]);
    if (withInput.length === 0) continue;
    const inputs = withInput.map((p) => p[m]!);
    const vectors = m === 'image' ? embedder.images(inputs) : embedder.spectra(inputs); // [n * dim]
    const keep: number[] = [];
    withInput.forEach((p, i) => {
      if (usableVector(vectors, i, dim)) keep.push(i);
      else failed.push({ id: p.id, file: fileOf(items, p.id, m), message: `the model returned a non-finite or zero ${m} vector for this input` });
    });
    const kept = new Float32Array(keep.length * dim);
    keep.forEach((i, k) => kept.set(vectors.subarray(i * dim, (i + 1) * dim), k * dim));
    out[m] = { ids: keep.map((i) => withInput[i].id), vectors: kept };
    for (const i of keep) landed.add(withInput[i].id);
  }
  out.objects = prepared.filter((p) => p.row && landed.has(p.id)).map((p) => p.row!);
  return out;
}

function fileOf(items: readonly IngestItem[], id: string, m: Modality): string {
  const item = items.find((i) => i.id === id);
  return item?.[m] ?? item?.files?.[0] ?? '';
}

/** Writes an embedded batch: rows first (one transaction), then the vectors of each modality. */
export async function writeIngestBatch(store: Store, batch: EmbeddedBatch): Promise<{ objects: number; image: number; spectrum: number }> {
  if (batch.dim !== store.dimension) {
    throw new SkyclipError('CONFLICT', `the batch holds ${batch.dim}-d vectors but store ${store.dir} holds ${store.dimension}-d ones (another model?)`);
  }
  if (batch.objects.length > 0) store.upsertObjects(batch.objects);
  const written = { objects: batch.objects.length, image: 0, spectrum: 0 };
  for (const m of MODALITIES) {
    const { ids, vectors } = batch[m];
    if (ids.length === 0) continue;
    await store.addEmbeddings(
      m,
      ids.map((id, i) => ({ id, vector: vectors.subarray(i * batch.dim, (i + 1) * batch.dim) })),
    );
    written[m] = ids.length;
  }
  return written;
}
