/**
 * The data that flows through an ingest: source -> plan -> embedded batch -> store. Every type
 * here is plain data (strings, numbers, plain objects, Float32Array), so items and batches can
 * cross a worker thread (structured clone) unchanged: the HTTP service plans and writes on its
 * main thread and embeds on a worker.
 */
import type { ObjectInput } from '../store/index.js';

/**
 * Where objects come from:
 *   survey     a folder written by `skyclip simulate` (catalog.csv + survey.json + files)
 *   catalog    any catalog.csv (id, ra, dec, image_path and/or spectrum_path, other columns)
 *   directory  a folder of FITS/PNG/JPEG files, one object per file stem
 *   store      the catalog rows of an existing store (what `--rebuild` re-embeds)
 */
export type SourceKind = 'survey' | 'catalog' | 'directory' | 'store';

/** Why one object (or one of its files) did not land. */
export interface IngestFailure {
  id: string;
  /** The file at fault ('' when the problem is the catalog row itself). */
  file: string;
  message: string;
}

/**
 * One object of a source before anything is read. An IngestItem (what a plan hands to
 * embedIngestBatch) is the same shape with only the files still to embed.
 */
export interface SourceEntry {
  id: string;
  /**
   * Catalog fields for objectInputFrom: id, and for catalog sources ra, dec, the label columns
   * and `extra`. Directory entries carry no position (it comes from the files' headers) unless
   * the store already has one. `extra.source_dir` records `root` in the store.
   */
  row: Record<string, unknown>;
  /** Absolute path of the image file, when the source says which file is the image. */
  image?: string;
  /** Absolute path of the spectrum file, when the source says which file is the spectrum. */
  spectrum?: string;
  /** Absolute paths whose modality the files' content decides (directory sources). */
  files?: string[];
  /** Absolute folder that the row's relative image_path / spectrum_path start from. */
  root: string;
}

export type IngestItem = SourceEntry;

export interface IngestSource {
  kind: SourceKind;
  /** What the caller named (folder, csv or store directory), as given. */
  path: string;
  entries: SourceEntry[];
  /** Objects refused while reading the source (no position, duplicate id, bad value, no file). */
  failed: IngestFailure[];
}

export interface IngestPlan {
  source: { kind: SourceKind; path: string };
  /** Objects with something left to embed, in source order. */
  items: IngestItem[];
  /** Objects in the source (entries + those refused while reading it). */
  total: number;
  /** Objects whose every file already has its vector in the store. */
  skipped: number;
  /** Objects refused while reading the source. */
  failed: IngestFailure[];
}

/** What embedIngestBatch returns: rows and unit vectors ready for writeIngestBatch. */
export interface EmbeddedBatch {
  /** Width of the vectors. */
  dim: number;
  /** Catalog rows of the objects that got at least one vector. */
  objects: ObjectInput[];
  /** ids[i] owns vectors[i * dim .. (i + 1) * dim]. */
  image: { ids: string[]; vectors: Float32Array };
  spectrum: { ids: string[]; vectors: Float32Array };
  failed: IngestFailure[];
  /** Items processed (with or without failures). */
  count: number;
}

export interface IngestProgress {
  /** Items of this run processed so far (embedded or failed). */
  done: number;
  /** Items this run has to process (the plan's items; skipped objects are not counted). */
  total: number;
  /** Objects already in the store. */
  skipped: number;
  /** Failures so far (files or rows). */
  failed: number;
}

export interface IngestReport {
  /** Objects in the source. */
  total: number;
  /** Objects already embedded before this run. */
  skipped: number;
  /** Objects this run read and embedded (or failed on). */
  processed: number;
  /** Vectors written by this run. */
  embedded: { image: number; spectrum: number };
  failed: IngestFailure[];
  seconds: number;
  /** Stopped early by the abort signal: a rerun continues where this one stopped. */
  interrupted: boolean;
}
