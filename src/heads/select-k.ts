/**
 * Choosing k for a k-NN regressor by calibration of its predictive distribution.
 *
 * The rule: on validation data, compute each candidate k's PIT values and a flatness statistic
 * (KS distance to U(0, 1) by default, or chi^2 over 10 bins). Small k gives too few values for a
 * distribution (PIT piles at 0 and 1); large k mixes in objects unlike the query (too wide: PIT
 * piles in the middle), so flatness has an interior optimum. Every k whose statistic is within a
 * sampling-noise slack of the best is acceptable, and among those the most accurate (highest
 * R^2 of the median) wins; remaining ties go to the smaller k. The slack is `slack` standard
 * units of the statistic under a calibrated model: slack / sqrt(n) for KS (the KS statistic
 * of n uniform draws is ~0.87 / sqrt(n)), slack * sqrt(2 (bins - 1)) for chi^2.
 */
import { badInput } from '../util/errors.js';
import { DEFAULT_PIT_BINS, type FlatnessStatistic, pitFlatness, r2Score } from './metrics.js';

/** Candidates tried when k is chosen: AstroCLIP's 64 and its replication's 16 among them. */
export const DEFAULT_K_GRID: readonly number[] = [4, 8, 16, 32, 64, 128];

export interface PitSelectionOptions {
  /** Flatness statistic (default 'ks'). */
  statistic?: FlatnessStatistic;
  /** Histogram bins for chi^2 (default 10). */
  bins?: number;
  /** Tolerance in null-distribution standard units (default 0.5). */
  slack?: number;
}

export interface KCandidate {
  k: number;
  /** The flatness statistic on validation data (lower is flatter). */
  flatness: number;
  /** R^2 of the predictive median on validation data. */
  r2: number;
}

export interface KSelection {
  statistic: FlatnessStatistic;
  /** Absolute tolerance applied to the statistic. */
  tolerance: number;
  chosen: number;
  /** Validation objects with a label. */
  count: number;
  candidates: KCandidate[];
}

export interface CandidateResult {
  k: number;
  /** PIT per validation object (NaN where unlabelled). */
  pit: ArrayLike<number>;
  /** Point prediction per validation object. */
  point: ArrayLike<number>;
}

export function selectKByPit(
  results: readonly CandidateResult[],
  truth: ArrayLike<number>,
  options: PitSelectionOptions = {},
): KSelection {
  if (results.length === 0) throw badInput('selectKByPit: no candidates');
  const statistic = options.statistic ?? 'ks';
  const bins = options.bins ?? DEFAULT_PIT_BINS;
  const slack = options.slack ?? 0.5;
  let count = 0;
  for (let i = 0; i < truth.length; i++) if (!Number.isNaN(truth[i])) count++;
  if (count === 0) throw badInput('selectKByPit: validation set has no labels');
  const tolerance = statistic === 'ks' ? slack / Math.sqrt(count) : slack * Math.sqrt(2 * (bins - 1));
  const candidates = results.map((r) => ({ k: r.k, flatness: pitFlatness(r.pit, statistic, bins), r2: r2Score(truth, r.point) }));
  const best = Math.min(...candidates.map((c) => c.flatness));
  let chosen: KCandidate | undefined;
  for (const c of candidates) {
    if (c.flatness > best + tolerance) continue;
    const better = chosen === undefined || c.r2 > chosen.r2 || (c.r2 === chosen.r2 && c.k < chosen.k);
    if (better) chosen = c;
  }
  return { statistic, tolerance, chosen: (chosen as KCandidate).k, count, candidates };
}
