/**
 * Split-conformal calibration of a regression head's intervals on a held-out calibration split
 * (never the data the head was fitted or tuned on). For exchangeable data, the calibrated
 * interval at level L holds the truth with probability >= L (and < L + 1/(n+1)), whatever the
 * head: a k-NN with too few neighbours or an MLP whose sigma came from its own training set.
 *
 * Two scores, both adaptive to per-object uncertainty:
 * - 'cqr' (conformalized quantile regression, Romano et al. 2019): score = max(lo - y, y - hi)
 *   for the head's own level-L interval [lo, hi]; the calibrated interval is [lo - q, hi + q].
 * - 'scaled' (normalized residuals): score = |y - point| / s with s the half-width of the head's
 *   narrowest interval; the calibrated interval is point +- q s.
 * q is the ceil((n + 1) L)-th smallest calibration score (infinite when that exceeds n).
 *
 * ```ts
 * const knn = KnnRegressor.fit(train, val);
 * const head = ConformalRegressor.calibrate(knn, calibration);      // default 'cqr'
 * head.predict(test).intervals;                                       // 68 % and 95 %, calibrated
 * ```
 */
import { badInput } from '../util/errors.js';
import {
  headJsonBase,
  type HeadJsonBase,
  intervalAt,
  type PredictionInterval,
  type RegressionHead,
  type RegressionPrediction,
} from './head.js';
import { labelledRegression, type RegressionSet } from './labels.js';
import { assertMatrix, type Matrix } from './matrix.js';
import { intervalCoverage, median } from './metrics.js';

export type ConformalMethod = 'cqr' | 'scaled';

export interface ConformalConfig {
  /** Default 'cqr'. */
  method?: ConformalMethod;
}

export interface ConformalLevel {
  level: number;
  /** The conformal quantile q of the scores (Infinity when the calibration set is too small). */
  offset: number;
  /** Coverage of the head's own interval on the calibration set, before calibration. */
  baseCoverage: number;
}

export interface ConformalJson extends HeadJsonBase {
  kind: 'conformal';
  method: ConformalMethod;
  /** Calibration objects with a label. */
  count: number;
  /** Per level; offset null = Infinity (JSON has no infinities). */
  calibration: { level: number; offset: number | null; baseCoverage: number }[];
  /** Lower bound on the 'scaled' method's per-object scale. */
  minScale: number;
  base: HeadJsonBase;
}

/** The r-th smallest (1-based) with r = ceil((n + 1) level): the split-conformal quantile. */
export function conformalQuantile(scores: ArrayLike<number>, level: number): number {
  const sorted = Float64Array.from(scores).sort();
  const n = sorted.length;
  const r = Math.ceil((n + 1) * level - 1e-9);
  return r > n ? Number.POSITIVE_INFINITY : sorted[Math.max(r, 1) - 1];
}

/** The head's interval at `level`, or the degenerate [point, point] when it has none. */
function baseInterval(prediction: RegressionPrediction, level: number): PredictionInterval {
  return intervalAt(prediction, level) ?? { level, lower: prediction.point, upper: prediction.point };
}

/** Per-object scale for 'scaled': half-width of the narrowest interval, floored. */
function scales(prediction: RegressionPrediction, minScale: number): Float64Array {
  const narrowest = [...prediction.intervals].sort((a, b) => a.level - b.level)[0];
  return Float64Array.from(prediction.point, (_, i) =>
    Math.max(narrowest ? (narrowest.upper[i] - narrowest.lower[i]) / 2 : 1, minScale),
  );
}

export class ConformalRegressor implements RegressionHead {
  readonly task = 'regression' as const;
  readonly kind = 'conformal' as const;

  private constructor(
    readonly base: RegressionHead,
    readonly method: ConformalMethod,
    readonly calibration: ConformalLevel[],
    readonly count: number,
    private readonly minScale: number,
  ) {}

  get levels(): readonly number[] {
    return this.calibration.map((c) => c.level);
  }

  /** Calibrates `base`'s intervals at its own levels on `calib` (rows with a label). */
  static calibrate(base: RegressionHead, calib: RegressionSet, config: ConformalConfig = {}): ConformalRegressor {
    const method = config.method ?? 'cqr';
    assertMatrix(calib.x, undefined, 'ConformalRegressor calibration set');
    const data = labelledRegression(calib, 'ConformalRegressor calibration set');
    const n = data.y.length;
    if (n === 0) throw badInput('ConformalRegressor: the calibration set has no labels');
    const prediction = base.predict(data.x);
    let minScale = 0;
    let s: Float64Array | undefined;
    if (method === 'scaled') {
      // Guard against zero-width head intervals (all neighbours equal): they would make scores infinite.
      const raw = scales(prediction, 0);
      minScale = Math.max(1e-6 * median(raw), 1e-12);
      s = scales(prediction, minScale);
    }
    const calibration = base.levels.map((level) => {
      const iv = baseInterval(prediction, level);
      const scores = Float64Array.from(data.y, (y, i) =>
        method === 'cqr' ? Math.max(iv.lower[i] - y, y - iv.upper[i]) : Math.abs(y - prediction.point[i]) / (s as Float64Array)[i],
      );
      return { level, offset: conformalQuantile(scores, level), baseCoverage: intervalCoverage(data.y, iv.lower, iv.upper) };
    });
    return new ConformalRegressor(base, method, calibration, n, minScale);
  }

  predict(x: Matrix): RegressionPrediction {
    return this.adjust(this.base.predict(x));
  }

  /**
   * The calibrated intervals of a prediction the base head already made (point unchanged), so a
   * caller that also needs the base's own prediction (its distributions, for a PIT) predicts once.
   */
  adjust(prediction: RegressionPrediction): RegressionPrediction {
    const s = this.method === 'scaled' ? scales(prediction, this.minScale) : undefined;
    const intervals = this.calibration.map(({ level, offset }) => {
      const iv = baseInterval(prediction, level);
      const n = prediction.point.length;
      const lower = new Float64Array(n);
      const upper = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        if (this.method === 'cqr') {
          lower[i] = iv.lower[i] - offset;
          upper[i] = iv.upper[i] + offset;
          if (lower[i] > upper[i]) lower[i] = upper[i] = (iv.lower[i] + iv.upper[i]) / 2; // a negative q may cross them
        } else {
          const p = prediction.point[i];
          const w = offset * (s as Float64Array)[i];
          lower[i] = p - w;
          upper[i] = p + w;
        }
      }
      return { level, lower, upper };
    });
    // The head's own distributions are not the calibrated ones, so none are passed on.
    return { point: prediction.point, intervals };
  }

  toJSON(): ConformalJson {
    return {
      ...headJsonBase(this.kind),
      kind: this.kind,
      method: this.method,
      count: this.count,
      calibration: this.calibration.map((c) => ({ ...c, offset: Number.isFinite(c.offset) ? c.offset : null })),
      minScale: this.minScale,
      base: this.base.toJSON(),
    };
  }

  /** Restores a calibration around an already loaded base head (see loadHead). */
  static fromJSON(json: ConformalJson, base: RegressionHead): ConformalRegressor {
    if (json.kind !== 'conformal') throw badInput(`ConformalRegressor.fromJSON: kind is ${json.kind}`);
    const calibration = json.calibration.map((c) => ({ ...c, offset: c.offset === null ? Number.POSITIVE_INFINITY : c.offset }));
    return new ConformalRegressor(base, json.method, calibration, json.count, json.minScale);
  }
}
