/**
 * BINTABLE data unit -> columns.
 *
 * Element decoding uses fitsjs's per-column accessors (BinaryTable.accessors, built from
 * TFORMn) for L, B, I, J, E and D, with and without repeat counts. Column byte offsets are
 * computed here rather than taken from fitsjs: its row decoder keys values by TTYPE (so
 * duplicate or missing names lose columns) and gets the width of X columns wrong, which
 * would shift every later column. Done here as well, because fitsjs gets them wrong:
 * - K (64-bit integers): fitsjs's decoder is not a 64-bit read (it mixes the high word
 *   with a "% 10" sign trick); here it is DataView.getBigInt64;
 * - A (strings): fitsjs trims leading blanks (significant in FITS) and keeps NUL padding;
 *   here a string ends at the first NUL and only trailing blanks are dropped, like astropy;
 * - repeat count 0 (a legal empty column): fitsjs reads it as 1;
 * - TSCALn/TZEROn, which fitsjs ignores.
 * Bit (X), complex (C, M) and variable-length (P, Q) columns are listed as skipped.
 */
import { ioError } from '../io-error.js';
import type { FitsjsBinaryTable } from './fitsjs-node.js';
import { cardNumber } from './header.js';
import type { HduLayout } from './structure.js';
import { planColumns, type ColumnPlan } from './table-columns.js';
import { NUMERIC_TYPES } from './tform.js';
import type { ColumnData, SkippedColumn, TableColumn } from './types.js';

function decodeStrings(bytes: Uint8Array, plan: ColumnPlan, nrows: number, rowBytes: number): string[] {
  const out: string[] = [];
  for (let row = 0; row < nrows; row += 1) {
    const start = row * rowBytes + plan.offset;
    let text = '';
    for (let i = 0; i < plan.tform.repeat; i += 1) {
      const byte = bytes[start + i]!;
      if (byte === 0) break;
      text += String.fromCharCode(byte);
    }
    out.push(text.trimEnd());
  }
  return out;
}

function decodeInt64Column(view: DataView, plan: ColumnPlan, nrows: number, rowBytes: number): Float64Array {
  const { repeat } = plan.tform;
  const out = new Float64Array(nrows * repeat);
  for (let row = 0; row < nrows; row += 1) {
    for (let k = 0; k < repeat; k += 1) {
      out[row * repeat + k] = Number(view.getBigInt64(row * rowBytes + plan.offset + k * 8, false));
    }
  }
  return out;
}

function arrayFor(type: string, length: number): Int32Array | Float32Array | Float64Array {
  if (type === 'E') return new Float32Array(length);
  if (type === 'D') return new Float64Array(length);
  return new Int32Array(length);
}

/** Decodes one L/B/I/J/E/D column through fitsjs's accessor for it. */
function decodeWithFitsjs(
  unit: FitsjsBinaryTable,
  view: DataView,
  plan: ColumnPlan,
  nrows: number,
  rowBytes: number,
): Int32Array | Float32Array | Float64Array | boolean[] {
  const accessor = unit.accessors[plan.number - 1]!;
  const { repeat, type } = plan.tform;
  const out = type === 'L' ? new Array<boolean>(nrows * repeat) : arrayFor(type, nrows * repeat);
  for (let row = 0; row < nrows; row += 1) {
    const [value] = accessor(view, row * rowBytes + plan.offset);
    if (repeat === 1) {
      out[row] = value as never;
    } else {
      const values = value as ArrayLike<number | boolean>;
      for (let k = 0; k < repeat; k += 1) out[row * repeat + k] = values[k] as never;
    }
  }
  return out;
}

function applyScaling(data: ColumnData, tscal: number, tzero: number): ColumnData {
  if (tscal === 1 && tzero === 0) return data;
  const raw = data as ArrayLike<number>;
  const out = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i += 1) out[i] = tzero + tscal * raw[i]!;
  return out;
}

export interface DecodedTable {
  nrows: number;
  columns: TableColumn[];
  skippedColumns: SkippedColumn[];
}

export function decodeBinTable(layout: HduLayout, unit: FitsjsBinaryTable | undefined, source: string): DecodedTable {
  const plans = planColumns(layout.cards, layout.naxis[0] ?? 0, layout.index, source);
  const rowBytes = layout.naxis[0] ?? 0;
  const nrows = layout.naxis[1] ?? 0;
  const buffer = unit?.buffer ?? new ArrayBuffer(0);
  if (buffer.byteLength < rowBytes * nrows) {
    throw ioError('FITS_INVALID', source, `HDU ${layout.index}: table data is shorter than NAXIS1 x NAXIS2`);
  }
  const view = new DataView(buffer);
  const bytes = new Uint8Array(buffer);
  const columns: TableColumn[] = [];
  const skippedColumns: SkippedColumn[] = [];
  for (const plan of plans) {
    const { type, repeat } = plan.tform;
    let data: ColumnData;
    if (type === 'A') {
      data = decodeStrings(bytes, plan, nrows, rowBytes);
    } else if (type === 'K') {
      data = decodeInt64Column(view, plan, nrows, rowBytes);
    } else if (type === 'L' || NUMERIC_TYPES.has(type)) {
      if (repeat === 0) data = type === 'L' ? [] : arrayFor(type, 0);
      else if (!unit) throw ioError('INTERNAL', source, `HDU ${layout.index}: fitsjs gave no table data unit`);
      else data = decodeWithFitsjs(unit, view, plan, nrows, rowBytes);
    } else {
      skippedColumns.push({ name: plan.name, format: plan.format, reason: `TFORM type ${type} is not decoded by skyclip` });
      continue;
    }
    const column: TableColumn = { name: plan.name, format: plan.format, repeat, data };
    if (plan.unit) column.unit = plan.unit;
    if (NUMERIC_TYPES.has(type)) {
      const tscal = cardNumber(layout.cards, `TSCAL${plan.number}`) ?? 1;
      const tzero = cardNumber(layout.cards, `TZERO${plan.number}`) ?? 0;
      column.data = applyScaling(data, tscal, tzero);
      if (tscal !== 1) column.tscal = tscal;
      if (tzero !== 0) column.tzero = tzero;
      const tnull = cardNumber(layout.cards, `TNULL${plan.number}`);
      if (tnull !== undefined && type !== 'E' && type !== 'D') column.tnull = tnull;
    }
    columns.push(column);
  }
  return { nrows, columns, skippedColumns };
}
