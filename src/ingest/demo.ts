/**
 * The demo store: the fixed-seed demo survey (src/sim/demo-survey.ts) embedded by the shipped
 * model into index-data/demo-store. The HTTP service calls ensureDemoStore at its first start;
 * every later call is cheap (a plan that finds nothing to do).
 *
 * - Resumable: an interrupted build leaves a consistent store (or an intact old one, for a
 *   rebuild) and the next call finishes it instead of starting over.
 * - Model updates: a store built by another model id is re-embedded (rebuildStore: built
 *   beside the old one and swapped in), so shipping new weights just works.
 *
 *   const { built, storeDir, modelId } = await ensureDemoStore({ modelDir: 'models/tiny' });
 */
import { join } from 'node:path';
import { Embedder } from '../embed/index.js';
import { initBackend } from '../nn/backend.js';
import { loadModel } from '../nn/weights-io.js';
import { DEMO_SURVEY, ensureDemoSurvey } from '../sim/demo-survey.js';
import { Store } from '../store/index.js';
import { pathExists } from '../util/atomic.js';
import { ProgressBar } from '../util/progress.js';
import { ingest } from './ingest.js';
import { rebuildStore } from './rebuild.js';
import { resolveIngestSource } from './source.js';
import type { IngestFailure, IngestProgress } from './types.js';

export const DEMO_STORE = Object.freeze({
  surveyDir: DEMO_SURVEY.dir,
  storeDir: join('index-data', 'demo-store'),
});

export interface DemoStoreProgress {
  stage: 'simulate' | 'embed';
  done: number;
  total: number;
}

export interface EnsureDemoStoreOptions {
  /** Model directory (the shipped model). */
  modelDir: string;
  /** Default DEMO_STORE.surveyDir; simulated there (DEMO_SURVEY) unless a complete survey is already there. */
  surveyDir?: string;
  /** Default DEMO_STORE.storeDir. */
  storeDir?: string;
  onProgress?: (p: DemoStoreProgress) => void;
  /** No progress bars. Default false. */
  quiet?: boolean;
  /** Stops after the batch in flight; the next call resumes. */
  signal?: AbortSignal;
  /** Objects per embedding step. Default 64. */
  batchSize?: number;
}

export interface EnsureDemoStoreResult {
  /** Something was embedded or the store was rebuilt by this call. */
  built: boolean;
  storeDir: string;
  modelId: string;
  /** Objects or files that did not land (none for the demo survey unless its files were damaged). */
  failed: IngestFailure[];
  /** Stopped by `signal` before the store was complete. */
  interrupted: boolean;
}

/** Makes sure the demo store exists, is complete and was built by the model in `modelDir`. */
export async function ensureDemoStore(options: EnsureDemoStoreOptions): Promise<EnsureDemoStoreResult> {
  const surveyDir = options.surveyDir ?? DEMO_STORE.surveyDir;
  const storeDir = options.storeDir ?? DEMO_STORE.storeDir;
  await ensureDemoSurvey(surveyDir, {
    quiet: options.quiet,
    onProgress: (done) => options.onProgress?.({ stage: 'simulate', done, total: DEMO_SURVEY.n }),
  });
  await initBackend();
  const loaded = await loadModel(options.modelDir);
  try {
    const embedder = new Embedder(loaded.model);
    const source = await resolveIngestSource(surveyDir);
    let bar: ProgressBar | undefined;
    const onProgress = (p: IngestProgress) => {
      if (!options.quiet && p.total > 0) {
        bar ??= new ProgressBar('demo store', p.total, { unit: 'objects' });
        bar.update(p.done);
      }
      options.onProgress?.({ stage: 'embed', done: p.done, total: p.total });
    };
    const common = { onProgress, signal: options.signal, batchSize: options.batchSize };
    const existing = (await pathExists(join(storeDir, 'catalog.sqlite'))) ? await Store.inspect(storeDir) : undefined;
    if (existing && existing.modelId !== loaded.id) {
      const report = await rebuildStore(storeDir, embedder, { ...common, modelId: loaded.id, source });
      if (report.swapped) bar?.finish();
      return { built: true, storeDir, modelId: loaded.id, failed: report.failed, interrupted: report.interrupted };
    }
    const store = await Store.open(storeDir, { modelId: loaded.id, create: true, repair: true, dimension: embedder.dim });
    try {
      const report = await ingest(store, embedder, source, { ...common, modelId: loaded.id });
      if (!report.interrupted) bar?.finish();
      const built = !existing || report.embedded.image + report.embedded.spectrum > 0;
      return { built, storeDir, modelId: loaded.id, failed: report.failed, interrupted: report.interrupted };
    } finally {
      await store.close();
    }
  } finally {
    loaded.model.dispose();
  }
}
