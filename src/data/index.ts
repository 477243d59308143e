/**
 * The data pipeline: a simulated survey folder (catalogue + shards) -> splits -> the model's
 * inputs by its preprocessing contract -> deterministic per-step training batches with
 * physics-respecting augmentations and pretraining masks.
 *
 *   survey.ts      openSurvey(dir): catalogue, shards, survey conditions, content key; splits
 *   preprocess.ts  prepareImage / prepareSpectrum: crop, stretch, channels last; resample, fill masked
 *   augment.ts     flips/rotations, extra PSF blur and noise from the survey's fits, ivar-scaled spectrum noise
 *   order.ts       EpochOrder: seeded shuffle per epoch, batches as a pure function of the step
 *   dataset.ts     SurveyDataset: one split, item -> model input (tensors for a list of items)
 *   batches.ts     TrainData for image MAE, spectrum masked modeling and image-spectrum pairs
 */
export { openSurvey, parseSplit, splitPositions, SPLIT_NAMES, type Survey, type SurveyConditions, type SplitName } from './survey.js';
export {
  prepareImage,
  prepareDisplayImage,
  prepareSpectrum,
  contractCrop,
  stretchToModel,
  toChannelsLast,
  fillMasked,
  type PreparedImage,
  type PreparedSpectrum,
  type ImageContract,
  type SpectrumContract,
} from './preprocess.js';
export {
  DEFAULT_AUGMENT,
  NO_AUGMENT,
  blurAndNoise,
  dihedral,
  spectrumNoise,
  gaussianBlurPlane,
  gaussianKernel,
  conditionsOfRow,
  type AugmentConfig,
  type ObjectConditions,
  type ImageAugmentation,
} from './augment.js';
export { EpochOrder, PURPOSE, sampleRng } from './order.js';
export { SurveyDataset, type SampleAugment } from './dataset.js';
export {
  imageMaeData,
  spectrumMmData,
  pairData,
  defaultChunkMask,
  type BatchOptions,
  type ImageMaeDataOptions,
  type SpectrumMmDataOptions,
} from './batches.js';
