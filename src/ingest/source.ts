/**
 * What the user points `skyclip ingest` at, turned into a list of objects and their files
 * (nothing is read beyond the catalog and the folder listing; files are read when embedded).
 *
 *   resolveIngestSource('/data/survey')          // survey: catalog.csv (+ survey.json) in the folder
 *   resolveIngestSource('/data/my-catalog.csv')  // catalog: id, ra, dec, image_path/spectrum_path, labels
 *   resolveIngestSource('/data/cutouts')         // directory: FITS/PNG/JPEG files, one object per stem
 *
 * Catalogs: id, ra and dec are required, and image_path or spectrum_path (or both); paths are
 * relative to the csv's folder or absolute. Columns the store knows (src/store/columns.ts) are
 * typed by the store's types, columns of the mock survey (src/sim/catalog-columns.ts) by the
 * survey's; the rest stay strings and go, like every column the store has no place for, into
 * the row's `extra` (objectInputFrom). Empty cells are null. A row with a bad value is refused
 * (reported, the others go on); a header without the required columns refuses the whole file.
 *
 * Folders without catalog.csv: files named *.fits, *.fit, *.fts (optionally .gz), *.png,
 * *.jpg, *.jpeg, found recursively (hidden entries skipped). The id is the file stem; files
 * with the same stem are one object (images/s1-7.fits and spectra/s1-7.fits pair up). Which
 * file is the image and which the spectrum is decided by their content when read.
 *
 * Every row records in `extra.source_dir` the absolute folder its relative paths start from, so
 * a store can be re-embedded later from its own catalog (`--rebuild` without a source).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CATALOG_COLUMNS, type ColumnType } from '../sim/catalog-columns.js';
import { OBJECT_COLUMNS, type ObjectRow } from '../store/index.js';
import { SkyclipError, badInput } from '../util/errors.js';
import { parseCsv } from './csv.js';
import type { IngestFailure, IngestSource, SourceEntry } from './types.js';

/** The catalog file a survey folder holds. */
export const CATALOG_FILE = 'catalog.csv';
/** Key of a row's `extra` that records the absolute folder its relative file paths start from. */
export const SOURCE_DIR_KEY = 'source_dir';
/** File names a directory source takes (case-insensitive). */
export const FILE_PATTERN = /\.(fits|fit|fts)(\.gz)?$|\.(png|jpe?g)$/i;
/** Deepest folder level a directory source descends to. */
const MAX_DEPTH = 8;
const MAX_ID_LENGTH = 256;

type CellType = 'string' | 'number' | 'bool';

/** Type of each known column: the store's types first, then the survey catalog's. */
const COLUMN_TYPES: ReadonlyMap<string, CellType> = (() => {
  const types = new Map<string, CellType>();
  const fromSurvey: Record<ColumnType, CellType> = { string: 'string', int: 'number', float: 'number', bool: 'bool' };
  for (const c of CATALOG_COLUMNS) types.set(c.name, fromSurvey[c.type]);
  for (const c of OBJECT_COLUMNS) types.set(c.name, c.type === 'real' ? 'number' : c.type === 'bool' ? 'bool' : 'string');
  types.set('id', 'string');
  types.set('ra', 'number');
  types.set('dec', 'number');
  return types;
})();

async function statOrNull(path: string) {
  try {
    return await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    if (code === 'EACCES' || code === 'EPERM') throw badInput(`${path}: permission denied`);
    throw err;
  }
}

/** Reads a source path into objects. NOT_FOUND for a missing path, BAD_INPUT for a source with no object. */
export async function resolveIngestSource(path: string): Promise<IngestSource> {
  if (typeof path !== 'string' || path.trim() === '') throw badInput('the ingest source must be a path (a survey folder, a catalog .csv or a folder of FITS/PNG/JPEG files)');
  const info = await statOrNull(path);
  if (!info) throw new SkyclipError('NOT_FOUND', `ingest source ${path} does not exist`, { path });
  let source: IngestSource;
  if (info.isDirectory()) {
    const catalog = join(path, CATALOG_FILE);
    if ((await statOrNull(catalog))?.isFile()) {
      const kind = (await statOrNull(join(path, 'survey.json')))?.isFile() ? 'survey' : 'catalog';
      source = { kind, path, ...(await readCatalogFile(catalog)) };
    } else {
      source = { kind: 'directory', path, ...(await readDirectory(path)) };
    }
  } else if (info.isFile()) {
    source = { kind: 'catalog', path, ...(await readCatalogFile(path)) };
  } else {
    throw badInput(`ingest source ${path} is neither a file nor a folder`);
  }
  if (source.entries.length === 0 && source.failed.length === 0) {
    throw badInput(
      source.kind === 'directory'
        ? `ingest source ${path} holds no ${CATALOG_FILE} and no FITS, PNG or JPEG file (*.fits, *.fit, *.fts, *.fits.gz, *.png, *.jpg, *.jpeg)`
        : `ingest source ${path} has no objects (the catalog has a header but no rows)`,
      { path },
    );
  }
  return source;
}

// ---------------------------------------------------------------------------------------------
// Catalogs
// ---------------------------------------------------------------------------------------------

function typedCell(text: string, type: CellType): { value: unknown } | { error: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { value: null };
  if (type === 'string') return { value: text };
  if (type === 'number') {
    const n = Number(trimmed);
    return Number.isNaN(n) && !/^nan$/i.test(trimmed) ? { error: `'${text}' is not a number` } : { value: n };
  }
  const lower = trimmed.toLowerCase();
  if (['true', 't', '1', 'yes'].includes(lower)) return { value: true };
  if (['false', 'f', '0', 'no'].includes(lower)) return { value: false };
  return { error: `'${text}' is not true or false` };
}

function resolvePath(root: string, path: unknown): string | undefined {
  if (typeof path !== 'string' || path.trim() === '') return undefined;
  return isAbsolute(path) ? path : resolve(root, path);
}

/** Reads a catalog csv: one entry per valid row, a failure per refused row. */
export async function readCatalogFile(path: string): Promise<{ entries: SourceEntry[]; failed: IngestFailure[] }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SkyclipError('NOT_FOUND', `${path} does not exist`, { path });
    if (code === 'EISDIR') throw badInput(`${path} is a folder, not a catalog file`);
    throw err;
  }
  if (text.includes('\0')) throw badInput(`${path} is not a text (CSV) catalog`);
  const { header, rows } = parseCsv(text, path);
  if (header.length === 0) throw badInput(`${path} is empty: a catalog needs a header line with id, ra, dec and image_path and/or spectrum_path`);
  const missing = ['id', 'ra', 'dec'].filter((c) => !header.includes(c));
  if (missing.length > 0) throw badInput(`${path}: the catalog has no ${missing.join(', ')} column${missing.length > 1 ? 's' : ''} (its header: ${header.slice(0, 12).join(', ')}${header.length > 12 ? ', ...' : ''})`);
  if (!header.includes('image_path') && !header.includes('spectrum_path')) {
    throw badInput(`${path}: the catalog needs an image_path or a spectrum_path column (files relative to ${dirname(path)} or absolute)`);
  }
  const duplicate = header.find((h, i) => header.indexOf(h) !== i);
  if (duplicate) throw badInput(`${path}: column '${duplicate}' appears twice in the header`);
  const root = resolve(dirname(path));
  const entries: SourceEntry[] = [];
  const failed: IngestFailure[] = [];
  const seen = new Map<string, number>();
  for (const { line, cells } of rows) {
    if (cells.every((c) => c.trim() === '')) continue;
    const idCell = (cells[header.indexOf('id')] ?? '').trim();
    const id = idCell === '' ? `line ${line}` : idCell;
    const fail = (message: string) => failed.push({ id, file: '', message: `${path} line ${line}: ${message}` });
    if (cells.length !== header.length) {
      fail(`${cells.length} cells for ${header.length} columns`);
      continue;
    }
    if (idCell === '') {
      fail('the id is empty');
      continue;
    }
    if (idCell.length > MAX_ID_LENGTH) {
      fail(`the id is longer than ${MAX_ID_LENGTH} characters`);
      continue;
    }
    const row: Record<string, unknown> = {};
    let error: string | undefined;
    header.forEach((name, i) => {
      if (error) return;
      const typed = typedCell(cells[i], COLUMN_TYPES.get(name) ?? 'string');
      if ('error' in typed) error = `column ${name}: ${typed.error}`;
      else if (typed.value !== null) row[name] = typed.value;
    });
    if (error) {
      fail(error);
      continue;
    }
    row.id = idCell;
    const { ra, dec } = row as { ra: number | null; dec: number | null };
    if (typeof ra !== 'number' || !Number.isFinite(ra) || typeof dec !== 'number' || !Number.isFinite(dec) || dec < -90 || dec > 90) {
      fail(`no valid sky position (ra ${String(ra)}, dec ${String(dec)}; degrees, dec in [-90, 90])`);
      continue;
    }
    const image = resolvePath(root, row.image_path);
    const spectrum = resolvePath(root, row.spectrum_path);
    if (!image && !spectrum) {
      fail('neither image_path nor spectrum_path is given');
      continue;
    }
    const first = seen.get(idCell);
    if (first !== undefined) {
      fail(`id ${idCell} already appears on line ${first}`);
      continue;
    }
    seen.set(idCell, line);
    row.extra = { [SOURCE_DIR_KEY]: root };
    const entry: SourceEntry = { id: idCell, row, root };
    if (image) entry.image = image;
    if (spectrum) entry.spectrum = spectrum;
    entries.push(entry);
  }
  return { entries, failed };
}

// ---------------------------------------------------------------------------------------------
// Folders of files
// ---------------------------------------------------------------------------------------------

/** "s1-7.fits.gz" -> "s1-7"; undefined for a name a directory source does not take. */
export function fileStem(name: string): string | undefined {
  const match = FILE_PATTERN.exec(name);
  if (!match) return undefined;
  const stem = name.slice(0, match.index);
  return stem === '' ? undefined : stem;
}

async function listFiles(dir: string, depth: number, out: string[]): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return;
    throw err;
  }
  for (const name of names.sort()) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    const info = await statOrNull(path);
    if (!info) continue;
    if (info.isDirectory()) {
      if (depth < MAX_DEPTH) await listFiles(path, depth + 1, out);
    } else if (info.isFile() && fileStem(name) !== undefined) {
      out.push(path);
    }
  }
}

/** Lists a folder of files into one entry per stem. */
export async function readDirectory(path: string): Promise<{ entries: SourceEntry[]; failed: IngestFailure[] }> {
  const root = resolve(path);
  const files: string[] = [];
  await listFiles(root, 0, files);
  const byStem = new Map<string, string[]>();
  for (const file of files) {
    const stem = fileStem(basename(file))!;
    const list = byStem.get(stem);
    if (list) list.push(file);
    else byStem.set(stem, [file]);
  }
  const entries: SourceEntry[] = [];
  const failed: IngestFailure[] = [];
  for (const stem of [...byStem.keys()].sort()) {
    const group = byStem.get(stem)!;
    if (stem.length > MAX_ID_LENGTH) {
      failed.push({ id: stem.slice(0, 40), file: group[0], message: `the file name is longer than ${MAX_ID_LENGTH} characters` });
      continue;
    }
    if (group.length > 2) {
      failed.push({ id: stem, file: group[0], message: `${group.length} files share this name (${group.map((f) => relative(root, f)).join(', ')}): an object has at most an image and a spectrum` });
      continue;
    }
    entries.push({ id: stem, row: { id: stem, extra: { [SOURCE_DIR_KEY]: root } }, files: group, root });
  }
  return { entries, failed };
}

/** A path as the catalog stores it: relative to `root` with '/' separators, or absolute when outside it. */
export function storedPath(root: string, file: string): string {
  const rel = relative(root, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return file;
  return rel.split(sep).join('/');
}

// ---------------------------------------------------------------------------------------------
// A store's own catalog (what --rebuild re-embeds)
// ---------------------------------------------------------------------------------------------

/**
 * Entries for catalog rows already in a store: files from their image_path / spectrum_path,
 * relative ones resolved against `extra.source_dir`. A row whose files cannot be located is a
 * failure (pass the source again to re-embed it).
 */
export function entriesFromRows(rows: readonly ObjectRow[], storeDir: string): { entries: SourceEntry[]; failed: IngestFailure[] } {
  const entries: SourceEntry[] = [];
  const failed: IngestFailure[] = [];
  for (const row of rows) {
    const dir = row.extra?.[SOURCE_DIR_KEY];
    const root = typeof dir === 'string' && isAbsolute(dir) ? dir : undefined;
    const locate = (p: string | null) => (p && p.trim() !== '' ? (isAbsolute(p) ? p : root ? resolve(root, p) : null) : undefined);
    const image = locate(row.image_path);
    const spectrum = locate(row.spectrum_path);
    if (image === null || spectrum === null) {
      failed.push({ id: row.id, file: String(row.image_path ?? row.spectrum_path), message: `store ${storeDir} does not record the folder its relative paths start from; ingest its source again` });
      continue;
    }
    if (!image && !spectrum) {
      failed.push({ id: row.id, file: '', message: `the catalog row has neither image_path nor spectrum_path` });
      continue;
    }
    const { label: _label, model_id: _model, ...fields } = row;
    const entry: SourceEntry = { id: row.id, row: fields, root: root ?? storeDir };
    if (image) entry.image = image;
    if (spectrum) entry.spectrum = spectrum;
    entries.push(entry);
  }
  return { entries, failed };
}
