/**
 * jobs.sqlite: the durable record of every job (WAL, synchronous=FULL, so a committed step
 * survives a crash or power loss). Only the main thread of the one manager that holds it
 * (exclusive locking mode) reads and writes it; workers never touch it.
 *
 *   jobs(seq, id, kind, state, params, frozen, total, done, chunk_size, chunks_done, output_bytes,
 *        created_at, started_at, finished_at, error, result)
 *
 * A job's progress is (chunks_done, done, output_bytes): how many chunks are complete, the
 * objects they hold, and the length of the staging file after them. A chunk's bytes are made
 * durable (fsync) before `commitChunk` records them, in one statement guarded by the expected
 * chunks_done, so a chunk is recorded at most once; anything past output_bytes in the staging
 * file is a chunk that never committed, and is cut off when the job resumes.
 */
import Database from 'better-sqlite3';
import { SkyclipError } from '../util/errors.js';
import type { JobKind, JobParams, JobResult, JobState } from './types.js';

export const JOBS_SCHEMA_VERSION = 1;

export interface JobRecord {
  seq: number;
  id: string;
  kind: JobKind;
  state: JobState;
  params: JobParams;
  /** The selection (or ingest plan) is frozen in the job's directory. */
  frozen: boolean;
  total: number | null;
  done: number;
  /** Objects per chunk, fixed when the selection is frozen (null before). */
  chunkSize: number | null;
  chunksDone: number;
  outputBytes: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  result: JobResult | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('export', 'ingest')),
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  params TEXT NOT NULL,
  frozen INTEGER NOT NULL DEFAULT 0,
  total INTEGER,
  done INTEGER NOT NULL DEFAULT 0,
  chunk_size INTEGER,
  chunks_done INTEGER NOT NULL DEFAULT 0,
  output_bytes INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  error TEXT,
  result TEXT
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state);
`;

function decode(raw: Record<string, unknown>): JobRecord {
  return {
    seq: raw.seq as number,
    id: raw.id as string,
    kind: raw.kind as JobKind,
    state: raw.state as JobState,
    params: JSON.parse(raw.params as string) as JobParams,
    frozen: raw.frozen === 1,
    total: (raw.total as number | null) ?? null,
    done: raw.done as number,
    chunkSize: (raw.chunk_size as number | null) ?? null,
    chunksDone: raw.chunks_done as number,
    outputBytes: raw.output_bytes as number,
    createdAt: raw.created_at as string,
    startedAt: (raw.started_at as string | null) ?? null,
    finishedAt: (raw.finished_at as string | null) ?? null,
    error: (raw.error as string | null) ?? null,
    result: raw.result ? (JSON.parse(raw.result as string) as JobResult) : null,
  };
}

export class JobsDb {
  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
  ) {}

  static open(path: string): JobsDb {
    let db: Database.Database;
    try {
      db = new Database(path);
    } catch (err) {
      throw new SkyclipError('UNUSABLE', `cannot open the jobs database ${path}: ${(err as Error).message}`, { path });
    }
    try {
      // One manager per database: the exclusive locking mode keeps the lock from the first
      // write until close, so a second manager (another process, or one never closed) is
      // refused instead of running the same jobs twice.
      db.pragma('busy_timeout = 100');
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.exec(SCHEMA);
      db.exec('BEGIN IMMEDIATE; COMMIT');
      const version = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get() as string | undefined;
      if (version === undefined) db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?)").run(String(JOBS_SCHEMA_VERSION));
      else if (Number(version) !== JOBS_SCHEMA_VERSION) {
        throw new SkyclipError('UNSUPPORTED', `${path} has jobs schema version ${version}; this skyclip reads version ${JOBS_SCHEMA_VERSION}`, { path });
      }
      return new JobsDb(db, path);
    } catch (err) {
      db.close();
      const code = (err as { code?: string }).code;
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
        throw new SkyclipError('CONFLICT', `the jobs database ${path} is in use by another job manager (another process, or one not closed)`, { path });
      }
      if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') throw new SkyclipError('UNUSABLE', `${path} is not a readable SQLite database (${code})`, { path });
      throw err;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  insert(job: { id: string; kind: JobKind; params: JobParams; createdAt: string }): JobRecord {
    this.db.prepare("INSERT INTO jobs (id, kind, state, params, created_at) VALUES (?, ?, 'queued', ?, ?)").run(job.id, job.kind, JSON.stringify(job.params), job.createdAt);
    return this.get(job.id)!;
  }

  get(id: string): JobRecord | undefined {
    const raw = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    return raw ? decode(raw) : undefined;
  }

  /** Every job, oldest first. */
  list(): JobRecord[] {
    return (this.db.prepare('SELECT * FROM jobs ORDER BY seq').all() as Array<Record<string, unknown>>).map(decode);
  }

  /** The job to run next: one left running by an earlier session first, then the oldest queued. */
  next(): JobRecord | undefined {
    const raw = this.db.prepare("SELECT * FROM jobs WHERE state IN ('running', 'queued') ORDER BY state = 'running' DESC, seq LIMIT 1").get() as Record<string, unknown> | undefined;
    return raw ? decode(raw) : undefined;
  }

  markRunning(id: string, startedAt: string): void {
    this.db.prepare("UPDATE jobs SET state = 'running', started_at = coalesce(started_at, ?) WHERE id = ? AND state IN ('queued', 'running')").run(startedAt, id);
  }

  /** Records the frozen selection: its size and the staging file's initial length. */
  commitFrozen(id: string, total: number, chunkSize: number, outputBytes: number): boolean {
    const info = this.db
      .prepare("UPDATE jobs SET frozen = 1, total = ?, chunk_size = ?, done = 0, chunks_done = 0, output_bytes = ? WHERE id = ? AND frozen = 0 AND state IN ('queued', 'running')")
      .run(total, chunkSize, outputBytes, id);
    return info.changes === 1;
  }

  /** Records chunk `index` as done (only if it is the next one and the job still runs). */
  commitChunk(id: string, index: number, rows: number, outputBytes: number): boolean {
    const info = this.db
      .prepare("UPDATE jobs SET chunks_done = chunks_done + 1, done = done + ?, output_bytes = ? WHERE id = ? AND chunks_done = ? AND state = 'running'")
      .run(rows, outputBytes, id, index);
    return info.changes === 1;
  }

  finish(id: string, state: 'succeeded' | 'failed' | 'cancelled', fields: { finishedAt: string; error?: string | null; result?: JobResult | null }): boolean {
    const info = this.db
      .prepare("UPDATE jobs SET state = ?, finished_at = ?, error = ?, result = ? WHERE id = ? AND state IN ('queued', 'running')")
      .run(state, fields.finishedAt, fields.error ?? null, fields.result ? JSON.stringify(fields.result) : null, id);
    return info.changes === 1;
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM jobs WHERE id = ?').run(id).changes === 1;
  }
}
