/**
 * The embedding store: a catalog of objects (catalog.sqlite) and one HNSW graph per modality
 * (image, spectrum) in the model's shared space, kept consistent with each other and with the
 * model that made the vectors. See index-data/README.md for the directory layout.
 *
 *   const { id: modelId } = await readModelInfo('models/tiny-1');
 *   const store = await Store.open('index-data/demo', { modelId, create: true, dimension: 64 });
 *   store.upsertObjects(rows);                                  // catalog rows (objectInputFrom helps)
 *   await store.addEmbeddings('image', [{ id: 's1-0', vector }]);
 *   const hits = store.search('spectrum', vector, { k: 10, filter: { equals: { class: 'GALAXY' } } });
 *   await store.close();                                        // saves, then releases the lock
 *
 * Consistency, in order of the guarantees:
 *   - catalog.sqlite is the truth. Every add or delete commits there first (vector BLOB or a
 *     tombstone, with a new change counter `seq`), then touches the in-memory graph.
 *   - save() writes each changed graph to a new file (temp + fsync + rename), then commits by
 *     atomically replacing manifest.json, which records each file's sha256 and the seq it
 *     reflects. A crash anywhere leaves the previous manifest and its files intact.
 *   - open() verifies each file's checksum before hnswlib reads it, checks that the graph's
 *     labels and the catalog agree and that a sample of its vectors equals the catalog's, then
 *     replays what the catalog committed after the file's seq. It refuses, saying what to run,
 *     a model other than the one that built the store, a corrupted file, or a disagreement the
 *     journal cannot explain.
 *
 * Mutations (addEmbeddings, delete, rebuild, save, close) run one at a time; searches and
 * catalog reads are synchronous and may run between them. One process writes a store at a time
 * (a lock file); others may open it read-only.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SkyclipError, badInput } from '../util/errors.js';
import { ProgressBar } from '../util/progress.js';
import { digestFile, TEMP_MARKER, writeAtomicWith } from '../util/atomic.js';
import { Catalog } from './catalog.js';
import type { ObjectInput, ObjectRow } from './columns.js';
import {
  CAPACITY_GROWTH,
  DEFAULT_K,
  MAX_K,
  MODALITIES,
  WRITE_BATCH,
  assertModality,
  resolveIndexParams,
  resolvePlannerParams,
  type IndexParams,
  type Modality,
  type PlannerParams,
} from './config.js';
import type { SearchFilter } from './filter.js';
import { Graph } from './hnsw.js';
import { acquireWriterLock, type WriterLock } from './lock.js';
import {
  FILES,
  INDEX_FILE_PATTERN,
  STORE_FORMAT,
  STORE_FORMAT_VERSION,
  indexFileName,
  readManifest,
  writeManifest,
  type IndexEntry,
  type Manifest,
} from './manifest.js';
import type { Plan } from './planner.js';
import { VectorMatrix } from './vector-matrix.js';
import { REMEDIES } from './remedies.js';
import { runSearch } from './search.js';
import { unitVector } from './vectors.js';
import { checkGraphAgainstCatalog } from './verify.js';

export { REMEDIES } from './remedies.js';

/** Test seams; see AtomicWriteOptions.beforeRename. */
export interface StoreHooks {
  /** Called when every new index file is durable and the new manifest is written to its temp file, before the rename that commits it. */
  beforeManifestRename?: () => void;
}

export interface StoreOpenOptions {
  /** Id of the loaded model (`readModelInfo(dir).id`); must be the one that built the store. */
  modelId: string;
  /** Create the store when `dir` holds none. Needs `dimension`. Default false. */
  create?: boolean;
  /** Dimension of the shared space: required to create; checked against the store when given. */
  dimension?: number;
  /**
   * Graph parameters. m, efConstruction and seed apply when the store is created (they are
   * baked into the graphs; an existing store keeps its own and refuses different ones).
   * efSearch overrides the store's saved value for this session.
   */
  index?: Partial<IndexParams>;
  /** How filtered queries are planned; see PlannerParams. */
  planner?: Partial<PlannerParams>;
  /** Open without the writer lock; every mutation is refused. Default false. */
  readOnly?: boolean;
  /**
   * Rebuild an index file that is missing, corrupted or disagrees with the catalog (and a lost
   * manifest) from the vectors in catalog.sqlite, instead of refusing. Default false.
   */
  repair?: boolean;
  /** Draw progress bars for rebuilds and long replays. Default false. */
  progress?: boolean;
  hooks?: StoreHooks;
}

export interface EmbeddingInput {
  id: string;
  /** Any length-`dimension` numbers; stored L2-normalized. */
  vector: ArrayLike<number>;
}

export interface SearchOptions {
  /** Number of neighbours. Default 10, at most MAX_K. */
  k?: number;
  filter?: SearchFilter;
  /** Candidate list size of a graph walk (raised to k). Default: the store's efSearch. */
  ef?: number;
  /** Rank exactly (the reference search). Default false. */
  exact?: boolean;
  /** Attach each hit's catalog row. Default false. */
  withRows?: boolean;
}

export interface SearchHit {
  id: string;
  label: number;
  /** Cosine similarity to the query, in [-1, 1]. */
  similarity: number;
  /** Cosine distance, 1 - similarity. */
  distance: number;
  row?: ObjectRow;
}

export interface SearchResult {
  hits: SearchHit[];
  plan: Plan;
}

export interface StoreInfo {
  dir: string;
  storeId: string;
  modelId: string;
  dimension: number;
  index: IndexParams;
  planner: PlannerParams;
  readOnly: boolean;
  objects: number;
  vectors: Record<Modality, number>;
  /** Modalities whose graph has changes not yet saved. */
  unsaved: Modality[];
  generation: number;
}

/** One modality's graph and what the store knows about it. */
interface GraphState {
  graph: Graph;
  /** Live vectors (as in the catalog). */
  live: number;
  /** Changed since the last save. */
  dirty: boolean;
  /** Built afresh from the catalog at this seq: tombstones up to it are obsolete once saved. */
  rebuiltAtSeq?: number;
  /** A graph update failed after its catalog commit: rebuild before the next save. */
  stale?: boolean;
  /** In-memory copy of the vectors for exact ranking: undefined until first needed, null when over budget. */
  matrix?: VectorMatrix | null;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function highestGeneration(dir: string): Promise<number> {
  let highest = 0;
  for (const name of await readdir(dir)) {
    const match = INDEX_FILE_PATTERN.test(name) ? /\.g(\d+)\.hnsw$/.exec(name) : null;
    if (match) highest = Math.max(highest, Number(match[1]));
  }
  return highest;
}

export class Store {
  private readonly graphs = new Map<Modality, GraphState>();
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Objects in the catalog (the base of a filter's selectivity), kept in step with upserts and deletes. */
  private objects: number;

  private constructor(
    readonly dir: string,
    private readonly catalog: Catalog,
    private manifest: Manifest,
    private readonly params: IndexParams,
    private readonly planner: PlannerParams,
    private readonly lock: WriterLock | undefined,
    private readonly options: StoreOpenOptions,
  ) {
    this.objects = catalog.countObjects();
  }

  get modelId(): string {
    return this.manifest.modelId;
  }

  get dimension(): number {
    return this.manifest.dimension;
  }

  get readOnly(): boolean {
    return this.lock === undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Opening
  // -------------------------------------------------------------------------------------------

  static async open(dir: string, options: StoreOpenOptions): Promise<Store> {
    if (typeof options?.modelId !== 'string' || options.modelId.length === 0) throw badInput('Store.open needs the loaded model id (modelId)');
    if (options.create && options.readOnly) throw badInput('a store cannot be created read-only');
    const planner = resolvePlannerParams(options.planner);
    const manifestPath = join(dir, FILES.manifest);
    const catalogPath = join(dir, FILES.catalog);
    const [hasManifest, hasCatalog] = await Promise.all([exists(manifestPath), exists(catalogPath)]);
    if (!hasManifest && !hasCatalog) {
      if (!options.create) throw new SkyclipError('NOT_FOUND', `no store at ${dir} (no ${FILES.manifest} or ${FILES.catalog}); create one with \`skyclip ingest\``, { dir });
      return Store.create(dir, options, planner);
    }
    if (!hasCatalog) {
      throw new SkyclipError('UNUSABLE', `${dir} has ${FILES.manifest} but no ${FILES.catalog}: the catalog is lost; ${REMEDIES.reembed(dir, options.modelId)}`, { dir });
    }

    const lock = options.readOnly ? undefined : await acquireWriterLock(join(dir, FILES.lock), dir);
    let catalog: Catalog | undefined;
    try {
      catalog = Catalog.open(catalogPath, { readOnly: options.readOnly });
      const meta = catalog.meta;
      if (meta.modelId !== options.modelId) {
        throw new SkyclipError('CONFLICT', `store ${dir}: index built by model ${meta.modelId} but model ${options.modelId} is loaded; ${REMEDIES.reembed(dir, options.modelId)}, or load model ${meta.modelId}`, {
          dir,
          storeModel: meta.modelId,
          loadedModel: options.modelId,
        });
      }
      if (options.dimension !== undefined && options.dimension !== meta.dimension) {
        throw new SkyclipError('CONFLICT', `store ${dir} holds ${meta.dimension}-d vectors but ${options.dimension}-d was expected`, { dir });
      }

      let manifest: Manifest;
      if (hasManifest) {
        manifest = await readManifest(manifestPath);
        const mismatch =
          manifest.storeId !== meta.storeId ? 'store id' : manifest.modelId !== meta.modelId ? 'model id' : manifest.dimension !== meta.dimension ? 'dimension' : undefined;
        if (mismatch) {
          throw new SkyclipError('UNUSABLE', `store ${dir}: ${FILES.manifest} and ${FILES.catalog} disagree on the ${mismatch} (files from different stores?); ${REMEDIES.reindex(dir)}`, { dir });
        }
      } else {
        // Lost, or a crash between creating the catalog and the first manifest: the catalog is
        // the truth, so start from a manifest with no index files and replay every vector.
        if (!(options.create || options.repair)) {
          throw new SkyclipError('UNUSABLE', `store ${dir} has no ${FILES.manifest}; ${REMEDIES.reindex(dir)}`, { dir });
        }
        const now = new Date().toISOString();
        manifest = {
          format: STORE_FORMAT,
          version: STORE_FORMAT_VERSION,
          storeId: meta.storeId,
          modelId: meta.modelId,
          dimension: meta.dimension,
          space: 'cosine',
          index: resolveIndexParams(options.index),
          // Past any index file left in the directory, so no new file reuses an old name.
          generation: await highestGeneration(dir),
          createdAt: meta.createdAt,
          savedAt: now,
          indexes: {},
        };
        if (!options.readOnly) await writeManifest(manifestPath, manifest);
      }

      for (const key of ['m', 'efConstruction', 'seed'] as const) {
        const given = options.index?.[key];
        if (given !== undefined && given !== manifest.index[key]) {
          throw badInput(`store ${dir} was built with ${key} = ${manifest.index[key]}; ${key} is fixed when a store is created (create a new store to change it)`);
        }
      }
      const params = resolveIndexParams({ ...manifest.index, efSearch: options.index?.efSearch ?? manifest.index.efSearch });
      const store = new Store(dir, catalog, manifest, params, planner, lock, options);
      if (lock) await store.sweep();
      for (const m of MODALITIES) await store.loadModality(m);
      return store;
    } catch (err) {
      catalog?.close();
      await lock?.release();
      throw err;
    }
  }

  /**
   * What a store directory says about itself (from catalog.sqlite, read-only, no lock, no index
   * loaded): which model built it, so a caller can pick the model to open it with or see that
   * it must re-embed. NOT_FOUND when `dir` holds no store.
   */
  static async inspect(dir: string): Promise<{ storeId: string; modelId: string; dimension: number; objects: number }> {
    const catalogPath = join(dir, FILES.catalog);
    if (!(await exists(catalogPath))) {
      throw new SkyclipError('NOT_FOUND', `no store at ${dir} (no ${FILES.catalog}); create one with \`skyclip ingest\``, { dir });
    }
    const catalog = Catalog.open(catalogPath, { readOnly: true });
    try {
      const { storeId, modelId, dimension } = catalog.meta;
      return { storeId, modelId, dimension, objects: catalog.countObjects() };
    } finally {
      catalog.close();
    }
  }

  private static async create(dir: string, options: StoreOpenOptions, planner: PlannerParams): Promise<Store> {
    const dim = options.dimension;
    if (dim === undefined || !Number.isInteger(dim) || dim < 1 || dim > 65536) {
      throw badInput(`creating a store needs the embedding dimension (an integer in 1..65536), got ${String(dim)}`);
    }
    const params = resolveIndexParams(options.index);
    await mkdir(dir, { recursive: true });
    const lock = await acquireWriterLock(join(dir, FILES.lock), dir);
    let catalog: Catalog | undefined;
    try {
      const now = new Date().toISOString();
      const storeId = randomUUID();
      // The catalog first, the manifest last: a crash in between leaves a catalog that
      // `open` (create or repair) completes.
      catalog = Catalog.create(join(dir, FILES.catalog), { storeId, modelId: options.modelId, dimension: dim, createdAt: now });
      const manifest: Manifest = {
        format: STORE_FORMAT,
        version: STORE_FORMAT_VERSION,
        storeId,
        modelId: options.modelId,
        dimension: dim,
        space: 'cosine',
        index: params,
        generation: 0,
        createdAt: now,
        savedAt: now,
        indexes: {},
      };
      await writeManifest(join(dir, FILES.manifest), manifest);
      return new Store(dir, catalog, manifest, params, planner, lock, options);
    } catch (err) {
      catalog?.close();
      await lock.release();
      throw err;
    }
  }

  /** Removes temp files and index files no manifest refers to (left by a crash mid-save). */
  private async sweep(): Promise<void> {
    const live = new Set(Object.values(this.manifest.indexes).map((e) => e!.file));
    for (const name of await readdir(this.dir)) {
      const ours = name.includes(TEMP_MARKER) ? name.startsWith(FILES.manifest) || INDEX_FILE_PATTERN.test(name.split(TEMP_MARKER)[0]) : INDEX_FILE_PATTERN.test(name);
      if (ours && !live.has(name)) await rm(join(this.dir, name), { force: true });
    }
  }

  private async loadModality(m: Modality): Promise<void> {
    const entry = this.manifest.indexes[m];
    if (entry) {
      try {
        const graph = await this.loadVerified(m, entry);
        const state: GraphState = { graph, live: this.catalog.countVectors(m), dirty: false };
        this.graphs.set(m, state);
        const replayed = await this.fill(m, state.graph, entry.seq, 'replaying');
        let deleted = 0;
        for (const t of this.catalog.tombstones(m)) if (state.graph.markDeleted(t.label)) deleted++;
        state.dirty = replayed + deleted > 0;
        return;
      } catch (err) {
        const fixable = err instanceof SkyclipError && (err.code === 'UNUSABLE' || err.code === 'NOT_FOUND');
        if (!(this.options.repair && fixable)) throw err;
        // repair: fall through and rebuild from the catalog
      }
    }
    const live = this.catalog.countVectors(m);
    if (live === 0 && !entry) return;
    this.graphs.set(m, await this.build(m));
  }

  /** Checks the file against the manifest, loads it, and checks it against the catalog. */
  private async loadVerified(m: Modality, entry: IndexEntry): Promise<Graph> {
    const path = join(this.dir, entry.file);
    let digest;
    try {
      digest = await digestFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new SkyclipError('NOT_FOUND', `store ${this.dir}: ${entry.file} (the ${m} index named in ${FILES.manifest}) is missing; ${REMEDIES.reindex(this.dir)}`, { path });
      }
      throw err;
    }
    if (digest.bytes !== entry.bytes || digest.sha256 !== entry.sha256) {
      throw new SkyclipError(
        'UNUSABLE',
        `store ${this.dir}: ${entry.file} does not match ${FILES.manifest} (${digest.bytes} bytes, sha256 ${digest.sha256.slice(0, 12)}...; ` +
          `expected ${entry.bytes} bytes, sha256 ${entry.sha256.slice(0, 12)}...): the ${m} index is truncated or corrupted; ${REMEDIES.reindex(this.dir)}`,
        { path, expected: entry, actual: digest },
      );
    }
    const graph = await Graph.load(path, this.dimension);
    checkGraphAgainstCatalog(graph, this.catalog, m, entry, this.dir, this.dimension);
    return graph;
  }

  /** Adds to `graph` every vector committed after `afterSeq`, in pages, yielding between them. */
  private async fill(m: Modality, graph: Graph, afterSeq: number, verb: string): Promise<number> {
    const total = this.catalog.countVectorsAfter(m, afterSeq);
    if (total === 0) return 0;
    graph.reserve(total);
    const bar = this.options.progress && total >= WRITE_BATCH ? new ProgressBar(`${verb} ${m}`, total, { unit: 'vectors' }) : undefined;
    let done = 0;
    let after = 0;
    for (;;) {
      const page = this.catalog.vectorPage(m, this.dimension, { minSeqExclusive: afterSeq, afterLabel: after, limit: WRITE_BATCH });
      if (page.length === 0) break;
      for (const [label, vector] of page) graph.add(label, vector);
      after = page[page.length - 1][0];
      done += page.length;
      bar?.update(done);
      await yieldToEventLoop();
    }
    bar?.finish();
    return done;
  }

  /** A new graph of every vector of the modality in the catalog. */
  private async build(m: Modality): Promise<GraphState> {
    const seq = this.catalog.seq();
    const live = this.catalog.countVectors(m);
    const graph = Graph.create(this.dimension, this.params, live * CAPACITY_GROWTH);
    await this.fill(m, graph, -1, 'building');
    return { graph, live, dirty: true, rebuiltAtSeq: seq };
  }

  // -------------------------------------------------------------------------------------------
  // Writing
  // -------------------------------------------------------------------------------------------

  private usable(): void {
    if (this.closed) throw new SkyclipError('CONFLICT', `store ${this.dir} is closed`);
  }

  private writable(): void {
    this.usable();
    if (this.readOnly) throw new SkyclipError('CONFLICT', `store ${this.dir} is open read-only`);
  }

  /** Runs mutations one after another (hnswlib must not change a graph while writeIndex reads it on another thread). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(() => {
      this.usable();
      return fn();
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Queued like exclusive, but a no-op (not an error) once the store is closed, so close() can be called twice. */
  private last(fn: () => Promise<void>): Promise<void> {
    const run = this.tail.then(() => (this.closed ? undefined : fn()));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Inserts or replaces catalog rows (one transaction). An existing id keeps its label and its
   * vectors; its fields are replaced by the given ones (fields left out become null).
   */
  upsertObjects(rows: readonly ObjectInput[]): { inserted: number; updated: number } {
    this.writable();
    if (!Array.isArray(rows)) throw badInput('upsertObjects takes an array of objects');
    const result = this.catalog.upsertObjects(rows);
    this.objects += result.inserted;
    return result;
  }

  /**
   * Stores and indexes embeddings of catalog objects (replacing earlier ones). Vectors are
   * checked and normalized first, so bad input writes nothing. Written in batches of
   * WRITE_BATCH, each one SQLite transaction, yielding to the event loop between them; a crash
   * keeps whole batches, and repeating the call is harmless.
   */
  async addEmbeddings(modality: Modality, items: readonly EmbeddingInput[]): Promise<{ inserted: number; updated: number }> {
    const m = assertModality(modality);
    this.writable();
    if (!Array.isArray(items)) throw badInput('addEmbeddings takes an array of { id, vector }');
    const seen = new Set<string>();
    const prepared = items.map((item, i) => {
      if (!item || typeof item.id !== 'string') throw badInput(`embedding [${i}] has no string id`);
      if (seen.has(item.id)) throw badInput(`id ${JSON.stringify(item.id)} appears twice in one addEmbeddings call`);
      seen.add(item.id);
      return { id: item.id, vector: unitVector(item.vector, this.dimension, `${m} vector of ${JSON.stringify(item.id)}`) };
    });
    return this.exclusive(async () => {
      const labels = this.catalog.labelsOf(prepared.map((p) => p.id));
      const missing = prepared.filter((p) => !labels.has(p.id)).map((p) => p.id);
      if (missing.length > 0) {
        throw new SkyclipError('NOT_FOUND', `${missing.length} id(s) are not in the catalog (e.g. ${missing.slice(0, 5).join(', ')}); upsert their catalog rows first`, {
          missing: missing.slice(0, 20),
        });
      }
      const state = this.graphs.get(m) ?? this.newGraph(m, prepared.length);
      let inserted = 0;
      for (let start = 0; start < prepared.length; start += WRITE_BATCH) {
        const batch = prepared.slice(start, start + WRITE_BATCH).map((p) => ({ label: labels.get(p.id)!, vector: p.vector }));
        const result = this.catalog.writeVectors(m, batch, this.modelId);
        inserted += result.inserted;
        state.live += result.inserted;
        state.dirty = true;
        const failed = this.applyToGraph(state, () => {
          state.graph.reserve(batch.length);
          for (const { label, vector } of batch) state.graph.add(label, vector);
        });
        if (failed) throw failed;
        if (state.matrix) {
          for (const { label, vector } of batch) state.matrix.set(label, vector);
          if (state.matrix.size * this.dimension * 4 > this.planner.vectorCacheBytes) state.matrix = null;
        }
        if (start + WRITE_BATCH < prepared.length) await yieldToEventLoop();
      }
      return { inserted, updated: prepared.length - inserted };
    });
  }

  private newGraph(m: Modality, expected: number): GraphState {
    const state: GraphState = { graph: Graph.create(this.dimension, this.params, expected * CAPACITY_GROWTH), live: 0, dirty: true, rebuiltAtSeq: this.catalog.seq() };
    this.graphs.set(m, state);
    return state;
  }

  /**
   * Runs a graph update that follows a catalog commit. If it fails, the graph no longer
   * matches the catalog: it is rebuilt before the next save, and the in-memory vectors are
   * reloaded from the catalog when next needed.
   */
  private applyToGraph(state: GraphState, update: () => void): unknown {
    try {
      update();
      return undefined;
    } catch (err) {
      state.stale = true;
      state.matrix = undefined;
      return err;
    }
  }

  /**
   * Deletes objects: their catalog rows and vectors go, and their labels are marked deleted in
   * the graphs. The catalog commits first, with a tombstone per removed vector, so a crash
   * before the graphs are saved can never leave an index label without its object: the next
   * open replays the tombstones.
   */
  async delete(ids: readonly string[]): Promise<{ deleted: number; missing: string[] }> {
    this.writable();
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) throw badInput('delete takes an array of string ids');
    return this.exclusive(async () => {
      const labels = this.catalog.labelsOf(ids);
      const missing = ids.filter((id) => !labels.has(id));
      if (labels.size === 0) return { deleted: 0, missing };
      const { removed } = this.catalog.deleteObjects([...labels.values()]);
      this.objects -= labels.size;
      let failed: unknown;
      for (const { modality, label } of removed) {
        const state = this.graphs.get(modality);
        if (!state) continue;
        state.live -= 1;
        state.dirty = true;
        state.matrix?.remove(label);
        failed ??= this.applyToGraph(state, () => state.graph.markDeleted(label));
      }
      if (failed) throw failed;
      return { deleted: labels.size, missing };
    });
  }

  /**
   * Rebuilds a modality's graph from the vectors in the catalog: drops deleted elements for
   * good and returns the graph to full quality after many deletions. Searches keep using the
   * old graph until the new one is complete. Call save() to persist it.
   */
  async rebuild(modality: Modality): Promise<{ count: number }> {
    const m = assertModality(modality);
    this.writable();
    return this.exclusive(async () => {
      const state = await this.build(m);
      this.graphs.set(m, state);
      return { count: state.live };
    });
  }

  /**
   * Writes every changed graph to a new file and commits them with a new manifest. Returns the
   * modalities written. Nothing visible changes until the manifest rename.
   */
  async save(): Promise<{ saved: Modality[] }> {
    this.writable();
    return this.exclusive(() => this.saveNow());
  }

  private async saveNow(): Promise<{ saved: Modality[] }> {
    for (const [m, state] of this.graphs) if (state.stale) this.graphs.set(m, await this.build(m));
    const dirty = MODALITIES.filter((m) => this.graphs.get(m)?.dirty);
    if (dirty.length === 0) return { saved: [] };
    const seq = this.catalog.seq();
    const generation = this.manifest.generation + 1;
    const next: Manifest = { ...this.manifest, generation, savedAt: new Date().toISOString(), indexes: { ...this.manifest.indexes } };
    const written: string[] = [];
    try {
      for (const m of dirty) {
        const state = this.graphs.get(m)!;
        const file = indexFileName(m, generation);
        const path = join(this.dir, file);
        await writeAtomicWith(path, (tmp) => state.graph.write(tmp));
        written.push(path);
        const digest = await digestFile(path);
        next.indexes[m] = { file, sha256: digest.sha256, bytes: digest.bytes, count: state.live, elements: state.graph.elements, capacity: state.graph.capacity, seq };
      }
      await writeManifest(join(this.dir, FILES.manifest), next, { beforeRename: this.options.hooks?.beforeManifestRename });
    } catch (err) {
      await Promise.all(written.map((p) => rm(p, { force: true })));
      throw err;
    }
    const previous = this.manifest;
    this.manifest = next;
    for (const m of dirty) {
      const state = this.graphs.get(m)!;
      state.dirty = false;
      if (state.rebuiltAtSeq !== undefined) {
        this.catalog.purgeTombstones(m, state.rebuiltAtSeq);
        state.rebuiltAtSeq = undefined;
      }
      const old = previous.indexes[m];
      if (old && old.file !== next.indexes[m]!.file) await rm(join(this.dir, old.file), { force: true });
    }
    return { saved: dirty };
  }

  /** Saves (unless read-only or `save: false`), closes the catalog and releases the lock. */
  async close(options: { save?: boolean } = {}): Promise<void> {
    await this.last(async () => {
      try {
        if (!this.readOnly && options.save !== false) await this.saveNow();
      } finally {
        this.closed = true;
        this.catalog.close();
        await this.lock?.release();
      }
    });
  }

  // -------------------------------------------------------------------------------------------
  // Reading
  // -------------------------------------------------------------------------------------------

  /** Nearest neighbours of `vector` among the modality's objects (passing `filter`), best first. */
  search(modality: Modality, vector: ArrayLike<number>, options: SearchOptions = {}): SearchHit[] {
    return this.searchExplained(modality, vector, options).hits;
  }

  /** search(), with the plan it ran (strategy, candidates, ef, whether it fell back to exact). */
  searchExplained(modality: Modality, vector: ArrayLike<number>, options: SearchOptions = {}): SearchResult {
    const m = assertModality(modality);
    this.usable();
    const k = options.k ?? DEFAULT_K;
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw badInput(`k must be an integer in 1..${MAX_K}, got ${k}`);
    const ef = options.ef ?? this.params.efSearch;
    if (!Number.isInteger(ef) || ef < 1) throw badInput(`ef must be a positive integer, got ${ef}`);
    const query = unitVector(vector, this.dimension, 'query vector');
    const state = this.graphs.get(m);
    const { scored, plan } = runSearch(
      {
        catalog: this.catalog,
        modality: m,
        dim: this.dimension,
        graph: state?.graph,
        total: state?.live ?? 0,
        objects: this.objects,
        planner: this.planner,
        matrix: () => (state ? this.matrixFor(m, state) : null),
      },
      { vector: query, k, ef, filter: options.filter, exact: options.exact },
    );
    return { hits: this.resolve(scored, options.withRows ?? false), plan };
  }

  /** The modality's in-memory vectors, loaded from the catalog on first use if they fit the budget. */
  private matrixFor(m: Modality, state: GraphState): VectorMatrix | null {
    if (state.matrix !== undefined) return state.matrix;
    if (state.live * this.dimension * 4 > this.planner.vectorCacheBytes) return (state.matrix = null);
    const matrix = new VectorMatrix(this.dimension, state.live);
    for (const [label, vector] of this.catalog.allVectors(m, this.dimension)) matrix.set(label, vector);
    return (state.matrix = matrix);
  }

  private resolve(scored: Array<{ label: number; similarity: number; distance: number }>, withRows: boolean): SearchHit[] {
    if (scored.length === 0) return [];
    const labels = scored.map((s) => s.label);
    const rows = withRows ? this.catalog.rowsByLabel(labels) : undefined;
    const ids = rows ? new Map([...rows].map(([label, row]) => [label, row.id])) : this.catalog.idsByLabel(labels);
    return scored.map((s) => {
      const id = ids.get(s.label);
      if (id === undefined) throw new SkyclipError('INTERNAL', `store ${this.dir}: label ${s.label} found by search has no catalog row`, { label: s.label });
      const hit: SearchHit = { id, label: s.label, similarity: s.similarity, distance: s.distance };
      if (rows) hit.row = rows.get(s.label);
      return hit;
    });
  }

  get(id: string): ObjectRow | undefined {
    this.usable();
    return this.catalog.get(id);
  }

  /** The stored (unit) vector of an object in a modality, if it has one. */
  vectorOf(id: string, modality: Modality): Float32Array | undefined {
    const m = assertModality(modality);
    this.usable();
    const label = this.catalog.labelsOf([id]).get(id);
    return label === undefined ? undefined : this.catalog.getVector(m, label, this.dimension);
  }

  /** Modalities in which an object has a vector. */
  modalitiesOf(id: string): Modality[] {
    this.usable();
    const label = this.catalog.labelsOf([id]).get(id);
    return label === undefined ? [] : this.catalog.modalitiesOf(label);
  }

  /** For each of `ids` in the catalog, the modalities in which it has a vector (bulk modalitiesOf; absent ids are not in the map). */
  embeddedModalities(ids: readonly string[]): Map<string, Modality[]> {
    this.usable();
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) throw badInput('embeddedModalities takes an array of string ids');
    return this.catalog.vectorModalitiesOfIds(ids);
  }

  /** Number of objects, or of objects with a vector in `modality`. */
  count(modality?: Modality): number {
    this.usable();
    if (modality === undefined) return this.catalog.countObjects();
    return this.graphs.get(assertModality(modality))?.live ?? 0;
  }

  /** Catalog rows passing `filter`, in insertion order. */
  /** Every catalog row passing the filter (all rows without one), in label (insertion) order: one query, no paging. */
  allRows(filter?: SearchFilter): ObjectRow[] {
    this.usable();
    return this.catalog.select(filter, -1, 0); // SQLite: a negative LIMIT means no limit
  }

  select(filter?: SearchFilter, page: { limit?: number; offset?: number } = {}): ObjectRow[] {
    this.usable();
    const limit = page.limit ?? 100;
    const offset = page.offset ?? 0;
    if (!Number.isInteger(limit) || limit < 0 || !Number.isInteger(offset) || offset < 0) throw badInput('select: limit and offset must be non-negative integers');
    return this.catalog.select(filter, limit, offset);
  }

  info(): StoreInfo {
    this.usable();
    return {
      dir: this.dir,
      storeId: this.manifest.storeId,
      modelId: this.modelId,
      dimension: this.dimension,
      index: { ...this.params },
      planner: { ...this.planner },
      readOnly: this.readOnly,
      objects: this.catalog.countObjects(),
      vectors: Object.fromEntries(MODALITIES.map((m) => [m, this.graphs.get(m)?.live ?? 0])) as Record<Modality, number>,
      unsaved: MODALITIES.filter((m) => this.graphs.get(m)?.dirty),
      generation: this.manifest.generation,
    };
  }
}
