/**
 * The neighbour search a k-NN head is given. The head only needs "the k most similar reference
 * objects to this query, most similar first", so the search is a plain function: the store's
 * HNSW index can be plugged in later, and `exactCosineSearch` here is the exact reference.
 */
import { badInput } from '../util/errors.js';
import { type Matrix } from './matrix.js';

export interface Neighbour {
  /** Row of the reference set (the index of the target array given with the search). */
  index: number;
  /** Cosine similarity to the query, in [-1, 1]. */
  similarity: number;
}

/**
 * Up to k neighbours of `query`, sorted by decreasing similarity. Returning fewer than k means
 * the reference set holds no more.
 */
export type NeighbourSearch = (query: ArrayLike<number>, k: number) => Neighbour[];

/**
 * Exact brute-force cosine search over the rows of `reference` (O(n d) per query). It keeps
 * only the n row norms, not a normalized copy, so it costs no memory beyond the embeddings it is
 * given. Ties are broken by lower index, so results are deterministic. A zero row has
 * similarity 0 to everything.
 */
export function exactCosineSearch(reference: Matrix): NeighbourSearch {
  const { rows: n, cols: d, data } = reference;
  const inverseNorm = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < d; j++) norm += data[i * d + j] ** 2;
    inverseNorm[i] = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  }
  return (query, k) => {
    if (query.length !== d) throw badInput(`exactCosineSearch: query has ${query.length} values, expected ${d}`);
    const m = Math.min(Math.max(0, Math.floor(k)), n);
    if (m === 0) return [];
    let qn = 0;
    for (let j = 0; j < d; j++) qn += query[j] * query[j];
    const qs = qn > 0 ? 1 / Math.sqrt(qn) : 0;
    const heap = new TopK(m);
    for (let i = 0; i < n; i++) {
      let s = 0;
      const base = i * d;
      for (let j = 0; j < d; j++) s += data[base + j] * query[j];
      heap.offer(i, s * inverseNorm[i] * qs);
    }
    return heap.sorted();
  };
}

/** Keeps the m best (similarity desc, index asc) of a stream in a min-heap on "worse first". */
class TopK {
  private readonly idx: Int32Array;
  private readonly sim: Float64Array;
  private size = 0;

  constructor(private readonly m: number) {
    this.idx = new Int32Array(m);
    this.sim = new Float64Array(m);
  }

  /** a ranks below b (is the worse of the two). */
  private worse(a: number, b: number): boolean {
    return this.sim[a] < this.sim[b] || (this.sim[a] === this.sim[b] && this.idx[a] > this.idx[b]);
  }

  offer(index: number, similarity: number): void {
    if (this.size < this.m) {
      this.idx[this.size] = index;
      this.sim[this.size] = similarity;
      this.up(this.size++);
      return;
    }
    // Root = worst kept; indices arrive increasing, so an equal similarity never replaces it.
    if (similarity <= this.sim[0]) return;
    this.idx[0] = index;
    this.sim[0] = similarity;
    this.down(0);
  }

  sorted(): Neighbour[] {
    const out: Neighbour[] = [];
    for (let i = 0; i < this.size; i++) out.push({ index: this.idx[i], similarity: this.sim[i] });
    return out.sort((a, b) => b.similarity - a.similarity || a.index - b.index);
  }

  private swap(a: number, b: number): void {
    const ti = this.idx[a];
    this.idx[a] = this.idx[b];
    this.idx[b] = ti;
    const ts = this.sim[a];
    this.sim[a] = this.sim[b];
    this.sim[b] = ts;
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.worse(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let w = i;
      if (l < this.size && this.worse(l, w)) w = l;
      if (r < this.size && this.worse(r, w)) w = r;
      if (w === i) return;
      this.swap(i, w);
      i = w;
    }
  }
}
