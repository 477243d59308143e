/**
 * Writes FITS files off the simulation's thread. Encoding a cutout and a 7781-row spectrum table
 * costs about as much as simulating the object, so `skyclip simulate` hands each file's HDUs to a
 * worker thread (running src/io/fits/write.ts, through tsx like the CLI) and keeps generating.
 * The bytes are those of writeFits either way; `inline` mode (or a worker that cannot start) writes
 * on the calling thread instead.
 */
import { Worker } from 'node:worker_threads';
import { writeFits } from '../io/fits/write.js';
import type { WritableHdu } from '../io/fits/types.js';
import { SkyclipError } from '../util/errors.js';

/** The worker: registers tsx, loads the FITS writer, writes what it is sent, acknowledges by id. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { register } = await import(workerData.tsxApi);
  register();
  const { writeFits } = await import(workerData.writeModule);
  parentPort.on('message', (msg) => {
    writeFits(msg.path, msg.hdus).then(
      () => parentPort.postMessage({ id: msg.id }),
      (err) => parentPort.postMessage({ id: msg.id, error: String((err && err.stack) || err) }),
    );
  });
  parentPort.postMessage({ ready: true });
})().catch((err) => parentPort.postMessage({ fatal: String((err && err.stack) || err) }));
`;

export class FitsWriteQueue {
  private worker: Worker | null = null;
  /** Ids of files sent to the worker and not yet acknowledged. */
  private readonly pending = new Set<number>();
  private readonly inline = new Set<Promise<void>>();
  /** Callers waiting for room (write) or for an empty queue (close). */
  private roomWaiters: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];
  private nextId = 0;
  private failure: Error | null = null;
  private readonly maxInFlight: number;

  private constructor(maxInFlight: number) {
    this.maxInFlight = maxInFlight;
  }

  /** A queue with a writer thread, or writing inline when `threaded` is false or no worker starts. */
  static async create(options: { threaded?: boolean; maxInFlight?: number } = {}): Promise<FitsWriteQueue> {
    const queue = new FitsWriteQueue(options.maxInFlight ?? 64);
    if (options.threaded ?? true) await queue.startWorker();
    return queue;
  }

  get threaded(): boolean {
    return this.worker !== null;
  }

  private async startWorker(): Promise<void> {
    let tsxApi: string;
    try {
      tsxApi = import.meta.resolve('tsx/esm/api');
    } catch {
      return; // no tsx to load TypeScript in the worker: write inline
    }
    const writeModule = new URL('../io/fits/write.ts', import.meta.url).href;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { tsxApi, writeModule } });
    const ready = await new Promise<boolean>((resolve) => {
      worker.once('message', (msg: { ready?: boolean }) => resolve(msg.ready === true));
      worker.once('error', () => resolve(false));
    });
    if (!ready) {
      await worker.terminate();
      return;
    }
    worker.on('message', (msg: { id: number; error?: string }) => {
      if (!this.pending.delete(msg.id)) return;
      if (msg.error) this.fail(new SkyclipError('INTERNAL', `FITS writer thread: ${msg.error}`));
      this.wake();
    });
    worker.on('error', (err) => {
      this.fail(err);
      this.pending.clear();
      this.wake();
    });
    this.worker = worker;
  }

  private fail(err: Error): void {
    this.failure ??= err;
  }

  private wake(): void {
    if (this.pending.size < this.maxInFlight || this.failure) {
      const room = this.roomWaiters;
      this.roomWaiters = [];
      for (const w of room) w();
    }
    if (this.pending.size === 0 || this.failure) {
      const idle = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of idle) w();
    }
  }

  /**
   * Queues a file. `transfer` lists buffers the caller gives up (moved to the worker, not copied).
   * Resolves once the queue has room again; an earlier failure is thrown here or by `close`.
   */
  async write(path: string, hdus: WritableHdu[], transfer: ArrayBuffer[] = []): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.worker) {
      const id = this.nextId++;
      this.pending.add(id);
      this.worker.postMessage({ id, path, hdus }, transfer);
      if (this.pending.size >= this.maxInFlight) await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    } else {
      const p: Promise<void> = writeFits(path, hdus)
        .catch((err: Error) => this.fail(err))
        .finally(() => this.inline.delete(p));
      this.inline.add(p);
      while (this.inline.size >= this.maxInFlight) await Promise.race(this.inline);
    }
    if (this.failure) throw this.failure;
  }

  /** Waits for every queued file, stops the worker, and throws the first error if any. */
  async close(): Promise<void> {
    if (this.worker && this.pending.size > 0 && !this.failure) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await Promise.all(this.inline);
    if (this.worker) {
      await this.worker.terminate();
      this.worker = null;
    }
    if (this.failure) throw this.failure;
  }
}
