/**
 * manifest.json: the commit record of a store directory. It names the index file of each
 * modality with its checksum, size and element count, the model and dimension the vectors came
 * from, and the graph parameters. Saving writes new index files under new names, then replaces
 * the manifest atomically: until that rename the old manifest and its files are the store.
 *
 * Each index entry also records `seq`: the catalog's change counter when the file was written.
 * Vector writes and deletions after it live in catalog.sqlite (with a larger seq) and are
 * replayed into the graph when the store opens, so the index files are checkpoints of the
 * catalog, never the other way round.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { SkyclipError } from '../util/errors.js';
import { writeFileAtomic, type AtomicWriteOptions } from '../util/atomic.js';
import { IndexParamsSchema, MODALITIES, type Modality } from './config.js';

export const STORE_FORMAT = 'skyclip-store';
export const STORE_FORMAT_VERSION = 1;

export const FILES = {
  manifest: 'manifest.json',
  catalog: 'catalog.sqlite',
  lock: 'store.lock',
} as const;

/** File name of a modality's index at a generation, e.g. image.g000007.hnsw. */
export function indexFileName(modality: Modality, generation: number): string {
  return `${modality}.g${String(generation).padStart(6, '0')}.hnsw`;
}

/** Matches the index files this store writes (any generation). */
export const INDEX_FILE_PATTERN = new RegExp(`^(${MODALITIES.join('|')})\\.g\\d{6,}\\.hnsw$`);

const IndexEntrySchema = z.strictObject({
  /** File name inside the store directory. */
  file: z.string().regex(INDEX_FILE_PATTERN),
  /** sha256 (hex) of the file. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
  /** Live (searchable) vectors in the file. */
  count: z.number().int().nonnegative(),
  /** Elements in the file, including ones marked deleted. */
  elements: z.number().int().nonnegative(),
  /** The graph's preallocated capacity when written. */
  capacity: z.number().int().nonnegative(),
  /** Catalog change counter the file reflects. */
  seq: z.number().int().nonnegative(),
});
export type IndexEntry = z.output<typeof IndexEntrySchema>;

export const ManifestSchema = z.strictObject({
  format: z.literal(STORE_FORMAT),
  version: z.number().int(),
  /** Random id made at creation, also in catalog.sqlite: ties the manifest to its catalog. */
  storeId: z.string().min(1),
  /** Content-hash id of the model that embedded every vector (readModelInfo(dir).id). */
  modelId: z.string().min(1),
  /** Dimension of the shared embedding space. */
  dimension: z.number().int().positive(),
  /** hnswlib space; vectors are unit length, distance = 1 - cosine similarity. */
  space: z.literal('cosine'),
  index: IndexParamsSchema,
  /** Increases at every save; index file names carry it so a save never overwrites a live file. */
  generation: z.number().int().nonnegative(),
  createdAt: z.string(),
  savedAt: z.string(),
  indexes: z.partialRecord(z.enum(MODALITIES), IndexEntrySchema),
});
export type Manifest = z.output<typeof ManifestSchema>;

export async function readManifest(path: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new SkyclipError('NOT_FOUND', `${path} does not exist`, { path });
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SkyclipError('UNUSABLE', `${path} is not valid JSON (truncated or corrupted)`, { path });
  }
  const head = json as { format?: unknown; version?: unknown };
  if (head && head.format === STORE_FORMAT && head.version !== STORE_FORMAT_VERSION) {
    throw new SkyclipError(
      'UNSUPPORTED',
      `${path} is store format version ${String(head.version)}; this skyclip reads version ${STORE_FORMAT_VERSION} and has no migration`,
      { path, version: head.version },
    );
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SkyclipError('UNUSABLE', `${path} is not a skyclip store manifest: ${issue.path.join('.') || '(root)'}: ${issue.message}`, { path });
  }
  return parsed.data;
}

export async function writeManifest(path: string, manifest: Manifest, options: AtomicWriteOptions = {}): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(manifest, null, 2)}\n`, options);
}
