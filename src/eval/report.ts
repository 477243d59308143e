/**
 * The shape of report.json (format 'skyclip-eval-report' v1) and the aggregates derived from
 * the per-target results (AstroCLIP's summary numbers: the mean R^2 over its four galaxy
 * properties, the mean accuracy over the Galaxy Zoo questions). Every number in it is computed
 * by the evaluation; a method that did not run says why instead of carrying a number.
 */
import { GZ_QUESTIONS } from '../heads/index.js';
import type { EvalSettings } from './config.js';
import type { FeatureFamily, FeatureModality } from './features.js';
import { type ClassificationOutcome, isSkipped, type Method, METHODS, type RegressionSummary, type Skipped, type ClassificationSummary } from './probe.js';
import type { RetrievalSummary } from './retrieval.js';
import type { SupervisedSummary } from './supervised.js';
import type { GoalCheck } from './goals.js';

/** AstroCLIP's four property targets, in its table's order: M*, Z_MW, t_age, sSFR. */
export const PROPERTY_COLUMNS: readonly string[] = ['logmstar', 'zmw', 'tage', 'logssfr'];
export const PROPERTY_LABELS: Record<string, string> = { logmstar: 'M*', zmw: 'Z_MW', tage: 't_age', logssfr: 'sSFR' };

export type TargetResult = RegressionSummary | ClassificationSummary | Skipped;

export interface TargetEntry {
  task: 'regression' | 'classification';
  description: string;
  /** feature set name -> method -> result. */
  results: Record<string, Record<Method, TargetResult>>;
}

export interface Aggregate {
  /** Mean R^2 over PROPERTY_COLUMNS (null unless all four ran). */
  propertiesMeanR2: number | null;
  /** Mean accuracy over the Galaxy Zoo questions that could be scored. */
  morphologyMeanAccuracy: number | null;
  morphologyQuestions: number;
}

export interface LabelEfficiencySeries {
  feature: string;
  method: 'knn' | 'linear';
  r2: number[];
}

export interface NotRun {
  status: 'not run';
  hint: string;
}

export interface EvalReport {
  format: 'skyclip-eval-report';
  version: 1;
  model: { id: string; name: string; dir: string; trainingSeeds: number[] };
  randomEncoder: { id: string; seed: number; preset: string };
  reference: { dir: string; key: string; seed: number; objects: number; fit: number; val: number; calibration: number };
  heldout: { dir: string; key: string; seed: number; objects: number; /** Objects of class GALAXY. */ galaxies: number };
  settings: EvalSettings & { quick: boolean };
  featureSets: Array<{ name: string; family: FeatureFamily; modality: FeatureModality; dim: number }>;
  retrieval: { skyclip: RetrievalSummary; random: RetrievalSummary };
  targets: Record<string, TargetEntry>;
  aggregates: Record<string, Record<Method, Aggregate>>;
  labelEfficiency: { sizes: number[]; fitLabels: number; series: LabelEfficiencySeries[] };
  /** The targets on the mock survey, checked from the numbers above (goals.ts). */
  goals: GoalCheck[];
  supervised: SupervisedSummary[] | NotRun;
  timings: { embedding: Record<string, { seconds: number; cached: boolean }>; photometrySec: number; spectrumPixelsSec: number; headsSec: number; totalSec: number };
  notes: string[];
  files: { json: string; md: string; predictions: string; plots: Record<string, { svg: string; png: string }> };
  gitCommit?: string;
  createdAt: string;
}

/** The R^2 of a regression result, or null when it was skipped. */
export function r2Of(result: TargetResult | undefined): number | null {
  if (!result || isSkipped(result) || !('r2' in result)) return null;
  return Number.isFinite(result.r2) ? result.r2 : null;
}

/** The accuracy of a classification result, or null. */
export function accuracyOf(result: ClassificationOutcome | TargetResult | undefined): number | null {
  if (!result || isSkipped(result) || !('accuracy' in result)) return null;
  return Number.isFinite(result.accuracy) ? result.accuracy : null;
}

/** Per feature set and method: the property mean R^2 and the mean morphology accuracy. */
export function aggregates(targets: Record<string, TargetEntry>, featureNames: readonly string[]): Record<string, Record<Method, Aggregate>> {
  const out: Record<string, Record<Method, Aggregate>> = {};
  for (const feature of featureNames) {
    out[feature] = {} as Record<Method, Aggregate>;
    for (const method of METHODS) {
      const r2s = PROPERTY_COLUMNS.map((c) => r2Of(targets[c]?.results[feature]?.[method]));
      const accs = GZ_QUESTIONS.map((q) => accuracyOf(targets[q]?.results[feature]?.[method])).filter((a): a is number => a !== null);
      out[feature][method] = {
        propertiesMeanR2: r2s.every((r) => r !== null) ? (r2s as number[]).reduce((a, b) => a + b, 0) / r2s.length : null,
        morphologyMeanAccuracy: accs.length > 0 ? accs.reduce((a, b) => a + b, 0) / accs.length : null,
        morphologyQuestions: accs.length,
      };
    }
  }
  return out;
}
