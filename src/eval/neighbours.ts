/**
 * Exact Euclidean neighbour search for the evaluation's k-NN heads, plugged into the heads'
 * `NeighbourSearch` slot. AstroCLIP's zero-shot protocol is scikit-learn's distance-weighted
 * KNeighborsRegressor on standard-scaled embeddings, i.e. Euclidean distance on z-scored
 * features; the same protocol then also serves the 5-number photometry baseline, for which a
 * cosine (which ignores the overall brightness scale) would be the wrong metric.
 *
 * The heads weight a neighbour by 1 / sqrt(2 (1 - similarity)) (the chord distance of unit
 * vectors). Reporting similarity = 1 - d^2 / 2 makes that weight exactly 1 / d, scikit-learn's
 * weights='distance', and keeps the "most similar first" order (= nearest first).
 *
 *   const knn = KnnRegressor.fromSearch({ search: euclideanSearch(train), y }, val);
 */
import type { Matrix, Neighbour, NeighbourSearch } from '../heads/index.js';
import { badInput } from '../util/errors.js';

/** Brute-force search over the rows of `reference` (ties broken by lower index). */
export function euclideanSearch(reference: Matrix): NeighbourSearch {
  const { rows: n, cols: d } = reference;
  const data = reference.data instanceof Float64Array ? reference.data : Float64Array.from(reference.data); // one array type in the hot loop
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += data[i * d + j] ** 2;
    norms[i] = s;
  }
  const dist2 = new Float64Array(n);
  const q = new Float64Array(d);
  return (query, k): Neighbour[] => {
    if (query.length !== d) throw badInput(`euclideanSearch: query has ${query.length} values, expected ${d}`);
    const m = Math.min(Math.max(0, Math.floor(k)), n);
    if (m === 0) return [];
    let qq = 0;
    for (let j = 0; j < d; j++) {
      q[j] = query[j]; // one monomorphic copy: the hot loop below reads a Float64Array only
      qq += q[j] * q[j];
    }
    for (let i = 0; i < n; i++) dist2[i] = Math.max(0, qq + norms[i] - 2 * dotRow(data, i * d, q, d));
    return smallest(dist2, m).map((i) => ({ index: i, similarity: 1 - dist2[i] / 2 }));
  };
}

/** data[base .. base + d) . q, unrolled by 4. */
function dotRow(data: Float64Array, base: number, q: Float64Array, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < d; j += 4) {
    s0 += data[base + j] * q[j];
    s1 += data[base + j + 1] * q[j + 1];
    s2 += data[base + j + 2] * q[j + 2];
    s3 += data[base + j + 3] * q[j + 3];
  }
  for (; j < d; j++) s0 += data[base + j] * q[j];
  return s0 + s1 + s2 + s3;
}

/** Indices of the m smallest values (ascending, ties by index): a bounded max-heap. */
function smallest(values: Float64Array, m: number): number[] {
  const heap = new Int32Array(m);
  let size = 0;
  // "a before b" in the heap = a is the worse (larger value, or same value and larger index).
  const worse = (a: number, b: number) => values[a] > values[b] || (values[a] === values[b] && a > b);
  const swap = (a: number, b: number) => {
    const t = heap[a];
    heap[a] = heap[b];
    heap[b] = t;
  };
  for (let i = 0; i < values.length; i++) {
    if (size < m) {
      heap[size] = i;
      let c = size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!worse(heap[c], heap[p])) break;
        swap(c, p);
        c = p;
      }
    } else if (values[i] < values[heap[0]]) {
      heap[0] = i;
      let c = 0;
      for (;;) {
        const l = 2 * c + 1;
        const r = l + 1;
        let w = c;
        if (l < size && worse(heap[l], heap[w])) w = l;
        if (r < size && worse(heap[r], heap[w])) w = r;
        if (w === c) break;
        swap(c, w);
        c = w;
      }
    }
  }
  return Array.from(heap.subarray(0, size)).sort((a, b) => values[a] - values[b] || a - b);
}

/**
 * Memoizes a search per query vector (keyed by its exact bytes), keeping the largest request
 * seen: every target of a feature set asks the same val and held-out queries against the same
 * fit split, so one brute-force pass per query serves them all. A smaller request is answered by
 * a prefix of a larger one (answers are sorted, ties by index), so results equal the uncached
 * search's.
 */
export function cachedSearch(search: NeighbourSearch): NeighbourSearch {
  const cache = new Map<string, { asked: number; found: Neighbour[] }>();
  return (query, k) => {
    const q = query instanceof Float64Array ? query : Float64Array.from(query);
    const id = Buffer.from(q.buffer, q.byteOffset, q.byteLength).toString('base64');
    const hit = cache.get(id);
    if (hit && hit.asked >= k) return hit.found.slice(0, Math.max(0, Math.floor(k)));
    const found = search(query, k);
    cache.set(id, { asked: k, found });
    return found;
  };
}
