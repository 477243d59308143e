/**
 * What a job is, as the service and its clients see it: parameters (checked by zod schemas the
 * API can reuse for its request bodies) and the status object returned by every JobManager call.
 *
 *   const params = parseExportParams(req.body);   // BAD_INPUT with the offending field
 *   const status = jobs.submitExport(params);     // JobStatus, state 'queued'
 */
import { z } from 'zod';
import { EXPORT_FORMATS, type ExportFormat } from '../export/schema.js';
import { compileFilter, type SearchFilter } from '../store/filter.js';
import { MODALITIES, type Modality } from '../store/config.js';
import { badInput } from '../util/errors.js';

export const JOB_KINDS = ['export', 'ingest'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** States a job never leaves. */
export const FINAL_STATES: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'cancelled']);

/** Most ids an `ids` selection may list. */
export const MAX_EXPORT_IDS = 1_000_000;

export type ExportSelection =
  | { kind: 'all' }
  /** In a JobStatus, `ids` shows at most the first 100 and `count` says how many there are. */
  | { kind: 'ids'; ids: string[]; count?: number }
  | { kind: 'filter'; filter: SearchFilter };

export interface ExportParams {
  selection: ExportSelection;
  /** Vector columns to include, in this order (may be empty: catalog columns only). */
  modalities: Modality[];
  format: ExportFormat;
}

export interface IngestParams {
  /** Source path (survey folder, catalog .csv or folder of files), under the manager's allowedRoot. */
  path: string;
  /** Re-embed objects that already have vectors. Default false. */
  rebuild?: boolean;
}

export type JobParams = ExportParams | IngestParams;

export interface JobResult {
  filename: string;
  bytes: number;
  mediaType: string;
  /** Ingest jobs: what the run did. */
  summary?: Record<string, unknown>;
}

export interface JobStatus {
  id: string;
  kind: JobKind;
  state: JobState;
  /** Objects processed. */
  done: number;
  /** Objects the job has to process; null until its selection (or ingest plan) is frozen. */
  total: number | null;
  /** Objects per second over this session's run (the average run rate once finished). */
  ratePerSecond: number | null;
  /** Seconds left at that rate; null when unknown, 0 once succeeded. */
  etaSeconds: number | null;
  /** ISO 8601 times. */
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  params: JobParams;
  /** Set when an export succeeded (the file to download) or an ingest finished (summary, no file: bytes 0). */
  result: JobResult | null;
}

const FilterSchema = z.custom<SearchFilter>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), 'filter must be an object');

export const ExportSelectionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('all') }),
  z.strictObject({ kind: z.literal('ids'), ids: z.array(z.string().min(1).max(256)).min(1).max(MAX_EXPORT_IDS) }),
  z.strictObject({ kind: z.literal('filter'), filter: FilterSchema }),
]);

export const ExportParamsSchema = z.strictObject({
  selection: ExportSelectionSchema,
  modalities: z
    .array(z.enum(MODALITIES))
    .max(MODALITIES.length)
    .refine((m) => new Set(m).size === m.length, 'a modality is listed twice'),
  format: z.enum(EXPORT_FORMATS),
});

export const IngestParamsSchema = z.strictObject({
  path: z.string().min(1).max(4096),
  rebuild: z.boolean().optional(),
});

function zodMessage(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${issue.path.join('.') || '(root)'}: ${issue.message}`;
}

/** Checked export parameters (the filter is compiled once to check its columns and values). Throws BAD_INPUT. */
export function parseExportParams(value: unknown): ExportParams {
  const parsed = ExportParamsSchema.safeParse(value);
  if (!parsed.success) throw badInput(`export parameters: ${zodMessage(parsed.error)}`);
  const params = parsed.data as ExportParams;
  if (params.selection.kind === 'filter') compileFilter(params.selection.filter);
  return params;
}

export function parseIngestParams(value: unknown): IngestParams {
  const parsed = IngestParamsSchema.safeParse(value);
  if (!parsed.success) throw badInput(`ingest parameters: ${zodMessage(parsed.error)}`);
  return parsed.data;
}
