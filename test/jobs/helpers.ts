/**
 * Shared helpers for test/jobs (not a test file itself): a store with awkward ids and missing
 * vectors, readers that turn an export file of any format back into (id, vectors) rows with
 * independent code (the RFC 4180 parser of test/export, skyclip's FITS reader, hyparquet), and
 * waiting for jobs.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import type { ExportFormat } from '../../src/export/index.js';
import { readFits } from '../../src/io/fits/read.js';
import type { BinTableHdu } from '../../src/io/fits/types.js';
import type { JobManager, JobStatus } from '../../src/jobs/index.js';
import { Store, type Modality } from '../../src/store/index.js';
import { parseCsv } from '../export/helpers.js';
import { embeddings, makeDataset } from '../store/helpers.js';

export const MODEL_ID = 'jobs-test-model';

export function tempRoot(prefix: string): { root: string; cleanup: () => Promise<void> } {
  const root = mkdtempSync(join(tmpdir(), `skyclip-jobs-${prefix}-`));
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/**
 * A store of n objects (test/store's dataset): ids 7 and 8 need CSV quoting and FITS escaping,
 * every 10th object from 5 on has no image vector, and a few carry extra JSON.
 */
export async function makeStore(dir: string, n: number, dim: number, options: { seed?: number } = {}): Promise<Store> {
  const data = makeDataset(n, dim, options.seed ?? 3);
  data.rows.forEach((row, i) => {
    if (i === 7) row.id = 'obj-7,"quoted"\nline';
    if (i === 8) row.id = 'obj-8-é';
    if (i % 4 === 0) row.extra = { note: `n${i}, "q"`, flag: i % 8 === 0 };
  });
  const store = await Store.open(dir, { modelId: MODEL_ID, create: true, dimension: dim, index: { m: 8, efConstruction: 40 } });
  store.upsertObjects(data.rows);
  const all = embeddings(data);
  await store.addEmbeddings('image', all.filter((_, i) => i % 10 !== 5));
  await store.addEmbeddings('spectrum', all);
  return store;
}

export interface ReadBack {
  id: string;
  vectors: Partial<Record<Modality, number[] | null>>;
}

/** \uXXXX escapes (FITS text) back to characters. */
function unescapeFits(text: string): string {
  return text.replace(/\\u([0-9a-f]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** An export file back to its rows, in file order. */
export async function readExport(format: ExportFormat, path: string, modalities: readonly Modality[], dim: number): Promise<ReadBack[]> {
  if (format === 'csv') {
    const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
    const at = new Map(header!.map((name, i) => [name, i]));
    return rows.map((cells) => ({
      id: cells[at.get('id')!]!,
      vectors: Object.fromEntries(
        modalities.map((m) => {
          const parts = Array.from({ length: dim }, (_, i) => cells[at.get(`${m}_emb_${i}`)!]!);
          return [m, parts.every((p) => p === '') ? null : parts.map((p) => Math.fround(Number(p)))];
        }),
      ),
    }));
  }
  if (format === 'fits') {
    const file = await readFits(path);
    const table = file.hdus[1] as BinTableHdu;
    const column = (name: string) => table.columns.find((c) => c.name === name)!;
    const ids = column('id').data as string[];
    return ids.map((id, r) => ({
      id: unescapeFits(id),
      vectors: Object.fromEntries(
        modalities.map((m) => {
          const v = Array.from((column(`${m}_emb`).data as Float32Array).subarray(r * dim, (r + 1) * dim));
          return [m, v.every(Number.isNaN) ? null : v];
        }),
      ),
    }));
  }
  const buf = readFileSync(path);
  const objects = await parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) });
  return objects.map((o) => ({
    id: o.id as string,
    vectors: Object.fromEntries(modalities.map((m) => [m, (o[`${m}_emb`] as number[] | undefined) ?? null])),
  }));
}

/** Resolves with the job's status once it is succeeded, failed or cancelled. */
export function waitFor(jobs: JobManager, id: string, timeoutMs = 30_000): Promise<JobStatus> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const status = jobs.get(id);
      if (status && (status.state === 'succeeded' || status.state === 'failed' || status.state === 'cancelled')) {
        clearInterval(timer);
        clearTimeout(limit);
        resolve(status);
      }
    };
    const timer = setInterval(check, 20);
    const limit = setTimeout(() => {
      clearInterval(timer);
      reject(new Error(`job ${id} did not finish in ${timeoutMs} ms: ${JSON.stringify(jobs.get(id))}`));
    }, timeoutMs);
    check();
  });
}

/** Resolves once no job is queued or running. */
export async function waitIdle(jobs: JobManager, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (jobs.list().some((j) => j.state === 'queued' || j.state === 'running')) {
    if (Date.now() - start > timeoutMs) throw new Error('jobs did not finish in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
