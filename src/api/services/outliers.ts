/**
 * Anomaly scores by k-NN density: an object's score is the mean cosine distance (1 - cosine
 * similarity) to its n nearest neighbours in the same index, itself excluded. Objects in sparse
 * regions of the embedding space (rare morphologies, odd spectra, artefacts) score high. The
 * scores of every object are computed once per store version and modality/n and cached; the
 * computation yields to the event loop every few hundred objects so other requests keep flowing.
 */
import type { Modality, Store } from '../../store/index.js';
import { type StoreVersion, VersionedCache } from './store-version.js';

export const OUTLIER_METHOD =
  'score = mean cosine distance (1 - cos) to the n nearest neighbours in the same index, the object itself excluded; highest first. ' +
  'Computed for every object once per store version and cached.';

/** Neighbours in the density score unless a request says otherwise. */
export const DEFAULT_DENSITY_NEIGHBOURS = 10;

export interface OutlierScore {
  id: string;
  score: number;
}

const YIELD_EVERY = 250;
const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Scores of every object with a vector in `modality`, highest first. */
export async function computeOutlierScores(store: Store, modality: Modality, neighbours: number): Promise<OutlierScore[]> {
  const scores: OutlierScore[] = [];
  const rows = store.allRows();
  let done = 0;
  for (const row of rows) {
    const v = store.vectorOf(row.id, modality);
    if (!v) continue;
    const hits = store.search(modality, v, { k: neighbours + 1 }).filter((h) => h.id !== row.id).slice(0, neighbours);
    if (hits.length > 0) scores.push({ id: row.id, score: hits.reduce((s, h) => s + h.distance, 0) / hits.length });
    if (++done % YIELD_EVERY === 0) await yieldNow();
  }
  scores.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
  return scores;
}

export class OutlierScores {
  private readonly cache: VersionedCache<Promise<OutlierScore[]>>;

  constructor(
    private readonly store: Store,
    version: StoreVersion,
  ) {
    this.cache = new VersionedCache(version);
  }

  scores(modality: Modality, neighbours: number): Promise<OutlierScore[]> {
    const name = `${modality}:${neighbours}`;
    const pending = this.cache.get(name, () => computeOutlierScores(this.store, modality, neighbours));
    pending.catch(() => this.cache.forget(name));
    return pending;
  }
}
