/**
 * The inputs every head is fed, as named feature sets over the reference pool and the held-out
 * objects: skyclip's image and spectrum embeddings, the same for a randomly initialised encoder,
 * the photometry baseline's magnitudes and colours, and the raw-spectrum baseline
 * (spectrum-pixels.ts). Each set is standard-scaled per column
 * with the fit split's statistics (AstroCLIP's protocol; fitted on labelled training data only)
 * and cut into the pool's parts.
 *
 *   const sets = [embeddingFeatures('skyclip', ref, held), photometryFeatureSet(refDs, heldDs)];
 *   const parts = splitFeatures(sets[0], splits);   // { fit, val, cal, test } standardized
 */
import type { SurveyDataset } from '../data/dataset.js';
import { matrix, selectRows, Standardizer, type Matrix } from '../heads/index.js';
import { ProgressBar } from '../util/progress.js';
import type { DatasetEmbeddings } from './embedding-cache.js';
import { DEFAULT_APERTURES, PHOTOMETRY_FEATURES, photometryFeatures, type ApertureConfig } from './photometry.js';
import type { PoolSplits } from './pool.js';

/** Where a feature set comes from. */
export type FeatureFamily = 'skyclip' | 'random' | 'photometry' | 'pixels';
export type FeatureModality = 'image' | 'spectrum';

export interface FeatureSet {
  /** e.g. 'skyclip-image'. */
  name: string;
  family: FeatureFamily;
  modality: FeatureModality;
  /** [nReference, d] and [nHeldout, d], dataset order. */
  reference: Matrix;
  heldout: Matrix;
}

/** The standardized parts the heads use. */
export interface FeatureParts {
  fit: Matrix;
  val: Matrix;
  cal: Matrix;
  test: Matrix;
}

/** Display names of the families. */
export const FAMILY_LABELS: Record<FeatureFamily, string> = {
  skyclip: 'skyclip',
  random: 'random-init encoder',
  photometry: 'photometry (g, r, z aperture mags + colours)',
  pixels: 'raw spectrum (binned, no model)',
};

/** The image and spectrum feature sets of one model's embeddings. */
export function embeddingFeatures(family: 'skyclip' | 'random', reference: DatasetEmbeddings, heldout: DatasetEmbeddings): FeatureSet[] {
  return (['image', 'spectrum'] as const).map((modality) => ({
    name: `${family}-${modality}`,
    family,
    modality,
    reference: matrix(reference[modality], reference.dim),
    heldout: matrix(heldout[modality], heldout.dim),
  }));
}

/** Photometry features [n, 5] of every item of a dataset, measured from its cutouts. */
export function datasetPhotometry(dataset: SurveyDataset, apertures: ApertureConfig = DEFAULT_APERTURES, progress = true): Matrix {
  const [b, h, w] = dataset.survey.shards.manifest.imageShape;
  const d = PHOTOMETRY_FEATURES.length;
  const out = new Float64Array(dataset.size * d);
  const bar = new ProgressBar(`photometry ${dataset.survey.dir}`, dataset.size, { unit: 'objects', enabled: progress });
  for (let i = 0; i < dataset.size; i++) {
    const cube = dataset.survey.shards.readImage(dataset.row(i).index);
    out.set(photometryFeatures(cube, [b, h, w], dataset.survey.conditions.pixelScale, apertures), i * d);
    if (i % 256 === 0) bar.update(i);
  }
  bar.finish();
  return matrix(out, d);
}

export function photometryFeatureSet(reference: SurveyDataset, heldout: SurveyDataset, apertures: ApertureConfig = DEFAULT_APERTURES, progress = true): FeatureSet {
  return {
    name: 'photometry',
    family: 'photometry',
    modality: 'image',
    reference: datasetPhotometry(reference, apertures, progress),
    heldout: datasetPhotometry(heldout, apertures, progress),
  };
}

/** Standardizes with the fit split's statistics and cuts the reference into its parts. */
export function splitFeatures(set: FeatureSet, splits: PoolSplits): FeatureParts {
  const fitRaw = selectRows(set.reference, splits.fit);
  const scaler = Standardizer.fit(fitRaw);
  return {
    fit: scaler.transform(fitRaw),
    val: scaler.transform(selectRows(set.reference, splits.val)),
    cal: scaler.transform(selectRows(set.reference, splits.cal)),
    test: scaler.transform(set.heldout),
  };
}
