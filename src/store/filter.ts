/**
 * Filters on catalog columns, checked and compiled to a parameterized SQL condition on the
 * objects table. Column names come only from OBJECT_COLUMNS (never from the caller's text), and
 * every value is a bound parameter.
 *
 *   compileFilter({
 *     equals: { class: 'GALAXY', split: ['train', 'val'] },
 *     range: { z: { min: 0.1, max: 0.3 } },
 *     cone: { ra: 150.1, dec: 2.2, radiusDeg: 1.5 },
 *   });
 *   // { where: "o.class = ? AND o.split IN (?, ?) AND o.z >= ? AND o.z <= ? AND o.dec BETWEEN ? AND ? AND ...", params }
 *
 * A cone becomes a bounding box on the (dec, ra) index (two RA intervals across RA = 0, no RA
 * bound around a pole) followed by the exact great-circle test, a SQL function the catalog
 * registers (ANGSEP_FUNCTION).
 */
import { badInput } from '../util/errors.js';
import { type BoolColumn, type RealColumn, type TextColumn, OBJECT_COLUMNS, columnSpec } from './columns.js';
import { type Cone, coneBox, validateCone } from './sky.js';

export interface Range {
  /** Inclusive lower bound. */
  min?: number;
  /** Inclusive upper bound. */
  max?: number;
}

export interface SearchFilter {
  /** Equality on text columns (a list means any of them) and boolean columns. */
  equals?: { [K in TextColumn]?: string | readonly string[] } & { [K in BoolColumn]?: boolean };
  /** Inclusive ranges on numeric columns; an object whose value is NULL never matches. */
  range?: { [K in RealColumn]?: Range };
  /** Objects within `radiusDeg` (great-circle) of (`ra`, `dec`), inclusive. */
  cone?: Cone;
}

export interface CompiledFilter {
  /** A SQL boolean expression over the objects table under `alias` ('1' when there is no filter). */
  where: string;
  params: Array<string | number>;
}

/** Name of the SQL function (ra1, dec1, ra2, dec2) -> separation in degrees that the catalog registers. */
export const ANGSEP_FUNCTION = 'skyclip_angsep_deg';

const FILTER_KEYS = new Set(['equals', 'range', 'cone']);

function knownColumns(type: string): string {
  return OBJECT_COLUMNS.filter((c) => c.type === type || (type === 'text' && c.type === 'bool'))
    .map((c) => c.name)
    .join(', ');
}

export function isEmptyFilter(filter: SearchFilter | undefined): boolean {
  if (!filter) return true;
  return Object.keys(filter.equals ?? {}).length === 0 && Object.keys(filter.range ?? {}).length === 0 && !filter.cone;
}

export function compileFilter(filter: SearchFilter | undefined, alias = 'o'): CompiledFilter {
  if (filter === undefined || filter === null) return { where: '1', params: [] };
  if (typeof filter !== 'object') throw badInput('a filter must be an object');
  for (const key of Object.keys(filter)) {
    if (!FILTER_KEYS.has(key)) throw badInput(`unknown filter key '${key}'; expected equals, range or cone`);
  }
  const parts: string[] = [];
  const params: Array<string | number> = [];

  for (const [name, value] of Object.entries(filter.equals ?? {})) {
    if (value === undefined) continue;
    const spec = columnSpec(name);
    if (!spec || spec.type === 'real') {
      throw badInput(`equals: '${name}' is not a text or boolean catalog column; known: ${knownColumns('text')}`);
    }
    const col = `${alias}.${spec.name}`;
    if (spec.type === 'bool') {
      if (typeof value !== 'boolean') throw badInput(`equals: ${name} takes true or false, got ${JSON.stringify(value)}`);
      parts.push(`${col} = ?`);
      params.push(value ? 1 : 0);
      continue;
    }
    const list = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== 'string')) {
      throw badInput(`equals: ${name} takes a string or a non-empty list of strings, got ${JSON.stringify(value)}`);
    }
    parts.push(list.length === 1 ? `${col} = ?` : `${col} IN (${list.map(() => '?').join(', ')})`);
    params.push(...(list as string[]));
  }

  for (const [name, range] of Object.entries(filter.range ?? {}) as Array<[string, Range | undefined]>) {
    if (range === undefined) continue;
    const spec = columnSpec(name);
    if (!spec || spec.type !== 'real') throw badInput(`range: '${name}' is not a numeric catalog column; known: ${knownColumns('real')}`);
    if (range === null || typeof range !== 'object') throw badInput(`range: ${name} takes { min?, max? }`);
    const { min, max } = range;
    for (const [bound, v] of [['min', min], ['max', max]] as const) {
      if (v !== undefined && (typeof v !== 'number' || Number.isNaN(v))) throw badInput(`range: ${name}.${bound} must be a number, got ${JSON.stringify(v)}`);
    }
    if (min === undefined && max === undefined) throw badInput(`range: ${name} needs min, max or both`);
    if (min !== undefined && max !== undefined && min > max) throw badInput(`range: ${name}.min (${min}) is above max (${max})`);
    const col = `${alias}.${spec.name}`;
    if (min !== undefined && Number.isFinite(min)) {
      parts.push(`${col} >= ?`);
      params.push(min);
    }
    if (max !== undefined && Number.isFinite(max)) {
      parts.push(`${col} <= ?`);
      params.push(max);
    }
    // An infinite bound still excludes NULLs: the range asks for objects that have the value.
    if (!(min !== undefined && Number.isFinite(min)) && !(max !== undefined && Number.isFinite(max))) parts.push(`${col} IS NOT NULL`);
  }

  if (filter.cone !== undefined) {
    const cone = validateCone(filter.cone);
    const box = coneBox(cone);
    parts.push(`${alias}.dec BETWEEN ? AND ?`);
    params.push(box.dec[0], box.dec[1]);
    if (!(box.ra.length === 1 && box.ra[0][0] <= 0 && box.ra[0][1] >= 360)) {
      parts.push(`(${box.ra.map(() => `${alias}.ra BETWEEN ? AND ?`).join(' OR ')})`);
      for (const [lo, hi] of box.ra) params.push(lo, hi);
    }
    parts.push(`${ANGSEP_FUNCTION}(${alias}.ra, ${alias}.dec, ?, ?) <= ?`);
    params.push(cone.ra, cone.dec, cone.radiusDeg);
  }

  return { where: parts.length > 0 ? parts.join(' AND ') : '1', params };
}
