/**
 * The evaluation report (`skyclip eval`): what skyclip's embeddings buy downstream, measured the
 * way AstroCLIP reports it, against baselines on the same split.
 *
 *   config.ts           EvalSettings: the protocol as data, defaults and --quick
 *   pool.ts             reference pool parts (fit / val / calibration) and label columns
 *   embedding-cache.ts  embeddings of a survey by a model, cached by model id + survey key + n
 *   photometry.ts       aperture photometry on the cutouts -> asinh magnitudes and colours
 *   spectrum-pixels.ts  the raw-spectrum baseline: standardized, binned spectra (no model)
 *   features.ts         feature sets (skyclip, random-init, photometry, raw spectrum), standard-scaled parts
 *   neighbours.ts       Euclidean neighbour search for the k-NN heads (scikit-learn's metric)
 *   probe.ts            k-NN / linear / few-shot per target, summaries; the label-efficiency curve
 *   retrieval.ts        cross-modal recall@k and median rank (the gate evaluation's code)
 *   supervised.ts       scores a model made by `skyclip train-supervised`
 *   report.ts           report.json's shape and aggregates
 *   goals.ts            the targets on the mock survey, checked from the report's numbers (paired bootstrap)
 *   markdown.ts         report.md with the AstroCLIP-shaped headline table
 *   plots.ts            redshift scatter, PIT histograms, label-efficiency curve (SVG + PNG)
 *   run.ts              runEval: everything above, end to end
 */
export { runEval, curveSizes, type RunEvalOptions } from './run.js';
export { resolveSettings, DEFAULT_EVAL_SETTINGS, QUICK_EVAL_SETTINGS, type EvalSettings } from './config.js';
export { measurePhotometry, photometryFeatures, apertureWeights, apertureSum, asinhMagnitude, robustSigma, apertureRadiiPx, PHOTOMETRY_FEATURES, DEFAULT_APERTURES, type ApertureConfig, type PhotometryMeasurement } from './photometry.js';
export { euclideanSearch, cachedSearch } from './neighbours.js';
export { binnedStandardizedSpectrum, datasetSpectrumPixels, spectrumPixelFeatureSet, DEFAULT_SPECTRUM_PIXEL_BIN } from './spectrum-pixels.js';
export { embedDataset, cacheFileName, type DatasetEmbeddings } from './embedding-cache.js';
export { regressionProbes, classificationProbes, labelEfficiency, PriorCorrected, METHODS, METHOD_LABELS, type Method, type ProbeOptions, type RegressionSummary, type ClassificationSummary, type Skipped } from './probe.js';
export { reportMarkdown, headlineTable } from './markdown.js';
export { aggregates, PROPERTY_COLUMNS, type EvalReport, type TargetEntry, type Aggregate } from './report.js';
export { retrievalSummary, type RetrievalSummary } from './retrieval.js';
export { checkGoals, pairedBootstrapR2Difference, COVERAGE68_BAND, SPECTRUM_Z_R2, type GoalCheck, type R2Difference } from './goals.js';
export { evaluateSupervised, type SupervisedSummary } from './supervised.js';
