/**
 * BINTABLE columns -> TFORM cards and big-endian row bytes (FITS 4.0 section 7.3).
 * Each row holds every column's `repeat` elements in column order; strings are fixed-width,
 * padded with blanks. Numeric values are physical: with TSCAL/TZERO the file stores
 * (value - tzero) / tscal, rounded and range-checked for integer formats.
 */
import { badInput } from '../../util/errors.js';
import type { HeaderCard, WritableColumn } from './types.js';

type StoredType = 'L' | 'B' | 'I' | 'J' | 'K' | 'E' | 'D' | 'A';

const ELEMENT_BYTES: Record<StoredType, number> = { L: 1, B: 1, I: 2, J: 4, K: 8, E: 4, D: 8, A: 1 };
const INTEGER_RANGE: Partial<Record<StoredType, [number, number]>> = {
  B: [0, 255],
  I: [-32768, 32767],
  J: [-2147483648, 2147483647],
  K: [-(2 ** 63), 2 ** 63 - 1024],
};
const PRINTABLE = /^[\x20-\x7e]*$/;

export interface ColumnEncoding {
  column: WritableColumn;
  type: StoredType;
  /** Elements per row (string width for A). */
  repeat: number;
  tscal: number;
  tzero: number;
}

function typeOf(column: WritableColumn, what: string): StoredType {
  const { data } = column;
  if (Array.isArray(data)) {
    if (data.every((v) => typeof v === 'string')) return 'A';
    if (data.every((v) => typeof v === 'boolean')) return 'L';
    throw badInput(`${what}: an array column must hold only strings or only booleans`);
  }
  const natural: StoredType =
    data instanceof Float64Array ? 'D'
    : data instanceof Float32Array ? 'E'
    : data instanceof Int32Array ? 'J'
    : data instanceof Int16Array ? 'I'
    : data instanceof Uint8Array ? 'B'
    : 'K';
  if (column.format !== undefined && data instanceof BigInt64Array && column.format !== 'K') {
    throw badInput(`${what}: BigInt64Array data can only be stored as K`);
  }
  return column.format ?? natural;
}

function rowsOf(column: WritableColumn, type: StoredType, repeat: number, what: string): number {
  if (type === 'A') return column.data.length;
  if (column.data.length % repeat !== 0) {
    throw badInput(`${what}: ${column.data.length} values is not a whole number of rows of ${repeat}`);
  }
  return column.data.length / repeat;
}

function stringWidth(column: WritableColumn, what: string): number {
  const strings = column.data as string[];
  for (const s of strings) {
    if (!PRINTABLE.test(s)) throw badInput(`${what}: strings must be printable ASCII`);
  }
  const longest = strings.reduce((m, s) => Math.max(m, s.length), 0);
  const width = column.repeat ?? Math.max(1, longest);
  if (longest > width) throw badInput(`${what}: a string of ${longest} characters does not fit width ${width}`);
  return width;
}

/** Checks the columns and works out their TFORMs; all columns must have the same row count. */
export function planTable(columns: WritableColumn[], what: string): { encodings: ColumnEncoding[]; nrows: number; rowBytes: number } {
  let nrows: number | undefined;
  const encodings = columns.map((column, i) => {
    const where = `${what} column ${i + 1} '${column.name}'`;
    const type = typeOf(column, where);
    const repeat = type === 'A' ? stringWidth(column, where) : (column.repeat ?? 1);
    if (!Number.isInteger(repeat) || repeat < 1) throw badInput(`${where}: repeat must be a positive integer`);
    const tscal = column.tscal ?? 1;
    const tzero = column.tzero ?? 0;
    if (!Number.isFinite(tscal) || tscal === 0 || !Number.isFinite(tzero)) {
      throw badInput(`${where}: tscal must be finite and non-zero, tzero finite`);
    }
    if ((type === 'A' || type === 'L') && (tscal !== 1 || tzero !== 0)) {
      throw badInput(`${where}: TSCAL/TZERO apply to numeric columns only`);
    }
    if (column.data instanceof BigInt64Array && (tscal !== 1 || tzero !== 0)) {
      throw badInput(`${where}: BigInt64Array data is written unscaled; pass numbers to use TSCAL/TZERO`);
    }
    const rows = rowsOf(column, type, repeat, where);
    if (nrows !== undefined && rows !== nrows) {
      throw badInput(`${where}: has ${rows} rows but earlier columns have ${nrows}`);
    }
    nrows = rows;
    return { column, type, repeat, tscal, tzero };
  });
  const rowBytes = encodings.reduce((sum, e) => sum + e.repeat * ELEMENT_BYTES[e.type], 0);
  return { encodings, nrows: nrows ?? 0, rowBytes };
}

export function columnCards(encodings: ColumnEncoding[]): HeaderCard[] {
  const cards: HeaderCard[] = [];
  encodings.forEach((e, i) => {
    const n = i + 1;
    cards.push({ key: `TTYPE${n}`, value: e.column.name });
    cards.push({ key: `TFORM${n}`, value: `${e.repeat}${e.type}` });
    if (e.column.unit) cards.push({ key: `TUNIT${n}`, value: e.column.unit });
    if (e.tscal !== 1) cards.push({ key: `TSCAL${n}`, value: e.tscal });
    if (e.tzero !== 0) cards.push({ key: `TZERO${n}`, value: e.tzero });
  });
  return cards;
}

function storedNumber(e: ColumnEncoding, value: number, index: number, what: string): number {
  const scaled = e.tscal === 1 && e.tzero === 0 ? value : (value - e.tzero) / e.tscal;
  const range = INTEGER_RANGE[e.type];
  if (!range) return scaled;
  const stored = Math.round(scaled);
  if (!Number.isFinite(stored) || stored < range[0] || stored > range[1]) {
    throw badInput(`${what} column '${e.column.name}': value ${value} at index ${index} does not fit TFORM ${e.type}`);
  }
  return stored;
}

function writeElement(view: DataView, at: number, e: ColumnEncoding, index: number, what: string): void {
  const data = e.column.data;
  if (e.type === 'L') {
    view.setUint8(at, (data as boolean[])[index] ? 0x54 : 0x46);
    return;
  }
  if (data instanceof BigInt64Array) {
    view.setBigInt64(at, data[index]!, false);
    return;
  }
  const value = storedNumber(e, (data as ArrayLike<number>)[index]!, index, what);
  switch (e.type) {
    case 'B': view.setUint8(at, value); break;
    case 'I': view.setInt16(at, value, false); break;
    case 'J': view.setInt32(at, value, false); break;
    case 'K': view.setBigInt64(at, BigInt(value), false); break;
    case 'E': view.setFloat32(at, value, false); break;
    default: view.setFloat64(at, value, false);
  }
}

/**
 * Unscaled float columns (E, D from a Float32Array/Float64Array) in a tight loop: the general
 * per-element path costs ~10x more, and a spectrum table has tens of thousands of elements.
 * Returns false when the column needs the general path.
 */
function writeFloatColumn(view: DataView, e: ColumnEncoding, nrows: number, rowBytes: number, columnOffset: number): boolean {
  if ((e.type !== 'E' && e.type !== 'D') || e.tscal !== 1 || e.tzero !== 0) return false;
  const data = e.column.data;
  if (!(data instanceof Float32Array || data instanceof Float64Array)) return false;
  const size = ELEMENT_BYTES[e.type];
  for (let row = 0; row < nrows; row += 1) {
    const rowStart = row * rowBytes + columnOffset;
    const first = row * e.repeat;
    if (e.type === 'E') {
      for (let k = 0; k < e.repeat; k += 1) view.setFloat32(rowStart + k * size, data[first + k], false);
    } else {
      for (let k = 0; k < e.repeat; k += 1) view.setFloat64(rowStart + k * size, data[first + k], false);
    }
  }
  return true;
}

/** The table's rows, without padding. */
export function encodeTableData(encodings: ColumnEncoding[], nrows: number, rowBytes: number, what: string): Uint8Array {
  const out = new Uint8Array(nrows * rowBytes);
  const view = new DataView(out.buffer);
  let columnOffset = 0;
  for (const e of encodings) {
    const size = ELEMENT_BYTES[e.type];
    if (writeFloatColumn(view, e, nrows, rowBytes, columnOffset)) {
      columnOffset += e.repeat * size;
      continue;
    }
    for (let row = 0; row < nrows; row += 1) {
      const rowStart = row * rowBytes + columnOffset;
      if (e.type === 'A') {
        const text = (e.column.data as string[])[row]!.padEnd(e.repeat, ' ');
        for (let k = 0; k < e.repeat; k += 1) out[rowStart + k] = text.charCodeAt(k);
        continue;
      }
      for (let k = 0; k < e.repeat; k += 1) writeElement(view, rowStart + k * size, e, row * e.repeat + k, what);
    }
    columnOffset += e.repeat * size;
  }
  return out;
}
