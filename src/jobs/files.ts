/**
 * Where a job keeps its files, and the byte-level steps every chunk takes. Each job has a
 * directory `<resultsDir>/<jobId>/` holding
 *
 *   plan.json       the frozen selection (ids in order) or ingest plan, written atomically
 *   staging.part    the output so far: chunks appended one after another
 *   <result file>   what a succeeded job hands out (the staging file renamed, or built from it)
 *
 * `appendAt` is how a chunk lands: cut the staging file to the committed length (dropping a
 * chunk that was written but never committed), append, fsync. Only after that does the manager
 * commit the chunk in jobs.sqlite, so a recorded chunk is always on disk and an unrecorded one
 * is always cut off.
 */
import { closeSync, fsyncSync, ftruncateSync, openSync, writeSync, constants } from 'node:fs';
import { join } from 'node:path';

export const PLAN_FILE = 'plan.json';
export const STAGING_FILE = 'staging.part';

export function jobDir(resultsDir: string, jobId: string): string {
  return join(resultsDir, jobId);
}

/** Truncates `path` to `offset` bytes (creating it if missing), writes `bytes` there and fsyncs. Returns the new length. */
export function appendAt(path: string, offset: number, bytes: Uint8Array): number {
  const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o644);
  try {
    ftruncateSync(fd, offset);
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written, offset + written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return offset + bytes.length;
}

/** Starts the staging file afresh with `bytes` (a header, or nothing). */
export function resetStaging(path: string, bytes: Uint8Array = new Uint8Array(0)): number {
  return appendAt(path, 0, bytes);
}
