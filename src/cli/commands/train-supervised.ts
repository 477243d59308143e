/** `skyclip train-supervised --modality image --data DIR --out DIR`: the supervised-from-scratch baseline (thin layer over src/train/pipelines/supervised.ts). */
import { parseArgs } from 'node:util';
import { badInput } from '../../util/errors.js';
import type { Command } from '../command.js';
import { optionalInt } from '../options.js';
import { loadTraining, STAGE_ARGS, STAGE_USAGE, stageOptions } from './pretrain.js';

/** Targets learned by default (src/train/pipelines/supervised.ts SUPERVISED_TARGETS, repeated for the help text without loading tfjs). */
const DEFAULT_TARGETS = ['z', 'logmstar', 'logssfr', 'zmw', 'tage'];

/** Defaults per modality: the tiny preset on wasm, sized for ~15-20 minutes on one core (rates measured in the usage text). */
const DEFAULTS = {
  image: { steps: 1500, batch: 32, lr: 1e-3, valSamples: 256 },
  spectrum: { steps: 800, batch: 32, lr: 5e-4, valSamples: 256 },
} as const;

export const trainSupervisedCommand: Command = {
  name: 'train-supervised',
  summary: 'Train the supervised-from-scratch baseline: an encoder + MLP head regressing redshift and properties',
  usage: [
    'Usage: skyclip train-supervised --modality image|spectrum --data DIR --out DIR [options]',
    '',
    "AstroCLIP's supervised baseline: the same encoder architecture as skyclip's (from --preset and",
    '--seed, i.e. from scratch) with a small MLP head, trained end to end on the train split of a',
    'survey to predict z-scored targets (mean squared error over the labels present; stars have no',
    'stellar mass). Validation on the val split: loss vs the predict-the-mean baseline and R^2 per',
    'target. Images get the same physics-respecting augmentations as pretraining. Writes a model',
    'directory (loadable by loadModel; only the chosen encoder trained) plus supervised-head.json/.bin',
    '(head, targets, scaling), and training-log/<stage>/ with log.jsonl and loss.svg/png.',
    '`skyclip eval --supervised DIR` scores it on the held-out survey.',
    '',
    'Options:',
    '  --modality M          image or spectrum (required)',
    `  --targets LIST        comma-separated catalogue columns (default ${DEFAULT_TARGETS.join(',')})`,
    '  --hidden N            hidden width of the head (default: the encoder width)',
    STAGE_USAGE,
    '',
    'Defaults, sized for ~15-20 min of one wasm core with the tiny preset (measured: image ~48,',
    'spectrum ~26 samples per CPU-second at batch 32): image --steps 1500 --batch 32 --lr 1e-3',
    '(48k samples, 3 epochs of a 16k-object train split, ~17 min); spectrum --steps 800 --batch 32',
    '--lr 5e-4 (~16 min); --val-samples 256. A core shared with another job roughly halves the rate.',
  ].join('\n'),
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { ...STAGE_ARGS, modality: { type: 'string' }, targets: { type: 'string' }, hidden: { type: 'string' } },
      allowPositionals: false,
    });
    const modality = values.modality;
    if (modality !== 'image' && modality !== 'spectrum') throw badInput(`--modality must be image or spectrum, got '${modality ?? ''}'`);
    const targets = values.targets === undefined ? undefined : values.targets.split(',').map((t) => t.trim()).filter((t) => t !== '');
    if (targets !== undefined && targets.length === 0) throw badInput('--targets must name at least one column');
    const hidden = optionalInt(values.hidden, 'hidden', 1);
    const options = { ...stageOptions(values, DEFAULTS[modality]), modality, targets, hidden } as const;
    const { runSupervised } = await loadTraining();
    const result = await runSupervised(options);
    const l = result.finalLosses;
    const r2 = Object.entries(result.valR2).map(([c, v]) => `${c} ${v.toFixed(3)}`).join(', ');
    console.log(
      `${result.stage}: model ${result.modelId} in ${result.out}; ${result.record.steps} steps ` +
        `(${result.record.samplesPerSec.toFixed(1)} samples/s); loss train ${l.train.toFixed(4)}, val ${l.val.toFixed(4)}, ` +
        `baseline ${l.baseline.toFixed(4)}; val R^2 ${r2}; plot ${result.plot.png}`,
    );
    return 0;
  },
};
