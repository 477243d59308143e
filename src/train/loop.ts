/**
 * The one model-agnostic training loop: AdamW, warmup + cosine, gradient clipping, periodic
 * validation, atomic checkpoints with exact resume, a progress bar with samples/s and ETA,
 * and a JSONL log. It knows nothing about images, spectra or encoders: a TrainTask supplies
 * the parameters and the loss, a TrainData the batches.
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tf } from '../nn/tf.js';
import { SkyclipError } from '../util/errors.js';
import { ProgressBar } from '../util/progress.js';
import { AdamW, type AdamWOptions } from './adamw.js';
import { loadCheckpoint, saveCheckpoint, type LoopState } from './checkpoint.js';
import { learningRateAt, type WarmupCosineSchedule } from './schedule.js';

/** A model + objective, bound for training (open_clip's "task"). */
export interface TrainTask<Batch> {
  /** Named trainable parameters; the names key checkpoints. */
  parameters(): ReadonlyArray<readonly [string, tf.Variable]>;
  /** Scalar loss of a batch (called inside tf.variableGrads; must not dispose its inputs). */
  loss(batch: Batch): tf.Scalar;
  /**
   * The validation metric of a batch, when it is not the training loss (a training loss with an
   * auxiliary term still validates on the main objective, comparable across runs). Default: loss.
   */
  valLoss?(batch: Batch): tf.Scalar;
}

export interface TrainData<Batch> {
  /** Samples in one training batch (for samples/s). */
  batchSize: number;
  /**
   * The training batch for a 0-based step. Deterministic in the step, so a resumed run sees
   * the same data order as an uninterrupted one. The loop disposes the batch's tensors.
   */
  trainBatch(step: number): Batch;
  /** Validation batches (disposed by the loop after use). */
  valBatches(): Iterable<Batch>;
}

export interface TrainLoopConfig {
  /** Total optimizer steps. */
  steps: number;
  /** Learning-rate schedule; its totalSteps defaults to `steps`. */
  schedule: Omit<WarmupCosineSchedule, 'totalSteps'> & { totalSteps?: number };
  optimizer?: AdamWOptions;
  /** Validate every N steps and at the end (default 100; 0 = only at the end). */
  validateEvery?: number;
  /** Checkpoint every N steps and at the end (default 100). */
  checkpointEvery?: number;
  /** Directory for checkpoint/, log.jsonl. */
  runDir: string;
  /** Continue from runDir/checkpoint when it exists (default true). */
  resume?: boolean;
  /** Recorded in the checkpoint; the caller uses it for data order and init. */
  seed: number;
  /** Label of the progress bar. */
  label?: string;
  /** Draw the progress bar (default true). */
  progress?: boolean;
}

export interface LogRecord {
  step: number;
  kind: 'train' | 'val';
  loss: number;
  lr?: number;
  gradNorm?: number;
  samplesPerSec?: number;
  elapsedSec?: number;
}

export interface TrainResult {
  steps: number;
  resumedFrom: number;
  finalTrainLoss: number;
  finalValLoss: number;
  bestValLoss: number;
  log: LogRecord[];
}

const LOG_FILE = 'log.jsonl';

/** Log lines up to and including `step` (a resumed run rewrites what came after its checkpoint). */
async function readLog(runDir: string, upToStep: number): Promise<LogRecord[]> {
  let text = '';
  try {
    text = await readFile(join(runDir, LOG_FILE), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LogRecord)
    .filter((r) => r.step <= upToStep);
}

function meanValidationLoss<Batch>(task: TrainTask<Batch>, data: TrainData<Batch>): number {
  let sum = 0;
  let count = 0;
  for (const batch of data.valBatches()) {
    const loss = tf.tidy(() => (task.valLoss ? task.valLoss(batch) : task.loss(batch)));
    sum += loss.dataSync()[0];
    count += 1;
    loss.dispose();
    tf.dispose(batch as tf.TensorContainer);
  }
  return count > 0 ? sum / count : Number.NaN;
}

export async function train<Batch>(
  task: TrainTask<Batch>,
  data: TrainData<Batch>,
  config: TrainLoopConfig,
): Promise<TrainResult> {
  const params = task.parameters();
  const byName = new Map(params.map(([name, v]) => [name, v] as const));
  const optimizer = new AdamW(params, config.optimizer);
  const schedule: WarmupCosineSchedule = { totalSteps: config.steps, ...config.schedule };
  const validateEvery = config.validateEvery ?? 100;
  const checkpointEvery = config.checkpointEvery ?? 100;
  await mkdir(config.runDir, { recursive: true });

  let loop: LoopState = { step: 0, seed: config.seed, samplesSeen: 0, bestVal: Number.POSITIVE_INFINITY };
  const checkpoint = config.resume === false ? undefined : await loadCheckpoint(config.runDir);
  if (checkpoint) {
    // A checkpoint of another set of weights (another head architecture, another retention
    // option) would resume half of them and silently restart the rest with a decayed rate.
    const missing = [...byName.keys()].filter((n) => !checkpoint.params.has(n));
    const unexpected = [...checkpoint.params.keys()].filter((n) => !byName.has(n));
    if (missing.length || unexpected.length) {
      const list = (names: string[]) => `${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''}`;
      throw new SkyclipError(
        'BAD_INPUT',
        `the checkpoint in ${config.runDir} was made for other weights (${missing.length} missing: ${list(missing)}; ${unexpected.length} unexpected: ${list(unexpected)}); start over with --fresh or use another run dir`,
      );
    }
    for (const [name, values] of checkpoint.params) {
      const variable = byName.get(name);
      if (variable) tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
    }
    optimizer.setState(checkpoint.optimizer);
    loop = checkpoint.loop;
  }
  const resumedFrom = loop.step;
  const log = await readLog(config.runDir, resumedFrom);
  await writeFile(join(config.runDir, LOG_FILE), log.map((r) => `${JSON.stringify(r)}\n`).join(''));
  const record = async (r: LogRecord) => {
    log.push(r);
    await appendFile(join(config.runDir, LOG_FILE), `${JSON.stringify(r)}\n`);
  };

  const bar = new ProgressBar(config.label ?? 'train', config.steps, {
    unit: 'steps',
    enabled: config.progress ?? true,
  });
  bar.update(loop.step);
  const started = Date.now();
  let lastTrainLoss = Number.NaN;
  let lastValLoss = Number.NaN;
  const varList = params.map(([, v]) => v);

  while (loop.step < config.steps) {
    const lr = learningRateAt(loop.step, schedule);
    const batch = data.trainBatch(loop.step);
    const { value, grads } = tf.variableGrads(() => task.loss(batch), varList);
    const named: Record<string, tf.Tensor> = {};
    for (const [name, variable] of params) {
      if (grads[variable.name]) named[name] = grads[variable.name];
    }
    const gradNorm = optimizer.applyGradients(named, lr);
    lastTrainLoss = value.dataSync()[0];
    tf.dispose([value, grads]);
    tf.dispose(batch as tf.TensorContainer);

    loop = { ...loop, step: loop.step + 1, samplesSeen: loop.samplesSeen + data.batchSize };
    const elapsedSec = (Date.now() - started) / 1000;
    await record({
      step: loop.step,
      kind: 'train',
      loss: lastTrainLoss,
      lr,
      gradNorm,
      samplesPerSec: ((loop.step - resumedFrom) * data.batchSize) / Math.max(elapsedSec, 1e-9),
      elapsedSec,
    });
    bar.update(loop.step);

    const last = loop.step === config.steps;
    if (last || (validateEvery > 0 && loop.step % validateEvery === 0)) {
      lastValLoss = meanValidationLoss(task, data);
      loop = { ...loop, bestVal: Math.min(loop.bestVal, lastValLoss) };
      await record({ step: loop.step, kind: 'val', loss: lastValLoss });
    }
    if (last || (checkpointEvery > 0 && loop.step % checkpointEvery === 0)) {
      await saveCheckpoint(config.runDir, loop, params, optimizer.getState());
    }
  }
  bar.finish();
  optimizer.dispose();
  return {
    steps: loop.step,
    resumedFrom,
    finalTrainLoss: lastTrainLoss,
    finalValLoss: lastValLoss,
    bestValLoss: loop.bestVal,
    log,
  };
}
