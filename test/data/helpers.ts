/**
 * Shared helpers for test/data, test/embed and test/train/pipelines (not a test file itself):
 * a micro model config that trains in milliseconds, and tiny mock surveys written with the
 * real simulator into a temporary folder.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveModelConfig, type ModelConfig } from '../../src/config/model-config.js';
import { selectBackend } from '../../src/nn/backend.js';
import { tf } from '../../src/nn/tf.js';
import { Simulator } from '../../src/sim/survey.js';
import { writeSurvey } from '../../src/sim/writer.js';

/** 24-pixel mock cutouts -> 20-pixel cutout -> 16-pixel crop; spectra on 200 pixels of 20 A. */
export const MICRO: ModelConfig = resolveModelConfig({
  name: 'test-micro',
  preprocess: {
    image: { cutoutSize: 20, cropSize: 16 },
    spectrum: { grid: { start: 3600, step: 20, length: 200 }, window: 20, stride: 10 },
  },
  image: { patchSize: 4, dim: 16, depth: 1, heads: 2, mlpRatio: 2 },
  spectrum: { dim: 16, depth: 1, heads: 2, mlpRatio: 2 },
  align: { dim: 8, heads: 2, mlpRatio: 2 },
});

/** Side of the simulated cutouts. */
export const SIM_SIZE = 24;

export async function useWasm(): Promise<void> {
  await selectBackend({ env: { SKYCLIP_BACKEND: 'wasm' } });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `skyclip-${prefix}-`));
}

/** Writes an n-object mock survey (shards, optionally FITS files) and returns its folder. */
export async function makeSurvey(dir: string, n: number, seed: number, options: { fits?: boolean } = {}): Promise<string> {
  const sim = await Simulator.create({ seed, image: { size: SIM_SIZE } });
  await writeSurvey(sim, { outDir: dir, n, fits: options.fits ?? false, writerThread: false, shardSize: 16 });
  return dir;
}

/** Every value of two typed arrays equal. */
export function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Disposes batches (plain objects of tensors) and tensors. */
export function free(...items: unknown[]): void {
  tf.dispose(items as tf.TensorContainer);
}
