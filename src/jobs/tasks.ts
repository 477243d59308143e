/**
 * The heavy steps a job runs off the main thread, by name. A worker thread (worker-client.ts)
 * calls `runTask` for each message; without a worker, the manager calls it inline. Results
 * are plain data; `transfer` lists buffers to move instead of copy.
 */
import { exportChunk, finalizeExport, freezeExport, releaseExportResources } from './export-task.js';
import { embedIngestItems, loadIngestModel, releaseIngestModel } from './ingest-task.js';
import type { EmbeddedBatch } from '../ingest/types.js';
import { SkyclipError } from '../util/errors.js';

export const TASKS = {
  'export.freeze': (args: Parameters<typeof freezeExport>[0]) => freezeExport(args),
  'export.chunk': (args: Parameters<typeof exportChunk>[0]) => exportChunk(args),
  'export.finalize': (args: Parameters<typeof finalizeExport>[0]) => finalizeExport(args),
  'ingest.load': (args: Parameters<typeof loadIngestModel>[0]) => loadIngestModel(args),
  'ingest.embed': (args: Parameters<typeof embedIngestItems>[0]) => embedIngestItems(args),
  release: async () => {
    releaseExportResources();
    releaseIngestModel();
  },
} as const;

export type TaskName = keyof typeof TASKS;
export type TaskArgs<N extends TaskName> = Parameters<(typeof TASKS)[N]>[0];
export type TaskResult<N extends TaskName> = Awaited<ReturnType<(typeof TASKS)[N]>>;

/** Buffers of a result that can be transferred rather than copied. */
function transferables(name: TaskName, value: unknown): ArrayBuffer[] {
  if (name !== 'ingest.embed') return [];
  const batch = value as EmbeddedBatch;
  return [batch.image.vectors.buffer, batch.spectrum.vectors.buffer].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer && b.byteLength > 0);
}

export async function runTask(name: string, args: unknown): Promise<{ value: unknown; transfer: ArrayBuffer[] }> {
  const task = (TASKS as Record<string, (a: never) => Promise<unknown>>)[name];
  if (!task) throw new SkyclipError('INTERNAL', `unknown job task ${name}`);
  const value = await task(args as never);
  return { value, transfer: transferables(name as TaskName, value) };
}
