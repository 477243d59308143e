/**
 * What an export holds, as data: the catalog columns (id, ra, dec, every OBJECT_COLUMN, and
 * `extra` as JSON text) with units, UCDs and descriptions, then one embedding column per
 * requested modality. Every format (CSV, FITS, Parquet, VOTable) is written from this one
 * description, so the formats cannot drift apart.
 *
 *   const schema = exportSchema({ modalities: ['image'], dimension: 64, modelId: 'tiny-…' });
 *   schema.columns.map((c) => c.name);   // ['id', 'ra', 'dec', 'class', …, 'extra']
 *   vectorColumnName('image');           // 'image_emb'
 *
 * Units are strings astropy parses as both FITS and VOUnit units (deg, Gyr, mag); logarithmic
 * quantities (logmstar, logssfr, zmw) have their unit in the description only, because
 * astropy's FITS and VOUnit parsers reject log() units. UCDs are UCD1+ words that astropy's
 * VOTable 1.4 checker accepts.
 */
import { createRequire } from 'node:module';
import { OBJECT_COLUMNS, type ObjectRow } from '../store/columns.js';
import { MODALITIES, type Modality } from '../store/config.js';
import { badInput } from '../util/errors.js';

export const EXPORT_FORMATS = ['parquet', 'fits', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export type ScalarType = 'text' | 'real' | 'bool';

export interface ExportColumn {
  name: string;
  type: ScalarType;
  description: string;
  /** VOUnit string; absent for dimensionless or text columns. */
  unit?: string;
  /** UCD1+ descriptor. */
  ucd?: string;
}

export interface ExportSchema {
  /** Scalar columns, in file order. */
  columns: readonly ExportColumn[];
  /** Modalities whose vectors follow the scalar columns, in this order. */
  modalities: readonly Modality[];
  /** Components per vector. */
  dimension: number;
  /** Model that made the vectors (the store's model id). */
  modelId: string;
}

/** One exported object: its catalog row and, per requested modality, its unit vector (null when it has none). */
export interface ExportRow {
  row: ObjectRow;
  vectors: Partial<Record<Modality, Float32Array | null>>;
}

/** Units and UCDs of the object columns (names from src/store/columns.ts). */
const COLUMN_META: Record<string, { unit?: string; ucd: string }> = {
  class: { ucd: 'src.class' },
  sample: { ucd: 'src.sample' },
  z: { ucd: 'src.redshift' },
  logmstar: { ucd: 'phys.mass' },
  logssfr: { ucd: 'phys.SFR' },
  zmw: { ucd: 'phys.abund.Z' },
  tage: { unit: 'Gyr', ucd: 'time.age' },
  mag_r: { unit: 'mag', ucd: 'phot.mag;em.opt.R' },
  morph_type: { ucd: 'src.morph.type' },
  is_lens: { ucd: 'meta.code' },
  is_merger: { ucd: 'meta.code' },
  split: { ucd: 'meta.dataset' },
  image_path: { ucd: 'meta.ref;obs.image' },
  spectrum_path: { ucd: 'meta.ref;spect' },
};

/** id, ra, dec and extra, around the store's object columns. */
export const CATALOG_EXPORT_COLUMNS: readonly ExportColumn[] = [
  { name: 'id', type: 'text', description: 'Object identifier', ucd: 'meta.id;meta.main' },
  { name: 'ra', type: 'real', description: 'Right ascension (ICRS)', unit: 'deg', ucd: 'pos.eq.ra;meta.main' },
  { name: 'dec', type: 'real', description: 'Declination (ICRS)', unit: 'deg', ucd: 'pos.eq.dec;meta.main' },
  ...OBJECT_COLUMNS.map((c): ExportColumn => {
    const meta = COLUMN_META[c.name] ?? { ucd: c.name.startsWith('gz_') ? 'src.morph' : 'meta.note' };
    return { name: c.name, type: c.type, description: c.description, ...meta };
  }),
  { name: 'extra', type: 'text', description: 'Other catalog fields of the object, as JSON', ucd: 'meta.note' },
];

export function vectorColumnName(modality: Modality): string {
  return `${modality}_emb`;
}

/** skyclip's version, for "created by" fields. */
export const SKYCLIP_VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
export const CREATED_BY = `skyclip ${SKYCLIP_VERSION}`;

export function exportSchema(options: { modalities: readonly Modality[]; dimension: number; modelId: string }): ExportSchema {
  const { modalities, dimension, modelId } = options;
  if (!Array.isArray(modalities) || modalities.some((m) => !MODALITIES.includes(m))) {
    throw badInput(`modalities must be a list of ${MODALITIES.join(', ')}, got ${JSON.stringify(modalities)}`);
  }
  if (new Set(modalities).size !== modalities.length) throw badInput(`modalities lists a modality twice: ${JSON.stringify(modalities)}`);
  if (!Number.isInteger(dimension) || dimension < 1) throw badInput(`dimension must be a positive integer, got ${dimension}`);
  return { columns: CATALOG_EXPORT_COLUMNS, modalities: [...modalities], dimension, modelId };
}

/** The value of a scalar column for a row: strings, numbers, booleans or null (extra as JSON text, null when empty). */
export function scalarValue(row: ObjectRow, column: ExportColumn): string | number | boolean | null {
  if (column.name === 'extra') return row.extra && Object.keys(row.extra).length > 0 ? JSON.stringify(row.extra) : null;
  const value = (row as unknown as Record<string, unknown>)[column.name];
  if (value === undefined || value === null) return null;
  if (column.type === 'real') return typeof value === 'number' && Number.isFinite(value) ? value : null;
  return value as string | boolean;
}

/** Shortest decimal text that reads back as the same float32 (e.g. 0.1f -> "0.1", not "0.10000000149011612"). */
export function formatFloat32(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  for (let digits = 6; digits < 9; digits++) {
    const text = x.toPrecision(digits);
    if (Math.fround(Number(text)) === x) return String(Number(text));
  }
  return String(Number(x.toPrecision(9)));
}
