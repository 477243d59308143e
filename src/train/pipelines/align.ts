/**
 * Contrastive alignment of the two encoders into one space (AstroCLIP), end to end.
 *
 * Default, frozen backbones (AstroCLIP's and the affordable path on CPU): both encoders' token
 * sequences are computed once for the training split and a validation subset and cached
 * (feature-cache.ts); only the two cross-attention heads train, on batches gathered from the
 * cache by the deterministic per-step order. `full: true` fine-tunes every weight on augmented
 * image-spectrum pairs instead (slow on CPU).
 *
 *   await runAlign({ data: 'runs/sim-train', init: 'runs/tiny/pretrain-image',
 *     spectrumFrom: 'runs/tiny/pretrain-spectrum', out: 'models/tiny', steps: 2000, batch: 256, lr: 5e-4, seed: 1 });
 *
 * The model starts from --init (both encoders and heads), optionally with one encoder replaced
 * by that of another model directory (--image-from / --spectrum-from), so the two pretraining
 * stages can run side by side.
 */
import { join } from 'node:path';
import { DEFAULT_AUGMENT } from '../../data/augment.js';
import { pairData } from '../../data/batches.js';
import { SurveyDataset } from '../../data/dataset.js';
import { EpochOrder } from '../../data/order.js';
import { openSurvey, type Survey } from '../../data/survey.js';
import { saveModel } from '../../nn/weights-io.js';
import { train, type TrainData, type TrainResult } from '../loop.js';
import { readLogRecords, writeLossPlot } from '../plot-log.js';
import { ParamInit } from '../../nn/module.js';
import { tf } from '../../nn/tf.js';
import { AlignFrozenTask, AlignFullTask, SpectrumRetention, type CachedFeatureBatch } from '../tasks/align.js';
import {
  carryAuxiliary,
  checkOutput,
  defaultRunDir,
  finalLosses as finalLossesOf,
  prepareRunDir,
  stageLogDir,
  startModel,
  takeEncoder,
  trainingMetadata,
  stageRecord,
} from './common.js';
import { gatherRowValues, gatherTokens, tokenFeatures, type TokenFeatures } from './feature-cache.js';
import { cachedSpectrumAxes, type SpectrumAxes } from './retention.js';
import { checkStageOptions, loopSettings, type StageOptions, type StageResult } from './pretrain.js';

export interface AlignOptions extends StageOptions {
  /** Fine-tune both encoders too (default false: frozen backbones on cached features). */
  full?: boolean;
  /** Take the image encoder from this model directory. */
  imageFrom?: string;
  /** Take the spectrum encoder from this model directory. */
  spectrumFrom?: string;
  /** Feature cache folder (default <runDir>/features). */
  cacheDir?: string;
  /**
   * Frozen path only: add the spectrum-retention term (tasks/align.ts) on this many whitened
   * principal axes of the frozen spectrum tokens, with this weight. Default: none (AstroCLIP).
   */
  retain?: { axes: number; weight: number };
}

/** Frozen-backbone batches gathered from cached token sequences (and the retention targets, when given). */
export function cachedFeatureData(train: TokenFeatures, val: TokenFeatures, batchSize: number, seed: number, targets?: SpectrumAxes): TrainData<CachedFeatureBatch> {
  const order = new EpochOrder(train.count, seed);
  const batch = (f: TokenFeatures, t: Float32Array | undefined, items: ArrayLike<number>): CachedFeatureBatch => ({
    imageTokens: gatherTokens(f.image, items),
    spectrumTokens: gatherTokens(f.spectrum, items),
    ...(t && targets ? { spectrumTargets: tf.tensor2d(gatherRowValues(t, targets.count, items), [items.length, targets.count]) } : {}), // [B, P]
  });
  return {
    batchSize,
    trainBatch: (step) => batch(train, targets?.train, order.indicesForStep(step, batchSize)),
    *valBatches() {
      for (let i = 0; i < val.count; i += batchSize) {
        yield batch(val, targets?.val, Array.from({ length: Math.min(batchSize, val.count - i) }, (_, k) => i + k));
      }
    },
  };
}

/** The retention options, checked before any feature is computed. */
function checkRetain(options: AlignOptions): void {
  const r = options.retain;
  if (!r) return;
  if (options.full) throw new RangeError('the spectrum-retention term needs frozen backbones (its targets come from the cached features); drop --full');
  if (!(Number.isInteger(r.axes) && r.axes >= 1)) throw new RangeError(`retention axes must be a positive integer, got ${r.axes}`);
  if (!(Number.isFinite(r.weight) && r.weight > 0)) throw new RangeError(`retention weight must be a positive number, got ${r.weight}`);
}

export async function runAlign(options: AlignOptions): Promise<StageResult> {
  checkStageOptions(options);
  checkRetain(options);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const stage = options.full ? 'align-full' : 'align';
  const runDir = options.runDir ?? defaultRunDir(options.out, stage);
  checkOutput(options.out, options.overwrite);
  await prepareRunDir(runDir, options);
  const started = Date.now();

  const { model, previous, sources } = await startModel(options);
  let survey: Survey | undefined;
  try {
    survey = openSurvey(options.data);
    const earlier = [...previous];
    if (options.imageFrom) earlier.push(...(await takeEncoder(model, options.imageFrom, 'image')));
    if (options.spectrumFrom) earlier.push(...(await takeEncoder(model, options.spectrumFrom, 'spectrum')));
    const contract = model.config.preprocess;
    const trainSet = new SurveyDataset(survey, contract, 'train');
    const valSet = new SurveyDataset(survey, contract, 'val', options.valSamples ?? 1024);
    if (trainSet.size < options.batch || valSet.size === 0) {
      throw new RangeError(`${options.data} has ${trainSet.size} train / ${valSet.size} val objects; need at least one batch (${options.batch}) and one val object`);
    }
    log(`${stage}: ${trainSet.size} train / ${valSet.size} val objects of ${options.data} (survey seed ${survey.seed}), ${options.steps} steps of ${options.batch}`);
    const settings = loopSettings(options, runDir, stage);
    let result: TrainResult;
    let featureSeconds = 0;
    if (options.full) {
      // A spectrum readout keeps the axes its init has (fitted by an earlier frozen alignment, or
      // zero); only its map learns here, as the encoder under it moves.
      const readout = model.spectrumHead.readout;
      if (readout && !readout.isFitted()) {
        log(`${stage}: warning: the spectrum readout's axes were never fitted (zero), so it adds nothing; a frozen alignment (without --full) fits them first`);
      }
      const data = pairData(trainSet, valSet, { batchSize: options.batch, seed: options.seed, augment: options.augment ?? DEFAULT_AUGMENT });
      result = await train(new AlignFullTask(model), data, settings);
    } else {
      const cacheDir = options.cacheDir ?? join(runDir, 'features');
      const progress = options.progress ?? true;
      const trainFeatures = await tokenFeatures(model, trainSet, cacheDir, { progress, label: 'features (train)' });
      const valFeatures = await tokenFeatures(model, valSet, cacheDir, { progress, label: 'features (val)' });
      featureSeconds = trainFeatures.seconds + valFeatures.seconds;
      log(`${stage}: features ${trainFeatures.fromCache ? 'read from' : 'computed into'} ${cacheDir} (${featureSeconds.toFixed(0)} s)`);
      // One fit per axis count: the readout and the retention targets share it when they agree.
      const fits = new Map<number, Promise<{ fitted: SpectrumAxes; fromCache: boolean }>>();
      const axesFor = (count: number) => {
        if (!fits.has(count)) fits.set(count, cachedSpectrumAxes(cacheDir, trainFeatures, valFeatures, count, options.seed));
        return fits.get(count)!;
      };
      const readout = model.spectrumHead.readout;
      if (readout) {
        // The spectrum head reads the whole sequence through its principal axes: fitted here, on
        // exactly the frozen tokens it will be trained and used on.
        const t0 = performance.now();
        const { fitted, fromCache } = await axesFor(readout.config.axes);
        readout.setAxes(fitted.center, fitted.axes);
        log(`${stage}: spectrum readout: ${fitted.count} whitened principal axes of the spectrum tokens, ${fromCache ? 'read from the cache' : 'fitted and cached'} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      }
      let targets: SpectrumAxes | undefined;
      let retention: SpectrumRetention | undefined;
      if (options.retain) {
        const t0 = performance.now();
        const { fitted, fromCache } = await axesFor(options.retain.axes);
        targets = fitted;
        retention = new SpectrumRetention(new ParamInit(options.seed), model.config.align.dim, options.retain.axes, options.retain.weight);
        const how = fromCache ? 'read from the cache' : 'fitted and cached';
        log(`${stage}: retention targets: ${options.retain.axes} whitened principal axes of the spectrum tokens, ${how} (weight ${options.retain.weight}; ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      }
      try {
        result = await train(new AlignFrozenTask(model, retention), cachedFeatureData(trainFeatures, valFeatures, options.batch, options.seed, targets), settings);
      } finally {
        retention?.decoder.dispose();
      }
    }
    const records = await readLogRecords(runDir);
    // ln(B) is the InfoNCE of a uniform guess over the batch (a perfect pairing scores ~0).
    const finalLosses = { ...finalLossesOf(result, records), chance: Math.log(options.batch) };
    const record = stageRecord(
      { stage, data: { dir: options.data, key: survey.key, seed: survey.seed, trainObjects: trainSet.size, valObjects: valSet.size }, seed: options.seed, batch: options.batch, lr: options.lr, result, records, finalLosses, started },
      {
        featureSeconds,
        frozen: !options.full,
        preset: model.config.name,
        init: options.init ?? null,
        imageFrom: options.imageFrom ?? null,
        spectrumFrom: options.spectrumFrom ?? null,
        retain: options.retain ?? null,
      },
    );
    const saved = await saveModel(options.out, model, { training: trainingMetadata(earlier, record), overwrite: true });
    const encoderSources = [...sources, ...(options.imageFrom ? [options.imageFrom] : []), ...(options.spectrumFrom ? [options.spectrumFrom] : [])];
    // The MAE decoder still fits the image encoder only when the encoder stayed frozen.
    await carryAuxiliary(encoderSources, options.out, { decoder: !options.full });
    const logDir = await stageLogDir(options.out, stage, runDir, earlier);
    const title = `Contrastive alignment, ${options.full ? 'full fine-tuning' : 'frozen backbones'} (${model.config.name})`;
    const plotOptions = { title, baseline: Math.log(options.batch), baselineLabel: `uniform guess: ln(batch ${options.batch})` };
    const plot = await writeLossPlot(records, join(logDir, 'loss'), plotOptions);
    await writeLossPlot(records, join(runDir, 'loss'), plotOptions);
    log(`${stage}: model ${saved.id} -> ${options.out}; InfoNCE val ${finalLosses.val.toFixed(4)} (chance ${finalLosses.chance.toFixed(3)})`);
    return { out: options.out, modelId: saved.id, runDir, stage, record, finalLosses, plot, train: result };
  } finally {
    model.dispose();
    survey?.close();
  }
}
