/**
 * Labelled data sets for the heads, and the one rule for missing labels: a numeric label that is
 * null, undefined or NaN, or a categorical label that is null, undefined or '' (the catalogue
 * writes a Galaxy Zoo question that was never asked as an empty cell), is missing, and that row
 * is skipped (never read as 0 or as a class). Infinite regression targets are corrupt rather
 * than missing and are refused.
 */
import { badInput } from '../util/errors.js';
import { type Matrix, selectRows } from './matrix.js';

/** A numeric target (redshift, logmstar, ...); null / undefined / NaN = missing. */
export type NumericLabel = number | null | undefined;
/** A categorical target (class, a morphology answer); null / undefined / '' = missing. */
export type CategoricalLabel = string | null | undefined;

export interface RegressionSet {
  /** Embeddings [n, d]. */
  x: Matrix;
  /** n targets in their physical units. */
  y: ArrayLike<NumericLabel>;
}

export interface ClassificationSet {
  x: Matrix;
  y: ArrayLike<CategoricalLabel>;
}

export function isMissingNumber(v: NumericLabel): v is null | undefined {
  return v === null || v === undefined || Number.isNaN(v);
}

export function isMissingCategory(v: CategoricalLabel): v is null | undefined | '' {
  return v === null || v === undefined || v === '';
}

/** Targets as a Float64Array with NaN for missing; throws on infinities. */
export function numericTargets(y: ArrayLike<NumericLabel>, what = 'targets'): Float64Array {
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (isMissingNumber(v)) {
      out[i] = Number.NaN;
    } else if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw badInput(`${what}: value at ${i} is not a finite number`, { index: i, value: String(v) });
    } else {
      out[i] = v;
    }
  }
  return out;
}

/** The labelled rows of a regression set: x and y restricted to rows with a target. */
export interface LabelledRegression {
  x: Matrix;
  y: Float64Array;
  /** Indices of the kept rows in the original set. */
  rows: Int32Array;
}

export function labelledRegression(set: RegressionSet, what = 'regression set'): LabelledRegression {
  if (set.y.length !== set.x.rows) {
    throw badInput(`${what}: ${set.x.rows} embeddings but ${set.y.length} targets`);
  }
  const y = numericTargets(set.y, what);
  const keep: number[] = [];
  for (let i = 0; i < y.length; i++) if (!Number.isNaN(y[i])) keep.push(i);
  const rows = Int32Array.from(keep);
  return { x: selectRows(set.x, rows), y: Float64Array.from(keep, (i) => y[i]), rows };
}

/** Sorted distinct non-missing labels: the class order every classifier uses. */
export function classesOf(y: ArrayLike<CategoricalLabel>): string[] {
  const seen = new Set<string>();
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!isMissingCategory(v)) seen.add(v);
  }
  // Plain code-unit order, so the same labels give the same order on every machine/locale.
  return [...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export interface LabelledClassification {
  x: Matrix;
  /** Class index per kept row, into `classes`. */
  y: Int32Array;
  classes: string[];
  rows: Int32Array;
}

/**
 * The labelled rows of a classification set, encoded against `classes` (default: the set's own
 * classes). With `unknown: 'skip'`, labels outside `classes` are dropped (a validation set may
 * hold a class the training set never saw); the default is to throw.
 */
export function labelledClassification(
  set: ClassificationSet,
  options: { classes?: string[]; unknown?: 'throw' | 'skip'; what?: string } = {},
): LabelledClassification {
  const what = options.what ?? 'classification set';
  if (set.y.length !== set.x.rows) {
    throw badInput(`${what}: ${set.x.rows} embeddings but ${set.y.length} labels`);
  }
  const classes = options.classes ?? classesOf(set.y);
  const index = new Map(classes.map((c, i) => [c, i]));
  const keep: number[] = [];
  const codes: number[] = [];
  for (let i = 0; i < set.y.length; i++) {
    const v = set.y[i];
    if (isMissingCategory(v)) continue;
    if (typeof v !== 'string') throw badInput(`${what}: label at ${i} is not a string`, { index: i });
    const c = index.get(v);
    if (c === undefined) {
      if (options.unknown === 'skip') continue;
      throw badInput(`${what}: label "${v}" at ${i} is not one of the known classes`, { index: i, classes });
    }
    keep.push(i);
    codes.push(c);
  }
  const rows = Int32Array.from(keep);
  return { x: selectRows(set.x, rows), y: Int32Array.from(codes), classes, rows };
}
