/**
 * Cross-modal retrieval on the held-out objects, with the gate evaluation's own code
 * (src/train/pipelines/evaluate.ts groupedRanks, src/heads retrievalScores): the objects are cut
 * in catalogue order into groups of `candidates`; inside a group every image ranks the group's
 * spectra (and every spectrum the images) and the true partner's rank is kept. Leftover objects
 * beyond the last full group are not queried.
 */
import { retrievalScores } from '../heads/index.js';
import { groupedRanks } from '../train/pipelines/evaluate.js';
import type { DatasetEmbeddings } from './embedding-cache.js';

export interface DirectionSummary {
  recallAt1: number;
  recallAt10: number;
  recallAt100: number;
  medianRank: number;
  queries: number;
}

export interface RetrievalSummary {
  candidates: number;
  groups: number;
  imageToSpectrum: DirectionSummary;
  spectrumToImage: DirectionSummary;
  chance: { recallAt1: number; recallAt10: number; recallAt100: number; medianRank: number };
}

function direction(ranks: Int32Array): DirectionSummary {
  const s = retrievalScores(ranks, [1, 10, 100]);
  return { recallAt1: s.recallAt[1], recallAt10: s.recallAt[10], recallAt100: s.recallAt[100], medianRank: s.medianRank, queries: s.count };
}

/** Retrieval scores of one model's held-out embeddings; candidates capped by the objects there are. */
export function retrievalSummary(heldout: DatasetEmbeddings, candidates: number): RetrievalSummary {
  const n = heldout.image.length / heldout.dim;
  const size = Math.min(candidates, n);
  return {
    candidates: size,
    groups: Math.floor(n / size),
    imageToSpectrum: direction(groupedRanks(heldout.image, heldout.spectrum, heldout.dim, size)),
    spectrumToImage: direction(groupedRanks(heldout.spectrum, heldout.image, heldout.dim, size)),
    chance: { recallAt1: 1 / size, recallAt10: Math.min(1, 10 / size), recallAt100: Math.min(1, 100 / size), medianRank: (size + 1) / 2 },
  };
}
