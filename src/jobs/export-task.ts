/**
 * The three steps of an export job, as functions of files only (catalog.sqlite opened
 * read-only, the job's directory), so they run the same on a worker thread or inline:
 *
 *   freezeExport    resolves the selection to ids in order, checks them, measures FITS text
 *                   widths, writes plan.json and starts staging.part with the file's header
 *                   (CSV header line; FITS primary + BINTABLE headers with NAXIS2 = the count)
 *   exportChunk     reads chunk i's rows and vectors, encodes them, appends them at the
 *                   committed offset (see files.ts)
 *   finalizeExport  completes the file: FITS padding, or the Parquet file built from the
 *                   staged row groups; then renames it into place
 *
 * Choices: an `ids` selection lists objects in the given order, each once (repeats dropped);
 * an id not in the catalog fails the job at the freeze step, milliseconds after submit, with
 * the ids named (the manager does not read the catalog on the request path). `all` and `filter` list objects in catalog
 * (insertion) order. An object of the frozen selection deleted before its chunk is read fails
 * the job (CONFLICT): the file would otherwise silently lack it.
 *
 * Parquet chunks are staged as length-prefixed structured-clone records of their columns
 * (v8.serialize) and encoded at finalize, a row group per ~PARQUET_ROW_GROUP_ROWS rows: a
 * Parquet footer indexes every row group by file offset, so row groups written before a
 * restart could not be continued by a new writer.
 */
import { closeSync, existsSync, openSync, readSync, renameSync, rmSync, statSync, fsyncSync, constants } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { csvHeader, csvRows } from '../export/csv.js';
import { encodeFitsRows, fitsDataPadding, fitsHeader, measureFitsText, planFitsTable, type FitsTextWidths } from '../export/fits.js';
import { FORMAT_FILES } from '../export/index.js';
import { ParquetExportWriter, parquetColumns, type ParquetColumns } from '../export/parquet.js';
import { exportSchema, type ExportRow, type ExportSchema } from '../export/schema.js';
import { Catalog } from '../store/catalog.js';
import type { ObjectRow } from '../store/columns.js';
import type { SearchFilter } from '../store/filter.js';
import { fsyncDir, writeFileAtomic } from '../util/atomic.js';
import { SkyclipError, badInput } from '../util/errors.js';
import { PLAN_FILE, STAGING_FILE, appendAt, resetStaging } from './files.js';
import type { ExportParams } from './types.js';

/** Rows read per catalog query while freezing. */
const FREEZE_PAGE = 5000;
/** Rows per Parquet row group (chunks are merged up to this). */
export const PARQUET_ROW_GROUP_ROWS = 10_000;
const PLAN_VERSION = 1;

export interface ExportPlan {
  version: number;
  jobId: string;
  ids: string[];
  modelId: string;
  dimension: number;
  /** FITS only: text column widths and the header's length in the staging file. */
  fits?: { widths: FitsTextWidths; headerBytes: number; rowBytes: number };
}

export interface ExportTaskArgs {
  jobId: string;
  catalogPath: string;
  jobDir: string;
  params: ExportParams;
  /** ISO time the job was created (FITS DATE). */
  createdAt: string;
}

// One catalog connection and one plan kept between chunks of the running job.
let openCatalog: { path: string; catalog: Catalog } | undefined;
let cachedPlan: { jobDir: string; plan: ExportPlan } | undefined;

function catalogAt(path: string): Catalog {
  if (openCatalog?.path === path) return openCatalog.catalog;
  openCatalog?.catalog.close();
  openCatalog = { path, catalog: Catalog.open(path, { readOnly: true }) };
  return openCatalog.catalog;
}

/** Closes the catalog connection and forgets the cached plan. */
export function releaseExportResources(): void {
  openCatalog?.catalog.close();
  openCatalog = undefined;
  cachedPlan = undefined;
}

async function planOf(jobDir: string): Promise<ExportPlan> {
  if (cachedPlan?.jobDir === jobDir) return cachedPlan.plan;
  let plan: ExportPlan;
  try {
    plan = JSON.parse(await readFile(join(jobDir, PLAN_FILE), 'utf8')) as ExportPlan;
  } catch (err) {
    throw new SkyclipError('UNUSABLE', `the export's frozen selection ${join(jobDir, PLAN_FILE)} cannot be read: ${(err as Error).message}`);
  }
  if (plan.version !== PLAN_VERSION) throw new SkyclipError('UNSUPPORTED', `export plan version ${plan.version} is not ${PLAN_VERSION}`);
  cachedPlan = { jobDir, plan };
  return plan;
}

function schemaOf(plan: ExportPlan, params: ExportParams): ExportSchema {
  return exportSchema({ modalities: params.modalities, dimension: plan.dimension, modelId: plan.modelId });
}

export function resultFileName(jobId: string, params: ExportParams): string {
  return `skyclip-export-${jobId.slice(0, 8)}.${FORMAT_FILES[params.format].extension}`;
}

/** Ids of an `ids` selection that exist, in the given order without repeats; BAD_INPUT naming the missing ones. */
function checkIds(catalog: Catalog, requested: readonly string[]): { ids: string[]; labels: number[] } {
  const seen = new Set<string>();
  const ids = requested.filter((id) => (seen.has(id) ? false : (seen.add(id), true)));
  const labels: number[] = [];
  const missing: string[] = [];
  for (let start = 0; start < ids.length; start += FREEZE_PAGE) {
    const page = ids.slice(start, start + FREEZE_PAGE);
    const found = catalog.labelsOf(page);
    for (const id of page) {
      const label = found.get(id);
      if (label === undefined) missing.push(id);
      else labels.push(label);
    }
  }
  if (missing.length > 0) {
    const shown = missing.slice(0, 10).map((id) => JSON.stringify(id)).join(', ');
    throw badInput(`${missing.length} of the ${ids.length} requested id(s) are not in the catalog: ${shown}${missing.length > 10 ? ', …' : ''}`, {
      missing: missing.slice(0, 100),
    });
  }
  return { ids, labels };
}

/**
 * Ids passing `filter`, in catalog order, read a page at a time. Pages are separate queries, so
 * a write between two of them could shift the pages; the count is compared before and after
 * and the read repeated (up to 3 times) until the catalog held still.
 */
function selectIds(catalog: Catalog, filter: SearchFilter | undefined, onRows?: (rows: ObjectRow[]) => void): string[] {
  for (let attempt = 0; attempt < 3; attempt++) {
    const before = catalog.countFiltered(filter);
    const seen = new Set<string>();
    for (let offset = 0; ; offset += FREEZE_PAGE) {
      const rows = catalog.select(filter, FREEZE_PAGE, offset);
      for (const row of rows) seen.add(row.id);
      onRows?.(rows);
      if (rows.length < FREEZE_PAGE) break;
    }
    if (catalog.countFiltered(filter) === before && seen.size === before) return [...seen];
  }
  throw new SkyclipError('CONFLICT', 'the catalog changed during each of 3 attempts to freeze the export selection; try again when ingest is done');
}

/** Step 1: freeze the selection; returns its size and the staging file's length (the header). */
export async function freezeExport(args: ExportTaskArgs): Promise<{ total: number; outputBytes: number }> {
  cachedPlan = undefined;
  const catalog = catalogAt(args.catalogPath);
  const { modelId, dimension } = catalog.meta;
  const schema = exportSchema({ modalities: args.params.modalities, dimension, modelId });
  const fits = args.params.format === 'fits';
  const widths: FitsTextWidths = {};
  let ids: string[];
  const selection = args.params.selection;
  if (selection.kind === 'ids') {
    const checked = checkIds(catalog, selection.ids);
    ids = checked.ids;
    if (fits) {
      for (let start = 0; start < checked.labels.length; start += FREEZE_PAGE) {
        const rows = catalog.rowsByLabel(checked.labels.slice(start, start + FREEZE_PAGE));
        measureFitsText(schema, [...rows.values()], widths);
      }
    }
  } else {
    ids = selectIds(catalog, selection.kind === 'filter' ? selection.filter : undefined, fits ? (rows) => measureFitsText(schema, rows, widths) : undefined);
  }

  const plan: ExportPlan = { version: PLAN_VERSION, jobId: args.jobId, ids, modelId, dimension };
  let header: Uint8Array = new Uint8Array(0);
  if (args.params.format === 'csv') header = Buffer.from(csvHeader(schema), 'utf8');
  if (fits) {
    const layout = planFitsTable(schema, widths);
    header = fitsHeader(layout, ids.length, { date: args.createdAt });
    plan.fits = { widths, headerBytes: header.length, rowBytes: layout.rowBytes };
  }
  await writeFileAtomic(join(args.jobDir, PLAN_FILE), JSON.stringify(plan));
  const outputBytes = resetStaging(join(args.jobDir, STAGING_FILE), header);
  cachedPlan = { jobDir: args.jobDir, plan };
  return { total: ids.length, outputBytes };
}

/** Rows and vectors of `ids`, in that order. CONFLICT when one has left the catalog. */
function readRows(catalog: Catalog, ids: readonly string[], schema: ExportSchema): ExportRow[] {
  const labels = catalog.labelsOf(ids);
  const gone = ids.filter((id) => !labels.has(id));
  if (gone.length > 0) {
    throw new SkyclipError(
      'CONFLICT',
      `${gone.length} object(s) of the export's selection were deleted from the store after it was submitted (e.g. ${gone.slice(0, 5).map((id) => JSON.stringify(id)).join(', ')}); submit the export again`,
    );
  }
  const labelList = ids.map((id) => labels.get(id)!);
  const rows = catalog.rowsByLabel(labelList);
  const vectors = new Map(schema.modalities.map((m) => [m, new Map(catalog.vectorsFor(m, labelList, schema.dimension))]));
  return labelList.map((label) => {
    const row = rows.get(label) as ObjectRow;
    const out: ExportRow = { row, vectors: {} };
    for (const m of schema.modalities) {
      const v = vectors.get(m)!.get(label);
      out.vectors[m] = v ? Float32Array.from(v) : null;
    }
    return out;
  });
}

function encodeParquetRecord(columns: ParquetColumns): Uint8Array {
  const body = serialize(columns);
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeUInt32LE(body.length, 0);
  body.copy(out, 4);
  return out;
}

/** Step 2: chunk `index` (rows index*chunkSize .. +chunkSize of the plan) appended at `offset`. */
export async function exportChunk(args: ExportTaskArgs & { index: number; chunkSize: number; offset: number }): Promise<{ rows: number; outputBytes: number }> {
  const plan = await planOf(args.jobDir);
  const schema = schemaOf(plan, args.params);
  const ids = plan.ids.slice(args.index * args.chunkSize, (args.index + 1) * args.chunkSize);
  if (ids.length === 0) throw new SkyclipError('INTERNAL', `chunk ${args.index} of job ${args.jobId} is past the end of its ${plan.ids.length} objects`);
  const rows = readRows(catalogAt(args.catalogPath), ids, schema);
  let bytes: Uint8Array;
  switch (args.params.format) {
    case 'csv':
      bytes = Buffer.from(csvRows(schema, rows), 'utf8');
      break;
    case 'fits':
      bytes = encodeFitsRows(planFitsTable(schema, plan.fits!.widths), rows);
      break;
    default:
      bytes = encodeParquetRecord(parquetColumns(schema, rows));
  }
  const outputBytes = appendAt(join(args.jobDir, STAGING_FILE), args.offset, bytes);
  return { rows: rows.length, outputBytes };
}

function readExactly(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, position + got);
    if (n === 0) throw new SkyclipError('UNUSABLE', 'the staged export ends early (truncated staging file)');
    got += n;
  }
  return buf;
}

function mergeColumns(parts: ParquetColumns[]): ParquetColumns {
  if (parts.length === 1) return parts[0]!;
  return {
    rows: parts.reduce((s, p) => s + p.rows, 0),
    columns: parts[0]!.columns.map((c, i) => ({ name: c.name, data: parts.flatMap((p) => p.columns[i]!.data) })),
  };
}

function syncFile(path: string): void {
  const fd = openSync(path, constants.O_RDWR);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Step 3: the result file from the staging file of `outputBytes` bytes. Safe to repeat. */
export async function finalizeExport(args: ExportTaskArgs & { total: number; outputBytes: number }): Promise<{ filename: string; bytes: number; mediaType: string }> {
  const staging = join(args.jobDir, STAGING_FILE);
  const filename = resultFileName(args.jobId, args.params);
  const target = join(args.jobDir, filename);
  const mediaType = FORMAT_FILES[args.params.format].mediaType;
  if (!existsSync(staging)) {
    // Finalized before a restart, which came before the success was recorded.
    if (existsSync(target)) return { filename, bytes: statSync(target).size, mediaType };
    throw new SkyclipError('UNUSABLE', `the export's staging file ${staging} is missing`);
  }
  if (statSync(staging).size < args.outputBytes) throw new SkyclipError('UNUSABLE', `the export's staging file ${staging} is shorter than its committed ${args.outputBytes} bytes`);

  if (args.params.format === 'parquet') {
    const plan = await planOf(args.jobDir);
    const schema = schemaOf(plan, args.params);
    const tmp = `${target}.tmp`;
    const writer = ParquetExportWriter.create(tmp, schema, { jobId: args.jobId, createdAt: args.createdAt });
    const fd = openSync(staging, constants.O_RDONLY);
    try {
      let pending: ParquetColumns[] = [];
      let pendingRows = 0;
      for (let at = 0; at < args.outputBytes; ) {
        const length = readExactly(fd, 4, at).readUInt32LE(0);
        const record = deserialize(readExactly(fd, length, at + 4)) as ParquetColumns;
        at += 4 + length;
        pending.push(record);
        pendingRows += record.rows;
        if (pendingRows >= PARQUET_ROW_GROUP_ROWS) {
          writer.write(mergeColumns(pending));
          pending = [];
          pendingRows = 0;
        }
      }
      if (pending.length > 0) writer.write(mergeColumns(pending));
      writer.finish();
    } finally {
      closeSync(fd);
    }
    if (writer.rowsWritten !== args.total) throw new SkyclipError('INTERNAL', `the Parquet file has ${writer.rowsWritten} rows, the selection ${args.total}`);
    syncFile(tmp);
    renameSync(tmp, target);
    rmSync(staging, { force: true });
  } else {
    let bytes: Uint8Array = new Uint8Array(0);
    if (args.params.format === 'fits') {
      const plan = await planOf(args.jobDir);
      const dataBytes = args.outputBytes - plan.fits!.headerBytes;
      if (dataBytes !== args.total * plan.fits!.rowBytes) {
        throw new SkyclipError('INTERNAL', `the FITS table holds ${dataBytes} bytes of rows, expected ${args.total} x ${plan.fits!.rowBytes}`);
      }
      bytes = fitsDataPadding(dataBytes);
    }
    appendAt(staging, args.outputBytes, bytes);
    renameSync(staging, target);
  }
  await fsyncDir(args.jobDir);
  // The result is in place and a repeat returns it from the check above: the plan is done with.
  rmSync(join(args.jobDir, PLAN_FILE), { force: true });
  if (cachedPlan?.jobDir === args.jobDir) cachedPlan = undefined;
  return { filename, bytes: statSync(target).size, mediaType };
}
