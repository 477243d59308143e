/**
 * The service layer behind the routes, built once in the composition root (server.ts, or a
 * test) from the loaded model, the open store, the head registry and the job manager. Routes
 * receive it through the app's readiness object and never import a singleton.
 *
 *   const services = new Services({ model, embedder, store, heads, jobs, backend, surveyDir });
 *   createApp({ config, readiness: Readiness.readyWith(services) });
 */
import { join } from 'node:path';
import type { Embedder } from '../../embed/index.js';
import type { BackendInfo } from '../../nn/backend.js';
import type { ModelInfo } from '../../nn/weights-io.js';
import type { Store } from '../../store/index.js';
import type { HeadRegistry } from './head-registry.js';
import type { JobsPort } from './jobs-port.js';
import { ObjectFiles, UPLOADS_DIR } from './objects.js';
import { DEFAULT_DENSITY_NEIGHBOURS, OutlierScores } from './outliers.js';
import { Predictor } from './predict.js';
import { StoreVersion } from './store-version.js';
import { UploadEmbedder } from './uploads.js';

export interface CoreServices {
  /** The loaded model's description (id, config, contract, training metadata). */
  model: ModelInfo;
  embedder: Embedder;
  store: Store;
  heads: HeadRegistry;
  /** Null when the service runs without background jobs (job endpoints answer 503). */
  jobs: JobsPort | null;
  /** The tfjs backend in use (null when not initialized through initBackend). */
  backend: BackendInfo | null;
  /** Base of relative image_path / spectrum_path of rows that do not record their source. */
  surveyDir: string;
  /** The service's own files beside the store (uploads/, service.sqlite, jobs). */
  stateDir: string;
}

export class Services {
  readonly model: ModelInfo;
  readonly embedder: Embedder;
  readonly store: Store;
  readonly heads: HeadRegistry;
  readonly jobs: JobsPort | null;
  readonly backend: BackendInfo | null;
  readonly version: StoreVersion;
  readonly uploads: UploadEmbedder;
  readonly outliers: OutlierScores;
  readonly predictor: Predictor;
  readonly objects: ObjectFiles;
  private readonly stopping = new AbortController();
  private warming: Promise<void> | undefined;

  constructor(core: CoreServices) {
    this.model = core.model;
    this.embedder = core.embedder;
    this.store = core.store;
    this.heads = core.heads;
    this.jobs = core.jobs;
    this.backend = core.backend;
    this.version = new StoreVersion(core.store);
    this.uploads = new UploadEmbedder(core.embedder, core.model.contract);
    this.outliers = new OutlierScores(core.store, this.version);
    this.predictor = new Predictor(core.store, this.version, core.heads);
    this.objects = new ObjectFiles(core.store, this.uploads, this.version, core.surveyDir, join(core.stateDir, UPLOADS_DIR));
  }

  /**
   * Computes what the first requests would otherwise wait for: the default k-NN heads and the
   * default outlier scores of both indexes. Runs in the background after startup.
   */
  async warm(): Promise<{ heads: number; seconds: number }> {
    const start = Date.now();
    const run = (async () => {
      const heads = await this.predictor.warm(['image', 'spectrum'], this.stopping.signal);
      for (const m of ['image', 'spectrum'] as const) {
        if (!this.stopping.signal.aborted && this.store.count(m) > 0) await this.outliers.scores(m, DEFAULT_DENSITY_NEIGHBOURS);
      }
      return { heads, seconds: (Date.now() - start) / 1000 };
    })();
    this.warming = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Stops the jobs (a running one resumes at the next start), closes the registry, saves and closes the store. */
  async close(): Promise<void> {
    this.stopping.abort();
    await this.warming;
    try {
      await this.jobs?.close();
    } finally {
      this.heads.close();
      await this.store.close();
    }
  }
}

export { HeadRegistry } from './head-registry.js';
export type { JobsPort, JobResultFile } from './jobs-port.js';
export type { Upload } from './uploads.js';
