/**
 * The quality gates of a trained model on a held-out simulated survey (a seed never used in
 * training; refused otherwise):
 * - cross-modal retrieval: the objects are cut, in catalogue order, into groups of `candidates`
 *   (default 1,000); inside each group every image queries the group's spectra and every
 *   spectrum the group's images, and the rank of the true partner is recorded. Reported:
 *   recall@1, @10, @100 and the median rank, image->spectrum and spectrum->image, over all
 *   queries of all full groups (at least `minPairs`, default 2,000, objects are required);
 * - masked modeling: validation loss of each encoder's pretraining objective on the first
 *   `mmSamples` objects (fixed masks) next to the predict-the-mean baseline on the same batches.
 *   The image side needs the MAE decoder saved beside the model (mae-decoder.*).
 * Gates (thresholds are options; defaults in DEFAULT_GATES) pass or fail; eval.json holds every
 * number and eval.md a table of them.
 *
 *   const report = await runEvaluation({ model: 'models/tiny', data: 'runs/sim-heldout' });
 *   report.pass; report.retrieval.imageToSpectrum.recallAt[10];
 */
import { join } from 'node:path';
import { derivedShapes } from '../../config/model-config.js';
import { NO_AUGMENT } from '../../data/augment.js';
import { defaultChunkMask, imageMaeData, spectrumMmData } from '../../data/batches.js';
import { SurveyDataset } from '../../data/dataset.js';
import { openSurvey, type SplitName, type Survey } from '../../data/survey.js';
import { Embedder } from '../../embed/encode.js';
import { partnerRanks, retrievalScores } from '../../heads/retrieval.js';
import { tf } from '../../nn/tf.js';
import { loadModel } from '../../nn/weights-io.js';
import { SkyclipError } from '../../util/errors.js';
import { ProgressBar } from '../../util/progress.js';
import { SpectrumMmTask } from '../tasks/spectrum-mm.js';
import { gitCommit, loadDecoderTask, stagesOf, writeJson } from './common.js';
import { mkdir, writeFile } from 'node:fs/promises';

export interface Gates {
  /** Lowest acceptable recall@1 in each direction. */
  minRecall1: number;
  /** Lowest acceptable recall@10 in each direction. */
  minRecall10: number;
  /** Highest acceptable masked-modeling loss / predict-the-mean baseline, per encoder. */
  maxLossRatio: number;
}

/**
 * Default thresholds: recall@1 at 20x and recall@10 at 10x chance among 1,000 candidates, and
 * the masked-modeling loss at most 0.8 of its baseline (the bar the task tests use).
 */
export const DEFAULT_GATES: Readonly<Gates> = Object.freeze({ minRecall1: 0.1, minRecall10: 0.5, maxLossRatio: 0.8 });

export interface EvaluateOptions {
  /** Model directory. */
  model: string;
  /** Held-out survey folder. */
  data: string;
  /** Objects evaluated (default 'all': the held-out survey's seed makes all of it unseen). */
  split?: SplitName;
  /** Candidates per retrieval group (default 1000). */
  candidates?: number;
  /** Fewest objects accepted (default 2000). */
  minPairs?: number;
  /** Objects scored by masked modeling (default 512). */
  mmSamples?: number;
  /** Objects per forward pass (default 64). */
  batchSize?: number;
  /** Seed of the evaluation masks (default 0). */
  seed?: number;
  gates?: Partial<Gates>;
  /** Evaluate even if the survey's seed was used in training (default false). */
  allowTrainingSeed?: boolean;
  /** Where eval.json and eval.md go (default: the model directory). */
  outDir?: string;
  progress?: boolean;
}

export interface DirectionScores {
  recallAt: Record<number, number>;
  medianRank: number;
  queries: number;
}

export interface MaskedScore {
  loss: number;
  baseline: number;
  ratio: number;
  samples: number;
}

export interface EvalReport {
  format: 'skyclip-eval';
  version: 1;
  model: { id: string; name: string; dir: string };
  data: { dir: string; key: string; seed: number; split: SplitName; objects: number };
  trainingSeeds: number[];
  retrieval: {
    candidates: number;
    groups: number;
    imageToSpectrum: DirectionScores;
    spectrumToImage: DirectionScores;
    chance: { recallAt1: number; recallAt10: number; medianRank: number };
  };
  maskedModeling: { image: MaskedScore | { skipped: string }; spectrum: MaskedScore };
  gates: Array<{ name: string; value: number; op: '>=' | '<='; threshold: number; pass: boolean }>;
  pass: boolean;
  seconds: number;
  gitCommit?: string;
  createdAt: string;
  files?: { json: string; md: string };
}

/** Ranks of partners inside consecutive groups of `size` (rows [n, dim]); leftover rows are not queried. */
export function groupedRanks(queries: Float32Array, candidates: Float32Array, dim: number, size: number): Int32Array {
  const n = queries.length / dim;
  const groups = Math.floor(n / size);
  const out = new Int32Array(groups * size);
  for (let g = 0; g < groups; g++) {
    const span = [g * size * dim, (g + 1) * size * dim] as const;
    out.set(partnerRanks(queries.subarray(...span), candidates.subarray(...span), dim), g * size);
  }
  return out;
}

function direction(ranks: Int32Array): DirectionScores {
  const s = retrievalScores(ranks, [1, 10, 100]);
  return { recallAt: s.recallAt, medianRank: s.medianRank, queries: s.count };
}

/** Loss and baseline averaged over batches (each batch is disposed). */
function lossAndBaseline<B>(batches: Iterable<B>, loss: (b: B) => tf.Scalar, baseline: (b: B) => tf.Scalar): { loss: number; baseline: number } {
  let l = 0;
  let base = 0;
  let count = 0;
  for (const batch of batches) {
    const [a, b] = tf.tidy(() => [loss(batch), baseline(batch)]);
    l += a.dataSync()[0];
    base += b.dataSync()[0];
    count++;
    tf.dispose([a, b, batch as tf.TensorContainer]);
  }
  return { loss: l / count, baseline: base / count };
}

export async function runEvaluation(options: EvaluateOptions): Promise<EvalReport> {
  const started = performance.now();
  const split = options.split ?? 'all';
  const candidates = options.candidates ?? 1000;
  const minPairs = options.minPairs ?? 2000;
  const gates: Gates = { ...DEFAULT_GATES, ...options.gates };
  const loaded = await loadModel(options.model);
  const { model } = loaded;
  let survey: Survey | undefined;
  try {
    survey = openSurvey(options.data);
    const trainingSeeds = [...new Set([...stagesOf(loaded.training).map((s) => s.data.seed), ...(loaded.training.dataSeed !== undefined ? [loaded.training.dataSeed] : [])])];
    if (trainingSeeds.includes(survey.seed) && !options.allowTrainingSeed) {
      throw new SkyclipError('CONFLICT', `${options.data} was simulated with seed ${survey.seed}, which trained model ${loaded.id}; evaluate on a survey with another seed`);
    }
    const dataset = new SurveyDataset(survey, model.config.preprocess, split);
    if (dataset.size < minPairs) throw new SkyclipError('BAD_INPUT', `${options.data} (${split}) has ${dataset.size} objects; the evaluation needs at least ${minPairs}`);
    const groupSize = Math.min(candidates, dataset.size);

    const progress = options.progress ?? true;
    const bar = new ProgressBar('embed', 2 * dataset.size, { unit: 'objects', enabled: progress });
    const images = new Embedder(model, { batchSize: options.batchSize, onProgress: (d) => bar.update(d) }).datasetImages(dataset);
    const spectra = new Embedder(model, { batchSize: options.batchSize, onProgress: (d) => bar.update(dataset.size + d) }).datasetSpectra(dataset);
    bar.finish();
    const dim = model.config.align.dim;
    const imageToSpectrum = direction(groupedRanks(images, spectra, dim, groupSize));
    const spectrumToImage = direction(groupedRanks(spectra, images, dim, groupSize));

    // Masked modeling on the first mmSamples objects, masks fixed by the seed.
    const mmSet = new SurveyDataset(survey, model.config.preprocess, split, options.mmSamples ?? 512);
    const shapes = derivedShapes(model.config);
    const batchOptions = { batchSize: 32, seed: options.seed ?? 0, augment: NO_AUGMENT };
    const specTask = new SpectrumMmTask(model.spectrum);
    const specData = spectrumMmData(mmSet, mmSet, { ...batchOptions, numTokens: shapes.spectrum.numTokens, mask: defaultChunkMask(shapes.spectrum.numTokens) });
    const s = lossAndBaseline(specData.valBatches(), (b) => specTask.loss(b), (b) => specTask.baselineLoss(b));
    const spectrumScore: MaskedScore = { ...s, ratio: s.loss / s.baseline, samples: mmSet.size };
    let imageScore: MaskedScore | { skipped: string };
    const decoder = await loadDecoderTask(options.model, model.image);
    if (decoder) {
      const { task: imageTask, maskRatio } = decoder;
      const imgData = imageMaeData(mmSet, mmSet, { ...batchOptions, numPatches: shapes.image.numPatches, maskRatio });
      const r = lossAndBaseline(imgData.valBatches(), (b) => imageTask.loss(b), (b) => imageTask.baselineLoss(b));
      imageScore = { ...r, ratio: r.loss / r.baseline, samples: mmSet.size };
      imageTask.dispose();
    } else {
      imageScore = { skipped: `no MAE decoder (mae-decoder.json) in ${options.model}` };
    }

    const gateList: EvalReport['gates'] = [
      { name: 'recall@1 image->spectrum', value: imageToSpectrum.recallAt[1], op: '>=', threshold: gates.minRecall1, pass: false },
      { name: 'recall@1 spectrum->image', value: spectrumToImage.recallAt[1], op: '>=', threshold: gates.minRecall1, pass: false },
      { name: 'recall@10 image->spectrum', value: imageToSpectrum.recallAt[10], op: '>=', threshold: gates.minRecall10, pass: false },
      { name: 'recall@10 spectrum->image', value: spectrumToImage.recallAt[10], op: '>=', threshold: gates.minRecall10, pass: false },
      { name: 'spectrum masked-modeling loss / baseline', value: spectrumScore.ratio, op: '<=', threshold: gates.maxLossRatio, pass: false },
    ];
    if ('ratio' in imageScore) {
      gateList.push({ name: 'image masked-modeling loss / baseline', value: imageScore.ratio, op: '<=', threshold: gates.maxLossRatio, pass: false });
    }
    for (const g of gateList) g.pass = g.op === '>=' ? g.value >= g.threshold : g.value <= g.threshold;

    const report: EvalReport = {
      format: 'skyclip-eval',
      version: 1,
      model: { id: loaded.id, name: loaded.config.name, dir: options.model },
      data: { dir: options.data, key: survey.key, seed: survey.seed, split, objects: dataset.size },
      trainingSeeds,
      retrieval: {
        candidates: groupSize,
        groups: Math.floor(dataset.size / groupSize),
        imageToSpectrum,
        spectrumToImage,
        chance: { recallAt1: 1 / groupSize, recallAt10: Math.min(1, 10 / groupSize), medianRank: (groupSize + 1) / 2 },
      },
      maskedModeling: { image: imageScore, spectrum: spectrumScore },
      gates: gateList,
      pass: gateList.every((g) => g.pass) && 'ratio' in imageScore,
      seconds: (performance.now() - started) / 1000,
      gitCommit: gitCommit(),
      createdAt: new Date().toISOString(),
    };
    const outDir = options.outDir ?? options.model;
    const files = { json: join(outDir, 'eval.json'), md: join(outDir, 'eval.md') };
    report.files = files;
    await mkdir(outDir, { recursive: true });
    await writeJson(files.json, report);
    await writeFile(files.md, evalMarkdown(report));
    return report;
  } finally {
    model.dispose();
    survey?.close();
  }
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const num = (x: number) => (Number.isFinite(x) ? x.toPrecision(4) : String(x));

/** The report as a markdown page (tables of retrieval, masked modeling and gates). */
export function evalMarkdown(r: EvalReport): string {
  const ret = r.retrieval;
  const row = (name: string, d: DirectionScores) => `| ${name} | ${pct(d.recallAt[1])} | ${pct(d.recallAt[10])} | ${pct(d.recallAt[100])} | ${d.medianRank} | ${d.queries} |`;
  const mm = (name: string, m: MaskedScore | { skipped: string }) =>
    'ratio' in m ? `| ${name} | ${num(m.loss)} | ${num(m.baseline)} | ${num(m.ratio)} | ${m.samples} |` : `| ${name} | - | - | - | ${m.skipped} |`;
  return [
    `# Evaluation of model \`${r.model.id}\` (${r.model.name})`,
    '',
    `Held-out survey \`${r.data.dir}\` (seed ${r.data.seed}, split ${r.data.split}, ${r.data.objects} objects; seeds used in training: ${r.trainingSeeds.join(', ') || 'none recorded'}).`,
    `Made ${r.createdAt}${r.gitCommit ? ` at commit ${r.gitCommit}` : ''} in ${r.seconds.toFixed(0)} s.`,
    '',
    `## Cross-modal retrieval (${ret.groups} groups of ${ret.candidates} candidates)`,
    '',
    '| direction | recall@1 | recall@10 | recall@100 | median rank | queries |',
    '|---|---|---|---|---|---|',
    row('image -> spectrum', ret.imageToSpectrum),
    row('spectrum -> image', ret.spectrumToImage),
    `| chance | ${pct(ret.chance.recallAt1)} | ${pct(ret.chance.recallAt10)} | ${pct(Math.min(1, 100 / ret.candidates))} | ${ret.chance.medianRank} | |`,
    '',
    '## Masked modeling (validation loss vs predict-the-mean baseline)',
    '',
    '| encoder | loss | baseline | loss / baseline | objects |',
    '|---|---|---|---|---|',
    mm('image (MAE, 75 % patches hidden)', r.maskedModeling.image),
    mm('spectrum (6 contiguous token chunks)', r.maskedModeling.spectrum),
    '',
    '## Gates',
    '',
    '| gate | value | needs | pass |',
    '|---|---|---|---|',
    ...r.gates.map((g) => `| ${g.name} | ${num(g.value)} | ${g.op} ${g.threshold} | ${g.pass ? 'yes' : '**no**'} |`),
    '',
    `Overall: **${r.pass ? 'pass' : 'fail'}**.`,
    '',
  ].join('\n');
}
