/**
 * Shared helpers for test/api (not a test file itself): a real, small deployment in a temporary
 * folder (a random-init micro model saved as a model directory, a mock survey with FITS files,
 * a store filled by src/ingest, the head registry and a job manager), and the app over it.
 */
import { mkdtempSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/api/app.js';
import { type ApiConfig, configWith } from '../../src/api/config.js';
import { type Logger, silentLogger } from '../../src/api/log.js';
import { Readiness } from '../../src/api/readiness.js';
import { HeadRegistry, Services } from '../../src/api/services/index.js';
import { resolveModelConfig, type ModelConfig } from '../../src/config/model-config.js';
import { Embedder } from '../../src/embed/index.js';
import { ingest } from '../../src/ingest/index.js';
import { JobManager, type JobManagerOptions } from '../../src/jobs/index.js';
import { backendInfo, initBackend } from '../../src/nn/backend.js';
import { buildModel } from '../../src/nn/skyclip-model.js';
import { loadModel, saveModel, type LoadedModel } from '../../src/nn/weights-io.js';
import { Simulator } from '../../src/sim/survey.js';
import { writeSurvey } from '../../src/sim/writer.js';
import { Store } from '../../src/store/index.js';

/** 24-pixel mock cutouts -> 20 -> 16-pixel crop; spectra on 200 pixels of 20 A; a 16-d shared space. */
export const API_TEST_MODEL: ModelConfig = resolveModelConfig({
  name: 'test-api',
  preprocess: {
    image: { cutoutSize: 20, cropSize: 16 },
    spectrum: { grid: { start: 3600, step: 20, length: 200 }, window: 20, stride: 10 },
  },
  image: { patchSize: 4, dim: 16, depth: 1, heads: 2, mlpRatio: 2 },
  spectrum: { dim: 16, depth: 1, heads: 2, mlpRatio: 2 },
  align: { dim: 16, heads: 2, mlpRatio: 2 },
});
export const SIM_SIZE = 24;
export const API_KEY = 'test-key-0123456789abcdef';

export interface Fixture {
  root: string;
  modelDir: string;
  surveyDir: string;
  storeDir: string;
  stateDir: string;
  loaded: LoadedModel;
  embedder: Embedder;
  cleanup(): Promise<void>;
}

/** A model, an n-object survey with FITS files, and a store holding both modalities of every object. */
export async function buildFixture(prefix: string, n = 60): Promise<Fixture> {
  await initBackend({ env: { SKYCLIP_BACKEND: 'wasm' }, logger: () => undefined });
  const root = mkdtempSync(join(tmpdir(), `skyclip-api-${prefix}-`));
  const modelDir = join(root, 'model');
  const surveyDir = join(root, 'survey');
  const storeDir = join(root, 'store');
  const model = buildModel(API_TEST_MODEL, { seed: 5 });
  try {
    await saveModel(modelDir, model);
  } finally {
    model.dispose();
  }
  const loaded = await loadModel(modelDir);
  const embedder = new Embedder(loaded.model);
  const sim = await Simulator.create({ seed: 11, image: { size: SIM_SIZE } });
  await writeSurvey(sim, { outDir: surveyDir, n, fits: true, shards: false, writerThread: false });
  const store = await Store.open(storeDir, { modelId: loaded.id, create: true, dimension: embedder.dim });
  try {
    await ingest(store, embedder, surveyDir, { modelId: loaded.id });
  } finally {
    await store.close();
  }
  return {
    root,
    modelDir,
    surveyDir,
    storeDir,
    stateDir: join(root, 'state'),
    loaded,
    embedder,
    cleanup: async () => {
      loaded.model.dispose();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Opens the fixture's store, registry and job manager as the service would (inline jobs unless asked). */
export async function openServices(fx: Fixture, jobs: Partial<JobManagerOptions> | null = {}): Promise<Services> {
  const store = await Store.open(fx.storeDir, { modelId: fx.loaded.id });
  await mkdir(fx.stateDir, { recursive: true });
  const heads = HeadRegistry.open(join(fx.stateDir, 'service.sqlite'));
  const manager =
    jobs === null
      ? null
      : await JobManager.open({
          dbPath: join(fx.stateDir, 'jobs.sqlite'),
          resultsDir: join(fx.stateDir, 'jobs'),
          store,
          modelDir: fx.modelDir,
          allowedRoot: fx.root,
          threaded: false,
          chunkSize: 10,
          ...jobs,
        });
  const { model: _model, ...info } = fx.loaded;
  return new Services({ model: info, embedder: fx.embedder, store, heads, jobs: manager, backend: backendInfo() ?? null, surveyDir: fx.surveyDir, stateDir: fx.stateDir });
}

/** The configuration tests run under: no rate limit, no access log, data root = the fixture. */
export function testConfig(fx: Fixture | undefined, overrides: Parameters<typeof configWith>[0] = {}): ApiConfig {
  return configWith({ accessLog: false, ...(fx ? { dataRoot: fx.root, storeDir: fx.storeDir, surveyDir: fx.surveyDir, modelDir: fx.modelDir } : {}), ...overrides, limits: { rateLimitPerMinute: 0, ...overrides.limits } });
}

export function appFor(services: Services, config: ApiConfig, log: Logger = silentLogger) {
  return createApp({ config, readiness: Readiness.readyWith(services), log });
}

/** Every catalog id of the fixture's survey order. */
export function ids(services: Services): string[] {
  return services.store.select(undefined, { limit: 100_000 }).map((r) => r.id);
}
