/** `skyclip pretrain --modality image|spectrum --data DIR --out DIR`: masked-modeling pretraining (thin layer over src/train/pipelines). */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { NO_AUGMENT } from '../../data/augment.js';
import type { StageOptions } from '../../train/pipelines/index.js';
import { badInput } from '../../util/errors.js';
import type { Command } from '../command.js';
import { nonNegativeInt, positiveInt, positiveNumber } from '../options.js';

/** tfjs and the pipelines load only when a command runs (keeps `skyclip --help` and other commands fast). */
export async function loadTraining() {
  const [{ initBackend }, pipelines] = await Promise.all([import('../../nn/backend.js'), import('../../train/pipelines/index.js')]);
  await initBackend();
  return pipelines;
}

/** Options every training command takes (see STAGE_USAGE). */
export const STAGE_ARGS = {
  data: { type: 'string' },
  out: { type: 'string' },
  preset: { type: 'string' },
  init: { type: 'string' },
  'run-dir': { type: 'string' },
  resume: { type: 'boolean', default: false },
  fresh: { type: 'boolean', default: false },
  overwrite: { type: 'boolean', default: false },
  steps: { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  seed: { type: 'string' },
  warmup: { type: 'string' },
  'validate-every': { type: 'string' },
  'checkpoint-every': { type: 'string' },
  'val-samples': { type: 'string' },
  'no-augment': { type: 'boolean', default: false },
  quiet: { type: 'boolean', default: false },
} as const satisfies ParseArgsConfig['options'];

export const STAGE_USAGE = [
  '  --data DIR            survey folder from skyclip simulate (catalog.csv + shards/; required)',
  '  --out DIR             model directory to write (required)',
  '  --preset NAME         architecture when not starting from --init (default tiny)',
  '  --init DIR            start from this model directory (its other weights are kept)',
  '  --run-dir DIR         checkpoints + log.jsonl (default runs/<basename of --out>/<stage>)',
  '  --resume              continue the run folder\'s checkpoint (exactly: same batches, same state)',
  '  --fresh               discard the run folder\'s checkpoint and start over',
  '  --overwrite           replace --out if it exists',
  '  --steps N             optimizer steps',
  '  --batch B             samples per step',
  '  --lr X                peak learning rate (linear warmup, cosine decay to X/50)',
  '  --seed S              seed of init, data order, augmentations and masks (default 1)',
  '  --warmup N            warmup steps (default 5 % of --steps, at most 500)',
  '  --validate-every N    validation interval (default steps/20)',
  '  --checkpoint-every N  checkpoint interval (default 100)',
  '  --val-samples N       validation objects, first N of the val split',
  '  --no-augment          no training augmentations',
  '  --quiet               no progress bar',
].join('\n');

type StageValues = { [K in keyof typeof STAGE_ARGS]?: (typeof STAGE_ARGS)[K]['type'] extends 'boolean' ? boolean : string };

/** StageOptions from parsed values, with the command's defaults for steps, batch and lr. */
export function stageOptions(values: StageValues, defaults: { steps: number; batch: number; lr: number; valSamples: number }): StageOptions {
  if (!values.data) throw badInput('--data is required');
  if (!values.out) throw badInput('--out is required');
  if (values.resume && values.fresh) throw badInput('--resume and --fresh exclude each other');
  const steps = positiveInt(values.steps, 'steps', defaults.steps);
  return {
    data: values.data,
    out: values.out,
    preset: values.preset,
    init: values.init,
    runDir: values['run-dir'],
    resume: values.resume,
    fresh: values.fresh,
    overwrite: values.overwrite,
    steps,
    batch: positiveInt(values.batch, 'batch', defaults.batch),
    lr: positiveNumber(values.lr, 'lr', defaults.lr),
    seed: nonNegativeInt(values.seed, 'seed', 1),
    warmup: values.warmup === undefined ? undefined : nonNegativeInt(values.warmup, 'warmup', 0),
    validateEvery: values['validate-every'] === undefined ? undefined : positiveInt(values['validate-every'], 'validate-every'),
    checkpointEvery: values['checkpoint-every'] === undefined ? undefined : positiveInt(values['checkpoint-every'], 'checkpoint-every'),
    valSamples: positiveInt(values['val-samples'], 'val-samples', defaults.valSamples),
    augment: values['no-augment'] ? NO_AUGMENT : undefined,
    progress: !values.quiet,
  };
}

/** Defaults per modality: the tiny preset on wasm (see scripts/train-tiny.sh for the shipped run). */
const DEFAULTS = {
  image: { steps: 3000, batch: 32, lr: 1e-3, valSamples: 256 },
  spectrum: { steps: 2000, batch: 32, lr: 5e-4, valSamples: 256 },
} as const;

export const pretrainCommand: Command = {
  name: 'pretrain',
  summary: 'Pretrain the image or spectrum encoder by masked modeling on a simulated survey',
  usage: [
    'Usage: skyclip pretrain --modality image|spectrum --data DIR --out DIR [options]',
    '',
    'Masked-modeling pretraining of one encoder on the train split of a survey (validation on',
    'its val split): image = MAE (75 % of patches hidden, stretched-pixel targets), spectrum =',
    "AstroCLIP's contiguous token chunks. Training images get flips/rotations and extra PSF blur",
    "and noise drawn from the survey's distributions; spectra get ivar-scaled noise. Saves the",
    'model directory (the other encoder as it came from --init), training-log/<stage>/ with',
    'log.jsonl and loss.svg/png (the predict-the-mean baseline as a reference line), and for',
    'images the MAE decoder (mae-decoder.*).',
    '',
    'Options:',
    '  --modality M          image or spectrum (required)',
    '  --mask-ratio X        image: share of patches hidden (default 0.75)',
    '  --normalize-targets   image: per-patch normalized targets (MAE\'s choice; default raw',
    '                        stretched pixels: mostly-sky patches would be unit-variance noise)',
    '  --mask-chunks N       spectrum: hidden runs of tokens per spectrum (default 6, AstroCLIP)',
    '  --mask-chunk-length N spectrum: tokens per hidden run (default AstroCLIP\'s 50/777 of the',
    '                        windows: 6 of the tiny preset\'s 96); runs may overlap',
    STAGE_USAGE,
    '',
    'Defaults: image --steps 3000 --batch 32 --lr 1e-3; spectrum --steps 2000 --batch 32 --lr 5e-4;',
    '--val-samples 256.',
  ].join('\n'),
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        ...STAGE_ARGS,
        modality: { type: 'string' },
        'mask-ratio': { type: 'string' },
        'normalize-targets': { type: 'boolean', default: false },
        'mask-chunks': { type: 'string' },
        'mask-chunk-length': { type: 'string' },
      },
      allowPositionals: false,
    });
    const modality = values.modality;
    if (modality !== 'image' && modality !== 'spectrum') throw badInput(`--modality must be image or spectrum, got '${modality ?? ''}'`);
    const maskRatio = values['mask-ratio'] === undefined ? undefined : Number(values['mask-ratio']);
    if (maskRatio !== undefined && !(maskRatio > 0 && maskRatio < 1)) throw badInput(`--mask-ratio must be in (0, 1), got '${values['mask-ratio']}'`);
    const chunks = values['mask-chunks'] === undefined ? undefined : positiveInt(values['mask-chunks'], 'mask-chunks');
    const chunkLength = values['mask-chunk-length'] === undefined ? undefined : positiveInt(values['mask-chunk-length'], 'mask-chunk-length');
    if (modality === 'image' && (chunks !== undefined || chunkLength !== undefined)) throw badInput('--mask-chunks and --mask-chunk-length apply to --modality spectrum only');
    if (modality === 'spectrum' && maskRatio !== undefined) throw badInput('--mask-ratio applies to --modality image only (spectra: --mask-chunks, --mask-chunk-length)');
    const spectrumMask = chunks === undefined && chunkLength === undefined ? undefined : { chunks, chunkLength };
    const { runPretrain } = await loadTraining();
    const result = await runPretrain({ ...stageOptions(values, DEFAULTS[modality]), modality, maskRatio, normalizeTargets: values['normalize-targets'], spectrumMask });
    const l = result.finalLosses;
    console.log(
      `${result.stage}: model ${result.modelId} in ${result.out}; ${result.train.steps} steps ` +
        `(${result.record.samplesPerSec.toFixed(1)} samples/s); loss train ${l.train.toFixed(4)}, val ${l.val.toFixed(4)}, ` +
        `baseline ${l.baseline.toFixed(4)}; plot ${result.plot.png}`,
    );
    return 0;
  },
};
