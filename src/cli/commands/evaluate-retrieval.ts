/** `skyclip evaluate-retrieval --model DIR --data DIR`: the quality gates on a held-out survey (thin layer over src/train/pipelines). */
import { parseArgs } from 'node:util';
import { badInput } from '../../util/errors.js';
import type { Command } from '../command.js';
import { nonNegativeInt, positiveInt } from '../options.js';
import { loadTraining } from './pretrain.js';

/** The default gates (src/train/pipelines/evaluate.ts DEFAULT_GATES, repeated for the help text without loading tfjs). */
const DEFAULT_GATES = { minRecall1: 0.1, minRecall10: 0.5, maxLossRatio: 0.8 } as const;

function fraction(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const x = Number(value);
  if (!(Number.isFinite(x) && x >= 0)) throw badInput(`--${name} must be a number >= 0, got '${value}'`);
  return x;
}

export const evaluateRetrievalCommand: Command = {
  name: 'evaluate-retrieval',
  summary: 'Quality gates on a held-out survey: cross-modal recall@k, median rank, masked-modeling loss vs baseline',
  usage: [
    'Usage: skyclip evaluate-retrieval --model DIR --data DIR [options]',
    '',
    'Embeds every object of the held-out survey (its seed must not have been used in training),',
    'cuts them in catalogue order into groups of --candidates, and ranks each object\'s true',
    'partner among its group\'s other modality: recall@1/@10/@100 and median rank, image->spectrum',
    'and spectrum->image. Scores both masked-modeling objectives (image needs mae-decoder.* beside',
    'the model) against the predict-the-mean baseline. Writes eval.json and eval.md.',
    '',
    'Options:',
    '  --model DIR             model directory (required)',
    '  --data DIR              held-out survey folder (required)',
    '  --split NAME            train, val, test or all (default all)',
    '  --candidates N          candidates per retrieval group (default 1000)',
    '  --min-pairs N           fewest objects accepted (default 2000)',
    '  --mm-samples N          objects scored by masked modeling (default 512)',
    '  --batch N               objects per forward pass (default 64)',
    '  --seed S                seed of the evaluation masks (default 0)',
    `  --min-recall1 X         gate: recall@1 in both directions (default ${DEFAULT_GATES.minRecall1})`,
    `  --min-recall10 X        gate: recall@10 in both directions (default ${DEFAULT_GATES.minRecall10})`,
    `  --max-loss-ratio X      gate: masked-modeling loss / baseline per encoder (default ${DEFAULT_GATES.maxLossRatio})`,
    '  --out-dir DIR           where eval.json and eval.md go (default the model directory)',
    '  --allow-training-seed   evaluate even on a survey whose seed trained the model',
    '  --strict                exit with status 1 when a gate fails',
    '  --quiet                 no progress bar',
  ].join('\n'),
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        model: { type: 'string' },
        data: { type: 'string' },
        split: { type: 'string', default: 'all' },
        candidates: { type: 'string' },
        'min-pairs': { type: 'string' },
        'mm-samples': { type: 'string' },
        batch: { type: 'string' },
        seed: { type: 'string' },
        'min-recall1': { type: 'string' },
        'min-recall10': { type: 'string' },
        'max-loss-ratio': { type: 'string' },
        'out-dir': { type: 'string' },
        'allow-training-seed': { type: 'boolean', default: false },
        strict: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
      },
      allowPositionals: false,
    });
    if (!values.model) throw badInput('--model is required');
    if (!values.data) throw badInput('--data is required');
    const [{ runEvaluation }, { parseSplit }] = await Promise.all([loadTraining(), import('../../data/survey.js')]);
    const report = await runEvaluation({
      model: values.model,
      data: values.data,
      split: parseSplit(values.split!),
      candidates: positiveInt(values.candidates, 'candidates', 1000),
      minPairs: positiveInt(values['min-pairs'], 'min-pairs', 2000),
      mmSamples: positiveInt(values['mm-samples'], 'mm-samples', 512),
      batchSize: positiveInt(values.batch, 'batch', 64),
      seed: nonNegativeInt(values.seed, 'seed', 0),
      gates: {
        minRecall1: fraction(values['min-recall1'], 'min-recall1', DEFAULT_GATES.minRecall1),
        minRecall10: fraction(values['min-recall10'], 'min-recall10', DEFAULT_GATES.minRecall10),
        maxLossRatio: fraction(values['max-loss-ratio'], 'max-loss-ratio', DEFAULT_GATES.maxLossRatio),
      },
      allowTrainingSeed: values['allow-training-seed'],
      outDir: values['out-dir'],
      progress: !values.quiet,
    });
    const r = report.retrieval;
    const mmImage = 'ratio' in report.maskedModeling.image ? report.maskedModeling.image.ratio.toFixed(3) : 'n/a';
    console.log(
      [
        `model ${report.model.id} on ${report.data.dir} (seed ${report.data.seed}, ${report.data.objects} objects, ${r.groups} x ${r.candidates} candidates):`,
        `  image->spectrum  recall@1 ${r.imageToSpectrum.recallAt[1].toFixed(3)}  recall@10 ${r.imageToSpectrum.recallAt[10].toFixed(3)}  median rank ${r.imageToSpectrum.medianRank}`,
        `  spectrum->image  recall@1 ${r.spectrumToImage.recallAt[1].toFixed(3)}  recall@10 ${r.spectrumToImage.recallAt[10].toFixed(3)}  median rank ${r.spectrumToImage.medianRank}`,
        `  masked modeling loss/baseline: image ${mmImage}, spectrum ${report.maskedModeling.spectrum.ratio.toFixed(3)}`,
        `  gates: ${report.pass ? 'PASS' : 'FAIL'} (${report.gates.filter((g) => !g.pass).map((g) => g.name).join('; ') || 'all passed'})`,
        `  wrote ${report.files!.json} and ${report.files!.md}`,
      ].join('\n'),
    );
    return values.strict && !report.pass ? 1 : 0;
  },
};
