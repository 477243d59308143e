/**
 * Scores a supervised-from-scratch model (made by `skyclip train-supervised`) on the held-out
 * objects: its direct predictions of every target it learned, with R^2 (and the photo-z metrics
 * for redshift). Point predictions only: the network answers no distribution, so no coverage.
 * A model trained on the held-out survey's seed is refused, as for skyclip's own model.
 */
import { SurveyDataset } from '../data/dataset.js';
import type { Survey } from '../data/survey.js';
import { evaluateRegression, r2Score, type NumericLabel } from '../heads/index.js';
import { stagesOf } from '../train/pipelines/common.js';
import { loadSupervised } from '../train/pipelines/supervised.js';
import { readModelInfo } from '../nn/weights-io.js';
import { SkyclipError } from '../util/errors.js';
import { ProgressBar } from '../util/progress.js';
import { numericColumn } from './pool.js';

export interface SupervisedTargetScore {
  count: number;
  r2: number;
  /** Redshift only: R^2 over galaxies. */
  r2Galaxies?: number;
  sigmaNMAD?: number;
  outlierFraction?: number;
  bias?: number;
}

export interface SupervisedSummary {
  dir: string;
  modelId: string;
  modality: 'image' | 'spectrum';
  /** Seeds of the surveys it was trained on. */
  trainingSeeds: number[];
  steps: number;
  samplesPerSec: number | null;
  wallTimeSec: number | null;
  targets: Record<string, SupervisedTargetScore>;
}

export interface SupervisedEvaluation {
  summary: SupervisedSummary;
  /** Held-out predictions per target (dataset order). */
  predictions: Record<string, Float64Array>;
}

export async function evaluateSupervised(
  dir: string,
  heldout: Survey,
  nHeldout: number | undefined,
  options: { batchSize?: number; progress?: boolean; allowTrainingSeed?: boolean } = {},
): Promise<SupervisedEvaluation> {
  const sup = await loadSupervised(dir);
  try {
    const info = await readModelInfo(dir);
    const stages = stagesOf(info.training);
    const trainingSeeds = [...new Set(stages.map((s) => s.data.seed))];
    if (trainingSeeds.includes(heldout.seed) && !options.allowTrainingSeed) {
      throw new SkyclipError('CONFLICT', `${heldout.dir} was simulated with seed ${heldout.seed}, which trained the supervised model ${dir}; score it on a survey with another seed`);
    }
    const dataset = new SurveyDataset(heldout, sup.model.config.preprocess, 'all', nHeldout);
    const bar = new ProgressBar(`supervised ${sup.modality}`, dataset.size, { unit: 'objects', enabled: options.progress ?? true });
    const predictions = sup.predictDataset(dataset, { batchSize: options.batchSize, onProgress: (d) => bar.update(d) });
    bar.finish();
    const targets: Record<string, SupervisedTargetScore> = {};
    for (const column of sup.targets) {
      const truth: NumericLabel[] = numericColumn(dataset, column);
      const report = evaluateRegression({ point: predictions[column], intervals: [] }, truth, { photoz: column === 'z' });
      targets[column] = {
        count: report.count,
        r2: report.r2,
        ...(column === 'z' ? { r2Galaxies: r2Score(truth.map((v, i) => (dataset.row(i).class === 'GALAXY' ? v : null)), predictions[column]) } : {}),
        ...(report.photoz ? { sigmaNMAD: report.photoz.sigmaNMAD, outlierFraction: report.photoz.outlierFraction, bias: report.photoz.bias } : {}),
      };
    }
    const last = stages.at(-1);
    return {
      summary: {
        dir,
        modelId: sup.id ?? info.id,
        modality: sup.modality,
        trainingSeeds,
        steps: stages.reduce((n, s) => n + s.steps, 0),
        samplesPerSec: last && Number.isFinite(last.samplesPerSec) ? last.samplesPerSec : null,
        wallTimeSec: last && Number.isFinite(last.wallTimeSec) ? last.wallTimeSec : null,
        targets,
      },
      predictions,
    };
  } finally {
    sup.dispose();
  }
}
