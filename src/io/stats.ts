/**
 * Summary statistics over the finite values of an array, the numbers `skyclip inspect`
 * prints and compares with astropy/numpy. Everything is computed in float64; the sum uses
 * Neumaier's compensated summation so that it agrees with numpy's pairwise float64 sum to
 * within rounding of the last digits rather than drifting with the array length.
 */
export interface FiniteStats {
  /** Number of finite values. */
  count: number;
  /** Number of NaN and +-Inf values. */
  nonFinite: number;
  /** null when there are no finite values. */
  min: number | null;
  max: number | null;
  mean: number | null;
  /** 0 when there are no finite values. */
  sum: number;
}

export function finiteStats(values: ArrayLike<number>): FiniteStats {
  let count = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < values.length; i += 1) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    count += 1;
    if (v < min) min = v;
    if (v > max) max = v;
    const t = sum + v;
    compensation += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  const nonFinite = values.length - count;
  if (count === 0) return { count, nonFinite, min: null, max: null, mean: null, sum: 0 };
  const total = sum + compensation;
  return { count, nonFinite, min, max, mean: total / count, sum: total };
}
