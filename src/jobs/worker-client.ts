/**
 * Runs job tasks (tasks.ts) on one worker thread, one call at a time, so reading the catalog,
 * encoding files and embedding never block the main thread's event loop. The worker loads the
 * TypeScript sources through tsx, like `skyclip` itself (see src/sim/fits-queue.ts). Without
 * tsx, or with `threaded: false`, tasks run inline on the calling thread instead.
 *
 *   const worker = await TaskRunner.create();
 *   const { total } = await worker.call('export.freeze', args);
 *   await worker.close();
 *
 * Errors thrown by a task come back as SkyclipErrors with their code and message. If the
 * thread dies (out of memory, a native crash), the call in flight fails with INTERNAL and the
 * next call starts a new thread.
 */
import { Worker } from 'node:worker_threads';
import { SkyclipError, type SkyclipErrorCode } from '../util/errors.js';
import { runTask, type TaskArgs, type TaskName, type TaskResult } from './tasks.js';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { register } = await import(workerData.tsxApi);
  register();
  const { runTask } = await import(workerData.tasksModule);
  parentPort.on('message', async (msg) => {
    try {
      const { value, transfer } = await runTask(msg.name, msg.args);
      parentPort.postMessage({ id: msg.id, ok: true, value }, transfer);
    } catch (err) {
      parentPort.postMessage({ id: msg.id, ok: false, error: {
        code: err && err.code, message: String((err && err.message) || err), details: err && err.details, stack: err && err.stack,
      } });
    }
  });
  parentPort.postMessage({ ready: true });
})().catch((err) => parentPort.postMessage({ fatal: String((err && err.stack) || err) }));
`;

const CODES = new Set<SkyclipErrorCode>(['BAD_INPUT', 'NOT_FOUND', 'FITS_INVALID', 'UNSUPPORTED', 'UNUSABLE', 'CONFLICT', 'INTERNAL']);

interface WireError {
  code?: string;
  message: string;
  details?: Record<string, unknown>;
}

function fromWire(error: WireError): SkyclipError {
  const code = CODES.has(error.code as SkyclipErrorCode) ? (error.code as SkyclipErrorCode) : 'INTERNAL';
  return new SkyclipError(code, error.message, error.details);
}

export class TaskRunner {
  private worker: Worker | null = null;
  private starting: Promise<Worker | null> | null = null;
  private nextId = 0;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private closed = false;
  private ranInline = false;
  private cannotStart = false;

  private constructor(private readonly threaded: boolean) {}

  static create(options: { threaded?: boolean } = {}): TaskRunner {
    return new TaskRunner(options.threaded ?? true);
  }

  /** Whether calls run on a worker thread (after the first call has started it). */
  get onThread(): boolean {
    return this.worker !== null;
  }

  private async start(): Promise<Worker | null> {
    let tsxApi: string;
    try {
      tsxApi = import.meta.resolve('tsx/esm/api');
    } catch {
      return null;
    }
    const tasksModule = new URL('./tasks.ts', import.meta.url).href;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { tsxApi, tasksModule } });
    const ready = await new Promise<boolean>((resolve) => {
      worker.once('message', (msg: { ready?: boolean }) => resolve(msg.ready === true));
      worker.once('error', () => resolve(false));
      worker.once('exit', () => resolve(false));
    });
    if (!ready) {
      await worker.terminate();
      return null;
    }
    worker.on('message', (msg: { id: number; ok: boolean; value?: unknown; error?: WireError }) => {
      const call = this.pending.get(msg.id);
      if (!call) return;
      this.pending.delete(msg.id);
      if (msg.ok) call.resolve(msg.value);
      else call.reject(fromWire(msg.error!));
    });
    const lost = (why: string) => {
      if (this.worker === worker) this.worker = null;
      for (const call of this.pending.values()) call.reject(new SkyclipError('INTERNAL', `the job worker thread stopped: ${why}`));
      this.pending.clear();
    };
    worker.on('error', (err) => lost(err.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    return worker;
  }

  private async thread(): Promise<Worker | null> {
    if (!this.threaded || this.cannotStart) return null;
    if (this.worker) return this.worker;
    this.starting ??= this.start().finally(() => (this.starting = null));
    this.worker = await this.starting;
    // A thread that cannot start once (no tsx) will not start later: run inline from now on.
    if (!this.worker) this.cannotStart = true;
    return this.worker;
  }

  async call<N extends TaskName>(name: N, args: TaskArgs<N>): Promise<TaskResult<N>> {
    if (this.closed) throw new SkyclipError('CONFLICT', 'the job runner is closed');
    const worker = await this.thread();
    if (!worker) {
      this.ranInline = true;
      return (await runTask(name, args)).value as TaskResult<N>;
    }
    const id = this.nextId++;
    return new Promise<TaskResult<N>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, name, args });
    });
  }

  /** Releases what the tasks hold (catalog connection, model) and stops the thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    const worker = this.worker ?? (this.starting ? await this.starting : null);
    if (worker) {
      try {
        await new Promise<void>((resolve) => {
          const id = this.nextId++;
          this.pending.set(id, { resolve: () => resolve(), reject: () => resolve() });
          worker.postMessage({ id, name: 'release', args: {} });
        });
      } finally {
        this.closed = true;
        this.worker = null;
        await worker.terminate();
      }
    } else {
      this.closed = true;
    }
    if (this.ranInline) await runTask('release', {});
  }
}
