/**
 * The composition root of `skyclip serve`: listen at once, then load everything in the
 * background while /health reports progress, then mark the service ready.
 *
 *   1. check the binding (a non-loopback HOST needs SKYCLIP_API_KEYS) and listen;
 *   2. build the demo store on a first start (ensureDemoStore: simulate the fixed-seed survey,
 *      embed and index it; later starts only check it), when the store is the demo store or
 *      does not exist yet;
 *   3. pick the tfjs backend, load the model, open the store (refused if another model built
 *      it), the head registry and the job manager (which resumes interrupted jobs);
 *   4. ready. On SIGINT/SIGTERM the caller runs close(): new work gets 503, the listener
 *      closes, jobs stop after their chunk in flight (they resume at the next start), the store
 *      is saved and closed.
 *
 * The service's own files live beside the store, in `<store>.service/`: service.sqlite (trained
 * heads), jobs.sqlite and jobs/ (job records and results), uploads/ (files of objects added
 * through the API). Keeping them outside the store folder means a store rebuilt and swapped in
 * (a new model) does not take them with it.
 */
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { Embedder } from '../embed/index.js';
import { DEMO_STORE, ensureDemoStore } from '../ingest/index.js';
import { JobManager } from '../jobs/index.js';
import { initBackend } from '../nn/backend.js';
import { loadModel, readModelInfo, type LoadedModel } from '../nn/weights-io.js';
import { FILES, Store } from '../store/index.js';
import { pathExists } from '../util/atomic.js';
import { createApp } from './app.js';
import { type ApiConfig, assertSafeBinding } from './config.js';
import { type Logger, jsonLogger } from './log.js';
import { Readiness } from './readiness.js';
import { HeadRegistry, Services } from './services/index.js';

/** Folder of the service's own files for a store directory. */
export function serviceDir(storeDir: string): string {
  return `${storeDir.replace(/[/\\]+$/, '')}.service`;
}

export const SERVICE_FILES = Object.freeze({ heads: 'service.sqlite', jobs: 'jobs.sqlite', jobResults: 'jobs' });

export interface ServerHandle {
  server: Server;
  /** http://host:port */
  url: string;
  readiness: Readiness<Services>;
  /** Settles when loading has finished, ready or failed (never rejects). */
  loaded: Promise<void>;
  /** Graceful shutdown (see the module comment). */
  close(): Promise<void>;
}

/** Loads model, store, heads and jobs (building the demo store first when needed), reporting progress to `readiness`. */
export async function loadServices(config: ApiConfig, readiness: Readiness<Services>, log: Logger, signal?: AbortSignal): Promise<Services> {
  const storeDir = config.storeDir;
  const isDemo = resolve(storeDir) === resolve(DEMO_STORE.storeDir);
  const hasStore = await pathExists(join(storeDir, FILES.catalog));
  let lastLog = 0;
  // First, so that the one line saying which backend was chosen is a log line like the others.
  const backend = await initBackend({ logger: (line) => log.info('backend', { line }) });
  // Fail fast on a missing or broken model, before minutes of building the demo survey.
  const modelInfo = await readModelInfo(config.modelDir);
  if (isDemo || !hasStore) {
    log.info(hasStore ? 'checking the demo store' : `no store in ${storeDir}: building the demo (simulate the survey, embed, index); later starts are quick`, {
      storeDir,
      surveyDir: config.surveyDir,
      model: modelInfo.id,
    });
    const result = await ensureDemoStore({
      modelDir: config.modelDir,
      surveyDir: config.surveyDir,
      storeDir,
      quiet: true,
      signal,
      onProgress: (p) => {
        readiness.progress(p);
        const now = Date.now();
        if (now - lastLog >= 2000 || p.done === p.total) {
          lastLog = now;
          log.info('startup progress', { ...p });
        }
      },
    });
    if (result.interrupted) throw new Error('startup interrupted');
    if (result.failed.length > 0) {
      const stored = await Store.inspect(storeDir).catch(() => undefined);
      if (!stored || stored.objects === 0) {
        throw new Error(`no object of ${config.surveyDir} could be ingested (${result.failed.length} failed; first: ${result.failed[0].message})`);
      }
      log.warn('some demo objects did not land', { failed: result.failed.length, first: result.failed[0] });
    }
    log.info(result.built ? 'demo store built' : 'demo store up to date', { storeDir, modelId: result.modelId });
  }

  readiness.progress({ stage: 'load-model', done: 0, total: 1 });
  let loaded: LoadedModel | undefined;
  let store: Store | undefined;
  let heads: HeadRegistry | undefined;
  try {
    loaded = await loadModel(config.modelDir);
    readiness.progress({ stage: 'open-store', done: 0, total: 1 });
    store = await Store.open(storeDir, { modelId: loaded.id });
    const state = serviceDir(storeDir);
    heads = await openHeads(state);
    readiness.progress({ stage: 'open-jobs', done: 0, total: 1 });
    const jobs = await JobManager.open({
      dbPath: join(state, SERVICE_FILES.jobs),
      resultsDir: join(state, SERVICE_FILES.jobResults),
      store,
      modelDir: config.modelDir,
      allowedRoot: config.dataRoot,
    });
    const { model, ...info } = loaded;
    return new Services({ model: info, embedder: new Embedder(model), store, heads, jobs, backend, surveyDir: config.surveyDir, stateDir: state });
  } catch (err) {
    heads?.close();
    await store?.close().catch(() => undefined);
    loaded?.model.dispose();
    throw err;
  }
}

async function openHeads(stateDir: string): Promise<HeadRegistry> {
  await mkdir(stateDir, { recursive: true });
  return HeadRegistry.open(join(stateDir, SERVICE_FILES.heads));
}

/** Listens, then loads in the background. Throws (before listening) for an unsafe binding or a busy port. */
export async function startServer(config: ApiConfig, options: { log?: Logger } = {}): Promise<ServerHandle> {
  assertSafeBinding(config);
  const log = options.log ?? jsonLogger();
  const readiness = new Readiness<Services>();
  const app = createApp({ config, readiness, log });
  const server = await new Promise<Server>((resolveListen, reject) => {
    const s = app.listen(config.port, config.host);
    s.once('listening', () => resolveListen(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log.info('listening', { url, keys: config.apiKeys.length > 0 ? `${config.apiKeys.length} configured` : 'none (writes open on loopback)' });

  const abort = new AbortController();
  const loaded = loadServices(config, readiness, log, abort.signal).then(
    (services) => {
      if (abort.signal.aborted) return services.close();
      readiness.ready(services);
      const info = services.store.info();
      log.info('ready', { url, model: services.model.id, objects: info.objects, vectors: info.vectors, backend: services.backend?.name });
      services.warm().then(
        (w) => log.info('warm-up done (k-NN heads and outlier scores precomputed)', w),
        (err: unknown) => log.warn('warm-up failed (requests compute on demand)', { message: err instanceof Error ? err.message : String(err) }),
      );
    },
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      readiness.fail(message);
      if (!abort.signal.aborted) log.error('startup failed', { message });
    },
  );

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const services = readiness.services;
      readiness.stopping();
      abort.abort();
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 10_000).unref();
      });
      await loaded;
      await services?.close();
      log.info('stopped');
    })());
  return { server, url, readiness, loaded, close };
}
