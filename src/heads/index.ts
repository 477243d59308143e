/**
 * Public surface of the downstream heads: k-NN (zero-shot), linear probes, few-shot MLP and
 * prototypes, calibration (conformal, temperature), metrics and serialization. Import from here
 * outside src/heads. Pure TypeScript on typed arrays: no tensor backend needed.
 */
export { matrix, fromRows, selectRows, type Matrix, type Values } from './matrix.js';
export {
  classesOf,
  labelledClassification,
  labelledRegression,
  numericTargets,
  type CategoricalLabel,
  type ClassificationSet,
  type NumericLabel,
  type RegressionSet,
} from './labels.js';
export { Standardizer, TargetScaler, type StandardizerJson, type TargetScalerJson } from './standardizer.js';
export { NormalDistribution, WeightedSampleDistribution, centralInterval, type PredictiveDistribution } from './distribution.js';
export { exactCosineSearch, type Neighbour, type NeighbourSearch } from './neighbours.js';
export {
  DEFAULT_LEVELS,
  intervalAt,
  type ClassificationHead,
  type ClassificationHeadClass,
  type ClassificationPrediction,
  type Head,
  type PredictionInterval,
  type RegressionHead,
  type RegressionHeadClass,
  type RegressionPrediction,
} from './head.js';
export { DEFAULT_KNN_K, type KnnWeighting } from './knn-core.js';
export { KnnRegressor, type KnnReference, type KnnRegressorConfig, type KnnRegressorJson } from './knn-regressor.js';
export { KnnClassifier, type KnnClassifierConfig, type KnnClassifierJson } from './knn-classifier.js';
export { DEFAULT_K_GRID, selectKByPit, type KSelection, type PitSelectionOptions } from './select-k.js';
export { RidgeRegressor, DEFAULT_ALPHA_GRID, type RidgeConfig, type RidgeJson } from './ridge.js';
export { SoftmaxClassifier, DEFAULT_L2_GRID, type SoftmaxConfig, type SoftmaxJson } from './softmax.js';
export { MlpRegressor, MlpClassifier, type MlpHeadConfig, type MlpRegressorConfig } from './mlp-heads.js';
export { MlpNetwork, trainMlp, type MlpTrainConfig, type MlpTrainReport } from './mlp-network.js';
export { PrototypeClassifier, type PrototypeConfig, type PrototypeJson } from './prototype.js';
export { ConformalRegressor, conformalQuantile, type ConformalConfig, type ConformalMethod } from './conformal.js';
export { TemperatureScaledClassifier, applyTemperature, fitTemperature, type TemperatureReport } from './temperature.js';
export * from './metrics.js';
export { evaluateRegression, evaluateClassification, type RegressionReport, type ClassificationReport } from './evaluate.js';
export { DOWNSTREAM_TARGETS, GZ_QUESTIONS, downstreamTarget, type DownstreamTarget, type TargetTask } from './targets.js';
export { partnerRanks, retrievalScores, normalizeRows, type RetrievalScores } from './retrieval.js';
export { loadHead, type HeadJson, type HeadKind, type LoadHeadOptions } from './serialize.js';
