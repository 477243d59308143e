/**
 * The supervised-from-scratch baseline, end to end (what `skyclip train-supervised` runs):
 * survey -> SurveyDataset (train split, augmented; val split, fixed) -> batches of inputs and
 * z-scored targets -> the loop (AdamW, warmup + cosine, checkpoints, log, progress) ->
 * predict-the-mean baseline and per-target R^2 on the validation batches -> saveModel (the
 * whole model directory, only the chosen encoder trained) + supervised-head.json/.bin (the head,
 * the targets and their scaling) -> training-log/<stage>/ with log.jsonl and the loss plot.
 *
 *   const r = await runSupervised({ modality: 'image', data: 'runs/train-tiny/sim-train',
 *     out: 'runs/supervised-image', steps: 1500, batch: 32, lr: 1e-3, seed: 1 });
 *   const sup = await loadSupervised('runs/supervised-image');
 *   sup.predictDataset(heldout);   // { z: Float64Array, logmstar: ... } in physical units
 *   sup.dispose();
 *
 * The encoder is the same architecture as skyclip's (the preset's ViT or SpecFormer) and is
 * initialised from the preset and seed (or --init), never from a pretrained model unless asked:
 * AstroCLIP's baselines are trained from scratch on the same labelled data.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { DEFAULT_AUGMENT } from '../../data/augment.js';
import type { SampleAugment, SurveyDataset as SurveyDatasetType } from '../../data/dataset.js';
import { SurveyDataset } from '../../data/dataset.js';
import { EpochOrder, PURPOSE, sampleRng } from '../../data/order.js';
import { openSurvey, type Survey } from '../../data/survey.js';
import { encodeInBatches, range } from '../../embed/encode.js';
import { downstreamTarget } from '../../heads/targets.js';
import { ParamInit } from '../../nn/module.js';
import type { SkyClipModel } from '../../nn/skyclip-model.js';
import { tf } from '../../nn/tf.js';
import { decodeWeights, encodeWeights, loadModel, saveModel, type WeightEntry } from '../../nn/weights-io.js';
import type { ObjectLabels } from '../../sim/labels.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { SkyclipError, badInput } from '../../util/errors.js';
import type { TrainData } from '../loop.js';
import { train } from '../loop.js';
import { readLogRecords, writeLossPlot } from '../plot-log.js';
import { SupervisedHead, SupervisedTask, type PooledEncoder, type SupervisedBatch } from '../tasks/supervised.js';
import {
  carryAuxiliary,
  checkOutput,
  defaultRunDir,
  finalLosses as finalLossesOf,
  prepareRunDir,
  stageLogDir,
  startModel,
  trainingMetadata,
  meanOverBatches,
  stageRecord,
  type StageRecord,
} from './common.js';
import { checkStageOptions, loopSettings, type Modality, type StageOptions } from './pretrain.js';

/** Targets learned by default: redshift and AstroCLIP's four galaxy properties. */
export const SUPERVISED_TARGETS: readonly string[] = ['z', 'logmstar', 'logssfr', 'zmw', 'tage'];

export const SUPERVISED_FILES = { json: 'supervised-head.json', bin: 'supervised-head.bin' } as const;

export interface SupervisedOptions extends StageOptions {
  modality: Modality;
  /** Catalogue columns to predict (default SUPERVISED_TARGETS). */
  targets?: readonly string[];
  /** Hidden width of the head (default: the encoder width). */
  hidden?: number;
}

/** Per-target z-scoring fitted on the training split's labelled values. */
export interface TargetScaling {
  columns: string[];
  mean: number[];
  scale: number[];
  /** Labelled training objects per target. */
  counts: number[];
}

interface SupervisedHeadFile {
  format: 'skyclip-supervised-head';
  version: 1;
  modality: Modality;
  hidden: number;
  scaling: TargetScaling;
  byteLength: number;
  sha256: string;
  entries: WeightEntry[];
}

/** A numeric label of a catalogue row, or NaN when missing. */
export function numericLabel(row: ObjectLabels, column: string): number {
  const v = (row as unknown as Record<string, unknown>)[column];
  return typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN;
}

/** Mean and standard deviation per target over the dataset's labelled objects. */
export function fitTargetScaling(dataset: SurveyDatasetType, columns: readonly string[]): TargetScaling {
  const mean: number[] = [];
  const scale: number[] = [];
  const counts: number[] = [];
  for (const column of columns) {
    const values: number[] = [];
    for (let i = 0; i < dataset.size; i++) {
      const v = numericLabel(dataset.row(i), column);
      if (!Number.isNaN(v)) values.push(v);
    }
    if (values.length < 2) throw badInput(`target '${column}': only ${values.length} labelled training objects in ${dataset.survey.dir}; need at least 2`);
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length);
    mean.push(m);
    scale.push(sd > 0 ? sd : 1);
    counts.push(values.length);
  }
  return { columns: [...columns], mean, scale, counts };
}

/** z-scored targets and presence flags [B, T] of the given items. */
function targetTensors(dataset: SurveyDatasetType, items: ArrayLike<number>, scaling: TargetScaling): { targets: tf.Tensor2D; present: tf.Tensor2D } {
  const t = scaling.columns.length;
  const targets = new Float32Array(items.length * t);
  const present = new Float32Array(items.length * t);
  for (let j = 0; j < items.length; j++) {
    const row = dataset.row(items[j]);
    scaling.columns.forEach((column, c) => {
      const v = numericLabel(row, column);
      if (Number.isNaN(v)) return;
      targets[j * t + c] = (v - scaling.mean[c]) / scaling.scale[c];
      present[j * t + c] = 1;
    });
  }
  return { targets: tf.tensor2d(targets, [items.length, t]), present: tf.tensor2d(present, [items.length, t]) };
}

function inputTensor(dataset: SurveyDatasetType, modality: Modality, items: ArrayLike<number>, augmentOf?: (j: number) => SampleAugment): tf.Tensor4D | tf.Tensor2D {
  return modality === 'image' ? dataset.imageTensor(items, augmentOf) : dataset.spectrumTensor(items, augmentOf);
}

/**
 * Training batches (augmented with the survey's own PSF/noise distributions, deterministic in
 * (seed, step)) and fixed validation batches of inputs and z-scored targets.
 */
export function supervisedData(
  trainSet: SurveyDatasetType,
  valSet: SurveyDatasetType,
  options: { modality: Modality; batchSize: number; seed: number; augment: typeof DEFAULT_AUGMENT; scaling: TargetScaling },
): TrainData<SupervisedBatch> {
  const order = new EpochOrder(trainSet.size, options.seed);
  const purpose = options.modality === 'image' ? PURPOSE.augment : PURPOSE.augmentSpectrum;
  return {
    batchSize: options.batchSize,
    trainBatch(step) {
      const items = order.indicesForStep(step, options.batchSize);
      const augmentOf = (j: number): SampleAugment => ({ config: options.augment, rng: sampleRng(options.seed, step, j, purpose) });
      return { inputs: inputTensor(trainSet, options.modality, items, augmentOf), ...targetTensors(trainSet, items, options.scaling) };
    },
    *valBatches() {
      for (let start = 0; start < valSet.size; start += options.batchSize) {
        const items = range(start, Math.min(valSet.size, start + options.batchSize));
        yield { inputs: inputTensor(valSet, options.modality, items), ...targetTensors(valSet, items, options.scaling) };
      }
    },
  };
}

/** A trained supervised model: its encoder + head, predicting targets in physical units. */
export class SupervisedModel {
  private readonly task: SupervisedTask;

  constructor(
    readonly model: SkyClipModel,
    readonly head: SupervisedHead,
    readonly modality: Modality,
    readonly scaling: TargetScaling,
    /** Model directory id (content hash of the saved weights), when loaded from disk. */
    readonly id?: string,
  ) {
    this.task = new SupervisedTask(model[modality] as unknown as PooledEncoder, `${modality}.`, head);
  }

  get targets(): readonly string[] {
    return this.scaling.columns;
  }

  /** Predictions in physical units, one array per target, for every item of a dataset. */
  predictDataset(dataset: SurveyDatasetType, options: { batchSize?: number; onProgress?: (done: number) => void } = {}): Record<string, Float64Array> {
    const t = this.scaling.columns.length;
    const raw = encodeInBatches(
      dataset.size,
      t,
      options.batchSize ?? 64,
      (start, end) => inputTensor(dataset, this.modality, range(start, end)),
      (x) => this.task.predict(x as tf.Tensor4D | tf.Tensor2D), // [b, T]
      options.onProgress,
    );
    const out: Record<string, Float64Array> = {};
    this.scaling.columns.forEach((column, c) => {
      out[column] = Float64Array.from({ length: dataset.size }, (_, i) => raw[i * t + c] * this.scaling.scale[c] + this.scaling.mean[c]);
    });
    return out;
  }

  dispose(): void {
    this.head.dispose();
    this.model.dispose();
  }
}

/** Writes the head, its targets and scaling beside a saved model. */
export async function saveSupervisedHead(dir: string, head: SupervisedHead, modality: Modality, scaling: TargetScaling): Promise<void> {
  const { data, entries } = await encodeWeights(head.weights());
  const meta: SupervisedHeadFile = {
    format: 'skyclip-supervised-head',
    version: 1,
    modality,
    hidden: head.hidden,
    scaling,
    byteLength: data.byteLength,
    sha256: createHash('sha256').update(data).digest('hex'),
    entries,
  };
  await writeFileAtomic(join(dir, SUPERVISED_FILES.bin), data);
  await writeFileAtomic(join(dir, SUPERVISED_FILES.json), `${JSON.stringify(meta, null, 2)}\n`);
}

/** Loads a directory written by runSupervised; NOT_FOUND when it holds no supervised head. */
export async function loadSupervised(dir: string): Promise<SupervisedModel> {
  const metaPath = join(dir, SUPERVISED_FILES.json);
  if (!existsSync(metaPath)) {
    throw new SkyclipError('NOT_FOUND', `${metaPath} does not exist; ${dir} is not a model made by 'skyclip train-supervised'`, { path: metaPath });
  }
  let meta: SupervisedHeadFile;
  try {
    meta = JSON.parse(await readFile(metaPath, 'utf8')) as SupervisedHeadFile;
  } catch (err) {
    throw new SkyclipError('UNUSABLE', `${metaPath} is not valid JSON: ${(err as Error).message}`);
  }
  const data = await readFile(join(dir, SUPERVISED_FILES.bin));
  if (meta.format !== 'skyclip-supervised-head' || data.byteLength !== meta.byteLength || createHash('sha256').update(data).digest('hex') !== meta.sha256) {
    throw new SkyclipError('UNUSABLE', `${join(dir, SUPERVISED_FILES.bin)} does not match ${SUPERVISED_FILES.json}`);
  }
  const loaded = await loadModel(dir);
  const encoderDim = loaded.config[meta.modality].dim;
  const head = new SupervisedHead(new ParamInit(0, 'zeros'), encoderDim, meta.scaling.columns.length, meta.hidden);
  const weights = decodeWeights(data, meta.entries);
  try {
    head.loadWeights(weights);
  } catch (err) {
    head.dispose();
    loaded.model.dispose();
    throw err;
  } finally {
    tf.dispose([...weights.values()]);
  }
  return new SupervisedModel(loaded.model, head, meta.modality, meta.scaling, loaded.id);
}

/** R^2 of each target on a dataset (objects with a label). */
export function datasetR2(predictions: Record<string, Float64Array>, dataset: SurveyDatasetType): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [column, pred] of Object.entries(predictions)) {
    let n = 0;
    let mean = 0;
    for (let i = 0; i < dataset.size; i++) {
      const v = numericLabel(dataset.row(i), column);
      if (!Number.isNaN(v)) {
        n++;
        mean += v;
      }
    }
    mean /= Math.max(n, 1);
    let ssRes = 0;
    let ssTot = 0;
    for (let i = 0; i < dataset.size; i++) {
      const v = numericLabel(dataset.row(i), column);
      if (Number.isNaN(v)) continue;
      ssRes += (v - pred[i]) ** 2;
      ssTot += (v - mean) ** 2;
    }
    out[column] = ssTot > 0 ? 1 - ssRes / ssTot : Number.NaN;
  }
  return out;
}

export interface SupervisedResult {
  out: string;
  modelId: string;
  runDir: string;
  stage: string;
  record: StageRecord;
  /** R^2 per target on the validation objects. */
  valR2: Record<string, number>;
  finalLosses: Record<string, number>;
  plot: { svg: string; png: string };
}

export async function runSupervised(options: SupervisedOptions): Promise<SupervisedResult> {
  checkStageOptions(options);
  const columns = [...(options.targets ?? SUPERVISED_TARGETS)];
  if (columns.length === 0) throw badInput('train-supervised: no targets');
  for (const c of columns) {
    if (downstreamTarget(c)?.task !== 'regression') throw badInput(`'${c}' is not a regression target; use some of ${SUPERVISED_TARGETS.join(', ')}`);
  }
  if (new Set(columns).size !== columns.length) throw badInput(`targets repeat a column: ${columns.join(', ')}`);
  if (options.hidden !== undefined && !(Number.isInteger(options.hidden) && options.hidden > 0)) throw badInput(`hidden must be a positive integer, got ${options.hidden}`);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const stage = `supervised-${options.modality}`;
  const runDir = options.runDir ?? defaultRunDir(options.out, stage);
  if (resolve(runDir).startsWith(resolve(options.out) + sep)) {
    // saveModel replaces the whole output directory: checkpoints and log would go with it
    throw badInput(`the run folder ${runDir} lies inside --out ${options.out}, which is replaced when the model is saved; pass another --run-dir`);
  }
  checkOutput(options.out, options.overwrite);
  await prepareRunDir(runDir, options);
  const started = Date.now();

  const { model, previous, sources } = await startModel(options);
  let survey: Survey | undefined;
  let head: SupervisedHead | undefined;
  try {
    survey = openSurvey(options.data);
    const contract = model.config.preprocess;
    const trainSet = new SurveyDataset(survey, contract, 'train');
    const valSet = new SurveyDataset(survey, contract, 'val', options.valSamples ?? 256);
    if (trainSet.size === 0 || valSet.size === 0) throw badInput(`${options.data} has ${trainSet.size} train and ${valSet.size} val objects; both must be > 0`);
    const scaling = fitTargetScaling(trainSet, columns);
    const encoderDim = model.config[options.modality].dim;
    head = new SupervisedHead(new ParamInit(options.seed + 104729), encoderDim, columns.length, options.hidden ?? encoderDim);
    const task = new SupervisedTask(model[options.modality] as unknown as PooledEncoder, `${options.modality}.`, head);
    const data = supervisedData(trainSet, valSet, {
      modality: options.modality,
      batchSize: options.batch,
      seed: options.seed,
      augment: options.augment ?? DEFAULT_AUGMENT,
      scaling,
    });
    log(`${stage}: ${trainSet.size} train / ${valSet.size} val objects of ${options.data} (survey seed ${survey.seed}), targets ${columns.join(', ')}, ${options.steps} steps of ${options.batch}`);
    const result = await train(task, data, loopSettings(options, runDir, stage));

    // The predict-the-mean baseline and per-target R^2 on the same validation objects.
    const baseline = meanOverBatches(data.valBatches(), (batch) => task.baselineLoss(batch));
    const supervised = new SupervisedModel(model, head, options.modality, scaling);
    const valR2 = datasetR2(supervised.predictDataset(valSet, { batchSize: options.batch }), valSet);

    const records = await readLogRecords(runDir);
    const finalLosses = { ...finalLossesOf(result, records), baseline };
    const record = stageRecord(
      { stage, data: { dir: options.data, key: survey.key, seed: survey.seed, trainObjects: trainSet.size, valObjects: valSet.size }, seed: options.seed, batch: options.batch, lr: options.lr, result, records, finalLosses, started },
      {
        targets: columns,
        valR2,
        augment: options.augment ?? DEFAULT_AUGMENT,
        preset: model.config.name,
        init: options.init ?? null,
      },
    );
    const saved = await saveModel(options.out, model, { training: trainingMetadata(previous, record), overwrite: true });
    await carryAuxiliary(sources, options.out);
    await saveSupervisedHead(options.out, head, options.modality, scaling);
    const logDir = await stageLogDir(options.out, stage, runDir, previous);
    const title = `Supervised ${options.modality} regression from scratch (${model.config.name}; ${columns.join(', ')})`;
    const plot = await writeLossPlot(records, join(logDir, 'loss'), { title, baseline });
    await writeLossPlot(records, join(runDir, 'loss'), { title, baseline });
    const r2Text = columns.map((c) => `${c} ${valR2[c].toFixed(3)}`).join(', ');
    log(`${stage}: model ${saved.id} -> ${options.out}; val loss ${finalLosses.val.toFixed(4)} vs baseline ${baseline.toFixed(4)}; val R^2 ${r2Text}`);
    return { out: options.out, modelId: saved.id, runDir, stage, record, valR2, finalLosses, plot };
  } finally {
    head?.dispose();
    model.dispose();
    survey?.close();
  }
}
