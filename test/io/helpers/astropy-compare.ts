/**
 * Comparing `skyclip inspect` summaries with what scripts/astropy-reference.py printed.
 *
 * Exact: HDU count, kinds, names, header cards (key, value, comment), BITPIX, shape, dtype,
 * row counts, column names/formats/units/repeats/dtypes, finite and non-finite counts, min
 * and max (the same values are read, so they are the same doubles).
 * Within tolerance: mean and sum, which depend on summation order (numpy: pairwise float64;
 * skyclip: compensated float64). Both are within a few ulps of the exact result, so the
 * difference is bounded by RELATIVE_TOLERANCE times the scale of the terms:
 *   |ours - astropy| <= RELATIVE_TOLERANCE * max(|min|, |max|) * (count for sums, 1 for means).
 * Scaling by the terms rather than by the result keeps the check meaningful for sums that
 * cancel to nearly zero.
 */
import type { FitsSummary } from '../../../src/io/inspect.js';
import type { FiniteStats } from '../../../src/io/stats.js';

export const RELATIVE_TOLERANCE = 1e-9;

export interface AstropyFileSummary {
  hdus: Array<Record<string, unknown> & { cards: Array<{ key: string; value: unknown; comment?: string }> }>;
  warnings: string[];
}

export interface Comparison {
  differences: string[];
  /** Largest |ours - astropy| / max(|astropy|, tiny) seen for mean and sum. */
  maxRelativeDifference: number;
  valuesCompared: number;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function compareStats(where: string, ours: FiniteStats | null | undefined, ref: FiniteStats | null | undefined, out: Comparison): void {
  if (!ours || !ref) {
    if ((ours ?? null) !== (ref ?? null)) out.differences.push(`${where}: stats ${JSON.stringify(ours)} vs astropy ${JSON.stringify(ref)}`);
    return;
  }
  for (const key of ['count', 'nonFinite', 'min', 'max'] as const) {
    if (ours[key] !== ref[key]) out.differences.push(`${where}: ${key} ${ours[key]} vs astropy ${ref[key]}`);
  }
  const scale = Math.max(Math.abs(ref.min ?? 0), Math.abs(ref.max ?? 0));
  for (const key of ['mean', 'sum'] as const) {
    const a = ours[key];
    const b = ref[key];
    if (a === null || b === null) {
      if (a !== b) out.differences.push(`${where}: ${key} ${a} vs astropy ${b}`);
      continue;
    }
    const allowed = RELATIVE_TOLERANCE * scale * (key === 'sum' ? ref.count : 1);
    if (Math.abs(a - b) > allowed) out.differences.push(`${where}: ${key} ${a} vs astropy ${b}`);
    out.maxRelativeDifference = Math.max(out.maxRelativeDifference, a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(b), Number.MIN_VALUE));
    out.valuesCompared += 1;
  }
}

export function compareWithAstropy(ours: FitsSummary, ref: AstropyFileSummary): Comparison {
  const out: Comparison = { differences: [], maxRelativeDifference: 0, valuesCompared: 0 };
  if (ours.hdus.length !== ref.hdus.length) {
    out.differences.push(`${ours.hdus.length} HDUs vs astropy ${ref.hdus.length}`);
    return out;
  }
  ours.hdus.forEach((hdu, i) => {
    const r = ref.hdus[i]!;
    const where = `HDU ${i}`;
    for (const key of ['index', 'name', 'kind', 'bitpix', 'shape', 'dtype', 'nrows'] as const) {
      if (key in r && !same(hdu[key], r[key])) out.differences.push(`${where}: ${key} ${JSON.stringify(hdu[key])} vs astropy ${JSON.stringify(r[key])}`);
    }
    if (hdu.cards.length !== r.cards.length) out.differences.push(`${where}: ${hdu.cards.length} cards vs astropy ${r.cards.length}`);
    r.cards.forEach((card, j) => {
      const mine = hdu.cards[j];
      const normalized = mine && { key: mine.key, value: mine.value, ...(mine.comment ? { comment: mine.comment } : {}) };
      if (!same(normalized, card)) out.differences.push(`${where} card ${j}: ${JSON.stringify(normalized)} vs astropy ${JSON.stringify(card)}`);
    });
    if (hdu.kind === 'image') compareStats(where, hdu.stats, r.stats as FiniteStats | null, out);
    if (hdu.kind === 'bintable') {
      const refColumns = r.columns as Array<Record<string, unknown> & { stats: FiniteStats | null }>;
      const columns = hdu.columns ?? [];
      if (columns.length !== refColumns.length) out.differences.push(`${where}: ${columns.length} columns vs astropy ${refColumns.length}`);
      refColumns.forEach((rc, j) => {
        const c = columns[j];
        if (!c) return;
        for (const key of ['name', 'format', 'unit', 'repeat', 'dtype'] as const) {
          if (!same(c[key], rc[key])) out.differences.push(`${where} column ${rc.name}: ${key} ${JSON.stringify(c[key])} vs astropy ${JSON.stringify(rc[key])}`);
        }
        compareStats(`${where} column ${rc.name}`, c.stats, rc.stats, out);
      });
    }
  });
  return out;
}
