/**
 * How store objects look over HTTP: catalog rows without the store's internal fields, links to
 * an object's own resources, and the VOTable row form of search results. Kept in one module so
 * every endpoint shows an object the same way.
 */
import type { ObjectRow, SearchFilter } from '../store/index.js';
import type { FilterInput } from './schemas.js';

export type ObjectJson = Omit<ObjectRow, 'label' | 'model_id'>;

/** A catalog row as the API shows it (no HNSW label, no model id: /v1/models names the model). */
export function objectJson(row: ObjectRow): ObjectJson {
  const { label: _label, model_id: _model, ...rest } = row;
  return rest;
}

export function objectPath(id: string): string {
  return `/v1/objects/${encodeURIComponent(id)}`;
}

export interface Links {
  self: string;
  cutout?: string;
  spectrum?: string;
}

export function linksFor(row: Pick<ObjectRow, 'id' | 'image_path' | 'spectrum_path'>): Links {
  const self = objectPath(row.id);
  return {
    self,
    ...(row.image_path ? { cutout: `${self}/cutout.png` } : {}),
    ...(row.spectrum_path ? { spectrum: `${self}/spectrum.svg` } : {}),
  };
}

/** The API's friendly filter -> the store's SearchFilter (the store checks column names and values). */
export function toSearchFilter(filter: FilterInput | undefined): SearchFilter | undefined {
  if (!filter) return undefined;
  const equals: Record<string, string | readonly string[] | boolean> = { ...(filter.equals ?? {}) };
  const range: Record<string, { min?: number; max?: number }> = { ...(filter.range ?? {}) };
  if (filter.class !== undefined) equals.class = filter.class;
  if (filter.redshift !== undefined) range.z = filter.redshift;
  const out: SearchFilter = {};
  if (Object.keys(equals).length > 0) out.equals = equals as SearchFilter['equals'];
  if (Object.keys(range).length > 0) out.range = range as SearchFilter['range'];
  if (filter.cone) out.cone = { ra: filter.cone.ra, dec: filter.cone.dec, radiusDeg: filter.cone.radius };
  return out;
}

/** Unit-length copy of a vector (the caller has checked it is finite and non-zero). */
export function normalized(values: ArrayLike<number>): Float32Array {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
  const inv = sum > 0 ? 1 / Math.sqrt(sum) : 0;
  return Float32Array.from(values, (v) => v * inv);
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
