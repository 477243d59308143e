/**
 * A simulated survey folder as training data: its catalogue (catalog.csv), its binary shards
 * (shards/) and the settings it was made with (survey.json), opened once.
 *
 *   const survey = openSurvey('/tmp/sim-train');
 *   const rows = splitPositions(survey, 'train');   // positions into survey.rows
 *   survey.shards.readImage(survey.rows[rows[0]].index);
 *   survey.key;                                      // content key of the survey (16 hex)
 *
 * The key identifies the data for caches (feature caches are keyed by model id + survey key):
 * it hashes survey.json, which holds the full resolved simulation config, the first index and
 * the object count, so two folders with the same key hold the same bytes.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../nn/weights-io.js';
import { parseCatalog } from '../sim/catalog-columns.js';
import { DEFAULT_SIM_CONFIG, type LogNormalFit, type SimConfig } from '../sim/config.js';
import type { ObjectLabels } from '../sim/labels.js';
import { openShards, type ShardReader } from '../sim/shards.js';
import { SkyclipError, badInput } from '../util/errors.js';

/** Which objects of a survey: one of the catalogue's splits, or all of them. */
export type SplitName = 'train' | 'val' | 'test' | 'all';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'val', 'test', 'all'];

/** The survey's observing-condition distributions, per band g, r, z (what augmentations draw from). */
export interface SurveyConditions {
  /** Arcsec per pixel of the cutouts. */
  pixelScale: number;
  /** Gaussian PSF sigma in pixels, log-normal fits per band. */
  psfSigmaPx: readonly [LogNormalFit, LogNormalFit, LogNormalFit];
  /** Sky noise per pixel in nanomaggies, log-normal fits per band. */
  noiseNmgy: readonly [LogNormalFit, LogNormalFit, LogNormalFit];
}

export interface Survey {
  dir: string;
  /** Catalogue rows in file order. */
  rows: ObjectLabels[];
  shards: ShardReader;
  /** Wavelength of every shard spectrum, Angstrom (vacuum). */
  wavelength: Float64Array;
  /** Seed the survey was simulated with. */
  seed: number;
  conditions: SurveyConditions;
  /** Content key of the survey (first 16 hex of sha256 of canonical survey.json). */
  key: string;
  close(): void;
}

interface SurveyFile {
  first?: number;
  n?: number;
  config?: SimConfig;
}

/** Opens DIR/catalog.csv, DIR/shards/ and DIR/survey.json; throws NOT_FOUND naming what is missing. */
export function openSurvey(dir: string): Survey {
  const catalogPath = join(dir, 'catalog.csv');
  const surveyPath = join(dir, 'survey.json');
  for (const path of [catalogPath, surveyPath, join(dir, 'shards', 'manifest.json')]) {
    if (!existsSync(path)) {
      throw new SkyclipError('NOT_FOUND', `${path} does not exist; make a survey with 'skyclip simulate --out ${dir}' (shards are required)`, { path });
    }
  }
  let surveyText: string;
  let meta: SurveyFile;
  try {
    surveyText = readFileSync(surveyPath, 'utf8');
    meta = JSON.parse(surveyText) as SurveyFile;
  } catch (err) {
    throw new SkyclipError('UNUSABLE', `${surveyPath} is not valid JSON: ${(err as Error).message}`);
  }
  let rows: ObjectLabels[];
  try {
    rows = parseCatalog(readFileSync(catalogPath, 'utf8'));
  } catch (err) {
    throw new SkyclipError('UNUSABLE', `${catalogPath}: ${(err as Error).message}`);
  }
  const shards = openShards(dir);
  if (shards.count < rows.length) {
    shards.close();
    throw new SkyclipError('UNUSABLE', `${dir}: the catalogue lists ${rows.length} objects but the shards hold ${shards.count}`);
  }
  const config = meta.config ?? DEFAULT_SIM_CONFIG;
  const bands = ['g', 'r', 'z'] as const;
  const conditions: SurveyConditions = {
    pixelScale: shards.manifest.pixelScaleArcsec,
    psfSigmaPx: bands.map((b) => config.image.psfSigmaPx[b]) as unknown as SurveyConditions['psfSigmaPx'],
    noiseNmgy: bands.map((b) => config.image.noiseNmgy[b]) as unknown as SurveyConditions['noiseNmgy'],
  };
  const key = createHash('sha256').update(canonicalJson(meta)).digest('hex').slice(0, 16);
  return {
    dir,
    rows,
    shards,
    wavelength: shards.wavelength(),
    seed: config.seed,
    conditions,
    key,
    close: () => shards.close(),
  };
}

export function parseSplit(value: string): SplitName {
  if ((SPLIT_NAMES as readonly string[]).includes(value)) return value as SplitName;
  throw badInput(`unknown split '${value}'; use one of: ${SPLIT_NAMES.join(', ')}`);
}

/** Positions (into survey.rows, ascending) of the objects of a split. */
export function splitPositions(survey: Pick<Survey, 'rows'>, split: SplitName): Int32Array {
  const out: number[] = [];
  survey.rows.forEach((row, i) => {
    if (split === 'all' || row.split === split) out.push(i);
  });
  return Int32Array.from(out);
}
