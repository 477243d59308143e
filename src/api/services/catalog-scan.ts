/**
 * Reading a whole store for the analyses that need every object (outlier scores, linear probes,
 * k-NN reference labels): every catalog row (store.allRows), and the vectors of one modality. The
 * store's public API reads one object's vector at a time; a few thousand objects take tens of
 * milliseconds, and the results are cached per store version (store-version.ts).
 */
import type { Modality, ObjectRow, Store } from '../../store/index.js';

export interface ModalityVectors {
  /** Rows that have a vector in the modality, in catalog order. */
  rows: ObjectRow[];
  /** Their unit vectors, row-major [rows.length, dim]. */
  data: Float32Array;
  dim: number;
}

/** The rows of `rows` that have a vector in `modality`, and those vectors. */
export function vectorsOf(store: Store, modality: Modality, rows: readonly ObjectRow[] = store.allRows()): ModalityVectors {
  const dim = store.dimension;
  const kept: ObjectRow[] = [];
  const chunks: Float32Array[] = [];
  for (const row of rows) {
    const v = store.vectorOf(row.id, modality);
    if (!v) continue;
    kept.push(row);
    chunks.push(v);
  }
  const data = new Float32Array(kept.length * dim);
  chunks.forEach((v, i) => data.set(v, i * dim));
  return { rows: kept, data, dim };
}
