/**
 * Shared helpers for test/ingest (not a test file itself): a random-init micro model saved as a
 * model directory, a small mock survey with FITS files, and store comparisons.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveModelConfig, type ModelConfig } from '../../src/config/model-config.js';
import { Embedder } from '../../src/embed/index.js';
import { selectBackend } from '../../src/nn/backend.js';
import { buildModel } from '../../src/nn/skyclip-model.js';
import { loadModel, saveModel, type LoadedModel } from '../../src/nn/weights-io.js';
import { Simulator } from '../../src/sim/survey.js';
import { writeSurvey } from '../../src/sim/writer.js';
import { MODALITIES, type Store } from '../../src/store/index.js';

/** 24-pixel mock cutouts -> 20 -> 16-pixel crop; spectra on 200 pixels of 20 A; a 16-d shared space. */
export const TEST_CONFIG: ModelConfig = resolveModelConfig({
  name: 'test-ingest',
  preprocess: {
    image: { cutoutSize: 20, cropSize: 16 },
    spectrum: { grid: { start: 3600, step: 20, length: 200 }, window: 20, stride: 10 },
  },
  image: { patchSize: 4, dim: 16, depth: 1, heads: 2, mlpRatio: 2 },
  spectrum: { dim: 16, depth: 1, heads: 2, mlpRatio: 2 },
  align: { dim: 16, heads: 2, mlpRatio: 2 },
});

/** Side of the simulated cutouts. */
export const SIM_SIZE = 24;

export async function useWasm(): Promise<void> {
  await selectBackend({ env: { SKYCLIP_BACKEND: 'wasm' } });
}

export function tempRoot(prefix: string): { root: string; cleanup: () => Promise<void> } {
  const root = mkdtempSync(join(tmpdir(), `skyclip-ingest-${prefix}-`));
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Saves a random-init model (seed decides the weights, hence the id) and loads it back. */
export async function makeModel(dir: string, seed: number): Promise<LoadedModel & { embedder: Embedder }> {
  const model = buildModel(TEST_CONFIG, { seed });
  try {
    await saveModel(dir, model);
  } finally {
    model.dispose();
  }
  const loaded = await loadModel(dir);
  return { ...loaded, embedder: new Embedder(loaded.model) };
}

/** Writes an n-object mock survey with FITS files (24-pixel cutouts) and returns its folder. */
export async function makeSurvey(dir: string, n: number, seed: number): Promise<string> {
  const sim = await Simulator.create({ seed, image: { size: SIM_SIZE } });
  await writeSurvey(sim, { outDir: dir, n, fits: true, shards: false, writerThread: false });
  return dir;
}

/** Every object's id with its vectors, by modality: the content of a store to compare. */
export function snapshot(store: Store): Map<string, Partial<Record<'image' | 'spectrum', number[]>>> {
  const out = new Map<string, Partial<Record<'image' | 'spectrum', number[]>>>();
  for (const row of store.select(undefined, { limit: 100_000 })) {
    const entry: Partial<Record<'image' | 'spectrum', number[]>> = {};
    for (const m of MODALITIES) {
      const v = store.vectorOf(row.id, m);
      if (v) entry[m] = Array.from(v);
    }
    out.set(row.id, entry);
  }
  return out;
}

/** Max |a - b| over two equal-length vectors. */
export function maxDiff(a: readonly number[], b: readonly number[]): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}
