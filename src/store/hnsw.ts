/**
 * One modality's HNSW graph (hnswlib-node, space 'cosine'), wrapped around the library's
 * sharp edges:
 *   - every call but readIndex/writeIndex runs on the main thread and blocks the event loop;
 *     the store batches and yields around them;
 *   - vectors cross the binding as plain arrays (typed arrays are rejected);
 *   - labels are uint32; the catalog assigns them;
 *   - ef resets to 10 on every load and is not in the file, so it is set after each load and
 *     before each search (to at least k);
 *   - the capacity is fixed until resizeIndex, so adds grow it first;
 *   - readIndex trusts the file's header (a corrupted one can allocate wildly or crash), so
 *     callers verify the checksum before `load`.
 *
 *   const g = Graph.create(64, params, 1000);
 *   g.add(7, unitVector);
 *   g.search(query, 10, 128, allowedLabels);  // { labels, distances }, nearest first
 */
import hnswlib from 'hnswlib-node';
import { SkyclipError } from '../util/errors.js';
import { CAPACITY_GROWTH, MIN_CAPACITY, type IndexParams } from './config.js';

const { HierarchicalNSW } = hnswlib;
type Hnsw = InstanceType<typeof HierarchicalNSW>;

export interface GraphHits {
  labels: number[];
  /** Cosine distance, 1 - similarity, nearest first. */
  distances: number[];
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class Graph {
  private constructor(
    private readonly index: Hnsw,
    readonly dim: number,
  ) {}

  /** An empty graph with room for `capacity` elements before its first resize. */
  static create(dim: number, params: IndexParams, capacity: number): Graph {
    const index = new HierarchicalNSW('cosine', dim);
    index.initIndex({
      maxElements: Math.max(MIN_CAPACITY, Math.ceil(capacity)),
      m: params.m,
      efConstruction: params.efConstruction,
      randomSeed: params.seed,
    });
    return new Graph(index, dim);
  }

  /** Reads a graph file (off the main thread); the caller has checked its checksum. */
  static async load(path: string, dim: number): Promise<Graph> {
    const index = new HierarchicalNSW('cosine', dim);
    try {
      await index.readIndex(path);
    } catch (err) {
      throw new SkyclipError('UNUSABLE', `${path} cannot be read as an HNSW index: ${message(err)}`, { path });
    }
    return new Graph(index, dim);
  }

  /** Elements in the graph, including ones marked deleted. */
  get elements(): number {
    return this.index.getCurrentCount();
  }

  get capacity(): number {
    return this.index.getMaxElements();
  }

  /** Grows the capacity (by CAPACITY_GROWTH) if `extra` more elements would not fit. */
  reserve(extra: number): void {
    const needed = this.elements + extra;
    if (needed <= this.capacity) return;
    this.index.resizeIndex(Math.max(needed, Math.ceil(this.capacity * CAPACITY_GROWTH)));
  }

  /** Adds a unit vector under `label`, or replaces the vector of a label already there (also a deleted one, which comes back). */
  add(label: number, vector: Float32Array): void {
    try {
      this.index.addPoint(Array.from(vector), label);
    } catch (err) {
      throw new SkyclipError('INTERNAL', `hnswlib refused label ${label}: ${message(err)}`, { label });
    }
  }

  /**
   * Marks `label` deleted: it stays in the graph as a waypoint but is never returned. Returns
   * false when it was already deleted or was never added (both fine when replaying a journal).
   */
  markDeleted(label: number): boolean {
    try {
      this.index.markDelete(label);
      return true;
    } catch (err) {
      const text = message(err);
      if (/already deleted|Label not found/.test(text)) return false;
      throw new SkyclipError('INTERNAL', `hnswlib could not delete label ${label}: ${text}`, { label });
    }
  }

  /** Every label in the graph, deleted ones included (hnswlib-node cannot tell them apart). */
  labels(): number[] {
    return this.index.getIdsList();
  }

  /** The stored (unit) vector of a label. */
  vector(label: number): number[] {
    return this.index.getPoint(label);
  }

  /**
   * The k nearest live labels, searching with a candidate list of max(ef, k). With `allowed`,
   * only those labels are returned (hnswlib calls back into JS for each candidate it meets,
   * which is why the planner keeps this path for filters that pass many objects).
   */
  search(query: readonly number[], k: number, ef: number, allowed?: ReadonlySet<number>): GraphHits {
    if (k <= 0 || this.elements === 0) return { labels: [], distances: [] };
    this.index.setEf(Math.max(ef, k));
    const kk = Math.min(k, this.capacity);
    const result = allowed ? this.index.searchKnn(query as number[], kk, (label) => allowed.has(label)) : this.index.searchKnn(query as number[], kk);
    return { labels: result.neighbors, distances: result.distances };
  }

  /** Writes the graph to `path` (off the main thread). No add or delete may run until it resolves. */
  async write(path: string): Promise<void> {
    try {
      await this.index.writeIndex(path);
    } catch (err) {
      throw new SkyclipError('INTERNAL', `could not write HNSW index ${path}: ${message(err)}`, { path });
    }
  }
}
