/**
 * The fixed-seed demo survey under index-data/: what `skyclip demo` summarises and what the
 * demo store (src/ingest/demo.ts) is built from. Constants are documented data, so every fresh
 * clone builds the same bytes. The survey is written to a temporary folder and renamed into
 * place, so an interrupted first run never leaves a half-written survey that later runs trust.
 *
 *   const { built } = await ensureDemoSurvey(DEMO_SURVEY.dir, { onProgress: (done) => ... });
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { replaceDirectory } from '../util/atomic.js';
import { ProgressBar } from '../util/progress.js';
import { Simulator } from './survey.js';
import { writeSurvey } from './writer.js';

/**
 * The demo survey: 3,000 objects of seed 20261122 in index-data/demo-survey, as FITS files only.
 * Cutouts are 72 pixels, the shipped models' contract cutout (the encoders see its central 64),
 * and no training shards are written: the service reads the FITS files. 590 MB on disk
 * (a 96-pixel survey with shards is 1.2 GB).
 */
export const DEMO_SURVEY = Object.freeze({
  dir: join('index-data', 'demo-survey'),
  n: 3000,
  seed: 20261122,
  cutoutSize: 72,
});

export interface EnsureDemoSurveyOptions {
  /** No progress bar. Default false. */
  quiet?: boolean;
  /** Called after each simulated object with the number done (of DEMO_SURVEY.n). */
  onProgress?: (done: number) => void;
}

/** True when `dir` holds a complete survey (survey.json is written last, after catalog.csv). */
export function isCompleteSurvey(dir: string): boolean {
  return existsSync(join(dir, 'survey.json')) && existsSync(join(dir, 'catalog.csv'));
}

/** Simulates the demo survey into `dir` unless a complete survey is already there. */
export async function ensureDemoSurvey(dir: string, options: EnsureDemoSurveyOptions = {}): Promise<{ built: boolean }> {
  if (isCompleteSurvey(dir)) return { built: false };
  const tmp = join(dirname(dir), `.${basename(dir)}.tmp-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  const sim = await Simulator.create({ seed: DEMO_SURVEY.seed, image: { size: DEMO_SURVEY.cutoutSize } });
  const bar = new ProgressBar('demo survey', DEMO_SURVEY.n, { unit: 'objects', enabled: !options.quiet });
  try {
    await writeSurvey(sim, {
      outDir: tmp,
      n: DEMO_SURVEY.n,
      shards: false,
      onProgress: (done) => {
        bar.update(done);
        options.onProgress?.(done);
      },
    });
    bar.finish();
    await replaceDirectory(tmp, dir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return { built: true };
}
