/**
 * Background jobs (durable, in jobs.sqlite; the heavy work runs on a worker so searches stay
 * fast): export the catalog and embeddings as Parquet, FITS or CSV, or ingest a server-side
 * folder or catalog under the data root. A running job that is interrupted (restart, crash)
 * resumes from its last finished chunk at the next start.
 */
import { createReadStream } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { MODALITIES, type Modality } from '../../store/index.js';
import { SkyclipError } from '../../util/errors.js';
import { forbidden, notReady } from '../errors.js';
import { toSearchFilter } from '../present.js';
import { defineRoute } from '../route.js';
import { ExportRequestSchema, IdParamsSchema, IngestRequestSchema, JobListSchema, JobSchema } from '../schemas.js';
import type { Services } from '../services/index.js';
import type { ExportParams, JobStatus, JobsPort } from '../services/jobs-port.js';

function jobsOf(services: Services): JobsPort {
  if (!services.jobs) throw notReady('background jobs are not running in this server', undefined, 60);
  return services.jobs;
}

export function jobJson(status: JobStatus) {
  const self = `/v1/jobs/${encodeURIComponent(status.id)}`;
  return { ...status, links: { self, ...(status.kind === 'export' ? { result: `${self}/result` } : {}) } };
}

async function jobOrNotFound(jobs: JobsPort, id: string): Promise<JobStatus> {
  const status = await jobs.get(id);
  if (!status) throw new SkyclipError('NOT_FOUND', `no job with id ${JSON.stringify(id)}`, { id });
  return status;
}

/**
 * A client path -> an absolute path inside the data root (relative paths start at the root).
 * Symbolic links are resolved first, so a link cannot lead out either. 403 outside, 404 absent.
 */
export async function pathInsideRoot(root: string, given: string): Promise<string> {
  if (given.includes('\0')) throw forbidden('the path contains a NUL byte');
  const rootReal = await realpath(resolve(root)).catch(() => {
    throw new SkyclipError('NOT_FOUND', 'the server has no data root (SKYCLIP_DATA_ROOT does not exist)');
  });
  const candidate = isAbsolute(given) ? resolve(given) : resolve(rootReal, given);
  const inside = (p: string) => {
    const rel = relative(rootReal, p);
    return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
  };
  if (!inside(candidate)) throw forbidden('the path is outside the data root (SKYCLIP_DATA_ROOT); only files under it can be ingested', { path: given });
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    throw new SkyclipError('NOT_FOUND', `nothing at ${JSON.stringify(given)} under the data root`, { path: given });
  }
  if (!inside(real)) throw forbidden('the path leads outside the data root (through a symbolic link)', { path: given });
  return real;
}

export const submitExport = defineRoute({
  method: 'post',
  path: '/v1/jobs/export',
  tag: 'jobs',
  summary: 'Export catalog rows and embeddings (Parquet, FITS or CSV) in the background',
  description: "selection: 'all', {ids: [...]} or {filter: {...}}; modalities: which embeddings to include (default both); format: parquet (default), fits or csv.",
  auth: true,
  body: ExportRequestSchema,
  responses: { 202: { description: 'The queued job', schema: JobSchema } },
  handle: async ({ services, body, res }) => {
    const selection = body.selection ?? 'all';
    const params: ExportParams = {
      selection: selection === 'all' ? { kind: 'all' } : 'ids' in selection ? { kind: 'ids', ids: selection.ids } : { kind: 'filter', filter: toSearchFilter(selection.filter) ?? {} },
      modalities: [...new Set<Modality>(body.modalities ?? MODALITIES)],
      format: body.format ?? 'parquet',
    };
    const status = await jobsOf(services).submitExport(params);
    res.status(202).location(`/v1/jobs/${encodeURIComponent(status.id)}`);
    return jobJson(status);
  },
});

export const submitIngest = defineRoute({
  method: 'post',
  path: '/v1/jobs/ingest',
  tag: 'jobs',
  summary: 'Ingest a server-side survey folder, catalog.csv or folder of files under the data root',
  auth: true,
  body: IngestRequestSchema,
  responses: { 202: { description: 'The queued job', schema: JobSchema } },
  handle: async ({ services, body, config, res }) => {
    const jobs = jobsOf(services);
    const path = await pathInsideRoot(config.dataRoot, body.path);
    const status = await jobs.submitIngest({ path });
    res.status(202).location(`/v1/jobs/${encodeURIComponent(status.id)}`);
    return jobJson(status);
  },
});

export const listJobs = defineRoute({
  method: 'get',
  path: '/v1/jobs',
  tag: 'jobs',
  summary: 'Every job, oldest first',
  auth: true,
  responses: { 200: { description: 'Jobs', schema: JobListSchema } },
  handle: async ({ services }) => ({ jobs: (await jobsOf(services).list()).map(jobJson) }),
});

export const getJob = defineRoute({
  method: 'get',
  path: '/v1/jobs/:id',
  tag: 'jobs',
  summary: 'A job: state, done/total, rate, ETA',
  auth: true,
  params: IdParamsSchema,
  responses: { 200: { description: 'The job', schema: JobSchema } },
  handle: async ({ services, params }) => jobJson(await jobOrNotFound(jobsOf(services), params.id)),
});

export const getJobResult = defineRoute({
  method: 'get',
  path: '/v1/jobs/:id/result',
  tag: 'jobs',
  summary: "A finished export's file, streamed",
  auth: true,
  streaming: true,
  params: IdParamsSchema,
  responses: { 200: { description: 'The file (Parquet, FITS or CSV)', contentType: 'application/octet-stream' } },
  handle: async ({ services, params, res }) => {
    const jobs = jobsOf(services);
    await jobOrNotFound(jobs, params.id);
    const file = await jobs.result(params.id);
    res.status(200);
    res.setHeader('Content-Type', file.mediaType);
    res.setHeader('Content-Length', String(file.bytes));
    res.setHeader('Content-Disposition', `attachment; filename="${file.filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`);
    await pipeline(createReadStream(file.path), res);
  },
});

export const cancelJob = defineRoute({
  method: 'delete',
  path: '/v1/jobs/:id',
  tag: 'jobs',
  summary: 'Cancel a queued or running job (a finished one is left as it is)',
  auth: true,
  params: IdParamsSchema,
  responses: { 200: { description: 'The job after cancelling', schema: JobSchema } },
  handle: async ({ services, params }) => {
    const jobs = jobsOf(services);
    await jobOrNotFound(jobs, params.id);
    const status = await jobs.cancel(params.id);
    return jobJson(status ?? (await jobOrNotFound(jobs, params.id)));
  },
});
