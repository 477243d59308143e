/**
 * CSV export (RFC 4180): a header line, then one line per object, CRLF line ends. A field is
 * quoted when it holds a comma, a double quote, CR or LF (quotes doubled inside), or starts or
 * ends with a space, so any text survives a round trip. Empty fields are nulls. Vectors are
 * spread over one column per component (image_emb_0 … image_emb_63), written as the shortest
 * decimal that reads back as the same float32; an object with no vector in a modality has
 * empty cells there. Booleans are `true` / `false`; `extra` is JSON text.
 *
 *   const text = csvHeader(schema) + csvRows(schema, rows);   // chunk after chunk: csvRows only
 */
import { vectorColumnName, formatFloat32, scalarValue, type ExportRow, type ExportSchema } from './schema.js';

export const CSV_MEDIA_TYPE = 'text/csv; charset=utf-8; header=present';
const EOL = '\r\n';
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** One field, quoted when RFC 4180 needs it. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Column names in file order. */
export function csvColumnNames(schema: ExportSchema): string[] {
  const names = schema.columns.map((c) => c.name);
  for (const m of schema.modalities) for (let i = 0; i < schema.dimension; i++) names.push(`${vectorColumnName(m)}_${i}`);
  return names;
}

export function csvHeader(schema: ExportSchema): string {
  return csvColumnNames(schema).map(csvField).join(',') + EOL;
}

/** The lines of `rows` (each ending in CRLF). */
export function csvRows(schema: ExportSchema, rows: readonly ExportRow[]): string {
  const empty = ','.repeat(schema.dimension - 1);
  const lines: string[] = [];
  for (const { row, vectors } of rows) {
    const fields = schema.columns.map((c) => csvField(scalarValue(row, c)));
    for (const m of schema.modalities) {
      const v = vectors[m];
      if (!v) {
        fields.push(empty);
        continue;
      }
      const parts = new Array<string>(v.length);
      for (let i = 0; i < v.length; i++) parts[i] = formatFloat32(v[i]);
      fields.push(parts.join(','));
    }
    lines.push(fields.join(',') + EOL);
  }
  return lines.join('');
}
