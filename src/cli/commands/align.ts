/** `skyclip align --data DIR --init DIR --out DIR`: contrastive alignment (thin layer over src/train/pipelines). */
import { parseArgs } from 'node:util';
import { badInput } from '../../util/errors.js';
import type { Command } from '../command.js';
import { positiveInt } from '../options.js';
import { STAGE_ARGS, STAGE_USAGE, loadTraining, stageOptions } from './pretrain.js';

const FROZEN = { steps: 2000, batch: 256, lr: 5e-4, valSamples: 1024 };
const FULL = { steps: 500, batch: 32, lr: 1e-4, valSamples: 256 };

/** --retain-spectrum P [--retain-weight W] as options; a weight alone is refused. */
function retainOption(axes: string | undefined, weight: string | undefined): { axes: number; weight: number } | undefined {
  if (axes === undefined) {
    if (weight !== undefined) throw badInput('--retain-weight needs --retain-spectrum P');
    return undefined;
  }
  const w = weight === undefined ? 1 : Number(weight);
  if (!(Number.isFinite(w) && w > 0)) throw badInput(`--retain-weight must be a positive number, got '${weight}'`);
  return { axes: positiveInt(axes, 'retain-spectrum'), weight: w };
}

export const alignCommand: Command = {
  name: 'align',
  summary: 'Align the image and spectrum encoders contrastively (frozen backbones by default)',
  usage: [
    'Usage: skyclip align --data DIR --out DIR [--init DIR] [--image-from DIR] [--spectrum-from DIR] [options]',
    '',
    'Trains the two cross-attention heads with the symmetric InfoNCE (logit scale from the model',
    "config, 15.5 as in AstroCLIP). By default both encoders are frozen: their token sequences for",
    'the train split and the validation objects are computed once and cached as float32 files',
    '(keyed by encoder weights + survey + split), then only the heads learn. --full fine-tunes',
    'every weight on augmented pairs instead. Writes the model directory and',
    'training-log/align/ (log.jsonl, loss.svg/png), carrying the earlier stages\' logs.',
    'A spectrum head with a principal-axis readout (align.spectrumReadout in the model config, the',
    'tiny preset\'s) first has its axes fitted on the cached train tokens (label-free, cached too).',
    'With align.spectrumInputSkip (the tiny preset\'s) the spectrum head, and so the cache, read each',
    'token beside its input window (the encoder\'s tokens then the tokenizer\'s values).',
    '',
    'Options:',
    '  --image-from DIR      take the image encoder weights from this model directory',
    '  --spectrum-from DIR   take the spectrum encoder weights from this model directory',
    '  --full                fine-tune the encoders too (slow on CPU)',
    '  --cache DIR           feature cache folder (default <run dir>/features)',
    '  --retain-spectrum P   (frozen only) also train a linear decoder to recover, from the unit',
    '                        spectrum embedding, the P leading whitened principal axes of the frozen',
    "                        spectrum tokens (label-free), so the shared space keeps what the",
    "                        spectrum encoder knows beyond what images can match (default: off)",
    '  --retain-weight W     weight of that term in the loss (default 1); validation stays InfoNCE',
    STAGE_USAGE,
    '',
    'Defaults: --steps 2000 --batch 256 --lr 5e-4 --val-samples 1024 (frozen);',
    '--steps 500 --batch 32 --lr 1e-4 --val-samples 256 (--full).',
  ].join('\n'),
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        ...STAGE_ARGS,
        'image-from': { type: 'string' },
        'spectrum-from': { type: 'string' },
        full: { type: 'boolean', default: false },
        cache: { type: 'string' },
        'retain-spectrum': { type: 'string' },
        'retain-weight': { type: 'string' },
      },
      allowPositionals: false,
    });
    const { runAlign } = await loadTraining();
    const result = await runAlign({
      ...stageOptions(values, values.full ? FULL : FROZEN),
      full: values.full,
      imageFrom: values['image-from'],
      spectrumFrom: values['spectrum-from'],
      cacheDir: values.cache,
      retain: retainOption(values['retain-spectrum'], values['retain-weight']),
    });
    const l = result.finalLosses;
    console.log(
      `${result.stage}: model ${result.modelId} in ${result.out}; ${result.train.steps} steps ` +
        `(${result.record.samplesPerSec.toFixed(1)} samples/s); InfoNCE train ${l.train.toFixed(4)}, val ${l.val.toFixed(4)} ` +
        `(uniform guess ${l.chance.toFixed(3)}); plot ${result.plot.png}`,
    );
    return 0;
  },
};
