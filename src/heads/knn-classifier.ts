/**
 * Zero-shot classification: distance-weighted votes of the k nearest labelled objects. The
 * class probabilities are the weighted vote shares, mixed with a little uniform mass so that no
 * class is ever exactly impossible (a log loss or a temperature fit stays finite).
 *
 * ```ts
 * const head = KnnClassifier.fit({ x: trainEmb, y: trainMorph }, { x: valEmb, y: valMorph });
 * const { probabilities, predicted } = head.predict(testEmb);
 * ```
 */
import { badInput } from '../util/errors.js';
import {
  type ClassificationHead,
  type ClassificationPrediction,
  classificationPrediction,
  headJsonBase,
  type HeadJsonBase,
} from './head.js';
import { DEFAULT_KNN_K, type KnnWeighting, labelledRows, neighbourWeights, neighboursOfRows, validK, validWeighting } from './knn-core.js';
import { type CategoricalLabel, type ClassificationSet, classesOf, isMissingCategory, labelledClassification } from './labels.js';
import { assertMatrix, type Matrix } from './matrix.js';
import { accuracy, logLoss } from './metrics.js';
import { exactCosineSearch, type Neighbour, type NeighbourSearch } from './neighbours.js';
import { DEFAULT_K_GRID } from './select-k.js';

/** Share of probability spread evenly over all classes (see the module comment). */
export const DEFAULT_KNN_SMOOTHING = 0.01;

export interface KnnClassifierConfig {
  /** Fixed k. Default: the kGrid value with the lowest validation log loss, or 16 without validation data. */
  k?: number;
  kGrid?: readonly number[];
  /** Default 'distance'. */
  weighting?: KnnWeighting;
  /** Uniform share mixed into the vote shares, in [0, 1) (default 0.01). */
  smoothing?: number;
}

export interface KnnClassifierSelection {
  chosen: number;
  /** Validation log loss (the criterion: a proper score, rewarding calibration and accuracy) and accuracy per k. */
  candidates: { k: number; logLoss: number; accuracy: number }[];
}

export interface KnnClassifierJson extends HeadJsonBase {
  kind: 'knn-classifier';
  k: number;
  weighting: KnnWeighting;
  smoothing: number;
  classes: string[];
  /** Class index of each reference row (-1 = missing), aligned with the search's rows. */
  y: number[];
  selection?: KnnClassifierSelection;
}

export class KnnClassifier implements ClassificationHead {
  readonly task = 'classification' as const;
  readonly kind = 'knn-classifier' as const;

  private constructor(
    private readonly search: NeighbourSearch,
    private readonly codes: Int32Array,
    readonly classes: string[],
    readonly k: number,
    readonly weighting: KnnWeighting,
    readonly smoothing: number,
    readonly selection?: KnnClassifierSelection,
  ) {}

  static fit(train: ClassificationSet, val?: ClassificationSet, config: KnnClassifierConfig = {}): KnnClassifier {
    assertMatrix(train.x, undefined, 'KnnClassifier train');
    if (train.y.length !== train.x.rows) throw badInput('KnnClassifier: train.x and train.y lengths differ');
    return KnnClassifier.fromSearch({ search: exactCosineSearch(train.x), y: train.y }, val, config);
  }

  /** A head over an injected search; y[i] is the label of the search's row i. */
  static fromSearch(
    reference: { search: NeighbourSearch; y: ArrayLike<CategoricalLabel> },
    val?: ClassificationSet,
    config: KnnClassifierConfig = {},
  ): KnnClassifier {
    const classes = classesOf(reference.y);
    if (classes.length === 0) throw badInput('KnnClassifier: no labelled reference object');
    const index = new Map(classes.map((c, i) => [c, i]));
    const codes = Int32Array.from({ length: reference.y.length }, (_, i) => {
      const v = reference.y[i];
      return isMissingCategory(v) ? -1 : (index.get(v) as number);
    });
    const weighting = validWeighting(config.weighting);
    const smoothing = config.smoothing ?? DEFAULT_KNN_SMOOTHING;
    if (!(smoothing >= 0 && smoothing < 1)) throw badInput('KnnClassifier: smoothing must be in [0, 1)');
    const make = (k: number, selection?: KnnClassifierSelection) =>
      new KnnClassifier(reference.search, codes, classes, k, weighting, smoothing, selection);

    if (config.k !== undefined) return make(validK(config.k, 'KnnClassifier'));
    if (val === undefined) return make(DEFAULT_KNN_K);

    const grid = [...(config.kGrid ?? DEFAULT_K_GRID)].map((k) => validK(k, 'KnnClassifier kGrid')).sort((a, b) => a - b);
    if (grid.length === 0) throw badInput('KnnClassifier: empty kGrid');
    // Validation labels the reference never saw cannot be predicted by any k: leave them out.
    const v = labelledClassification(val, { classes, unknown: 'skip', what: 'KnnClassifier validation set' });
    if (v.y.length === 0) throw badInput('KnnClassifier: validation set has no usable labels');
    const truth = Array.from(v.y, (c) => classes[c]);
    const probe = make(grid[grid.length - 1]);
    const neighbours = probe.neighbours(v.x);
    const candidates = grid.map((k) => {
      const prediction = probe.fromNeighbours(neighbours.map((n) => n.slice(0, k)));
      return { k, logLoss: logLoss(truth, prediction), accuracy: accuracy(truth, prediction) };
    });
    let best = candidates[0];
    for (const c of candidates) if (c.logLoss < best.logLoss) best = c;
    return make(best.k, { chosen: best.k, candidates });
  }

  predict(x: Matrix): ClassificationPrediction {
    return this.fromNeighbours(this.neighbours(x));
  }

  toJSON(): KnnClassifierJson {
    return {
      ...headJsonBase(this.kind),
      kind: this.kind,
      k: this.k,
      weighting: this.weighting,
      smoothing: this.smoothing,
      classes: [...this.classes],
      y: Array.from(this.codes),
      ...(this.selection ? { selection: this.selection } : {}),
    };
  }

  static fromJSON(json: KnnClassifierJson, search: NeighbourSearch): KnnClassifier {
    if (json.kind !== 'knn-classifier') throw badInput(`KnnClassifier.fromJSON: kind is ${json.kind}`);
    const codes = Int32Array.from(json.y);
    for (const c of codes) if (c < -1 || c >= json.classes.length) throw badInput('KnnClassifier.fromJSON: label code out of range');
    return new KnnClassifier(search, codes, json.classes, validK(json.k, 'KnnClassifier JSON'), validWeighting(json.weighting), json.smoothing, json.selection);
  }

  private neighbours(x: Matrix): Neighbour[][] {
    assertMatrix(x, undefined, 'KnnClassifier query');
    return neighboursOfRows(this.search, x, this.k, this.codes.length, labelledRows(this.codes.length, (i) => this.codes[i] >= 0));
  }

  private fromNeighbours(neighbours: readonly Neighbour[][]): ClassificationPrediction {
    const k = this.classes.length;
    const probs = new Float64Array(neighbours.length * k);
    neighbours.forEach((ns, i) => {
      const w = neighbourWeights(ns, this.weighting);
      let total = 0;
      for (const v of w) total += v;
      ns.forEach((n, j) => (probs[i * k + this.codes[n.index]] += w[j] / total));
      for (let c = 0; c < k; c++) probs[i * k + c] = (1 - this.smoothing) * probs[i * k + c] + this.smoothing / k;
    });
    return classificationPrediction(this.classes, probs);
  }
}
