/**
 * `skyclip eval` end to end: a trained model, its labelled reference survey and a held-out
 * survey -> embeddings (cached) of skyclip and of a random-init encoder of the same preset,
 * photometry measured on the cutouts -> k-NN, linear and few-shot heads for redshift, the four
 * galaxy properties, spectral class and the ten Galaxy Zoo questions -> retrieval, the
 * label-efficiency curve, the supervised baseline when given -> report.json, report.md,
 * predictions-z.csv and the figures (PNG + SVG) in the output folder.
 *
 *   const report = await runEval({ model: 'models/tiny', reference: 'runs/train-tiny/sim-train',
 *     data: 'runs/train-tiny/sim-heldout', out: 'runs/eval-tiny', supervised: ['runs/sup-image'] });
 *   report.targets.z.results['skyclip-image'].knn;   // { r2, sigmaNMAD, coverage68, ... }
 *
 * Refused (CONFLICT): a held-out survey with the reference's seed or content, or one whose seed
 * trained the model (unless allowTrainingSeed).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SurveyDataset } from '../data/dataset.js';
import { openSurvey, type Survey } from '../data/survey.js';
import { DOWNSTREAM_TARGETS, type RegressionPrediction } from '../heads/index.js';
import { buildModel, type SkyClipModel } from '../nn/skyclip-model.js';
import { loadModel, modelId } from '../nn/weights-io.js';
import { gitCommit, stagesOf } from '../train/pipelines/common.js';
import { writeFileAtomic } from '../util/atomic.js';
import { SkyclipError } from '../util/errors.js';
import { ProgressBar } from '../util/progress.js';
import { resolveSettings, type EvalSettings } from './config.js';
import { embedDataset, type DatasetEmbeddings } from './embedding-cache.js';
import { embeddingFeatures, type FeatureSet, photometryFeatureSet, splitFeatures } from './features.js';
import { spectrumPixelFeatureSet } from './spectrum-pixels.js';
import { checkGoals } from './goals.js';
import { reportMarkdown } from './markdown.js';
import { labelEfficiencyPlot, pitHistograms, redshiftScatter, writePanel, type PitInput, type ScatterInput } from './plots.js';
import { cachedSearch, euclideanSearch } from './neighbours.js';
import { categoricalColumn, numericColumn, poolSplits, type PoolSplits } from './pool.js';
import { classificationProbes, isSkipped, labelEfficiency, type Method, METHODS, regressionProbes } from './probe.js';
import { aggregates, type EvalReport, type LabelEfficiencySeries, type TargetEntry } from './report.js';
import { retrievalSummary } from './retrieval.js';
import { evaluateSupervised, type SupervisedEvaluation } from './supervised.js';

export interface RunEvalOptions {
  /** Trained model directory. */
  model: string;
  /** Labelled reference survey (the training survey). */
  reference: string;
  /** Held-out survey (another seed). */
  data: string;
  /** Output folder (report.json, report.md, figures, cache/). */
  out: string;
  /** Model directories from `skyclip train-supervised` (at most one per modality). */
  supervised?: string[];
  /** Small everything (see QUICK_EVAL_SETTINGS). */
  quick?: boolean;
  /** Explicit settings (win over the defaults and --quick). */
  settings?: Partial<EvalSettings>;
  /** Score even on a held-out survey whose seed trained the model. */
  allowTrainingSeed?: boolean;
  /** Cache embeddings in OUT/cache (default true). */
  cache?: boolean;
  progress?: boolean;
  /** Progress notes (default: stderr). */
  log?: (line: string) => void;
}

const SHORT_METHOD: Record<Method, string> = { knn: 'k-NN', linear: 'linear', fewshot: 'few-shot' };

/** Labels of a column for the pool's parts and the held-out objects. */
function partLabels<L>(column: (items?: ArrayLike<number>) => L[], heldout: () => L[], splits: PoolSplits) {
  return { fit: column(splits.fit), val: column(splits.val), cal: column(splits.cal), test: heldout() };
}

/** Label-efficiency sizes: the configured counts below the pool, then the pool itself. */
export function curveSizes(configured: readonly number[], available: number): number[] {
  const sizes = [...new Set(configured.filter((n) => n < available))].sort((a, b) => a - b);
  if (available > 0) sizes.push(available);
  return sizes;
}

function csvCell(v: number | string | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(Number(v.toPrecision(7))) : '';
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export async function runEval(options: RunEvalOptions): Promise<EvalReport> {
  const started = performance.now();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const progress = options.progress ?? true;
  const settings = resolveSettings(options.quick ?? false, options.settings);
  const supervisedDirs = options.supervised ?? [];
  const notes: string[] = [];

  // Surveys first: a wrong folder fails in milliseconds, before the model is read.
  let reference: Survey | undefined;
  let heldout: Survey | undefined;
  let loaded: Awaited<ReturnType<typeof loadModel>> | undefined;
  try {
    reference = openSurvey(options.reference);
    heldout = openSurvey(options.data);
    if (reference.seed === heldout.seed || reference.key === heldout.key) {
      throw new SkyclipError(
        'CONFLICT',
        `the held-out survey ${options.data} has the reference survey's ${reference.key === heldout.key ? 'content' : `seed (${heldout.seed})`}; simulate the held-out survey with another seed`,
      );
    }
    loaded = await loadModel(options.model);
    const trainingSeeds = [...new Set([...stagesOf(loaded.training).map((s) => s.data.seed), ...(loaded.training.dataSeed !== undefined ? [loaded.training.dataSeed] : [])])];
    if (trainingSeeds.includes(heldout.seed) && !options.allowTrainingSeed) {
      throw new SkyclipError('CONFLICT', `${options.data} was simulated with seed ${heldout.seed}, which trained model ${loaded.id}; evaluate on a survey with another seed`);
    }
    if (trainingSeeds.length > 0 && !trainingSeeds.includes(reference.seed)) {
      notes.push(`The reference survey (seed ${reference.seed}) is not the model's training survey (seeds ${trainingSeeds.join(', ')}); it only serves as the labelled pool.`);
    }
    const contract = loaded.model.config.preprocess;
    const refDs = new SurveyDataset(reference, contract, 'all', settings.nReference);
    const heldDs = new SurveyDataset(heldout, contract, 'all', settings.nHeldout);
    if (refDs.size < settings.nReference) notes.push(`The reference survey holds ${refDs.size} objects, fewer than the ${settings.nReference} asked for; all were used.`);
    const splits = poolSplits(refDs);
    log(`eval: model ${loaded.id} (${loaded.config.name}); reference ${refDs.size} objects of ${options.reference} (seed ${reference.seed}: ${splits.fit.length} fit / ${splits.val.length} val / ${splits.cal.length} calibration); held-out ${heldDs.size} objects of ${options.data} (seed ${heldout.seed})`);

    // ---- features -----------------------------------------------------------------------
    const cacheDir = options.cache === false ? undefined : join(options.out, 'cache');
    const timings: EvalReport['timings'] = { embedding: {}, photometrySec: 0, spectrumPixelsSec: 0, headsSec: 0, totalSec: 0 };
    const embed = async (model: SkyClipModel, identity: { id: string; name: string }, dataset: SurveyDataset, what: string) => {
      const e = await embedDataset(model, identity, dataset, { cacheDir, batchSize: settings.batchSize, progress, label: `embed ${what}` });
      timings.embedding[what] = { seconds: e.seconds, cached: e.cached };
      log(`eval: ${what}: ${e.cached ? `read from ${e.file}` : `embedded ${dataset.size} objects in ${e.seconds.toFixed(1)} s (${((2 * dataset.size) / Math.max(e.seconds, 1e-9)).toFixed(1)} encodings/s)`}`);
      return e;
    };
    const identity = { id: loaded.id, name: loaded.config.name };
    const skyRef = await embed(loaded.model, identity, refDs, 'skyclip reference');
    const skyHeld = await embed(loaded.model, identity, heldDs, 'skyclip held-out');
    const random = buildModel(loaded.config, { seed: settings.randomEncoderSeed });
    let randomId: string;
    let randRef: DatasetEmbeddings;
    let randHeld: DatasetEmbeddings;
    try {
      randomId = await modelId(random);
      const randomIdentity = { id: randomId, name: `${loaded.config.name}-random-${settings.randomEncoderSeed}` };
      randRef = await embed(random, randomIdentity, refDs, 'random-init reference');
      randHeld = await embed(random, randomIdentity, heldDs, 'random-init held-out');
    } finally {
      random.dispose();
    }
    const photStarted = performance.now();
    const photometry = photometryFeatureSet(refDs, heldDs, settings.apertures, progress);
    timings.photometrySec = (performance.now() - photStarted) / 1000;
    const pixelsStarted = performance.now();
    const pixels = spectrumPixelFeatureSet(refDs, heldDs, settings.spectrumPixelBin, progress);
    timings.spectrumPixelsSec = (performance.now() - pixelsStarted) / 1000;
    const featureSets: FeatureSet[] = [...embeddingFeatures('skyclip', skyRef, skyHeld), ...embeddingFeatures('random', randRef, randHeld), photometry, pixels];

    // ---- retrieval ------------------------------------------------------------------------
    const retrieval = { skyclip: retrievalSummary(skyHeld, settings.candidates), random: retrievalSummary(randHeld, settings.candidates) };

    // ---- heads ------------------------------------------------------------------------------
    const headsStarted = performance.now();
    const targets: Record<string, TargetEntry> = {};
    for (const t of DOWNSTREAM_TARGETS) targets[t.column] = { task: t.task, description: t.description, results: {} };
    const zPredictions = new Map<string, RegressionPrediction>(); // `${feature}/${method}`
    const zTruth = numericColumn(heldDs, 'z');
    const isGalaxy = Array.from({ length: heldDs.size }, (_, i) => heldDs.row(i).class === 'GALAXY');
    const zGalaxies = zTruth.map((v, i) => (isGalaxy[i] ? v : null));
    const curve: LabelEfficiencySeries[] = [];
    const zFitLabels = numericColumn(refDs, 'z', splits.fit).filter((v) => v !== null).length;
    const sizes = curveSizes(settings.labelCurve, zFitLabels);
    const bar = new ProgressBar('heads', featureSets.length * DOWNSTREAM_TARGETS.length, { unit: 'targets', enabled: progress });
    let done = 0;
    for (const fs of featureSets) {
      const parts = splitFeatures(fs, splits);
      const search = cachedSearch(euclideanSearch(parts.fit)); // one neighbour pass per query for all targets
      for (const t of DOWNSTREAM_TARGETS) {
        if (t.task === 'regression') {
          const labels = partLabels((items) => numericColumn(refDs, t.column, items), () => numericColumn(heldDs, t.column), splits);
          const galaxies = t.column === 'z' ? isGalaxy : undefined; // AstroCLIP's redshift sample
          const outcomes = regressionProbes(parts, labels, settings, { photoz: t.photoz ?? false, seed: settings.seed, search, galaxies });
          const summaries = {} as TargetEntry['results'][string];
          for (const m of METHODS) {
            const o = outcomes[m];
            summaries[m] = isSkipped(o) ? o : o.summary;
            if (t.column === 'z' && !isSkipped(o)) zPredictions.set(`${fs.name}/${m}`, o.prediction);
          }
          targets[t.column].results[fs.name] = summaries;
          if (t.column === 'z' && fs.family !== 'random') {
            const c = labelEfficiency(parts, labels, sizes, settings);
            curve.push({ feature: fs.name, method: 'knn', r2: c.knn }, { feature: fs.name, method: 'linear', r2: c.linear });
          }
        } else {
          const labels = partLabels((items) => categoricalColumn(refDs, t.column, items), () => categoricalColumn(heldDs, t.column), splits);
          targets[t.column].results[fs.name] = classificationProbes(parts, labels, settings, { seed: settings.seed, search });
        }
        bar.update(++done);
      }
    }
    bar.finish();
    timings.headsSec = (performance.now() - headsStarted) / 1000;

    // ---- supervised baseline -------------------------------------------------------------------
    const supervised: SupervisedEvaluation[] = [];
    for (const dir of supervisedDirs) {
      const s = await evaluateSupervised(dir, heldout, settings.nHeldout, { batchSize: settings.batchSize, progress, allowTrainingSeed: options.allowTrainingSeed });
      if (supervised.some((x) => x.summary.modality === s.summary.modality)) {
        throw new SkyclipError('BAD_INPUT', `two --supervised models for the ${s.summary.modality} modality (${dir}); give at most one per modality`);
      }
      supervised.push(s);
      log(`eval: supervised ${s.summary.modality} model ${dir}: ${Object.entries(s.summary.targets).map(([c, v]) => `${c} R^2 ${v.r2.toFixed(3)}`).join(', ')}`);
    }

    // ---- files ---------------------------------------------------------------------------------
    await mkdir(options.out, { recursive: true });
    const plots: EvalReport['files']['plots'] = {};
    const scatterInputs: ScatterInput[] = [];
    const scatterOf = (feature: string, method: Method) => {
      const p = zPredictions.get(`${feature}/${method}`);
      const res = targets.z.results[feature]?.[method];
      if (p && res && !isSkipped(res) && 'r2' in res) {
        scatterInputs.push({ title: `${feature} ${SHORT_METHOD[method]}: R² ${res.r2.toFixed(3)}`, truth: zTruth, predicted: p.point });
      }
    };
    for (const [feature, method] of [
      ['skyclip-image', 'knn'],
      ['skyclip-spectrum', 'knn'],
      ['skyclip-image', 'linear'],
      ['skyclip-spectrum', 'linear'],
      ['photometry', 'knn'],
      ['spectrum-pixels', 'knn'],
      ['random-image', 'knn'],
      ['skyclip-image', 'fewshot'],
    ] as const) {
      scatterOf(feature, method);
    }
    for (const s of supervised) {
      const t = s.summary.targets.z;
      if (t) scatterInputs.push({ title: `supervised ${s.summary.modality}: R² ${t.r2.toFixed(3)}`, truth: zTruth, predicted: s.predictions.z });
    }
    if (scatterInputs.length > 0) plots['redshift-scatter'] = await writePanel(redshiftScatter(scatterInputs, 'Redshift on the held-out survey'), options.out, 'redshift-scatter');
    const pitInputs: PitInput[] = [];
    for (const fs of featureSets) {
      const res = targets.z.results[fs.name]?.knn;
      if (res && !isSkipped(res) && 'pit' in res && res.pit) pitInputs.push({ title: `${fs.name} k-NN (KS ${res.pit.ks.toFixed(3)})`, density: res.pit.density });
    }
    if (pitInputs.length > 0) plots['redshift-pit'] = await writePanel(pitHistograms(pitInputs, 'Redshift PIT of the k-NN predictive distributions'), options.out, 'redshift-pit');
    if (sizes.length > 0 && curve.length > 0) {
      plots['label-efficiency'] = await writePanel(
        labelEfficiencyPlot(
          sizes,
          curve.map((c) => ({ label: `${c.feature} ${c.method === 'knn' ? 'k-NN' : 'linear'}`, r2: c.r2, dash: c.feature === 'photometry' || c.feature === 'spectrum-pixels' ? '5 3' : undefined })),
          'Redshift R² against labelled objects',
        ),
        options.out,
        'label-efficiency',
      );
    }

    // predictions-z.csv: every head's held-out redshift point predictions
    const predColumns = [...zPredictions.keys()];
    const heldIds = heldDs.ids();
    const csv = [
      ['id', 'z_true', ...predColumns, ...supervised.filter((s) => s.predictions.z).map((s) => `supervised-${s.summary.modality}`)].join(','),
      ...heldIds.map((id, i) =>
        [id, csvCell(zTruth[i]), ...predColumns.map((k) => csvCell(zPredictions.get(k)!.point[i])), ...supervised.filter((s) => s.predictions.z).map((s) => csvCell(s.predictions.z[i]))].join(','),
      ),
    ].join('\n');
    const files: EvalReport['files'] = { json: join(options.out, 'report.json'), md: join(options.out, 'report.md'), predictions: join(options.out, 'predictions-z.csv'), plots };
    await writeFileAtomic(files.predictions, `${csv}\n`);

    const supervisedImage = supervised.find((s) => s.summary.modality === 'image' && s.predictions.z);
    const goals = checkGoals({
      zGalaxies,
      zPredictions,
      supervisedImageZ: supervisedImage?.predictions.z,
      targets,
      coverageTargets: DOWNSTREAM_TARGETS.filter((t) => t.task === 'regression').map((t) => t.column),
      seed: settings.seed,
    });

    timings.totalSec = (performance.now() - started) / 1000;
    const report: EvalReport = {
      format: 'skyclip-eval-report',
      version: 1,
      model: { id: loaded.id, name: loaded.config.name, dir: options.model, trainingSeeds },
      randomEncoder: { id: randomId, seed: settings.randomEncoderSeed, preset: loaded.config.name },
      reference: { dir: options.reference, key: reference.key, seed: reference.seed, objects: refDs.size, fit: splits.fit.length, val: splits.val.length, calibration: splits.cal.length },
      heldout: { dir: options.data, key: heldout.key, seed: heldout.seed, objects: heldDs.size, galaxies: isGalaxy.filter(Boolean).length },
      settings: { ...settings, quick: options.quick ?? false },
      featureSets: featureSets.map((f) => ({ name: f.name, family: f.family, modality: f.modality, dim: f.reference.cols })),
      retrieval,
      targets,
      aggregates: aggregates(targets, featureSets.map((f) => f.name)),
      labelEfficiency: { sizes, fitLabels: zFitLabels, series: curve },
      goals,
      supervised:
        supervised.length > 0
          ? supervised.map((s) => s.summary)
          : { status: 'not run', hint: "train one with 'skyclip train-supervised --modality image ...' and pass it with --supervised DIR" },
      timings,
      notes,
      files,
      gitCommit: gitCommit(),
      createdAt: new Date().toISOString(),
    };
    await writeFileAtomic(files.json, `${JSON.stringify(report, null, 2)}\n`);
    await writeFileAtomic(files.md, reportMarkdown(report));
    return report;
  } finally {
    loaded?.model.dispose();
    reference?.close();
    heldout?.close();
  }
}
