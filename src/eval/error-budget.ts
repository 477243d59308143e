/**
 * Where a regression head's R^2 shortfall sits: its largest squared errors, each with its share
 * of the residual sum of squares and the R^2 the head would have if it and every larger error
 * were predicted exactly. Answers "a few catastrophic failures or a broad scatter?" and names the
 * objects to look at. R^2 = 1 - SS_res / SS_tot, so an object's weight in the shortfall is its
 * squared error over SS_tot; a handful of z ~ 0.35 galaxies predicted at z ~ 0.2 can hold a
 * third of a 0.01 gap that sigma_NMAD and the outlier fraction barely register.
 *
 *   const b = errorBudget(truth, predicted, 10);
 *   b.r2;                  // the head's R^2 over every paired object
 *   b.rows[0].index;       // position (in truth) of the largest squared error
 *   b.rows[2].r2IfExact;   // R^2 with the three largest errors set to zero
 */
import { SkyclipError } from '../util/errors.js';

export interface ErrorBudgetRow {
  /** Position in the input arrays. */
  index: number;
  truth: number;
  predicted: number;
  squaredError: number;
  /** This row's and every larger error's share of SS_res, in [0, 1]. */
  cumulativeShare: number;
  /** R^2 if this row and every row above it were predicted exactly (SS_tot unchanged). */
  r2IfExact: number;
}

export interface ErrorBudget {
  /** R^2 over the objects with both a truth and a finite prediction. */
  r2: number;
  /** How many objects that is. */
  count: number;
  /** SS_res. */
  residualSum: number;
  /** SS_tot. */
  totalSum: number;
  /** The `top` largest squared errors, largest first (ties: lower index first). */
  rows: ErrorBudgetRow[];
}

/**
 * The `top` largest squared errors of `predicted` against `truth`. A pair with a non-finite truth
 * (a missing label, as r2Score) or prediction (an empty cell of a head that was skipped) is left
 * out; `count` says how many remain.
 */
export function errorBudget(truth: ArrayLike<number>, predicted: ArrayLike<number>, top: number): ErrorBudget {
  if (truth.length !== predicted.length) {
    throw new SkyclipError('BAD_INPUT', `errorBudget: ${truth.length} truths but ${predicted.length} predictions`);
  }
  if (!Number.isInteger(top) || top < 0) throw new SkyclipError('BAD_INPUT', `errorBudget: top must be a non-negative integer, got ${top}`);
  const kept: number[] = [];
  for (let i = 0; i < truth.length; i++) if (Number.isFinite(truth[i]) && Number.isFinite(predicted[i])) kept.push(i);
  let mean = 0;
  for (const i of kept) mean += truth[i];
  mean /= Math.max(kept.length, 1);
  let residualSum = 0;
  let totalSum = 0;
  for (const i of kept) {
    residualSum += (truth[i] - predicted[i]) ** 2;
    totalSum += (truth[i] - mean) ** 2;
  }
  const r2Of = (residual: number) => (totalSum > 0 ? 1 - residual / totalSum : Number.NaN);
  const order = kept
    .map((i) => ({ i, se: (truth[i] - predicted[i]) ** 2 }))
    .sort((a, b) => b.se - a.se || a.i - b.i)
    .slice(0, top);
  let removed = 0;
  const rows = order.map(({ i, se }) => {
    removed += se;
    return {
      index: i,
      truth: truth[i],
      predicted: predicted[i],
      squaredError: se,
      cumulativeShare: residualSum > 0 ? removed / residualSum : 0,
      // Clamped so float round-off cannot report an R^2 above 1 once every error is removed.
      r2IfExact: Math.min(1, r2Of(Math.max(residualSum - removed, 0))),
    };
  });
  return { r2: r2Of(residualSum), count: kept.length, residualSum, totalSum, rows };
}
