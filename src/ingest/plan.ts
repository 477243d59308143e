/**
 * What is left to do: the objects of a source whose vectors are missing from the store. The
 * store holds vectors of one model only (it refuses to open with another), so "missing" means
 * "no vector in that modality yet". Whatever an earlier run finished is skipped, which is what
 * makes an interrupted ingest resumable without duplicates (rows are keyed by id anyway).
 *
 * Catalog sources say which file is which, so an item carries only the modalities still
 * missing. Directory sources leave that to the files' content, so an object counts as done
 * when its row records each of its files as its image_path or spectrum_path (relative to the
 * same folder) and has that modality's vector; otherwise all its files are read again.
 *
 *   const plan = planIngest(store, source);            // plan.items: what embedIngestBatch takes
 *   const all = planIngest(store, source, { rebuild: true });  // everything, done or not
 */
import type { Store } from '../store/index.js';
import { SOURCE_DIR_KEY, storedPath } from './source.js';
import type { IngestItem, IngestPlan, IngestSource, SourceEntry } from './types.js';

export interface PlanOptions {
  /** Plan every object again, embedded or not. Default false. */
  rebuild?: boolean;
}

function planDirectoryEntry(store: Store, entry: SourceEntry, has: readonly string[] | undefined, rebuild: boolean): IngestItem | undefined {
  if (has === undefined) return entry; // not in the store yet
  const row = store.get(entry.id);
  if (!row) return entry;
  const recorded = (file: string) => {
    const path = storedPath(entry.root, file);
    return (row.image_path === path && has.includes('image')) || (row.spectrum_path === path && has.includes('spectrum'));
  };
  const done = !rebuild && row.extra?.[SOURCE_DIR_KEY] === entry.root && (entry.files ?? []).every(recorded);
  if (done) return undefined;
  // Headers give the position; the stored one is the fallback for files that have none (PNG).
  return { ...entry, row: { ...entry.row, ra: row.ra, dec: row.dec } };
}

function planCatalogEntry(entry: SourceEntry, has: readonly string[] | undefined, rebuild: boolean): IngestItem | undefined {
  const needImage = entry.image !== undefined && (rebuild || !has?.includes('image'));
  const needSpectrum = entry.spectrum !== undefined && (rebuild || !has?.includes('spectrum'));
  if (!needImage && !needSpectrum) return undefined;
  const item: IngestItem = { id: entry.id, row: entry.row, root: entry.root };
  if (needImage) item.image = entry.image;
  if (needSpectrum) item.spectrum = entry.spectrum;
  return item;
}

/** The items of `source` still to embed into `store` (synchronous: a few SQLite queries). */
export function planIngest(store: Store, source: IngestSource, options: PlanOptions = {}): IngestPlan {
  const rebuild = options.rebuild ?? false;
  const embedded = store.embeddedModalities(source.entries.map((e) => e.id));
  const items: IngestItem[] = [];
  let skipped = 0;
  for (const entry of source.entries) {
    const has = embedded.get(entry.id);
    const item = entry.files ? planDirectoryEntry(store, entry, has, rebuild) : planCatalogEntry(entry, has, rebuild);
    if (item) items.push(item);
    else skipped++;
  }
  return {
    source: { kind: source.kind, path: source.path },
    items,
    total: source.entries.length + source.failed.length,
    skipped,
    failed: [...source.failed],
  };
}
