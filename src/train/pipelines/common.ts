/**
 * What every training pipeline shares: where runs live, how a stage starts (a preset + seed or
 * an earlier model directory), how it is recorded (training metadata with one record per stage,
 * the git commit, wall time), and what is carried from model to model (the training logs and
 * plots under `training-log/<stage>/`, the MAE decoder needed to score image masked modeling).
 *
 * A model directory written by a pipeline holds, beside saveModel's files:
 *   training-log/<stage>/log.jsonl, loss.svg, loss.png   one folder per stage that made it
 *   mae-decoder.json, mae-decoder.bin                    the image MAE decoder (after image pretraining)
 * saveModel replaces the whole directory, so a pipeline saves first and adds these afterwards.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm, writeFile, open } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { presetConfig } from '../../config/model-config.js';
import type { ImageMaeOptions } from '../../train/tasks/image-mae.js';
import { ImageMaeTask } from '../tasks/image-mae.js';
import { ParamInit } from '../../nn/module.js';
import { buildModel, type SkyClipModel } from '../../nn/skyclip-model.js';
import { canonicalJson, decodeWeights, encodeWeights, loadModel, type TrainingMetadata, type WeightEntry } from '../../nn/weights-io.js';
import { tf } from '../../nn/tf.js';
import { SkyclipError, badInput } from '../../util/errors.js';
import { createHash } from 'node:crypto';
import type { VisionTransformer } from '../../nn/vit.js';
import type { LogRecord, TrainResult } from '../loop.js';

export const TRAINING_LOG_DIR = 'training-log';
export const DECODER_FILES = { json: 'mae-decoder.json', bin: 'mae-decoder.bin' } as const;

/** One training stage as recorded in training.json (`stages`). */
export interface StageRecord {
  stage: string;
  /** Survey folder and its content key and seed. */
  data: { dir: string; key: string; seed: number; trainObjects: number; valObjects: number };
  /** Seed of data order, augmentations, masks (and init when the stage built the model). */
  seed: number;
  steps: number;
  batch: number;
  lr: number;
  resumedFrom: number;
  finalLosses: Record<string, number>;
  /** Training samples per second over the stage's own steps (excludes feature caching etc.). */
  samplesPerSec: number;
  wallTimeSec: number;
  gitCommit?: string;
  finishedAt: string;
  [extra: string]: unknown;
}

/** HEAD of the repository the code runs from, when git knows it (a `-dirty` suffix for local changes). */
export function gitCommit(): string | undefined {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (!/^[0-9a-f]{40}$/.test(head)) return undefined;
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${head}-dirty` : head;
  } catch {
    return undefined;
  }
}

/** Stage records already in a model's training metadata. */
export function stagesOf(training: TrainingMetadata): StageRecord[] {
  const stages = (training as { stages?: unknown }).stages;
  return Array.isArray(stages) ? (stages as StageRecord[]) : [];
}

/** Training metadata after `current`, keeping the earlier stages of every source model. */
export function trainingMetadata(previous: StageRecord[], current: StageRecord): TrainingMetadata {
  const seen = new Set<string>();
  const stages = [...previous, current].filter((s) => {
    const key = `${s.stage}@${s.finishedAt}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const finalLosses: Record<string, number> = {};
  for (const s of stages) for (const [k, v] of Object.entries(s.finalLosses)) if (Number.isFinite(v)) finalLosses[`${s.stage}/${k}`] = v;
  return {
    dataSeed: current.data.seed,
    steps: stages.reduce((n, s) => n + s.steps, 0),
    finalLosses,
    gitCommit: current.gitCommit,
    notes: `stages: ${stages.map((s) => s.stage).join(' -> ')}`,
    stages,
  } as TrainingMetadata;
}

/** Default run folder of a stage: runs/<model dir name>/<stage> (runs/ is git-ignored). */
export function defaultRunDir(out: string, stage: string): string {
  return join('runs', basename(out), stage);
}

/** A run folder with a checkpoint needs --resume (continue) or --fresh (discard it); fails early otherwise. */
export async function prepareRunDir(runDir: string, options: { resume?: boolean; fresh?: boolean }): Promise<void> {
  const hasCheckpoint = existsSync(join(runDir, 'checkpoint', 'state.json'));
  if (hasCheckpoint && options.fresh) {
    await rm(join(runDir, 'checkpoint'), { recursive: true, force: true });
    await rm(join(runDir, 'log.jsonl'), { force: true });
  } else if (hasCheckpoint && !options.resume) {
    throw new SkyclipError('CONFLICT', `${runDir} holds a checkpoint of an earlier run; pass --resume to continue it or --fresh to start over`, { runDir });
  }
  await mkdir(runDir, { recursive: true });
}

/** Refuses to train for minutes towards an output that cannot be written. */
export function checkOutput(out: string, overwrite?: boolean): void {
  if (existsSync(out) && !overwrite) {
    throw new SkyclipError('CONFLICT', `${out} already exists; pass --overwrite to replace it`, { out });
  }
}

export interface StartOptions {
  /** Built-in preset (default 'tiny'); ignored when `init` is given. */
  preset?: string;
  /** Model directory to start from. */
  init?: string;
  /** Init seed when the model is built from the preset. */
  seed: number;
}

export interface StartModel {
  model: SkyClipModel;
  /** Stage records of the model started from (empty for a fresh build). */
  previous: StageRecord[];
  /** Model directories whose training logs / decoder are carried over. */
  sources: string[];
}

/** The model a stage starts from. */
export async function startModel(options: StartOptions): Promise<StartModel> {
  if (options.init) {
    const loaded = await loadModel(options.init);
    if (options.preset && options.preset !== loaded.config.name) {
      loaded.model.dispose();
      throw badInput(`--preset ${options.preset} conflicts with --init ${options.init} (a '${loaded.config.name}' model)`);
    }
    return { model: loaded.model, previous: stagesOf(loaded.training), sources: [options.init] };
  }
  return { model: buildModel(presetConfig(options.preset ?? 'tiny'), { seed: options.seed }), previous: [], sources: [] };
}

/** Replaces one encoder of `model` with that of the model in `dir` (same architecture and contract). */
export async function takeEncoder(model: SkyClipModel, dir: string, which: 'image' | 'spectrum'): Promise<StageRecord[]> {
  const loaded = await loadModel(dir);
  try {
    const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);
    if (!same(loaded.config.preprocess, model.config.preprocess)) {
      throw new SkyclipError('CONFLICT', `${dir} was made for another preprocessing contract than the model it should join`);
    }
    if (!same(loaded.config[which], model.config[which])) {
      throw new SkyclipError('CONFLICT', `${dir} has another ${which} encoder architecture than the model it should join`);
    }
    model[which].loadWeights(loaded.model[which].weights());
    return stagesOf(loaded.training);
  } finally {
    loaded.model.dispose();
  }
}

/**
 * Copies the training-log folders (and the MAE decoder, when `decoder` is true and there is one)
 * of source model directories into `out`; later sources win.
 */
export async function carryAuxiliary(sources: readonly string[], out: string, options: { decoder?: boolean } = {}): Promise<void> {
  for (const src of sources) {
    const logs = join(src, TRAINING_LOG_DIR);
    if (existsSync(logs)) await cp(logs, join(out, TRAINING_LOG_DIR), { recursive: true, force: true });
    if (options.decoder && existsSync(join(src, DECODER_FILES.json))) {
      for (const f of Object.values(DECODER_FILES)) await cp(join(src, f), join(out, f), { force: true });
    }
  }
}

/**
 * Copies a run's log.jsonl into `out/training-log/<stage>/` and returns that folder. A stage
 * that already ran on this model (`earlier`, e.g. a second spectrum pretraining with harder
 * masks) gets `<stage>-2`, `-3`, ... so the carried log of the first run is kept.
 */
export async function stageLogDir(out: string, stage: string, runDir: string, earlier: readonly StageRecord[] = []): Promise<string> {
  const runsBefore = earlier.filter((s) => s.stage === stage).length;
  const dir = join(out, TRAINING_LOG_DIR, runsBefore === 0 ? stage : `${stage}-${runsBefore + 1}`);
  await mkdir(dir, { recursive: true });
  if (existsSync(join(runDir, 'log.jsonl'))) await cp(join(runDir, 'log.jsonl'), join(dir, 'log.jsonl'), { force: true });
  return dir;
}

async function writeSynced(path: string, data: string | Uint8Array): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

interface DecoderFile {
  format: 'skyclip-mae-decoder';
  version: 1;
  options: ImageMaeOptions;
  /** Share of patches hidden in pretraining. */
  maskRatio: number;
  byteLength: number;
  sha256: string;
  entries: WeightEntry[];
}

/** Saves the MAE decoder of an image task beside a model (mae-decoder.json + .bin). */
export async function saveDecoder(dir: string, task: ImageMaeTask, options: ImageMaeOptions, maskRatio: number): Promise<void> {
  const { data, entries } = await encodeWeights(task.decoder.weights());
  const meta: DecoderFile = {
    format: 'skyclip-mae-decoder',
    version: 1,
    options,
    maskRatio,
    byteLength: data.byteLength,
    sha256: createHash('sha256').update(data).digest('hex'),
    entries,
  };
  await writeSynced(join(dir, DECODER_FILES.bin), data);
  await writeSynced(join(dir, DECODER_FILES.json), `${JSON.stringify(meta, null, 2)}\n`);
}

/** An image MAE task whose decoder comes from `dir` (and its mask ratio), or undefined when the directory has none. */
export async function loadDecoderTask(dir: string, encoder: VisionTransformer): Promise<{ task: ImageMaeTask; maskRatio: number } | undefined> {
  if (!existsSync(join(dir, DECODER_FILES.json))) return undefined;
  const meta = JSON.parse(await readFile(join(dir, DECODER_FILES.json), 'utf8')) as DecoderFile;
  const data = await readFile(join(dir, DECODER_FILES.bin));
  if (meta.format !== 'skyclip-mae-decoder' || data.byteLength !== meta.byteLength || createHash('sha256').update(data).digest('hex') !== meta.sha256) {
    throw new SkyclipError('UNUSABLE', `${join(dir, DECODER_FILES.bin)} does not match ${DECODER_FILES.json}`);
  }
  const task = new ImageMaeTask(encoder, new ParamInit(0, 'zeros'), meta.options);
  const weights = decodeWeights(data, meta.entries);
  try {
    task.decoder.loadWeights(weights);
  } catch (err) {
    task.dispose();
    throw err;
  } finally {
    tf.dispose([...weights.values()]);
  }
  return { task, maskRatio: meta.maskRatio ?? 0.75 };
}

/**
 * Final train and validation losses of a run: the loop's, or (when a resumed run had no step
 * left to take) the last ones in its log.
 */
export function finalLosses(result: TrainResult, records: readonly LogRecord[]): { train: number; val: number; bestVal: number } {
  const last = (kind: LogRecord['kind']) => records.filter((r) => r.kind === kind).at(-1)?.loss ?? Number.NaN;
  return {
    train: Number.isFinite(result.finalTrainLoss) ? result.finalTrainLoss : last('train'),
    val: Number.isFinite(result.finalValLoss) ? result.finalValLoss : last('val'),
    bestVal: result.bestValLoss,
  };
}

/** What every training stage records about its run; `stageRecord` adds the derived fields. */
export interface StageRun {
  stage: string;
  data: StageRecord['data'];
  seed: number;
  batch: number;
  lr: number;
  result: TrainResult;
  records: readonly LogRecord[];
  /** train/val/bestVal plus the stage's reference loss (a predict-the-mean baseline, or InfoNCE chance). */
  finalLosses: Record<string, number>;
  /** Date.now() when the stage started. */
  started: number;
}

/** A stage's training.json entry: the fields all stages share, then the stage's own settings. */
export function stageRecord(run: StageRun, settings: Record<string, unknown>): StageRecord {
  // rate of the last training segment (a resumed run counts from its restart)
  const lastTrain = run.records.filter((r) => r.kind === 'train').at(-1);
  return {
    stage: run.stage,
    data: run.data,
    seed: run.seed,
    steps: run.result.steps,
    batch: run.batch,
    lr: run.lr,
    resumedFrom: run.result.resumedFrom,
    finalLosses: run.finalLosses,
    samplesPerSec: lastTrain?.samplesPerSec ?? Number.NaN,
    wallTimeSec: (Date.now() - run.started) / 1000,
    gitCommit: gitCommit(),
    finishedAt: new Date().toISOString(),
    ...settings,
  };
}

/** Writes a JSON file with a trailing newline. */
export async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Mean over validation batches of a per-batch scalar (e.g. a task's baseline loss); disposes the batches. */
export function meanOverBatches<B>(batches: Iterable<B>, fn: (batch: B) => tf.Scalar): number {
  let sum = 0;
  let count = 0;
  for (const batch of batches) {
    const value = tf.tidy(() => fn(batch));
    sum += value.dataSync()[0];
    count++;
    value.dispose();
    tf.dispose(batch as tf.TensorContainer);
  }
  return count > 0 ? sum / count : Number.NaN;
}

/** Linear warmup steps by default: 5 % of the run, at most 500. */
export function defaultWarmup(steps: number): number {
  return Math.min(500, Math.round(0.05 * steps));
}
