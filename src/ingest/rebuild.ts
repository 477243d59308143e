/**
 * Store-level maintenance the ingest command owns (the remedies src/store/remedies.ts names):
 *
 *   reindexStore(dir)                  rebuilds every HNSW index from the vectors in
 *                                      catalog.sqlite (opens with the store's own model id and
 *                                      repair, so it works on a store whose index files are
 *                                      lost or corrupted)
 *   rebuildStore(dir, embedder, opts)  re-embeds the whole catalog with another (or the same)
 *                                      model: a fresh store is built beside the old one,
 *                                      `.<name>.rebuild-<model id>`, from the old store's
 *                                      catalog rows (and an optional source), then swapped in
 *                                      with replaceDirectory. The old store is locked and
 *                                      untouched until the swap, so an interrupted rebuild
 *                                      leaves it intact and openable; rerunning the rebuild
 *                                      resumes the half-built store instead of starting over.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Embedder } from '../embed/index.js';
import { MODALITIES, Store, objectInputFrom, type Modality } from '../store/index.js';
import { pathExists, replaceDirectory } from '../util/atomic.js';
import { badInput } from '../util/errors.js';
import { ingest, type IngestOptions } from './ingest.js';
import { entriesFromRows, resolveIngestSource } from './source.js';
import type { IngestReport, IngestSource } from './types.js';

/** Rows read or written per call when copying a catalog. */
const PAGE = 5000;

/** Rebuilds each modality's index from the catalog's vectors and saves. Returns the vectors per modality. */
export async function reindexStore(dir: string, options: { progress?: boolean } = {}): Promise<{ modelId: string; vectors: Record<Modality, number> }> {
  const { modelId } = await Store.inspect(dir);
  const store = await Store.open(dir, { modelId, repair: true, progress: options.progress });
  const vectors = { image: 0, spectrum: 0 } as Record<Modality, number>;
  try {
    for (const m of MODALITIES) {
      if (store.count(m) === 0) continue;
      vectors[m] = (await store.rebuild(m)).count;
    }
    await store.save();
  } finally {
    await store.close();
  }
  return { modelId, vectors };
}

export interface RebuildOptions extends Omit<IngestOptions, 'rebuild' | 'modelId'> {
  /** Id of the embedder's model: the rebuilt store's model. */
  modelId: string;
  /** Objects to ingest besides the store's own rows (their rows win over the store's). */
  source?: string | IngestSource;
}

export interface RebuildReport extends IngestReport {
  /** Model of the store before the rebuild. */
  previousModelId: string;
  /** The rebuilt store replaced the old one (false when interrupted). */
  swapped: boolean;
  /** Where the store was being built (kept for resuming when interrupted). */
  workDir: string;
}

/** The sibling folder a rebuild of `dir` for `modelId` works in. */
export function rebuildDirFor(dir: string, modelId: string): string {
  return join(dirname(dir), `.${basename(dir)}.rebuild-${modelId.replace(/[^A-Za-z0-9_-]/g, '_')}`);
}

/** Removes half-built stores of earlier rebuilds for other models (abandoned). */
async function sweepOtherRebuilds(dir: string, keep: string): Promise<void> {
  const prefix = `.${basename(dir)}.rebuild-`;
  let names: string[];
  try {
    names = await readdir(dirname(dir));
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(dirname(dir), name);
    if (!name.startsWith(prefix) || path === keep) continue;
    if ((await stat(path)).isDirectory() && (await pathExists(join(path, 'catalog.sqlite')))) await rm(path, { recursive: true, force: true });
  }
}

/** Re-embeds the catalog of the store in `dir` with `embedder` (see the module comment). */
export async function rebuildStore(dir: string, embedder: Embedder, options: RebuildOptions): Promise<RebuildReport> {
  const { modelId, source, ...ingestOptions } = options;
  if (typeof modelId !== 'string' || modelId === '') throw badInput('rebuildStore needs the model id of the embedder (modelId)');
  const before = await Store.inspect(dir);
  const old = await Store.open(dir, { modelId: before.modelId, repair: true });
  const workDir = rebuildDirFor(dir, modelId);
  let fresh: Store | undefined;
  try {
    await sweepOtherRebuilds(dir, workDir);
    const resumed = await pathExists(workDir);
    fresh = await Store.open(workDir, { modelId, create: true, repair: true, dimension: embedder.dim, index: resumed ? undefined : pick(old.info().index) });

    const rows = old.allRows();
    const extra = source === undefined ? undefined : typeof source === 'string' ? await resolveIngestSource(source) : source;
    const fromSource = new Set([...(extra?.entries ?? []), ...(extra?.failed ?? [])].map((e) => e.id));
    const kept = rows.filter((r) => !fromSource.has(r.id));
    for (let i = 0; i < kept.length; i += PAGE) fresh.upsertObjects(kept.slice(i, i + PAGE).map((r) => objectInputFrom(r)));
    if (resumed) {
      // Objects deleted from the old store since the interrupted run must not come back.
      const wanted = new Set([...rows.map((r) => r.id), ...fromSource]);
      const gone = fresh.allRows().map((r) => r.id).filter((id) => !wanted.has(id));
      if (gone.length > 0) await fresh.delete(gone);
    }
    const own = entriesFromRows(kept, dir);
    const combined: IngestSource = {
      kind: 'store',
      path: dir,
      entries: [...own.entries, ...(extra?.entries ?? [])],
      failed: [...own.failed, ...(extra?.failed ?? [])],
    };
    const report = await ingest(fresh, embedder, combined, { ...ingestOptions, modelId });
    await fresh.close();
    fresh = undefined;
    await old.close({ save: false });
    if (report.interrupted) return { ...report, previousModelId: before.modelId, swapped: false, workDir };
    await replaceDirectory(workDir, dir);
    return { ...report, previousModelId: before.modelId, swapped: true, workDir };
  } finally {
    await fresh?.close();
    await old.close({ save: false });
  }
}

/** The graph parameters baked into a store (m, efConstruction, seed), for its rebuilt twin. */
function pick(index: { m: number; efConstruction: number; efSearch: number; seed: number }) {
  return { m: index.m, efConstruction: index.efConstruction, efSearch: index.efSearch, seed: index.seed };
}
