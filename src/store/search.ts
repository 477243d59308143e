/**
 * Runs one k-NN query over one modality by the plan planner.ts chooses, handing over to the
 * next strategy when one comes up short. Returns labels with cosine similarity and distance,
 * best first; the store turns labels into ids and rows.
 */
import type { Catalog } from './catalog.js';
import { POSTFILTER_OVERFETCH, type Modality, type PlannerParams } from './config.js';
import { exactTopK } from './exact.js';
import { isEmptyFilter, type SearchFilter } from './filter.js';
import type { Graph, GraphHits } from './hnsw.js';
import { choosePlan, postFilterFetch, type Plan, type Strategy } from './planner.js';
import type { VectorMatrix } from './vector-matrix.js';

export interface Scored {
  label: number;
  similarity: number;
  distance: number;
}

export interface SearchTarget {
  catalog: Catalog;
  modality: Modality;
  dim: number;
  /** The modality's graph, absent when it has no vectors. */
  graph?: Graph;
  /** Objects with a vector in the modality. */
  total: number;
  /** Objects in the catalog. */
  objects: number;
  planner: PlannerParams;
  /** The in-memory vectors for exact ranking, or null to read them from the catalog. */
  matrix: () => VectorMatrix | null;
}

export interface Query {
  /** Unit query vector. */
  vector: Float32Array;
  k: number;
  ef: number;
  filter?: SearchFilter;
  exact?: boolean;
}

function fromGraph(hits: GraphHits, keep?: (label: number) => boolean, k = Number.POSITIVE_INFINITY): Scored[] {
  const out: Scored[] = [];
  for (let i = 0; i < hits.labels.length && out.length < k; i++) {
    if (keep && !keep(hits.labels[i])) continue;
    out.push({ label: hits.labels[i], similarity: 1 - hits.distances[i], distance: hits.distances[i] });
  }
  return out;
}

export function runSearch(target: SearchTarget, query: Query): { scored: Scored[]; plan: Plan } {
  const { catalog, modality, graph, total, objects, planner } = target;
  const { k, ef, filter } = query;
  const filtered = !isEmptyFilter(filter);
  const matching = filtered ? catalog.countFiltered(filter) : undefined;
  const first = choosePlan({ total, objects, matching, k, ef: query.ef, exact: query.exact }, planner);
  if (first.candidates === 0 || !graph) return { scored: [], plan: first };

  // The passing labels that have a vector, fetched only by the strategies that need them.
  let passing: number[] | undefined;
  const passingLabels = () => (passing ??= catalog.filteredLabels(modality, filter));
  const plain = Array.from(query.vector); // hnswlib-node takes plain arrays only
  let strategy: Strategy = first.strategy;
  let efUsed = 0;
  const done = (scored: Scored[]) => ({
    scored,
    plan: { strategy, candidates: passing?.length ?? first.candidates, ef: strategy === 'exact' ? 0 : efUsed, fallback: strategy !== first.strategy },
  });

  for (;;) {
    const want = Math.min(k, passing?.length ?? first.candidates);
    switch (strategy) {
      case 'graph': {
        efUsed = Math.max(ef, want);
        const hits = graph.search(plain, want, efUsed);
        if (hits.labels.length >= want) return done(fromGraph(hits));
        strategy = 'exact';
        break;
      }
      case 'graph-postfilter': {
        const fetch = postFilterFetch(k, matching!, objects, POSTFILTER_OVERFETCH, total);
        // ef / selectivity: the walk's candidate list then holds about ef passing objects, the
        // quality an unfiltered query of the same ef gets.
        efUsed = Math.min(Math.max(total, fetch), Math.max(fetch, Math.ceil((ef * objects) / Math.max(matching!, 1))));
        const hits = graph.search(plain, fetch, efUsed);
        const pass = catalog.labelsPassing(hits.labels, filter);
        const kept = fromGraph(hits, (label) => pass.has(label), k);
        if (kept.length >= want) return done(kept);
        strategy = 'graph-filtered';
        break;
      }
      case 'graph-filtered': {
        const allowed = passingLabels();
        const w = Math.min(k, allowed.length);
        efUsed = Math.max(ef, w);
        const hits = graph.search(plain, w, efUsed, new Set(allowed));
        if (hits.labels.length >= w) return done(fromGraph(hits));
        strategy = 'exact';
        break;
      }
      case 'exact': {
        const subset = filtered ? passingLabels() : undefined;
        const matrix = target.matrix();
        const ranked = matrix
          ? matrix.topK(query.vector, k, subset)
          : exactTopK(query.vector, subset ? catalog.vectorsFor(modality, subset, target.dim) : catalog.allVectors(modality, target.dim), k);
        return done(ranked.map((s) => ({ ...s, distance: 1 - s.similarity })));
      }
    }
  }
}
