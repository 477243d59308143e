/**
 * Masked-modeling pretraining of one encoder on a simulated survey, end to end:
 * survey -> SurveyDataset (train split, augmented; val split, fixed) -> masked batches ->
 * the loop (AdamW, warmup + cosine, checkpoints, log) -> predict-the-mean baseline on the same
 * validation batches -> saveModel (the other modality's weights as they came from --init) ->
 * training-log/<stage>/ with log.jsonl and the loss plot (baseline drawn as a reference line).
 *
 *   const result = await runPretrain({ modality: 'image', data: 'runs/sim-train', out: 'runs/tiny/pretrain-image',
 *     steps: 3000, batch: 32, lr: 1e-3, seed: 1 });
 *   result.finalLosses; // { train, val, baseline }
 *
 * Image: MAE (75 % of patches hidden; raw stretched-pixel targets by default, see
 * `normalizeTargets`; src/train/tasks/image-mae.ts).
 * Spectrum: AstroCLIP's contiguous token chunks (src/train/tasks/spectrum-mm.ts, masks from
 * defaultChunkMask).
 */
import { join } from 'node:path';
import { derivedShapes } from '../../config/model-config.js';
import { DEFAULT_AUGMENT, type AugmentConfig } from '../../data/augment.js';
import { defaultChunkMask, imageMaeData, spectrumMmData } from '../../data/batches.js';
import { SurveyDataset } from '../../data/dataset.js';
import { openSurvey, type Survey } from '../../data/survey.js';
import { ParamInit } from '../../nn/module.js';
import { checkChunkMask, type ChunkMaskConfig } from '../../preprocess/masking.js';
import type { tf } from '../../nn/tf.js';
import { saveModel } from '../../nn/weights-io.js';
import { train, type TrainData, type TrainResult, type TrainTask } from '../loop.js';
import { writeLossPlot, readLogRecords } from '../plot-log.js';
import { ImageMaeTask, type ImageMaeOptions } from '../tasks/image-mae.js';
import { SpectrumMmTask } from '../tasks/spectrum-mm.js';
import {
  carryAuxiliary,
  checkOutput,
  defaultRunDir,
  defaultWarmup,
  finalLosses as finalLossesOf,
  meanOverBatches,
  prepareRunDir,
  saveDecoder,
  stageLogDir,
  startModel,
  trainingMetadata,
  stageRecord,
  type StageRecord,
} from './common.js';

export type Modality = 'image' | 'spectrum';

export interface StageOptions {
  /** Survey folder (skyclip simulate output with shards). */
  data: string;
  /** Model directory to write. */
  out: string;
  /** Built-in preset when not starting from --init (default 'tiny'). */
  preset?: string;
  /** Model directory to start from. */
  init?: string;
  /** Checkpoints and log.jsonl (default runs/<basename(out)>/<stage>). */
  runDir?: string;
  /** Continue from the run folder's checkpoint. */
  resume?: boolean;
  /** Discard the run folder's checkpoint and start over. */
  fresh?: boolean;
  /** Replace `out` when it exists. */
  overwrite?: boolean;
  steps: number;
  batch: number;
  /** Peak learning rate. */
  lr: number;
  seed: number;
  /** Warmup steps (default 5 % of steps, at most 500). */
  warmup?: number;
  /** Validate every N steps (default steps / 20). */
  validateEvery?: number;
  /** Checkpoint every N steps (default 100). */
  checkpointEvery?: number;
  /** Validation objects (first N of the val split; default 256). */
  valSamples?: number;
  /** Training augmentations (default DEFAULT_AUGMENT; NO_AUGMENT to switch off). */
  augment?: AugmentConfig;
  progress?: boolean;
  /** Progress notes (default: stderr). */
  log?: (line: string) => void;
}

export interface PretrainOptions extends StageOptions {
  modality: Modality;
  /** Image MAE: share of patches hidden (default 0.75). */
  maskRatio?: number;
  /**
   * Image MAE: normalize each target patch (MAE's default for natural images). Default false:
   * most patches of a galaxy cutout are sky noise, which normalization blows up to unit variance,
   * so even an oracle that knows the noiseless sky stays at 0.87 of the predict-the-mean loss
   * (0.35 with raw stretched-pixel targets; measured on 120 mock objects of the tiny contract).
   */
  normalizeTargets?: boolean;
  /**
   * Spectrum: hidden chunks (default `defaultChunkMask`: 6 runs of round(50/777 of the windows),
   * AstroCLIP's proportion). Longer runs hide more of the spectrum, so the encoder must infer
   * the redshift from fewer lines to fill them in.
   */
  spectrumMask?: { chunks?: number; chunkLength?: number };
}

/** The chunk mask of a spectrum stage: the options' fields over `defaultChunkMask`. */
export function spectrumMask(options: Pick<PretrainOptions, 'spectrumMask'>, numTokens: number): ChunkMaskConfig {
  const given = options.spectrumMask ?? {};
  const mask = { ...defaultChunkMask(numTokens) };
  // Only the fields given: a spread of { chunks: undefined } would erase the default.
  if (given.chunks !== undefined) mask.chunks = given.chunks;
  if (given.chunkLength !== undefined) mask.chunkLength = given.chunkLength;
  checkChunkMask(numTokens, mask); // refused before the first step, not inside the batch builder
  return mask;
}

export interface StageResult {
  out: string;
  modelId: string;
  runDir: string;
  stage: string;
  record: StageRecord;
  finalLosses: Record<string, number>;
  plot: { svg: string; png: string };
  train: TrainResult;
}

/** Schedule and loop settings shared by every stage. */
export function loopSettings(options: StageOptions, runDir: string, label: string) {
  return {
    steps: options.steps,
    schedule: { peakLr: options.lr, warmupSteps: options.warmup ?? defaultWarmup(options.steps), minLr: options.lr / 50 },
    validateEvery: options.validateEvery ?? Math.max(1, Math.round(options.steps / 20)),
    checkpointEvery: options.checkpointEvery ?? 100,
    runDir,
    resume: options.resume ?? false,
    seed: options.seed,
    label,
    progress: options.progress ?? true,
  };
}

export function checkStageOptions(options: StageOptions): void {
  for (const key of ['steps', 'batch'] as const) {
    if (!(Number.isInteger(options[key]) && options[key] > 0)) throw new RangeError(`${key} must be a positive integer, got ${options[key]}`);
  }
  if (!(options.lr > 0)) throw new RangeError(`lr must be positive, got ${options.lr}`);
}

/** A masked-modeling task: a loss and its predict-the-mean baseline on the same batch. */
interface MaskedTask<B> extends TrainTask<B> {
  baselineLoss(batch: B): tf.Scalar;
}

/** Trains, then scores the baseline on the very validation batches the loop used. */
async function trainMasked<B>(task: MaskedTask<B>, data: TrainData<B>, settings: ReturnType<typeof loopSettings>) {
  const result = await train(task, data, settings);
  const baseline = meanOverBatches(data.valBatches(), (b) => task.baselineLoss(b));
  return { result, baseline };
}

export async function runPretrain(options: PretrainOptions): Promise<StageResult> {
  checkStageOptions(options);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const stage = `pretrain-${options.modality}`;
  const runDir = options.runDir ?? defaultRunDir(options.out, stage);
  checkOutput(options.out, options.overwrite);
  await prepareRunDir(runDir, options);
  const started = Date.now();

  const { model, previous, sources } = await startModel(options);
  let survey: Survey | undefined;
  let imageTask: ImageMaeTask | undefined;
  try {
    survey = openSurvey(options.data);
    const contract = model.config.preprocess;
    const trainSet = new SurveyDataset(survey, contract, 'train');
    const valSet = new SurveyDataset(survey, contract, 'val', options.valSamples ?? 256);
    if (trainSet.size === 0 || valSet.size === 0) throw new RangeError(`${options.data} has ${trainSet.size} train and ${valSet.size} val objects; both must be > 0`);
    const shapes = derivedShapes(model.config);
    const mask = spectrumMask(options, shapes.spectrum.numTokens);
    const batchOptions = { batchSize: options.batch, seed: options.seed, augment: options.augment ?? DEFAULT_AUGMENT };
    log(`${stage}: ${trainSet.size} train / ${valSet.size} val objects of ${options.data} (survey seed ${survey.seed}), ${options.steps} steps of ${options.batch}`);
    const maeOptions: ImageMaeOptions = { normalizeTargets: options.normalizeTargets ?? false };
    const settings = loopSettings(options, runDir, stage);
    let trained: { result: TrainResult; baseline: number };
    if (options.modality === 'image') {
      imageTask = new ImageMaeTask(model.image, new ParamInit(options.seed + 7919), maeOptions);
      const maskRatio = options.maskRatio ?? 0.75;
      trained = await trainMasked(imageTask, imageMaeData(trainSet, valSet, { ...batchOptions, numPatches: shapes.image.numPatches, maskRatio }), settings);
    } else {
      trained = await trainMasked(new SpectrumMmTask(model.spectrum), spectrumMmData(trainSet, valSet, { ...batchOptions, numTokens: shapes.spectrum.numTokens, mask }), settings);
    }
    const { result, baseline } = trained;
    const records = await readLogRecords(runDir);
    const finalLosses = { ...finalLossesOf(result, records), baseline };
    const record = stageRecord(
      { stage, data: { dir: options.data, key: survey.key, seed: survey.seed, trainObjects: trainSet.size, valObjects: valSet.size }, seed: options.seed, batch: options.batch, lr: options.lr, result, records, finalLosses, started },
      {
        maskRatio: options.modality === 'image' ? (options.maskRatio ?? 0.75) : undefined,
        normalizeTargets: options.modality === 'image' ? maeOptions.normalizeTargets : undefined,
        mask: options.modality === 'spectrum' ? mask : undefined,
        augment: options.augment ?? DEFAULT_AUGMENT,
        preset: model.config.name,
        init: options.init ?? null,
      },
    );
    const saved = await saveModel(options.out, model, { training: trainingMetadata(previous, record), overwrite: true });
    await carryAuxiliary(sources, options.out, { decoder: options.modality !== 'image' });
    if (imageTask) await saveDecoder(options.out, imageTask, maeOptions, options.maskRatio ?? 0.75);
    const logDir = await stageLogDir(options.out, stage, runDir, previous);
    const title = options.modality === 'image' ? 'Image masked-autoencoder pretraining' : 'Spectrum masked-modeling pretraining';
    const plot = await writeLossPlot(records, join(logDir, 'loss'), { title: `${title} (${model.config.name})`, baseline });
    await writeLossPlot(records, join(runDir, 'loss'), { title: `${title} (${model.config.name})`, baseline });
    log(`${stage}: model ${saved.id} -> ${options.out}; val ${finalLosses.val.toFixed(4)} vs baseline ${baseline.toFixed(4)} (ratio ${(finalLosses.val / baseline).toFixed(3)})`);
    return { out: options.out, modelId: saved.id, runDir, stage, record, finalLosses, plot, train: result };
  } finally {
    imageTask?.dispose();
    model.dispose();
    survey?.close();
  }
}
