/**
 * Ingest: files of a survey, a catalog or a folder -> model inputs -> unit vectors -> the
 * store, resumable and safe to interrupt. Import from here.
 *
 *   source.ts    resolveIngestSource: a survey folder, a catalog.csv or a folder of files -> objects
 *   plan.ts      planIngest: the objects whose vectors the store still lacks
 *   read.ts      one object's files -> model inputs and its catalog row (content decides modality)
 *   batch.ts     embedIngestBatch (worker-friendly) and writeIngestBatch
 *   ingest.ts    ingest(): the loop, with progress, periodic saves and abort
 *   rebuild.ts   reindexStore, rebuildStore (re-embed with another model, swapped in atomically)
 *   demo.ts      ensureDemoStore: the demo survey embedded into index-data/demo-store
 *
 *   const store = await Store.open(dir, { modelId: loaded.id, create: true, dimension: embedder.dim });
 *   const report = await ingest(store, new Embedder(loaded.model), 'index-data/demo-survey');
 *   await store.close();
 *
 * On a worker thread (the HTTP service): plan and write on the main thread, embed on the worker.
 *   const plan = planIngest(store, await resolveIngestSource(path));
 *   worker: postMessage(await embedIngestBatch(items, embedder))   // plain data + Float32Arrays
 *   main:   await writeIngestBatch(store, batch);
 */
export { resolveIngestSource, readCatalogFile, readDirectory, entriesFromRows, fileStem, storedPath, CATALOG_FILE, SOURCE_DIR_KEY, FILE_PATTERN } from './source.js';
export { planIngest, type PlanOptions } from './plan.js';
export { prepareItem, type PreparedObject } from './read.js';
export { embedIngestBatch, writeIngestBatch, type EmbedBatchOptions } from './batch.js';
export { ingest, DEFAULT_BATCH_SIZE, DEFAULT_SAVE_EVERY, type IngestOptions } from './ingest.js';
export { reindexStore, rebuildStore, rebuildDirFor, type RebuildOptions, type RebuildReport } from './rebuild.js';
export { DEMO_STORE, ensureDemoStore, type DemoStoreProgress, type EnsureDemoStoreOptions, type EnsureDemoStoreResult } from './demo.js';
export { positionFromCards, parseSexagesimal, deprojectTan, type SkyPosition } from './position.js';
export type { EmbeddedBatch, IngestFailure, IngestItem, IngestPlan, IngestProgress, IngestReport, IngestSource, SourceEntry, SourceKind } from './types.js';
