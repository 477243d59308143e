/**
 * FITS export, written as a stream: an empty primary HDU, then one BINTABLE whose rows are
 * encoded chunk by chunk and appended, then zero padding to the 2880-byte block.
 *
 * A BINTABLE header must state its row count (NAXIS2) and every column's width before the
 * data. skyclip knows both before the first row is encoded: an export freezes its selection
 * first (so the count is exact), and text widths are measured over the selection in that same
 * pass (`measureFitsText`). The header is built from them (`fitsHeader`) and written once the
 * rows are complete, in front of them; nothing is patched afterwards.
 *
 * Columns (FITS 4.0 section 7.3):
 *   id, text columns   nA, NUL-terminated (FITS 4.0 7.3.3.1; numpy and astropy then read them
 *                      without padding); characters outside printable ASCII become \uXXXX
 *   ra, dec, reals     1D (float64), NaN for null; TUNIT from the schema
 *   booleans           1L: T, F, or 0x00 for null (the standard's null logical)
 *   <modality>_emb     <dim>E: the unit float32 vector, TDIM '(<dim>)'; all NaN when the object
 *                      has no vector in that modality
 * Every column also gets TCOMMn (description) and TUCDn (UCD1+), the keywords TOPCAT/STIL
 * write and read. Header cards MODELID, EMB_DIM, EMB_MODS, CREATOR and DATE say where the
 * vectors came from. astropy opens the result with verify('exception') (test/export/).
 */
import { formatCard, END_CARD } from '../io/fits/card-format.js';
import { BLOCK_LENGTH, paddedLength } from '../io/fits/structure.js';
import type { HeaderCard } from '../io/fits/types.js';
import { SkyclipError, badInput } from '../util/errors.js';
import { CREATED_BY, scalarValue, vectorColumnName, type ExportRow, type ExportSchema, type ScalarType } from './schema.js';

export const FITS_MEDIA_TYPE = 'application/fits';
export const FITS_EXTNAME = 'EMBEDDINGS';

/** Widths (characters) of the text columns, by column name. */
export type FitsTextWidths = Record<string, number>;

type FieldKind = ScalarType | 'vector';

export interface FitsField {
  name: string;
  kind: FieldKind;
  tform: string;
  /** Bytes per row. */
  bytes: number;
  /** Characters, for text fields. */
  width?: number;
  unit?: string;
  ucd?: string;
  description: string;
  /** Vector fields: the modality. */
  modality?: string;
}

export interface FitsTableLayout {
  fields: FitsField[];
  rowBytes: number;
  schema: ExportSchema;
}

const PRINTABLE = /^[\x20-\x7e]*$/;

/** Text as FITS can hold it: printable ASCII, anything else as a \uXXXX escape (UTF-16 units). */
export function fitsText(value: string): string {
  if (PRINTABLE.test(value)) return value;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    out += code >= 0x20 && code <= 0x7e ? value[i] : `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return out;
}

/** Raises `widths` to the longest (escaped) text of each text column in `rows`. */
export function measureFitsText(schema: ExportSchema, rows: ReadonlyArray<ExportRow['row']>, widths: FitsTextWidths): FitsTextWidths {
  for (const column of schema.columns) {
    if (column.type !== 'text') continue;
    let width = widths[column.name] ?? 1;
    for (const row of rows) {
      const value = scalarValue(row, column);
      if (typeof value === 'string') width = Math.max(width, fitsText(value).length);
    }
    widths[column.name] = width;
  }
  return widths;
}

/** The BINTABLE's columns and row size for a schema and its text widths. */
export function planFitsTable(schema: ExportSchema, widths: FitsTextWidths): FitsTableLayout {
  const fields: FitsField[] = schema.columns.map((c) => {
    const base = { name: c.name, kind: c.type as FieldKind, unit: c.unit, ucd: c.ucd, description: c.description };
    if (c.type === 'text') {
      const width = widths[c.name] ?? 1;
      if (!Number.isInteger(width) || width < 1) throw badInput(`FITS width of ${c.name} must be a positive integer, got ${width}`);
      return { ...base, tform: `${width}A`, bytes: width, width };
    }
    if (c.type === 'real') return { ...base, tform: '1D', bytes: 8 };
    return { ...base, tform: '1L', bytes: 1 };
  });
  for (const m of schema.modalities) {
    fields.push({
      name: vectorColumnName(m),
      kind: 'vector',
      tform: `${schema.dimension}E`,
      bytes: 4 * schema.dimension,
      ucd: 'stat.value',
      description: `Unit ${m} embedding in the shared space of model ${schema.modelId}`,
      modality: m,
    });
  }
  if (fields.length > 999) throw badInput(`a FITS table holds at most 999 columns, this export has ${fields.length}`);
  return { fields, rowBytes: fields.reduce((s, f) => s + f.bytes, 0), schema };
}

function headerBlock(cards: HeaderCard[]): string {
  const text = cards.flatMap((card) => formatCard(card)).join('') + END_CARD;
  return text.padEnd(paddedLength(text.length), ' ');
}

/**
 * The primary header and the BINTABLE header for `nrows` rows: everything in front of the
 * row bytes. `date` (ISO 8601) goes into DATE; pass the job's creation time so a resumed
 * export writes the same bytes.
 */
export function fitsHeader(layout: FitsTableLayout, nrows: number, meta: { date?: string; cards?: HeaderCard[] } = {}): Uint8Array {
  if (!Number.isInteger(nrows) || nrows < 0) throw badInput(`row count must be a non-negative integer, got ${nrows}`);
  const { schema } = layout;
  const date = meta.date ? meta.date.replace(/\.\d+Z?$|Z$/, '') : undefined;
  const provenance: HeaderCard[] = [
    { key: 'CREATOR', value: CREATED_BY, comment: 'software that wrote this file' },
    ...(date ? [{ key: 'DATE', value: date, comment: 'UTC time the export was requested' }] : []),
  ];
  const primary: HeaderCard[] = [
    { key: 'SIMPLE', value: true, comment: 'conforms to FITS standard' },
    { key: 'BITPIX', value: 8 },
    { key: 'NAXIS', value: 0 },
    { key: 'EXTEND', value: true },
    ...provenance,
  ];
  const table: HeaderCard[] = [
    { key: 'XTENSION', value: 'BINTABLE', comment: 'binary table extension' },
    { key: 'BITPIX', value: 8 },
    { key: 'NAXIS', value: 2 },
    { key: 'NAXIS1', value: layout.rowBytes, comment: 'bytes per row' },
    { key: 'NAXIS2', value: nrows, comment: 'rows (objects)' },
    { key: 'PCOUNT', value: 0 },
    { key: 'GCOUNT', value: 1 },
    { key: 'TFIELDS', value: layout.fields.length },
  ];
  layout.fields.forEach((f, i) => {
    const n = i + 1;
    table.push({ key: `TTYPE${n}`, value: f.name });
    table.push({ key: `TFORM${n}`, value: f.tform });
    if (f.unit) table.push({ key: `TUNIT${n}`, value: f.unit });
    if (f.kind === 'vector') table.push({ key: `TDIM${n}`, value: `(${schema.dimension})` });
    if (f.ucd) table.push({ key: `TUCD${n}`, value: f.ucd });
    table.push({ key: `TCOMM${n}`, value: fitsText(f.description) });
  });
  table.push(
    { key: 'EXTNAME', value: FITS_EXTNAME },
    { key: 'MODELID', value: schema.modelId, comment: 'model that made the embeddings' },
    { key: 'EMB_DIM', value: schema.dimension, comment: 'components per embedding' },
    { key: 'EMB_MODS', value: schema.modalities.join(',') || 'none', comment: 'embedding columns <modality>_emb' },
    ...provenance,
    { key: 'COMMENT', value: 'Embeddings: unit-length float32 vectors in the shared image/spectrum' },
    { key: 'COMMENT', value: 'space; cosine similarity is their dot product. All NaN: the object has' },
    { key: 'COMMENT', value: 'no vector in that modality. Null logicals are stored as 0x00.' },
    ...(meta.cards ?? []),
  );
  const text = headerBlock(primary) + headerBlock(table);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** The row bytes of `rows` (big-endian, no padding). Throws CONFLICT if a text is wider than planned. */
export function encodeFitsRows(layout: FitsTableLayout, rows: readonly ExportRow[]): Uint8Array {
  const out = new Uint8Array(layout.rowBytes * rows.length);
  const view = new DataView(out.buffer);
  const dim = layout.schema.dimension;
  const columns = new Map(layout.schema.columns.map((c) => [c.name, c]));
  rows.forEach(({ row, vectors }, r) => {
    let at = r * layout.rowBytes;
    for (const f of layout.fields) {
      if (f.kind === 'vector') {
        const v = vectors[f.modality as keyof typeof vectors];
        if (v && v.length !== dim) throw new SkyclipError('INTERNAL', `${f.name} of ${row.id} has ${v.length} components, expected ${dim}`);
        for (let i = 0; i < dim; i++) view.setFloat32(at + 4 * i, v ? v[i] : NaN, false);
      } else {
        const value = scalarValue(row, columns.get(f.name)!);
        if (f.kind === 'real') view.setFloat64(at, typeof value === 'number' ? value : NaN, false);
        else if (f.kind === 'bool') view.setUint8(at, value === null ? 0 : value ? 0x54 : 0x46);
        else {
          const text = value === null ? '' : fitsText(String(value));
          if (text.length > f.width!) {
            throw new SkyclipError('CONFLICT', `${f.name} of object ${JSON.stringify(row.id)} is ${text.length} characters, wider than the ${f.width} measured when the export started (the catalog changed during the export); export again`);
          }
          for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i); // the rest stays NUL
        }
      }
      at += f.bytes;
    }
  });
  return out;
}

/** Zeros that complete the data unit of `dataBytes` bytes to a whole block. */
export function fitsDataPadding(dataBytes: number): Uint8Array {
  return new Uint8Array(paddedLength(dataBytes) - dataBytes);
}

export { BLOCK_LENGTH };
