/**
 * Saving and loading trained heads. `head.toJSON()` gives a plain object (JSON.stringify it);
 * `loadHead` reads one back, whatever its kind, including calibrated heads that wrap another.
 * A k-NN head stores its reference targets but not the reference embeddings (those live in the
 * store's index), so loading one needs the search over the same reference rows.
 */
import { SkyclipError, badInput } from '../util/errors.js';
import { type ConformalJson, ConformalRegressor } from './conformal.js';
import { HEAD_FORMAT, HEAD_FORMAT_VERSION, type Head, type HeadJsonBase } from './head.js';
import { KnnClassifier, type KnnClassifierJson } from './knn-classifier.js';
import { KnnRegressor, type KnnRegressorJson } from './knn-regressor.js';
import { MlpClassifier, type MlpClassifierJson, MlpRegressor, type MlpRegressorJson } from './mlp-heads.js';
import type { NeighbourSearch } from './neighbours.js';
import { PrototypeClassifier, type PrototypeJson } from './prototype.js';
import { RidgeRegressor, type RidgeJson } from './ridge.js';
import { SoftmaxClassifier, type SoftmaxJson } from './softmax.js';
import { type TemperatureJson, TemperatureScaledClassifier } from './temperature.js';

export type HeadJson =
  | KnnRegressorJson
  | KnnClassifierJson
  | RidgeJson
  | SoftmaxJson
  | MlpRegressorJson
  | MlpClassifierJson
  | PrototypeJson
  | ConformalJson
  | TemperatureJson;

export type HeadKind = HeadJson['kind'];

export interface LoadHeadOptions {
  /** Needed for k-NN heads: a search over the reference rows they were fitted on. */
  search?: NeighbourSearch;
}

/** Restores a head from `toJSON()` output (already parsed, or as JSON text). */
export function loadHead(input: unknown, options: LoadHeadOptions = {}): Head {
  const json = (typeof input === 'string' ? JSON.parse(input) : input) as HeadJsonBase;
  if (typeof json !== 'object' || json === null || json.format !== HEAD_FORMAT) {
    throw badInput(`loadHead: not a ${HEAD_FORMAT} document`);
  }
  if (json.version !== HEAD_FORMAT_VERSION) {
    throw new SkyclipError('UNSUPPORTED', `loadHead: format version ${json.version}; this build reads ${HEAD_FORMAT_VERSION}`);
  }
  const h = json as HeadJson;
  const needSearch = (): NeighbourSearch => {
    if (!options.search) throw badInput(`loadHead: a ${h.kind} head needs the neighbour search it was fitted with`);
    return options.search;
  };
  switch (h.kind) {
    case 'knn-regressor':
      return KnnRegressor.fromJSON(h, needSearch());
    case 'knn-classifier':
      return KnnClassifier.fromJSON(h, needSearch());
    case 'ridge':
      return RidgeRegressor.fromJSON(h);
    case 'softmax':
      return SoftmaxClassifier.fromJSON(h);
    case 'mlp-regressor':
      return MlpRegressor.fromJSON(h);
    case 'mlp-classifier':
      return MlpClassifier.fromJSON(h);
    case 'prototype':
      return PrototypeClassifier.fromJSON(h);
    case 'conformal': {
      const base = loadHead(h.base, options);
      if (base.task !== 'regression') throw badInput('loadHead: a conformal head must wrap a regression head');
      return ConformalRegressor.fromJSON(h, base);
    }
    case 'temperature': {
      const base = loadHead(h.base, options);
      if (base.task !== 'classification') throw badInput('loadHead: a temperature head must wrap a classification head');
      return TemperatureScaledClassifier.fromJSON(h, base);
    }
    default:
      throw new SkyclipError('UNSUPPORTED', `loadHead: unknown head kind "${(json as HeadJsonBase).kind}"`);
  }
}
