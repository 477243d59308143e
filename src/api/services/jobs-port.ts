/**
 * What the API needs of the durable job manager (src/jobs JobManager): submit, inspect, cancel
 * and download. Routes depend on this shape only, so the app can be built without jobs
 * (the job endpoints then answer 503) and the manager is created in the composition root.
 */
import type { ExportParams, IngestParams, JobStatus } from '../../jobs/types.js';

export type { ExportParams, IngestParams, JobStatus } from '../../jobs/types.js';

export interface JobResultFile {
  path: string;
  mediaType: string;
  filename: string;
  bytes: number;
}

type MaybePromise<T> = T | Promise<T>;

export interface JobsPort {
  submitExport(params: ExportParams): MaybePromise<JobStatus>;
  submitIngest(params: IngestParams): MaybePromise<JobStatus>;
  /** Unknown id: undefined (or a NOT_FOUND error). */
  get(id: string): MaybePromise<JobStatus | undefined>;
  list(): MaybePromise<JobStatus[]>;
  cancel(id: string): MaybePromise<JobStatus | undefined>;
  /** The finished export's file; CONFLICT while not succeeded, NOT_FOUND for an unknown id. */
  result(id: string): MaybePromise<JobResultFile>;
  close(): MaybePromise<void>;
}
