/**
 * Who is labelled, who tunes, who calibrates, who is scored:
 * - the reference pool: the first N objects of the reference survey (the training survey),
 *   cut by the survey's own stable split column into fit (train: the heads' labelled set and
 *   the k-NN reference), val (choosing k, alpha, l2) and calibration (test: conformal
 *   calibration only, a split neither fitting nor tuning saw);
 * - the held-out survey (another seed, never used in training): every metric is computed there.
 * Labels come from the catalogue columns named by the heads' DOWNSTREAM_TARGETS; the missing
 * label rule is the heads' (null / NaN / '' are skipped, never scored).
 */
import type { SurveyDataset } from '../data/dataset.js';
import type { CategoricalLabel, NumericLabel } from '../heads/index.js';
import { Rng, hashKeys } from '../util/random.js';
import { badInput } from '../util/errors.js';

export interface PoolSplits {
  /** Dataset items (indices into the reference dataset) of each part, ascending. */
  fit: Int32Array;
  val: Int32Array;
  cal: Int32Array;
}

/** The reference dataset's items by the catalogue's split column (train -> fit, val -> val, test -> cal). */
export function poolSplits(reference: SurveyDataset): PoolSplits {
  const parts = { train: [] as number[], val: [] as number[], test: [] as number[] };
  for (let i = 0; i < reference.size; i++) parts[reference.row(i).split].push(i);
  const out = { fit: Int32Array.from(parts.train), val: Int32Array.from(parts.val), cal: Int32Array.from(parts.test) };
  for (const [name, items] of Object.entries(out)) {
    if (items.length === 0) {
      throw badInput(`the reference pool (${reference.size} objects of ${reference.survey.dir}) has no '${name}' objects; use a larger --n-reference`);
    }
  }
  return out;
}

/** One numeric column for the given items (null when missing). */
export function numericColumn(dataset: SurveyDataset, column: string, items?: ArrayLike<number>): NumericLabel[] {
  const idx = items ?? Int32Array.from({ length: dataset.size }, (_, i) => i);
  return Array.from(idx, (i) => {
    const v = (dataset.row(i) as unknown as Record<string, unknown>)[column];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  });
}

/** One categorical column for the given items (null when missing or empty). */
export function categoricalColumn(dataset: SurveyDataset, column: string, items?: ArrayLike<number>): CategoricalLabel[] {
  const idx = items ?? Int32Array.from({ length: dataset.size }, (_, i) => i);
  return Array.from(idx, (i) => {
    const v = (dataset.row(i) as unknown as Record<string, unknown>)[column];
    return typeof v === 'string' && v !== '' ? v : null;
  });
}

/** Positions (into `present`) of the labelled entries, in a seeded random order. */
export function shuffledLabelled(present: ArrayLike<boolean>, seed: number): Int32Array {
  const labelled: number[] = [];
  for (let i = 0; i < present.length; i++) if (present[i]) labelled.push(i);
  const rng = new Rng(hashKeys(seed, 0x5e1ec7));
  for (let i = labelled.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [labelled[i], labelled[j]] = [labelled[j], labelled[i]];
  }
  return Int32Array.from(labelled);
}
