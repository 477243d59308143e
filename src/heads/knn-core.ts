/**
 * What k-NN regression and classification share: fetching the k nearest *labelled* reference
 * objects and weighting them by distance.
 */
import { badInput } from '../util/errors.js';
import { type Matrix, row } from './matrix.js';
import type { Neighbour, NeighbourSearch } from './neighbours.js';

export type KnnWeighting = 'distance' | 'uniform';

/** k without validation data to choose it: the independent AstroCLIP replication's value. */
export const DEFAULT_KNN_K = 16;

/**
 * Chord distances below this count as duplicates. Capping 1 / d here (weight <= 1e6) gives an
 * exact duplicate practically all the weight, as scikit-learn does, without dividing by zero.
 */
const MIN_DISTANCE = 1e-6;

/**
 * The k most similar reference rows whose label is present, most similar first. The search may
 * hold unlabelled rows (the store indexes every object, few have every label), so it is asked
 * for more neighbours, doubling, until k labelled ones are found or all `referenceSize` rows
 * have been asked for.
 */
export function labelledNeighbours(
  search: NeighbourSearch,
  query: ArrayLike<number>,
  k: number,
  referenceSize: number,
  isLabelled: (index: number) => boolean,
): Neighbour[] {
  let ask = Math.min(k, referenceSize);
  for (;;) {
    const found = search(query, ask);
    const kept = found.filter((n) => isLabelled(n.index));
    if (kept.length >= k || found.length < ask || ask >= referenceSize) {
      // Searches promise similarity order; sorting again costs little and guards a plug-in.
      return kept.sort((a, b) => b.similarity - a.similarity || a.index - b.index).slice(0, k);
    }
    ask = Math.min(ask * 2, referenceSize);
  }
}

/** Neighbours of every row of `x` (k labelled each, fewer only if the reference has fewer). */
export function neighboursOfRows(
  search: NeighbourSearch,
  x: Matrix,
  k: number,
  referenceSize: number,
  isLabelled: (index: number) => boolean,
): Neighbour[][] {
  const out: Neighbour[][] = [];
  for (let i = 0; i < x.rows; i++) {
    const found = labelledNeighbours(search, row(x, i), k, referenceSize, isLabelled);
    if (found.length === 0) throw badInput('k-NN: the reference set holds no labelled object');
    out.push(found);
  }
  return out;
}

/**
 * Weights of neighbours. 'distance' is 1 / (Euclidean distance between the unit vectors),
 * sqrt(2 (1 - cosine)): scikit-learn's weights='distance' (AstroCLIP's choice) on normalized
 * embeddings. 'uniform' is 1 each.
 */
export function neighbourWeights(neighbours: readonly Neighbour[], weighting: KnnWeighting): Float64Array {
  if (weighting === 'uniform') return new Float64Array(neighbours.length).fill(1);
  return Float64Array.from(neighbours, (n) => 1 / Math.max(Math.sqrt(Math.max(0, 2 * (1 - n.similarity))), MIN_DISTANCE));
}

/**
 * The "is this reference row labelled" test for `labelledNeighbours`, refusing rows beyond the
 * targets (a search built over a different reference set than the head's targets).
 */
export function labelledRows(count: number, present: (index: number) => boolean): (index: number) => boolean {
  return (index) => {
    if (!Number.isInteger(index) || index < 0 || index >= count) {
      throw badInput(`k-NN: the search returned row ${index}, but the reference set has ${count} rows`);
    }
    return present(index);
  };
}

/** A weighting name checked (configs and JSON come from outside). */
export function validWeighting(w: string | undefined): KnnWeighting {
  const value = w ?? 'distance';
  if (value !== 'distance' && value !== 'uniform') throw badInput(`k-NN: weighting must be 'distance' or 'uniform', got ${value}`);
  return value;
}

/** k checked: a positive integer. */
export function validK(k: number, what: string): number {
  if (!Number.isInteger(k) || k < 1) throw badInput(`${what}: k must be a positive integer, got ${k}`);
  return k;
}
