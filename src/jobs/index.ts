/**
 * Durable background jobs (exports and ingests) for the HTTP service. Import from here.
 *
 *   manager.ts        JobManager: submit, status, cancel, result, resume after restart
 *   types.ts          JobStatus, ExportParams, IngestParams and their zod schemas
 *   db.ts             jobs.sqlite (WAL), the durable record of every job
 *   files.ts          a job's directory, and the append-then-commit step of every chunk
 *   export-task.ts    freeze / chunk / finalize of an export (src/export formats)
 *   ingest-task.ts    the model and embedding half of an ingest (src/ingest)
 *   tasks.ts, worker-client.ts   the heavy steps on a worker thread
 */
export { JobManager, DEFAULT_CHUNK_SIZE, DEFAULT_EMBED_BATCH, DEFAULT_SAVE_EVERY } from './manager.js';
export type { ChunkEvent, JobManagerHooks, JobManagerOptions, JobResultFile } from './manager.js';
export {
  ExportParamsSchema,
  ExportSelectionSchema,
  FINAL_STATES,
  IngestParamsSchema,
  JOB_KINDS,
  JOB_STATES,
  MAX_EXPORT_IDS,
  parseExportParams,
  parseIngestParams,
} from './types.js';
export type { ExportParams, ExportSelection, IngestParams, JobKind, JobParams, JobResult, JobState, JobStatus } from './types.js';
