/**
 * The catalog's object columns, as data: every column the store can filter on or hand to the
 * heads, with its SQL type. Names follow the survey catalog (src/sim/catalog-columns.ts; a test
 * checks the two agree), so a catalog row passes through unchanged. Anything else a caller
 * keeps about an object goes, as JSON, into `extra`.
 *
 * Besides these, every object has `id` (its string id), `ra`, `dec` (degrees), `label` (the
 * 32-bit integer the HNSW graphs know it by, assigned by the store and never reused) and
 * `model_id` (the model that embedded its vectors, null until it has one).
 *
 *   const input = objectInputFrom(catalogRow);   // known columns typed, the rest into extra
 *   store.upsertObjects([input]);
 */
import { badInput } from '../util/errors.js';
import { normalizeRa } from './sky.js';

export type SqlType = 'text' | 'real' | 'bool';

export interface ColumnSpec {
  name: string;
  type: SqlType;
  description: string;
}

const GZ = 'Galaxy Zoo DECaLS answer';

/** Nullable label and bookkeeping columns of the objects table, in table order. */
export const OBJECT_COLUMNS = [
  { name: 'class', type: 'text', description: 'Spectral class (GALAXY, QSO, STAR)' },
  { name: 'sample', type: 'text', description: 'Target sample (BGS_BRIGHT, BGS_FAINT, LRG, QSO, STAR)' },
  { name: 'z', type: 'real', description: 'Redshift' },
  { name: 'logmstar', type: 'real', description: 'log10 stellar mass, dex(Msun)' },
  { name: 'logssfr', type: 'real', description: 'log10 specific star-formation rate, dex(1/yr)' },
  { name: 'zmw', type: 'real', description: 'Mass-weighted metallicity log10(Z/Zsun)' },
  { name: 'tage', type: 'real', description: 'Mass-weighted stellar age, Gyr' },
  { name: 'mag_r', type: 'real', description: 'Total AB magnitude in r' },
  { name: 'morph_type', type: 'text', description: 'Structural type (elliptical, lenticular, spiral, point)' },
  { name: 'gz_smooth_or_featured', type: 'text', description: `${GZ}: smooth-or-featured` },
  { name: 'gz_disk_edge_on', type: 'text', description: `${GZ}: disk-edge-on` },
  { name: 'gz_has_spiral_arms', type: 'text', description: `${GZ}: has-spiral-arms` },
  { name: 'gz_bar', type: 'text', description: `${GZ}: bar` },
  { name: 'gz_bulge_size', type: 'text', description: `${GZ}: bulge-size` },
  { name: 'gz_how_rounded', type: 'text', description: `${GZ}: how-rounded` },
  { name: 'gz_edge_on_bulge', type: 'text', description: `${GZ}: edge-on-bulge` },
  { name: 'gz_spiral_winding', type: 'text', description: `${GZ}: spiral-winding` },
  { name: 'gz_spiral_arm_count', type: 'text', description: `${GZ}: spiral-arm-count` },
  { name: 'gz_merging', type: 'text', description: `${GZ}: merging` },
  { name: 'is_lens', type: 'bool', description: 'Strong lens' },
  { name: 'is_merger', type: 'bool', description: 'Ongoing merger' },
  { name: 'split', type: 'text', description: 'train / val / test' },
  { name: 'image_path', type: 'text', description: 'Image cutout file, relative to the survey catalog folder' },
  { name: 'spectrum_path', type: 'text', description: 'Spectrum file, relative to the survey catalog folder' },
] as const satisfies readonly ColumnSpec[];

type Spec = (typeof OBJECT_COLUMNS)[number];
export type ColumnName = Spec['name'];
export type TextColumn = Extract<Spec, { type: 'text' }>['name'];
export type RealColumn = Extract<Spec, { type: 'real' }>['name'];
export type BoolColumn = Extract<Spec, { type: 'bool' }>['name'];

const BY_NAME: ReadonlyMap<string, ColumnSpec> = new Map(OBJECT_COLUMNS.map((c) => [c.name, c]));

export function columnSpec(name: string): ColumnSpec | undefined {
  return BY_NAME.get(name);
}

/** What a caller gives for one object. Columns left out are stored as NULL (an upsert replaces the whole row). */
export type ObjectInput = {
  id: string;
  ra: number;
  dec: number;
  /** Other facts about the object, kept as JSON and returned as given. */
  extra?: Record<string, unknown>;
} & { [K in TextColumn]?: string | null } & { [K in RealColumn]?: number | null } & { [K in BoolColumn]?: boolean | null };

/** One object as the catalog returns it. */
export type ObjectRow = {
  id: string;
  label: number;
  ra: number;
  dec: number;
  /** Model whose embeddings the object has, or null before it is embedded. */
  model_id: string | null;
  extra: Record<string, unknown>;
} & { [K in TextColumn]: string | null } & { [K in RealColumn]: number | null } & { [K in BoolColumn]: boolean | null };

/** Column values in OBJECT_COLUMNS order, as SQLite takes them (bools as 0/1). Throws BAD_INPUT naming the object and field. */
export function encodeObject(input: ObjectInput): { id: string; ra: number; dec: number; values: Array<string | number | null>; extra: string | null } {
  if (input === null || typeof input !== 'object') throw badInput('an object row must be an object');
  const { id } = input;
  if (typeof id !== 'string' || id.length === 0 || id.length > 256) throw badInput(`object id must be a non-empty string of at most 256 characters, got ${JSON.stringify(id)}`);
  const where = `object ${JSON.stringify(id)}`;
  if (typeof input.ra !== 'number' || !Number.isFinite(input.ra)) throw badInput(`${where}: ra must be a finite number of degrees, got ${input.ra}`);
  if (typeof input.dec !== 'number' || !Number.isFinite(input.dec) || input.dec < -90 || input.dec > 90) {
    throw badInput(`${where}: dec must be in [-90, 90] degrees, got ${input.dec}`);
  }
  const record = input as Record<string, unknown>;
  const values = OBJECT_COLUMNS.map((c): string | number | null => {
    const v = record[c.name];
    if (v === undefined || v === null) return null;
    if (c.type === 'text') {
      if (typeof v !== 'string') throw badInput(`${where}: ${c.name} must be a string or null, got ${typeof v}`);
      return v;
    }
    if (c.type === 'real') {
      if (typeof v !== 'number') throw badInput(`${where}: ${c.name} must be a number or null, got ${typeof v}`);
      // NaN means "not measured" in some catalogs; store it as NULL so range filters skip it.
      return Number.isFinite(v) ? v : null;
    }
    if (typeof v !== 'boolean') throw badInput(`${where}: ${c.name} must be a boolean or null, got ${typeof v}`);
    return v ? 1 : 0;
  });
  let extra: string | null = null;
  if (input.extra !== undefined && input.extra !== null) {
    if (typeof input.extra !== 'object' || Array.isArray(input.extra)) throw badInput(`${where}: extra must be a plain object`);
    extra = JSON.stringify(input.extra);
  }
  return { id, ra: normalizeRa(input.ra), dec: input.dec, values, extra };
}

/** A raw SQLite row of the objects table to an ObjectRow. */
export function decodeObject(raw: Record<string, unknown>): ObjectRow {
  const row: Record<string, unknown> = {
    id: raw.id,
    label: raw.label,
    ra: raw.ra,
    dec: raw.dec,
    model_id: raw.model_id ?? null,
    extra: typeof raw.extra === 'string' ? (JSON.parse(raw.extra) as Record<string, unknown>) : {},
  };
  for (const c of OBJECT_COLUMNS) {
    const v = raw[c.name];
    row[c.name] = v === null || v === undefined ? null : c.type === 'bool' ? v === 1 : v;
  }
  return row as ObjectRow;
}

/**
 * Builds an ObjectInput from any record with id, ra and dec (a parsed survey catalog row, say):
 * known columns are taken as they are, except that empty strings (the survey catalog's "not
 * asked") become null; every other field goes into `extra`.
 */
export function objectInputFrom(record: Record<string, unknown>): ObjectInput {
  const out: Record<string, unknown> = { id: record.id, ra: record.ra, dec: record.dec };
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === 'id' || key === 'ra' || key === 'dec' || key === 'label' || key === 'model_id') continue;
    if (key === 'extra' && value && typeof value === 'object') Object.assign(extra, value);
    else if (BY_NAME.has(key)) out[key] = value === '' ? null : value;
    else if (value !== undefined) extra[key] = value;
  }
  if (Object.keys(extra).length > 0) out.extra = extra;
  return out as ObjectInput;
}
