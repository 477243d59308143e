/**
 * Zero-shot regression (AstroCLIP's headline downstream method): distance-weighted k-NN over
 * the embeddings of labelled objects, answering a predictive distribution (the weighted
 * neighbour values, optionally kernel-smoothed) rather than only a weighted mean. The point is
 * its median, the intervals its central quantiles.
 *
 * ```ts
 * const head = KnnRegressor.fit({ x: trainEmb, y: trainZ }, { x: valEmb, y: valZ });
 * const { point, intervals } = head.predict(testEmb);   // k chosen on val by PIT flatness
 * ```
 */
import { badInput } from '../util/errors.js';
import { WeightedSampleDistribution } from './distribution.js';
import {
  DEFAULT_LEVELS,
  headJsonBase,
  type HeadJsonBase,
  predictionFromDistributions,
  type RegressionHead,
  type RegressionPrediction,
  validLevels,
} from './head.js';
import { DEFAULT_KNN_K, type KnnWeighting, labelledRows, neighbourWeights, neighboursOfRows, validK, validWeighting } from './knn-core.js';
import { labelledRegression, type NumericLabel, numericTargets, type RegressionSet } from './labels.js';
import { assertMatrix, type Matrix } from './matrix.js';
import { pitValues } from './metrics.js';
import { exactCosineSearch, type Neighbour, type NeighbourSearch } from './neighbours.js';
import { type CandidateResult, DEFAULT_K_GRID, type KSelection, type PitSelectionOptions, selectKByPit } from './select-k.js';

export interface KnnRegressorConfig {
  /** Fixed k. Default: chosen on the validation set from `kGrid` (see select-k.ts), or 16 without one. */
  k?: number;
  /** Candidates for k (default [4, 8, 16, 32, 64, 128]). */
  kGrid?: readonly number[];
  /** Neighbour weights (default 'distance', as AstroCLIP). */
  weighting?: KnnWeighting;
  /**
   * Width of a Gaussian kernel put on each neighbour value, in units of the training targets'
   * standard deviation (default 0: the plain weighted sample). A width smooths the stepped
   * distribution of a few neighbours.
   */
  kernelWidth?: number;
  /** Central interval levels (default [0.68, 0.95]). */
  levels?: readonly number[];
  /** How k is chosen on validation data. */
  selection?: PitSelectionOptions;
}

/** Labelled reference objects behind a search: y[i] is the target of the search's row i. */
export interface KnnReference {
  search: NeighbourSearch;
  y: ArrayLike<NumericLabel>;
}

export interface KnnRegressorJson extends HeadJsonBase {
  kind: 'knn-regressor';
  k: number;
  weighting: KnnWeighting;
  kernelWidth: number;
  /** Kernel width in target units (kernelWidth x training target std). */
  bandwidth: number;
  levels: number[];
  /** Targets of the reference rows (null = missing), aligned with the search's rows. */
  y: (number | null)[];
  selection?: KSelection;
}

export class KnnRegressor implements RegressionHead {
  readonly task = 'regression' as const;
  readonly kind = 'knn-regressor' as const;

  private constructor(
    private readonly search: NeighbourSearch,
    private readonly targets: Float64Array,
    readonly k: number,
    readonly weighting: KnnWeighting,
    readonly kernelWidth: number,
    readonly bandwidth: number,
    readonly levels: readonly number[],
    /** How k was chosen, when it was. */
    readonly selection?: KSelection,
  ) {}

  /** Exact cosine search over `train.x` (rows without a target are kept but never used). */
  static fit(train: RegressionSet, val?: RegressionSet, config: KnnRegressorConfig = {}): KnnRegressor {
    assertMatrix(train.x, undefined, 'KnnRegressor train');
    if (train.y.length !== train.x.rows) throw badInput('KnnRegressor: train.x and train.y lengths differ');
    return KnnRegressor.fromSearch({ search: exactCosineSearch(train.x), y: train.y }, val, config);
  }

  /** A head over an injected search (e.g. the store's HNSW index). */
  static fromSearch(reference: KnnReference, val?: RegressionSet, config: KnnRegressorConfig = {}): KnnRegressor {
    const targets = numericTargets(reference.y, 'KnnRegressor reference');
    const present = targets.filter((v) => !Number.isNaN(v));
    if (present.length === 0) throw badInput('KnnRegressor: no labelled reference object');
    const weighting = validWeighting(config.weighting);
    const kernelWidth = config.kernelWidth ?? 0;
    if (!(kernelWidth >= 0)) throw badInput('KnnRegressor: kernelWidth must be >= 0');
    const levels = validLevels(config.levels ?? DEFAULT_LEVELS);
    const bandwidth = kernelWidth * std(present);
    const make = (k: number, selection?: KSelection) =>
      new KnnRegressor(reference.search, targets, k, weighting, kernelWidth, bandwidth, levels, selection);

    if (config.k !== undefined) return make(validK(config.k, 'KnnRegressor'));
    if (val === undefined) return make(DEFAULT_KNN_K);

    const grid = [...(config.kGrid ?? DEFAULT_K_GRID)].map((k) => validK(k, 'KnnRegressor kGrid')).sort((a, b) => a - b);
    if (grid.length === 0) throw badInput('KnnRegressor: empty kGrid');
    const v = labelledRegression(val, 'KnnRegressor validation set');
    // One search at the largest k; each candidate uses its prefix (neighbours come sorted).
    const probe = make(grid[grid.length - 1]);
    const neighbours = probe.neighbours(v.x);
    const results: CandidateResult[] = grid.map((k) => {
      const dists = neighbours.map((n) => probe.distributionOf(n.slice(0, k)));
      return { k, pit: pitValues(dists, v.y), point: Float64Array.from(dists, (d) => d.quantile(0.5)) };
    });
    const selection = selectKByPit(results, v.y, config.selection);
    return make(selection.chosen, selection);
  }

  predict(x: Matrix): RegressionPrediction {
    const dists = this.neighbours(x).map((n) => this.distributionOf(n));
    return predictionFromDistributions(dists, this.levels);
  }

  toJSON(): KnnRegressorJson {
    return {
      ...headJsonBase(this.kind),
      kind: this.kind,
      k: this.k,
      weighting: this.weighting,
      kernelWidth: this.kernelWidth,
      bandwidth: this.bandwidth,
      levels: [...this.levels],
      y: Array.from(this.targets, (v) => (Number.isNaN(v) ? null : v)),
      ...(this.selection ? { selection: this.selection } : {}),
    };
  }

  /** Restores a head; `search` must index the same reference rows it was fitted on. */
  static fromJSON(json: KnnRegressorJson, search: NeighbourSearch): KnnRegressor {
    if (json.kind !== 'knn-regressor') throw badInput(`KnnRegressor.fromJSON: kind is ${json.kind}`);
    return new KnnRegressor(
      search,
      numericTargets(json.y, 'KnnRegressor JSON'),
      validK(json.k, 'KnnRegressor JSON'),
      validWeighting(json.weighting),
      json.kernelWidth,
      json.bandwidth,
      validLevels(json.levels),
      json.selection,
    );
  }

  private neighbours(x: Matrix): Neighbour[][] {
    assertMatrix(x, undefined, 'KnnRegressor query');
    const present = labelledRows(this.targets.length, (i) => !Number.isNaN(this.targets[i]));
    return neighboursOfRows(this.search, x, this.k, this.targets.length, present);
  }

  private distributionOf(neighbours: readonly Neighbour[]): WeightedSampleDistribution {
    const values = Float64Array.from(neighbours, (n) => this.targets[n.index]);
    return new WeightedSampleDistribution(values, neighbourWeights(neighbours, this.weighting), this.bandwidth);
  }
}

function std(values: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i];
  mean /= values.length;
  let v = 0;
  for (let i = 0; i < values.length; i++) v += (values[i] - mean) ** 2;
  return Math.sqrt(v / values.length);
}
