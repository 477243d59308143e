/**
 * ingest(): plan, then embed and write batch after batch on this thread, saving the store's
 * indexes every `saveEvery` objects and at the end. The HTTP service runs the same three steps
 * itself with embedIngestBatch on a worker thread.
 *
 * Stopping: when `signal` aborts, the batch in flight finishes and is written, the store is
 * saved, and the report says `interrupted`; the store is consistent and a rerun continues
 * where this one stopped (planIngest skips what is done). A crash instead of an abort loses
 * at most the batch in flight: the catalog commits each write, and the next open replays what
 * the saved indexes lack.
 *
 *   const store = await Store.open(dir, { modelId, create: true, dimension: embedder.dim });
 *   const report = await ingest(store, embedder, 'index-data/demo-survey', { onProgress });
 *   await store.close();
 */
import type { Embedder } from '../embed/index.js';
import type { Store } from '../store/index.js';
import { SkyclipError, badInput } from '../util/errors.js';
import { embedIngestBatch, writeIngestBatch } from './batch.js';
import { planIngest } from './plan.js';
import { resolveIngestSource } from './source.js';
import type { IngestProgress, IngestReport, IngestSource } from './types.js';

export interface IngestOptions {
  /** Objects read and embedded per step. Default 64. */
  batchSize?: number;
  /** Called after planning (done = 0) and after each batch. */
  onProgress?: (p: IngestProgress) => void;
  /** Stops after the batch in flight (see the module comment). */
  signal?: AbortSignal;
  /** Re-embed every object of the source, done or not. Default false. */
  rebuild?: boolean;
  /** Save the indexes after at least this many objects since the last save. Default 2000. */
  saveEvery?: number;
  /** Id of the embedder's model: checked against the store's (CONFLICT when they differ). */
  modelId?: string;
}

export const DEFAULT_BATCH_SIZE = 64;
export const DEFAULT_SAVE_EVERY = 2000;

function positiveInteger(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw badInput(`${name} must be a positive integer, got ${value}`);
  return value;
}

/** Embeds every object of `source` that `store` lacks. See the module comment. */
export async function ingest(store: Store, embedder: Embedder, source: string | IngestSource, options: IngestOptions = {}): Promise<IngestReport> {
  const batchSize = positiveInteger(options.batchSize, 'batchSize', DEFAULT_BATCH_SIZE);
  const saveEvery = positiveInteger(options.saveEvery, 'saveEvery', DEFAULT_SAVE_EVERY);
  if (options.modelId !== undefined && options.modelId !== store.modelId) {
    throw new SkyclipError('CONFLICT', `store ${store.dir} holds vectors of model ${store.modelId}, not of model ${options.modelId}`);
  }
  if (embedder.dim !== store.dimension) {
    throw new SkyclipError('CONFLICT', `the model embeds into ${embedder.dim} dimensions but store ${store.dir} holds ${store.dimension}-d vectors`);
  }
  const started = performance.now();
  const resolved = typeof source === 'string' ? await resolveIngestSource(source) : source;
  const plan = planIngest(store, resolved, { rebuild: options.rebuild });
  const report: IngestReport = { total: plan.total, skipped: plan.skipped, processed: 0, embedded: { image: 0, spectrum: 0 }, failed: [...plan.failed], seconds: 0, interrupted: false };
  const progress = (done: number) => options.onProgress?.({ done, total: plan.items.length, skipped: plan.skipped, failed: report.failed.length });
  progress(0);
  let done = 0;
  let sinceSave = 0;
  for (let start = 0; start < plan.items.length; start += batchSize) {
    if (options.signal?.aborted) {
      report.interrupted = true;
      break;
    }
    const items = plan.items.slice(start, start + batchSize);
    const batch = await embedIngestBatch(items, embedder);
    const written = await writeIngestBatch(store, batch);
    report.embedded.image += written.image;
    report.embedded.spectrum += written.spectrum;
    report.failed.push(...batch.failed);
    done += items.length;
    report.processed = done;
    sinceSave += items.length;
    if (sinceSave >= saveEvery && done < plan.items.length) {
      await store.save();
      sinceSave = 0;
    }
    progress(done);
  }
  await store.save();
  report.seconds = (performance.now() - started) / 1000;
  return report;
}
