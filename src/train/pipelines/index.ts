/**
 * End-to-end training pipelines over a simulated survey (what `skyclip pretrain`, `align` and
 * `evaluate-retrieval` run, and scripts/train-tiny.sh chains):
 *
 *   pretrain.ts       masked-modeling pretraining of one encoder (image MAE or spectrum chunks)
 *   align.ts          contrastive alignment: frozen backbones on cached features, or full fine-tuning
 *   feature-cache.ts  the frozen encoders' token sequences, computed once and cached on disk
 *   evaluate.ts       quality gates on a held-out survey: retrieval recall@k / median rank, MM loss vs baseline
 *   supervised.ts     the supervised-from-scratch baseline: an encoder + MLP head regressing targets end to end
 *   common.ts         start models, stage records in training.json, run folders, carried logs and decoder
 */
export { runPretrain, loopSettings, type PretrainOptions, type StageOptions, type StageResult, type Modality } from './pretrain.js';
export { runAlign, cachedFeatureData, type AlignOptions } from './align.js';
export { tokenFeatures, encoderKey, gatherTokens, type TokenFeatures, type TokenBlock } from './feature-cache.js';
export { runEvaluation, evalMarkdown, groupedRanks, DEFAULT_GATES, type EvaluateOptions, type EvalReport, type Gates } from './evaluate.js';
export { gitCommit, stagesOf, trainingMetadata, defaultRunDir, TRAINING_LOG_DIR, DECODER_FILES, type StageRecord } from './common.js';
export { runSupervised, loadSupervised, SupervisedModel, SUPERVISED_TARGETS, SUPERVISED_FILES, type SupervisedOptions, type SupervisedResult, type TargetScaling } from './supervised.js';
