/**
 * `skyclip inspect`: a summary of every HDU of a FITS file (header cards; image shape,
 * BITPIX and numpy dtype; table columns and formats; statistics over finite values), and
 * its text rendering. The JSON form has the same fields that scripts/astropy-reference.py
 * prints from astropy, which the tests compare against.
 */
import { cardNumber, extname } from './fits/header.js';
import type { BinTableHdu, FitsFile, HeaderCard, ImageHdu, TableColumn } from './fits/types.js';
import { finiteStats, type FiniteStats } from './stats.js';

export interface ColumnSummary {
  name: string;
  format: string;
  unit: string | null;
  repeat: number;
  /** The numpy dtype astropy gives the column ('float32', 'int16', 'uint16', 'bool', ...); 'str' for A. */
  dtype: string;
  /** Over all rows and elements; null for string and logical columns. */
  stats: FiniteStats | null;
}

export interface HduSummary {
  index: number;
  /** EXTNAME; 'PRIMARY' for HDU 0 without one; null otherwise. */
  name: string | null;
  kind: 'image' | 'bintable' | 'skipped';
  cards: HeaderCard[];
  /** Images: BITPIX, row-major shape, astropy's dtype and statistics; null without data. */
  bitpix?: number;
  shape?: number[] | null;
  dtype?: string | null;
  stats?: FiniteStats | null;
  /** Tables. */
  nrows?: number;
  columns?: ColumnSummary[];
  skippedColumns?: Array<{ name: string; format: string; reason: string }>;
  /** Skipped HDUs. */
  reason?: string;
}

export interface FitsSummary {
  source: string;
  hdus: HduSummary[];
  warnings: string[];
}

const INTEGER_DTYPES: Record<number, string> = { 8: 'uint8', 16: 'int16', 32: 'int32', 64: 'int64' };
/** astropy reads these BZERO offsets (with BSCALE = 1) as unsigned (or signed-byte) integers. */
const UNSIGNED_ZERO: Record<number, [number, string]> = {
  8: [-128, 'int8'],
  16: [32768, 'uint16'],
  32: [2147483648, 'uint32'],
  64: [9223372036854775808, 'uint64'],
};

/** The dtype astropy gives an image's data: native for unscaled data, float when scaled or BLANK. */
export function imageDtype(hdu: ImageHdu): string {
  if (hdu.bitpix === -32) return 'float32';
  if (hdu.bitpix === -64) return 'float64';
  const bscale = cardNumber(hdu.cards, 'BSCALE') ?? 1;
  const bzero = cardNumber(hdu.cards, 'BZERO') ?? 0;
  const hasBlank = cardNumber(hdu.cards, 'BLANK') !== undefined;
  if (bscale === 1 && bzero === 0 && !hasBlank) return INTEGER_DTYPES[hdu.bitpix]!;
  const [unsignedZero, unsignedType] = UNSIGNED_ZERO[hdu.bitpix]!;
  if (bscale === 1 && bzero === unsignedZero && !hasBlank) return unsignedType;
  return hdu.bitpix === 8 || hdu.bitpix === 16 ? 'float32' : 'float64';
}

const COLUMN_DTYPES: Record<string, string> = {
  L: 'bool', B: 'uint8', I: 'int16', J: 'int32', K: 'int64', E: 'float32', D: 'float64', A: 'str',
};
const COLUMN_UNSIGNED: Record<string, [number, string]> = {
  B: [-128, 'int8'],
  I: [32768, 'uint16'],
  J: [2147483648, 'uint32'],
  K: [9223372036854775808, 'uint64'],
};

function columnDtype(column: TableColumn): string {
  const type = column.format.replace(/^\d*/, '')[0]!;
  const tscal = column.tscal ?? 1;
  const tzero = column.tzero ?? 0;
  if (tscal === 1 && tzero === 0) return COLUMN_DTYPES[type] ?? 'object';
  const unsigned = COLUMN_UNSIGNED[type];
  if (unsigned && tscal === 1 && tzero === unsigned[0]) return unsigned[1];
  return type === 'E' ? 'float32' : 'float64';
}

function summarizeImage(hdu: ImageHdu): HduSummary {
  const hasData = hdu.shape.length > 0;
  return {
    index: hdu.index,
    name: extname(hdu.cards) ?? (hdu.index === 0 ? 'PRIMARY' : null),
    kind: 'image',
    cards: hdu.cards,
    bitpix: hdu.bitpix,
    shape: hasData ? hdu.shape : null,
    dtype: hasData ? imageDtype(hdu) : null,
    stats: hasData ? finiteStats(hdu.data) : null,
  };
}

function summarizeTable(hdu: BinTableHdu): HduSummary {
  const columns = hdu.columns.map((column): ColumnSummary => {
    const numeric = !Array.isArray(column.data);
    return {
      name: column.name,
      format: column.format,
      unit: column.unit ?? null,
      repeat: column.repeat,
      dtype: columnDtype(column),
      stats: numeric ? finiteStats(column.data as ArrayLike<number>) : null,
    };
  });
  const summary: HduSummary = {
    index: hdu.index,
    name: extname(hdu.cards) ?? null,
    kind: 'bintable',
    cards: hdu.cards,
    nrows: hdu.nrows,
    columns,
  };
  if (hdu.skippedColumns) summary.skippedColumns = hdu.skippedColumns;
  return summary;
}

/** The summary of a file read with readFits/readFitsBuffer. */
export function summarizeFits(file: FitsFile): FitsSummary {
  const hdus = file.hdus.map((hdu) => (hdu.kind === 'image' ? summarizeImage(hdu) : summarizeTable(hdu)));
  for (const skipped of file.skipped ?? []) {
    hdus.push({ index: skipped.index, name: extname(skipped.cards) ?? null, kind: 'skipped', cards: skipped.cards, reason: skipped.reason });
  }
  hdus.sort((a, b) => a.index - b.index);
  return { source: file.source, hdus, warnings: file.warnings ?? [] };
}

function formatNumber(x: number | null): string {
  if (x === null) return '-';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  return x.toPrecision(8);
}

function statsLine(stats: FiniteStats): string {
  return (
    `min ${formatNumber(stats.min)}  max ${formatNumber(stats.max)}  mean ${formatNumber(stats.mean)}` +
    `  sum ${formatNumber(stats.sum)}  finite ${stats.count}  non-finite ${stats.nonFinite}`
  );
}

const COMMENTARY_KEYS = ['COMMENT', 'HISTORY', ''];

function cardLine(card: HeaderCard): string {
  const commentary = COMMENTARY_KEYS.includes(card.key);
  const { value } = card;
  const text =
    value === null ? ''
    : typeof value === 'boolean' ? (value ? 'T' : 'F')
    : typeof value === 'string' && !commentary ? `'${value}'`
    : String(value);
  const key = card.key.padEnd(8);
  const body = commentary ? `${key} ${text}` : `${key} = ${text}`;
  return card.comment ? `${body} / ${card.comment}` : body;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd());
}

/** Human-readable rendering: one block per HDU with its data summary and header cards. */
export function formatFitsSummary(summary: FitsSummary): string {
  const lines: string[] = [`${summary.source}: ${summary.hdus.length} HDU${summary.hdus.length === 1 ? '' : 's'}`];
  for (const warning of summary.warnings) lines.push(`warning: ${warning}`);
  for (const hdu of summary.hdus) {
    const title = `HDU ${hdu.index}${hdu.name ? ` ${hdu.name}` : ''}`;
    lines.push('', `${title}: ${hdu.kind}`);
    if (hdu.kind === 'image') {
      if (!hdu.shape) {
        lines.push(`  no data (NAXIS = 0), BITPIX ${hdu.bitpix}`);
      } else {
        lines.push(`  shape [${hdu.shape.join(', ')}]  BITPIX ${hdu.bitpix}  dtype ${hdu.dtype}`);
        lines.push(`  ${statsLine(hdu.stats!)}`);
      }
    } else if (hdu.kind === 'bintable') {
      lines.push(`  ${hdu.nrows} rows x ${hdu.columns!.length} columns`);
      const rows = [['column', 'format', 'unit', 'dtype', 'min', 'max', 'mean', 'sum', 'non-finite']];
      for (const c of hdu.columns!) {
        const s = c.stats;
        rows.push([c.name, c.format, c.unit ?? '', c.dtype, formatNumber(s?.min ?? null), formatNumber(s?.max ?? null), formatNumber(s?.mean ?? null), s ? formatNumber(s.sum) : '-', s ? String(s.nonFinite) : '-']);
      }
      if (hdu.columns!.length > 0) lines.push(...table(rows).map((l) => `  ${l}`));
      for (const c of hdu.skippedColumns ?? []) lines.push(`  skipped column ${c.name} (${c.format}): ${c.reason}`);
    } else {
      lines.push(`  not decoded: ${hdu.reason}`);
    }
    lines.push(`  header (${hdu.cards.length} cards):`);
    for (const card of hdu.cards) lines.push(`    ${cardLine(card)}`);
  }
  return lines.join('\n');
}
