/**
 * How a search runs, decided the way vector databases decide it. An unfiltered query walks the
 * graph. A filtered one first counts, in SQL, the objects passing the filter (its selectivity),
 * then:
 *   few pass (<= exactMaxRows, or <= exactMaxFraction of the modality)
 *       -> 'exact': rank exactly the passing objects that have a vector;
 *   most pass (>= postFilterMinFraction of the objects)
 *       -> 'graph-postfilter': walk the graph unfiltered for about POSTFILTER_OVERFETCH * k /
 *          selectivity neighbours and keep the first k that pass (SQL checks just those);
 *   in between
 *       -> 'graph-filtered': walk the graph with hnswlib's filter callback over the Set of
 *          passing labels (a JS call per visited node, so kept for the middle range).
 * A strategy that returns fewer than k hits hands over to the next one (postfilter ->
 * filtered walk -> exact; unfiltered walk -> exact), so a selective filter, a filter
 * correlated with the query, or a graph with many deleted nodes still yields k results.
 */
import type { PlannerParams } from './config.js';

export type Strategy = 'graph' | 'graph-postfilter' | 'graph-filtered' | 'exact';

export interface Plan {
  /** The strategy that produced the hits. */
  strategy: Strategy;
  /** Objects the query ranks among: all with a vector in the modality, or those passing the filter. */
  candidates: number;
  /** The candidate list size of the last graph walk (ef), 0 for exact. */
  ef: number;
  /** True when the first strategy returned fewer than k hits and a later one replaced it. */
  fallback: boolean;
}

export interface PlanInput {
  /** Objects with a vector in the modality. */
  total: number;
  /** Objects in the catalog (the base of the filter's selectivity). */
  objects: number;
  /** Objects passing the filter, or undefined when there is no filter. */
  matching?: number;
  k: number;
  ef: number;
  /** The caller asked for exact ranking. */
  exact?: boolean;
}

/** The first strategy to try. */
export function choosePlan(input: PlanInput, params: PlannerParams): Plan {
  const candidates = input.matching === undefined ? input.total : Math.min(input.matching, input.total);
  const ef = Math.max(input.ef, input.k);
  const plan = (strategy: Strategy): Plan => ({ strategy, candidates, ef: strategy === 'exact' ? 0 : ef, fallback: false });
  if (input.exact || candidates === 0) return plan('exact');
  if (input.matching === undefined) return plan('graph');
  if (input.matching <= params.exactMaxRows || input.matching <= params.exactMaxFraction * input.total) return plan('exact');
  if (input.objects > 0 && input.matching >= params.postFilterMinFraction * input.objects) return plan('graph-postfilter');
  return plan('graph-filtered');
}

/**
 * How many unfiltered neighbours a post-filter walk fetches so that about POSTFILTER_OVERFETCH
 * * k of them pass a filter of selectivity matching / objects (never more than `total`).
 */
export function postFilterFetch(k: number, matching: number, objects: number, overfetch: number, total: number): number {
  const selectivity = Math.max(matching / Math.max(objects, 1), 1e-9);
  return Math.min(total, Math.ceil((k * overfetch) / selectivity));
}
