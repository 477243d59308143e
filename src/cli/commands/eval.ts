/** `skyclip eval --model DIR --reference DIR --data DIR --out DIR`: the evaluation report (thin layer over src/eval). */
import { parseArgs } from 'node:util';
import { badInput } from '../../util/errors.js';
import type { Command } from '../command.js';
import { nonNegativeInt, optionalInt, positiveInt } from '../options.js';

export const evalCommand: Command = {
  name: 'eval',
  summary: 'Evaluation report: redshift, properties, morphology, retrieval and baselines, AstroCLIP-style (report.md + figures)',
  usage: [
    'Usage: skyclip eval --model DIR --reference SURVEY --data HELDOUT_SURVEY --out DIR [options]',
    '',
    'Embeds the reference survey (the labelled pool: the training survey) and the held-out survey',
    '(another seed, never used in training) with the model and with a random-init encoder of the',
    'same preset, measures g, r, z aperture photometry on the cutouts, and scores on the held-out',
    'objects, for k-NN (zero-shot), linear probe and few-shot heads on each feature set:',
    '  redshift: R^2, sigma_NMAD, outlier fraction, bias, 68/95 % interval coverage, PIT;',
    '  logmstar, logssfr, zmw, tage: R^2; spectral class and the 10 Galaxy Zoo questions: accuracy;',
    '  retrieval: recall@1/10/100 and median rank among --candidates; a label-efficiency curve.',
    'The reference pool is cut by its catalogue split: train = fit, val = hyperparameters,',
    'test = conformal calibration. Writes OUT/report.json, OUT/report.md, OUT/predictions-z.csv and',
    'PNG + SVG figures; embeddings are cached in OUT/cache (keyed by model id + survey + n).',
    '',
    'Options:',
    '  --model DIR            trained model directory (required)',
    '  --reference DIR        labelled reference survey (required)',
    '  --data DIR             held-out survey, another seed (required)',
    '  --out DIR              output folder (required)',
    "  --supervised DIR       a model from 'skyclip train-supervised' (repeat for image and spectrum);",
    '                         without it the supervised row says "not run"',
    '  --n-reference N        reference objects, first N of its catalogue (default 10000; --quick 500)',
    '  --n-heldout N          held-out objects scored (default all; --quick 500)',
    '  --candidates N         retrieval candidates per group (default 1000)',
    '  --few-shot N           labels of the few-shot heads (default 100)',
    '  --few-shot-draws N     independent draws of those labels; few-shot scores are the mean ± sd (default 5; --quick 2)',
    '  --seed S               seed of few-shot draws and splits (default 0)',
    '  --batch N              objects per forward pass (default 64)',
    '  --quick                small everything: pools, grids, label curve, MLP epochs (a smoke test)',
    '  --no-cache             neither read nor write OUT/cache',
    '  --allow-training-seed  score even on a held-out survey whose seed trained the model',
    '  --quiet                no progress bars',
  ].join('\n'),
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        model: { type: 'string' },
        reference: { type: 'string' },
        data: { type: 'string' },
        out: { type: 'string' },
        supervised: { type: 'string', multiple: true },
        'n-reference': { type: 'string' },
        'n-heldout': { type: 'string' },
        candidates: { type: 'string' },
        'few-shot': { type: 'string' },
        'few-shot-draws': { type: 'string' },
        seed: { type: 'string' },
        batch: { type: 'string' },
        quick: { type: 'boolean', default: false },
        'no-cache': { type: 'boolean', default: false },
        'allow-training-seed': { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
      },
      allowPositionals: false,
    });
    for (const name of ['model', 'reference', 'data', 'out'] as const) {
      if (!values[name]) throw badInput(`--${name} is required (see skyclip eval --help)`);
    }
    const settings = {
      nReference: optionalInt(values['n-reference'], 'n-reference', 1),
      nHeldout: optionalInt(values['n-heldout'], 'n-heldout', 1),
      candidates: optionalInt(values.candidates, 'candidates', 1),
      fewShotLabels: optionalInt(values['few-shot'], 'few-shot', 1),
      fewShotDraws: optionalInt(values['few-shot-draws'], 'few-shot-draws', 1),
      seed: values.seed === undefined ? undefined : nonNegativeInt(values.seed, 'seed', 0),
      batchSize: values.batch === undefined ? undefined : positiveInt(values.batch, 'batch'),
    };
    const [{ initBackend }, { runEval }] = await Promise.all([import('../../nn/backend.js'), import('../../eval/run.js')]);
    await initBackend();
    const report = await runEval({
      model: values.model!,
      reference: values.reference!,
      data: values.data!,
      out: values.out!,
      supervised: values.supervised,
      quick: values.quick,
      settings,
      cache: !values['no-cache'],
      allowTrainingSeed: values['allow-training-seed'],
      progress: !values.quiet,
    });
    const z = report.targets.z.results;
    const r2 = (feature: string, method: 'knn' | 'linear') => {
      const res = z[feature]?.[method];
      return res && 'r2Galaxies' in res && Number.isFinite(res.r2Galaxies) ? res.r2Galaxies!.toFixed(3) : 'n/a';
    };
    const ret = report.retrieval.skyclip;
    console.log(
      [
        `eval of model ${report.model.id} on ${report.heldout.dir} (${report.heldout.objects} objects; reference ${report.reference.objects}) in ${report.timings.totalSec.toFixed(0)} s:`,
        `  redshift R^2 over galaxies, k-NN: image ${r2('skyclip-image', 'knn')}, spectrum ${r2('skyclip-spectrum', 'knn')}, photometry ${r2('photometry', 'knn')}, random-init image ${r2('random-image', 'knn')}`,
        `  redshift R^2 over galaxies, linear: image ${r2('skyclip-image', 'linear')}, spectrum ${r2('skyclip-spectrum', 'linear')}`,
        `  retrieval image->spectrum recall@1 ${ret.imageToSpectrum.recallAt1.toFixed(3)}, recall@10 ${ret.imageToSpectrum.recallAt10.toFixed(3)} among ${ret.candidates}`,
        `  wrote ${report.files.md}, ${report.files.json} and ${Object.keys(report.files.plots).length} figures`,
      ].join('\n'),
    );
    return 0;
  },
};
