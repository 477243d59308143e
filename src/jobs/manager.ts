/**
 * JobManager: durable background jobs (exports and ingests) for the HTTP service.
 *
 *   const jobs = await JobManager.open({ dbPath: 'index-data/demo/jobs.sqlite', resultsDir: 'index-data/demo/results', store, modelDir });
 *   const job = jobs.submitExport({ selection: { kind: 'all' }, modalities: ['image'], format: 'parquet' });
 *   jobs.on('update', (status) => …);          // every state or progress change
 *   jobs.get(job.id);                          // JobStatus
 *   jobs.result(job.id);                       // { path, mediaType, filename, bytes } once succeeded
 *   await jobs.close();                        // after the chunk in flight; running jobs resume at the next open
 *
 * How a job runs. Jobs run one at a time, oldest first (a job left running by an earlier
 * session first). Each has a directory under resultsDir (files.ts). The heavy steps run on a
 * worker thread (tasks.ts): the main thread only sends a step, waits, and commits the result to
 * jobs.sqlite, so the service's event loop stays free (test/jobs measures the stall).
 *
 *   export  freeze the selection (ids in order) into plan.json and start the staging file with
 *           the format's header, right at submit even when other jobs are ahead of it (the
 *           export shows the catalog as it was then; an `ids` selection naming an unknown id
 *           fails there, with the ids in the error). Then, when its turn comes, chunk after
 *           chunk: the worker reads the rows and vectors
 *           from catalog.sqlite (its own read-only connection; WAL lets it read beside the
 *           store's writer), encodes them and appends them durably; the manager then commits
 *           (chunks_done, done, output_bytes) in one statement. Finally the file is completed.
 *   ingest  resolve the source and plan it against the store (main thread, which owns the
 *           store), freeze the plan; then per chunk the worker embeds the items (its own copy
 *           of the model), the manager writes the batch into the store and commits the chunk.
 *
 * Crash safety. A chunk's bytes are on disk before its commit, and the staging file is cut
 * back to the committed length before any chunk is written, so after a crash or a close at
 * any point the reopened manager resumes at the first uncommitted chunk: no row is written
 * twice and none is lost, and committed chunks are not redone. Ingest batches land in the
 * store before their commit; a crash between the two makes the resumed job embed and write
 * that one batch again, which the store takes as an update (same ids, same vectors).
 *
 * Cancel marks the job cancelled at once; the chunk in flight (or a queued export's selection
 * freeze) finishes, then the job's files are removed (an ingest keeps the objects already
 * written). Failed jobs keep no files.
 * Results stay until delete(). Chunk size is fixed per job when its selection is frozen.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { FILES, type Store } from '../store/index.js';
import { SkyclipError, badInput } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { JobsDb, type JobRecord } from './db.js';
import { PLAN_FILE, STAGING_FILE, appendAt, jobDir, resetStaging } from './files.js';
import { TaskRunner } from './worker-client.js';
import {
  FINAL_STATES,
  parseExportParams,
  parseIngestParams,
  type ExportParams,
  type IngestParams,
  type JobParams,
  type JobResult,
  type JobStatus,
} from './types.js';
import type { IngestFailure, IngestItem, IngestPlan } from '../ingest/types.js';

export const DEFAULT_CHUNK_SIZE = 500;
/** Ingest: objects per forward pass in the worker. */
export const DEFAULT_EMBED_BATCH = 32;
/** Ingest: save the store's indexes after at least this many objects. */
export const DEFAULT_SAVE_EVERY = 2000;
/** ids shown in a status's params (the selection itself keeps them all). */
const STATUS_IDS = 100;
/** Failures listed in an ingest's result summary (the report file has them all). */
const SUMMARY_FAILURES = 20;

export interface JobManagerHooks {
  /** Called when a chunk's output is durable, before its commit: a test seam for a crash between the two. */
  beforeCommit?: (jobId: string, index: number) => void | Promise<void>;
}

export interface JobManagerOptions {
  /** The jobs database (created when missing; its folder too). */
  dbPath: string;
  /** Where job directories (staging files, results) live. */
  resultsDir: string;
  /** The open store (writable for ingest jobs). */
  store: Store;
  /** Model directory for ingest jobs (the store's model); ingest is refused without it. */
  modelDir?: string;
  /** Objects per chunk. Default 500. */
  chunkSize?: number;
  /** Ingest sources must lie under this folder (symlinks resolved). */
  allowedRoot?: string;
  /** Run the heavy steps on a worker thread. Default true (inline when false or when no worker can start). */
  threaded?: boolean;
  /** Ingest: objects per forward pass. Default 32. */
  embedBatchSize?: number;
  /** Ingest: save the indexes after at least this many objects. Default 2000. */
  saveEvery?: number;
  hooks?: JobManagerHooks;
}

export interface JobResultFile {
  path: string;
  mediaType: string;
  filename: string;
  bytes: number;
}

export interface ChunkEvent {
  jobId: string;
  index: number;
  rows: number;
}

/** What the manager knows about the job it is running in this session. */
interface Session {
  jobId: string;
  cancelled: boolean;
  /** Start of this session's chunk work, for the rate. */
  rateFrom?: { time: number; done: number };
}

function positiveInteger(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw badInput(`${name} must be a positive integer, got ${value}`);
  return value;
}

function errorMessage(err: unknown): string {
  if (err instanceof SkyclipError) return err.message;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** `path` with symlinks resolved as far as it exists. */
function realPath(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    return absolute;
  }
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class JobManager {
  private readonly events = new EventEmitter();
  private readonly chunkSize: number;
  private readonly embedBatchSize: number;
  private readonly saveEvery: number;
  private readonly allowedRoot?: string;
  private session: Session | undefined;
  private running: Promise<void> | undefined;
  private closing = false;
  private closed = false;
  /** Export freezes in flight, by job id. */
  private readonly freezing = new Map<string, Promise<unknown>>();

  private constructor(
    private readonly db: JobsDb,
    private readonly runner: TaskRunner,
    private readonly options: JobManagerOptions,
  ) {
    this.chunkSize = positiveInteger(options.chunkSize, 'chunkSize', DEFAULT_CHUNK_SIZE);
    this.embedBatchSize = positiveInteger(options.embedBatchSize, 'embedBatchSize', DEFAULT_EMBED_BATCH);
    this.saveEvery = positiveInteger(options.saveEvery, 'saveEvery', DEFAULT_SAVE_EVERY);
    this.allowedRoot = options.allowedRoot === undefined ? undefined : realPath(options.allowedRoot);
    this.events.setMaxListeners(0);
  }

  static async open(options: JobManagerOptions): Promise<JobManager> {
    if (!options || typeof options.dbPath !== 'string' || typeof options.resultsDir !== 'string' || !options.store) {
      throw badInput('JobManager.open needs dbPath, resultsDir and store');
    }
    await mkdir(dirname(resolve(options.dbPath)), { recursive: true });
    await mkdir(options.resultsDir, { recursive: true });
    const db = JobsDb.open(options.dbPath);
    let manager: JobManager;
    try {
      manager = new JobManager(db, TaskRunner.create({ threaded: options.threaded }), options);
      await manager.sweep();
    } catch (err) {
      db.close();
      throw err;
    }
    setImmediate(() => manager.pump());
    return manager;
  }

  /** Removes job directories of jobs that are gone, failed or cancelled (left by a crash). */
  private async sweep(): Promise<void> {
    const keep = new Set(this.db.list().filter((j) => j.state !== 'failed' && j.state !== 'cancelled').map((j) => j.id));
    for (const name of readdirSync(this.options.resultsDir)) {
      if (UUID.test(name) && !keep.has(name)) await rm(join(this.options.resultsDir, name), { recursive: true, force: true });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Public API
  // -------------------------------------------------------------------------------------------

  on(event: 'update', listener: (status: JobStatus) => void): this;
  on(event: 'chunk', listener: (chunk: ChunkEvent) => void): this;
  on(event: 'update' | 'chunk', listener: ((status: JobStatus) => void) | ((chunk: ChunkEvent) => void)): this {
    this.events.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off(event: 'update' | 'chunk', listener: ((status: JobStatus) => void) | ((chunk: ChunkEvent) => void)): this {
    this.events.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  private usable(): void {
    if (this.closing || this.closed) throw new SkyclipError('CONFLICT', 'the job manager is closed');
  }

  /**
   * Queues an export. Parameters are checked here (BAD_INPUT); the selection is frozen right
   * away on the worker thread (total is set once it is): an `ids` selection naming an id the
   * catalog lacks fails the job there, with the ids in its error.
   */
  submitExport(params: ExportParams): JobStatus {
    this.usable();
    return this.submit('export', parseExportParams(params));
  }

  /** Queues an ingest of a source path (must lie under allowedRoot when one is set). */
  submitIngest(params: IngestParams): JobStatus {
    this.usable();
    const checked = parseIngestParams(params);
    if (!this.options.modelDir) throw new SkyclipError('CONFLICT', 'this service has no model directory configured, so it cannot ingest');
    if (this.options.store.readOnly) throw new SkyclipError('CONFLICT', 'the store is open read-only, so it cannot ingest');
    const path = realPath(checked.path);
    if (this.allowedRoot !== undefined && !isInside(this.allowedRoot, path)) {
      throw badInput(`ingest path ${checked.path} is outside the folder this service may ingest from`);
    }
    return this.submit('ingest', { ...checked, path });
  }

  private submit(kind: 'export' | 'ingest', params: JobParams): JobStatus {
    const record = this.db.insert({ id: randomUUID(), kind, params, createdAt: new Date().toISOString() });
    const status = this.status(record);
    this.emit(record);
    if (kind === 'export') this.freezeExport(record);
    setImmediate(() => this.pump());
    return status;
  }

  private exportArgs(job: JobRecord) {
    return {
      jobId: job.id,
      catalogPath: join(this.options.store.dir, FILES.catalog),
      jobDir: jobDir(this.options.resultsDir, job.id),
      params: job.params as ExportParams,
      createdAt: job.createdAt,
    };
  }

  /**
   * Freezes an export's selection now, on the worker, whether or not another job is running
   * (its steps interleave with that job's chunks), so the export holds the catalog as it was
   * when it was submitted, not when its turn comes. A freeze lost to a close is done again
   * when the job starts.
   */
  private freezeExport(job: JobRecord): void {
    const args = this.exportArgs(job);
    const freezing = mkdir(args.jobDir, { recursive: true })
      .then(() => this.runner.call('export.freeze', args))
      .then(
        (frozen) => {
          if (this.closed) return;
          if (this.db.commitFrozen(job.id, frozen.total, this.chunkSize, frozen.outputBytes)) this.emit(this.db.get(job.id));
          else if (this.db.get(job.id)?.state !== 'running') return this.removeFiles(job.id); // cancelled or deleted meanwhile
        },
        async (err: unknown) => {
          if (this.closed || this.closing) return;
          if (this.db.finish(job.id, 'failed', { finishedAt: new Date().toISOString(), error: errorMessage(err) })) this.emit(this.db.get(job.id));
          // A runner that picked the job up waits for this promise before touching its files.
          await this.removeFiles(job.id);
        },
      )
      .finally(() => this.freezing.delete(job.id));
    this.freezing.set(job.id, freezing);
  }

  get(id: string): JobStatus | undefined {
    if (this.closed) throw new SkyclipError('CONFLICT', 'the job manager is closed');
    const record = typeof id === 'string' ? this.db.get(id) : undefined;
    return record ? this.status(record) : undefined;
  }

  /** Every job, oldest first. */
  list(): JobStatus[] {
    if (this.closed) throw new SkyclipError('CONFLICT', 'the job manager is closed');
    return this.db.list().map((r) => this.status(r));
  }

  /** Cancels a queued or running job. NOT_FOUND for an unknown id, CONFLICT for a finished job. */
  cancel(id: string): JobStatus {
    this.usable();
    const record = this.require(id);
    if (FINAL_STATES.has(record.state)) throw new SkyclipError('CONFLICT', `job ${id} has already ${record.state === 'cancelled' ? 'been cancelled' : record.state}`, { state: record.state });
    this.db.finish(id, 'cancelled', { finishedAt: new Date().toISOString() });
    if (this.session?.jobId === id) this.session.cancelled = true; // the runner removes the files after the chunk in flight
    // A freeze in flight is still writing into the job's directory (removing it now races the
    // writes: ENOTEMPTY); the freeze removes the files when it completes (freezeExport).
    else if (!this.freezing.has(id)) void this.removeFiles(id).catch(() => undefined); // a leftover goes at the next open (sweep)
    const updated = this.db.get(id)!;
    this.emit(updated);
    return this.status(updated);
  }

  /** The result file of a succeeded job. NOT_FOUND for an unknown id, CONFLICT unless succeeded. */
  result(id: string): JobResultFile {
    if (this.closed) throw new SkyclipError('CONFLICT', 'the job manager is closed');
    const record = this.require(id);
    if (record.state !== 'succeeded' || !record.result) {
      throw new SkyclipError('CONFLICT', `job ${id} is ${record.state}; its result exists once it has succeeded`, { state: record.state });
    }
    const path = join(jobDir(this.options.resultsDir, id), record.result.filename);
    let bytes: number;
    try {
      bytes = statSync(path).size;
    } catch {
      throw new SkyclipError('UNUSABLE', `the result file of job ${id} is missing (${path})`, { path });
    }
    return { path, mediaType: record.result.mediaType, filename: record.result.filename, bytes };
  }

  /** Forgets a job and removes its files (a queued or running job is cancelled first). NOT_FOUND for an unknown id. */
  async delete(id: string): Promise<void> {
    this.usable();
    const record = this.require(id);
    if (!FINAL_STATES.has(record.state)) this.cancel(id);
    if (this.session?.jobId === id) await this.running;
    await this.freezing.get(id)?.catch(() => undefined); // its writes must end before the directory goes
    this.db.delete(id);
    await this.removeFiles(id);
  }

  /** Resolves once no job is running or queued and no selection is being frozen (or the manager is closing); for scripts and tests. */
  async idle(): Promise<void> {
    for (;;) {
      if (this.running) {
        await this.running;
        continue;
      }
      if (this.freezing.size > 0 && !this.closing && !this.closed) {
        await Promise.allSettled(this.freezing.values());
        continue;
      }
      if (this.closing || this.closed || !this.db.next()) return;
      this.pump();
      if (!this.running) await new Promise((r) => setImmediate(r));
    }
  }

  /** Stops after the step in flight; running jobs stay running in the database and resume at the next open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    await this.running;
    await Promise.all(this.freezing.values());
    await this.runner.close();
    this.db.close();
    this.closed = true;
  }

  // -------------------------------------------------------------------------------------------
  // Status
  // -------------------------------------------------------------------------------------------

  private require(id: string): JobRecord {
    const record = typeof id === 'string' ? this.db.get(id) : undefined;
    if (!record) throw new SkyclipError('NOT_FOUND', `no job ${JSON.stringify(id)}`);
    return record;
  }

  private paramsView(params: JobParams): JobParams {
    const selection = (params as ExportParams).selection;
    if (selection?.kind !== 'ids' || selection.ids.length <= STATUS_IDS) return params;
    return { ...(params as ExportParams), selection: { kind: 'ids', ids: selection.ids.slice(0, STATUS_IDS), count: selection.ids.length } };
  }

  private status(r: JobRecord): JobStatus {
    let ratePerSecond: number | null = null;
    let etaSeconds: number | null = null;
    const from = this.session?.jobId === r.id ? this.session.rateFrom : undefined;
    if (r.state === 'running' && from) {
      const seconds = (performance.now() - from.time) / 1000;
      if (seconds > 0 && r.done > from.done) {
        ratePerSecond = (r.done - from.done) / seconds;
        if (r.total !== null) etaSeconds = (r.total - r.done) / ratePerSecond;
      }
    } else if (r.state === 'succeeded') {
      const seconds = r.startedAt && r.finishedAt ? (Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000 : 0;
      ratePerSecond = seconds > 0 ? r.done / seconds : null;
      etaSeconds = 0;
    }
    const { filename, bytes, mediaType, summary } = r.result ?? ({} as Partial<JobResult>);
    return {
      id: r.id,
      kind: r.kind,
      state: r.state,
      done: r.done,
      total: r.total,
      ratePerSecond,
      etaSeconds,
      createdAt: r.createdAt,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      error: r.error,
      params: this.paramsView(r.params),
      result: r.result ? { filename: filename!, bytes: bytes!, mediaType: mediaType!, ...(summary ? { summary } : {}) } : null,
    };
  }

  /** Emits to listeners; one that throws is reported as a process warning and cannot fail the job. */
  private safeEmit(event: 'update' | 'chunk', value: JobStatus | ChunkEvent): void {
    try {
      this.events.emit(event, value);
    } catch (err) {
      process.emitWarning(`a JobManager '${event}' listener threw: ${errorMessage(err)}`);
    }
  }

  private emit(record: JobRecord | undefined): void {
    if (record && this.events.listenerCount('update') > 0) this.safeEmit('update', this.status(record));
  }

  private async removeFiles(id: string): Promise<void> {
    // Retries cover a file closed or renamed under the removal (ENOTEMPTY, EBUSY).
    await rm(jobDir(this.options.resultsDir, id), { recursive: true, force: true, maxRetries: 3, retryDelay: 20 });
  }

  // -------------------------------------------------------------------------------------------
  // Running
  // -------------------------------------------------------------------------------------------

  /** Starts the next job when none is running. */
  private pump(): void {
    if (this.running || this.closing || this.closed) return;
    const next = this.db.next();
    if (!next) return;
    this.running = this.run(next).finally(() => {
      this.running = undefined;
      this.session = undefined;
      if (!this.closing) setImmediate(() => this.pump());
    });
  }

  /** True when the job must stop now (manager closing, or job cancelled). */
  private stopping(session: Session): boolean {
    return this.closing || session.cancelled;
  }

  private async run(job: JobRecord): Promise<void> {
    const session: Session = { jobId: job.id, cancelled: false };
    this.session = session;
    this.db.markRunning(job.id, new Date().toISOString());
    this.emit(this.db.get(job.id));
    try {
      await mkdir(jobDir(this.options.resultsDir, job.id), { recursive: true });
      if (job.kind === 'export') await this.runExport(this.db.get(job.id)!, session);
      else await this.runIngest(this.db.get(job.id)!, session);
    } catch (err) {
      if (!session.cancelled && this.db.finish(job.id, 'failed', { finishedAt: new Date().toISOString(), error: errorMessage(err) })) {
        await this.removeFiles(job.id);
        this.emit(this.db.get(job.id));
      }
    } finally {
      if (session.cancelled) await this.removeFiles(job.id);
    }
  }

  private commitChunk(session: Session, index: number, rows: number, outputBytes: number): JobRecord | undefined {
    if (session.cancelled) return undefined;
    if (!this.db.commitChunk(session.jobId, index, rows, outputBytes)) return undefined;
    const record = this.db.get(session.jobId)!;
    this.safeEmit('chunk', { jobId: session.jobId, index, rows });
    this.emit(record);
    return record;
  }

  private async runExport(job: JobRecord, session: Session): Promise<void> {
    const args = this.exportArgs(job);
    await this.freezing.get(job.id);
    let record = this.db.get(job.id)!;
    if (record.state !== 'running') {
      await this.removeFiles(job.id); // the freeze failed it, or it was cancelled: no files are kept
      return;
    }
    if (!record.frozen) {
      const frozen = await this.runner.call('export.freeze', args);
      if (this.stopping(session)) return;
      this.db.commitFrozen(job.id, frozen.total, this.chunkSize, frozen.outputBytes);
      record = this.db.get(job.id)!;
      this.emit(record);
    }
    const total = record.total!;
    const chunkSize = record.chunkSize!;
    const chunks = Math.ceil(total / chunkSize);
    session.rateFrom = { time: performance.now(), done: record.done };
    for (let index = record.chunksDone; index < chunks; index++) {
      if (this.stopping(session)) return;
      const chunk = await this.runner.call('export.chunk', { ...args, index, chunkSize, offset: record.outputBytes });
      await this.options.hooks?.beforeCommit?.(job.id, index);
      const next = this.commitChunk(session, index, chunk.rows, chunk.outputBytes);
      if (!next) return;
      record = next;
    }
    if (this.stopping(session)) return;
    const result = await this.runner.call('export.finalize', { ...args, total, outputBytes: record.outputBytes });
    if (this.stopping(session)) return;
    await this.succeed(job.id, result);
  }

  /** Records success, then drops the frozen plan if still there (an ingest keeps it until now so its last step could be repeated). */
  private async succeed(id: string, result: JobResult): Promise<void> {
    if (!this.db.finish(id, 'succeeded', { finishedAt: new Date().toISOString(), result })) return;
    await rm(join(jobDir(this.options.resultsDir, id), PLAN_FILE), { force: true });
    this.emit(this.db.get(id));
  }

  // -------------------------------------------------------------------------------------------
  // Ingest
  // -------------------------------------------------------------------------------------------

  private async runIngest(job: JobRecord, session: Session): Promise<void> {
    const params = job.params as IngestParams;
    const store = this.options.store;
    const dir = jobDir(this.options.resultsDir, job.id);
    const staging = join(dir, STAGING_FILE);
    if (!this.options.modelDir) throw new SkyclipError('CONFLICT', 'this service has no model directory configured, so the ingest cannot run');
    const model = await this.runner.call('ingest.load', { modelDir: this.options.modelDir, batchSize: this.embedBatchSize });
    if (model.modelId !== store.modelId || model.dimension !== store.dimension) {
      throw new SkyclipError('CONFLICT', `model ${model.modelId} (${model.dimension}-d) is not the store's model ${store.modelId} (${store.dimension}-d)`);
    }
    if (this.stopping(session)) return;

    let record = job;
    let plan: IngestPlan;
    if (!record.frozen) {
      const [{ resolveIngestSource }, { planIngest }] = await Promise.all([import('../ingest/source.js'), import('../ingest/plan.js')]);
      const source = await resolveIngestSource(params.path);
      plan = planIngest(store, source, { rebuild: params.rebuild });
      await writeFileAtomic(join(dir, PLAN_FILE), JSON.stringify(plan));
      const outputBytes = resetStaging(staging);
      if (this.stopping(session)) return;
      this.db.commitFrozen(job.id, plan.items.length, this.chunkSize, outputBytes);
      record = this.db.get(job.id)!;
      this.emit(record);
    } else {
      plan = JSON.parse(await readFile(join(dir, PLAN_FILE), 'utf8')) as IngestPlan;
    }

    const { writeIngestBatch } = await import('../ingest/batch.js');
    const chunkSize = record.chunkSize!;
    const chunks = Math.ceil(plan.items.length / chunkSize);
    session.rateFrom = { time: performance.now(), done: record.done };
    let sinceSave = 0;
    for (let index = record.chunksDone; index < chunks; index++) {
      if (this.stopping(session)) break;
      const items: IngestItem[] = plan.items.slice(index * chunkSize, (index + 1) * chunkSize);
      const batch = await this.runner.call('ingest.embed', { items });
      if (session.cancelled) break;
      const written = await writeIngestBatch(store, batch);
      const line = Buffer.from(`${JSON.stringify({ index, embedded: { image: written.image, spectrum: written.spectrum }, failed: batch.failed })}\n`, 'utf8');
      const outputBytes = appendAt(staging, record.outputBytes, line);
      await this.options.hooks?.beforeCommit?.(job.id, index);
      const next = this.commitChunk(session, index, items.length, outputBytes);
      if (!next) break;
      record = next;
      sinceSave += items.length;
      if (sinceSave >= this.saveEvery) {
        await store.save();
        sinceSave = 0;
      }
    }
    await store.save();
    if (this.stopping(session)) return;

    const report = await this.ingestReport(staging, record.outputBytes, plan);
    const filename = `ingest-report-${job.id.slice(0, 8)}.json`;
    const text = `${JSON.stringify(report, null, 2)}\n`;
    await writeFileAtomic(join(dir, filename), text);
    await rm(staging, { force: true });
    const summary = {
      source: plan.source,
      total: report.total,
      skipped: report.skipped,
      embedded: report.embedded,
      failed: report.failed.length,
      firstFailures: report.failed.slice(0, SUMMARY_FAILURES),
    };
    const result: JobResult = { filename, bytes: Buffer.byteLength(text), mediaType: 'application/json', summary };
    await this.succeed(job.id, result);
  }

  /** Totals of the committed chunk records (the staging file up to `bytes`). */
  private async ingestReport(staging: string, bytes: number, plan: IngestPlan) {
    const text = (await readFile(staging)).subarray(0, bytes).toString('utf8');
    const embedded = { image: 0, spectrum: 0 };
    const failed: IngestFailure[] = [...plan.failed];
    for (const line of text.split('\n')) {
      if (!line) continue;
      const chunk = JSON.parse(line) as { embedded: { image: number; spectrum: number }; failed: IngestFailure[] };
      embedded.image += chunk.embedded.image;
      embedded.spectrum += chunk.embedded.spectrum;
      failed.push(...chunk.failed);
    }
    return { source: plan.source, total: plan.total, skipped: plan.skipped, planned: plan.items.length, embedded, failed };
  }
}
