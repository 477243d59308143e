/**
 * Cross-modal retrieval metrics: for each query (say an image embedding), rank all candidates
 * (spectrum embeddings of the same objects, in the same order) by cosine similarity and find
 * the rank of its true partner. Exact, O(N^2 D): meant for evaluation sets of ~1,000.
 */
export interface RetrievalScores {
  /** Share of queries whose partner is among the top k, for each requested k. */
  recallAt: Record<number, number>;
  /** Median 1-based rank of the partner. */
  medianRank: number;
  /** Number of queries (= candidates). */
  count: number;
}

/** Rows of `values` ([n, dim], row-major) scaled to unit length (zero rows stay zero). */
export function normalizeRows(values: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < values.length / dim; r++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += values[r * dim + j] ** 2;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let j = 0; j < dim; j++) out[r * dim + j] = values[r * dim + j] * scale;
  }
  return out;
}

/** 1-based rank of each query's partner (row i of candidates) among all candidates. */
export function partnerRanks(queries: Float32Array, candidates: Float32Array, dim: number): Int32Array {
  const n = queries.length / dim;
  if (candidates.length !== queries.length) throw new RangeError('queries and candidates must have the same shape');
  const q = normalizeRows(queries, dim);
  const c = normalizeRows(candidates, dim);
  const ranks = new Int32Array(n);
  const sims = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += q[i * dim + k] * c[j * dim + k];
      sims[j] = dot;
    }
    // Ties count against the query (a constant embedding must not score well).
    let better = 0;
    for (let j = 0; j < n; j++) if (j !== i && sims[j] >= sims[i]) better++;
    ranks[i] = better + 1;
  }
  return ranks;
}

export function retrievalScores(ranks: Int32Array, ks: number[] = [1, 10, 100]): RetrievalScores {
  const sorted = Array.from(ranks).sort((a, b) => a - b);
  const n = sorted.length;
  const recallAt: Record<number, number> = {};
  for (const k of ks) recallAt[k] = sorted.filter((r) => r <= k).length / n;
  const medianRank = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { recallAt, medianRank, count: n };
}
