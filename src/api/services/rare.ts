/**
 * "More like these": rank the catalog against a few positive examples (and optionally some
 * negatives), leaving the examples themselves out. The method, also returned with every answer:
 *
 *   1. Query = centroid of the positives minus half the centroid of the negatives (Rocchio
 *      relevance feedback), each example a unit vector; it fetches a candidate pool from the
 *      target index (default max(10 k, 200) objects, passing the filter).
 *   2. Each candidate c is re-ranked by
 *        score = 1/2 cos(c, query) + 1/2 max_i cos(c, positive_i) - 1/2 max_j cos(c, negative_j)
 *      (the last term only with negatives). The max-similarity term keeps objects close to any
 *      single positive high even when the positives are spread out (rare classes often are:
 *      lenses at different redshifts), where the centroid alone points between them; the
 *      negative term pushes down look-alikes the user has rejected.
 *
 * Examples may be catalog ids (their vector in the target modality when they have one, else
 * their other vector: cross-modal), vectors, or uploaded files.
 */
import type { Modality, SearchFilter, Store } from '../../store/index.js';
import { MAX_K } from '../../store/index.js';
import { badInput } from '../../util/errors.js';
import { dot, linksFor, normalized, objectJson } from '../present.js';
import type { Hit } from './search.js';

export const RARE_METHOD =
  'Rocchio query (centroid of the positives minus half the centroid of the negatives) fetches a candidate pool from the target index; ' +
  'candidates are re-ranked by score = 0.5 cos(c, query) + 0.5 max_i cos(c, positive_i) - 0.5 max_j cos(c, negative_j) (last term only with negatives); ' +
  'the examples themselves are excluded.';

export interface Example {
  vector: ArrayLike<number>;
  /** Catalog id of the example, when it is a stored object (excluded from the results). */
  id?: string;
}

export interface RareHit extends Hit {
  score: number;
  centroidSimilarity: number;
  maxPositiveSimilarity: number;
  maxNegativeSimilarity: number | null;
}

export interface RareParams {
  target: Modality;
  k: number;
  filter?: SearchFilter;
  /** Pool size fetched before re-ranking. */
  candidates: number;
}

function mean(vectors: readonly Float32Array[], dim: number): Float64Array {
  const out = new Float64Array(dim);
  for (const v of vectors) for (let j = 0; j < dim; j++) out[j] += v[j] / vectors.length;
  return out;
}

/** The Rocchio query: mean(P) - 0.5 mean(N), falling back to mean(P) when that cancels out. */
export function rocchioQuery(positives: readonly Float32Array[], negatives: readonly Float32Array[], dim: number): Float32Array {
  const p = mean(positives, dim);
  const q = Float64Array.from(p);
  if (negatives.length > 0) {
    const n = mean(negatives, dim);
    for (let j = 0; j < dim; j++) q[j] -= 0.5 * n[j];
  }
  const norm = Math.sqrt(dot(q, q));
  return norm > 1e-6 ? normalized(q) : normalized(p);
}

export function rareSearch(store: Store, positives: readonly Example[], negatives: readonly Example[], params: RareParams): { hits: RareHit[]; pool: number } {
  if (positives.length === 0) throw badInput('rare search needs at least one positive example (ids, vectors, or uploads)');
  const dim = store.dimension;
  const pos = positives.map((e) => normalized(e.vector));
  const neg = negatives.map((e) => normalized(e.vector));
  for (const v of [...pos, ...neg]) if (v.length !== dim || v.every((x) => x === 0)) throw badInput(`every example must be a non-zero ${dim}-d vector`);
  const query = rocchioQuery(pos, neg, dim);
  const excluded = new Set([...positives, ...negatives].flatMap((e) => (e.id !== undefined ? [e.id] : [])));
  if (store.count(params.target) === 0) return { hits: [], pool: 0 };

  const ask = Math.min(params.candidates + excluded.size, MAX_K);
  const found = store.search(params.target, query, { k: ask, filter: params.filter, withRows: true }).filter((h) => !excluded.has(h.id));
  const scored = found.map((h) => {
    const c = store.vectorOf(h.id, params.target)!;
    const centroidSimilarity = h.similarity;
    const maxPositiveSimilarity = Math.max(...pos.map((p) => dot(c, p)));
    const maxNegativeSimilarity = neg.length > 0 ? Math.max(...neg.map((n) => dot(c, n))) : null;
    const score = 0.5 * centroidSimilarity + 0.5 * maxPositiveSimilarity - (maxNegativeSimilarity === null ? 0 : 0.5 * maxNegativeSimilarity);
    return { h, score, centroidSimilarity, maxPositiveSimilarity, maxNegativeSimilarity };
  });
  scored.sort((a, b) => b.score - a.score || (a.h.id < b.h.id ? -1 : 1));
  const hits = scored.slice(0, params.k).map(
    (s, i): RareHit => ({
      rank: i + 1,
      id: s.h.id,
      similarity: s.h.similarity,
      distance: s.h.distance,
      object: objectJson(s.h.row!),
      links: linksFor(s.h.row!),
      score: s.score,
      centroidSimilarity: s.centroidSimilarity,
      maxPositiveSimilarity: s.maxPositiveSimilarity,
      maxNegativeSimilarity: s.maxNegativeSimilarity,
    }),
  );
  return { hits, pool: found.length };
}
