/**
 * Parquet export through hyparquet-writer, one row group at a time, so only the rows of one
 * group are ever in memory.
 *
 * Vectors are one `list<float>` column per modality (`image_emb`, `spectrum_emb`; the standard
 * three-level LIST: optional group / repeated `list` / required float `element`), null when the
 * object has no vector there. That is what pyarrow and pandas users expect of an embedding
 * table: `pq.read_table(f)['image_emb']` is a ListArray and `np.stack(df.image_emb)` gives the
 * (n, dim) matrix, as with Hugging Face datasets (Sequence(float32)), LanceDB and DuckDB
 * (FLOAT[]). One column per component would put 2 x 64 columns into the schema and a column
 * chunk per component into every row group's footer metadata, for no gain.
 *
 * Scalars: id, text and extra (JSON text) are UTF8 strings, ra/dec/reals DOUBLE, booleans
 * BOOLEAN; everything but id, ra and dec is nullable. The footer's key-value metadata holds
 * `skyclip` -> JSON {modelId, dimension, modalities, createdBy, columns: units, UCDs,
 * descriptions}, since Parquet has no place for units.
 *
 *   const writer = ParquetExportWriter.create(path, schema);
 *   writer.write(parquetColumns(schema, rows));   // one row group per call
 *   writer.finish();
 */
import { ParquetWriter, fileWriter, type ColumnSource, type SchemaElement } from 'hyparquet-writer';
import { CREATED_BY, scalarValue, vectorColumnName, type ExportRow, type ExportSchema } from './schema.js';

export const PARQUET_MEDIA_TYPE = 'application/vnd.apache.parquet';

/** Column values of some rows, as hyparquet-writer takes them (plain arrays; structured-clone friendly). */
export interface ParquetColumns {
  rows: number;
  columns: Array<{ name: string; data: Array<string | number | boolean | number[] | null> }>;
}

const REQUIRED = new Set(['id', 'ra', 'dec']);

export function parquetSchema(schema: ExportSchema): SchemaElement[] {
  const elements: SchemaElement[] = [{ name: 'root', num_children: schema.columns.length + schema.modalities.length }];
  for (const c of schema.columns) {
    const repetition_type = REQUIRED.has(c.name) ? 'REQUIRED' : 'OPTIONAL';
    if (c.type === 'text') elements.push({ name: c.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type });
    else if (c.type === 'real') elements.push({ name: c.name, type: 'DOUBLE', repetition_type });
    else elements.push({ name: c.name, type: 'BOOLEAN', repetition_type });
  }
  for (const m of schema.modalities) {
    elements.push(
      { name: vectorColumnName(m), repetition_type: 'OPTIONAL', num_children: 1, converted_type: 'LIST', logical_type: { type: 'LIST' } },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', type: 'FLOAT', repetition_type: 'REQUIRED' },
    );
  }
  return elements;
}

/** The footer's `skyclip` metadata (JSON). */
export function parquetMetadataJson(schema: ExportSchema, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    modelId: schema.modelId,
    dimension: schema.dimension,
    modalities: schema.modalities,
    vectorColumns: Object.fromEntries(schema.modalities.map((m) => [m, vectorColumnName(m)])),
    createdBy: CREATED_BY,
    ...extra,
    columns: schema.columns.map((c) => ({ name: c.name, description: c.description, unit: c.unit ?? null, ucd: c.ucd ?? null })),
  });
}

/** Rows to column arrays in schema order. */
export function parquetColumns(schema: ExportSchema, rows: readonly ExportRow[]): ParquetColumns {
  const columns: ParquetColumns['columns'] = schema.columns.map((c) => ({ name: c.name, data: rows.map((r) => scalarValue(r.row, c)) }));
  for (const m of schema.modalities) {
    columns.push({
      name: vectorColumnName(m),
      data: rows.map((r) => {
        const v = r.vectors[m];
        return v ? Array.from(v) : null;
      }),
    });
  }
  return { rows: rows.length, columns };
}

/** Appends row groups to a Parquet file and writes the footer at finish(). */
export class ParquetExportWriter {
  private rows = 0;
  private finished = false;

  private constructor(private readonly writer: ParquetWriter) {}

  /** Creates (or truncates) `path` and writes the leading magic bytes. `metadata` goes into the footer's skyclip JSON. */
  static create(path: string, schema: ExportSchema, metadata: Record<string, unknown> = {}): ParquetExportWriter {
    const writer = new ParquetWriter({
      writer: fileWriter(path),
      schema: parquetSchema(schema),
      kvMetadata: [{ key: 'skyclip', value: parquetMetadataJson(schema, metadata) }],
      createdBy: CREATED_BY,
    });
    return new ParquetExportWriter(writer);
  }

  get rowsWritten(): number {
    return this.rows;
  }

  /** Writes the columns as one row group (nothing for zero rows). */
  write(columns: ParquetColumns): void {
    if (this.finished) throw new Error('ParquetExportWriter: write after finish');
    if (columns.rows === 0) return;
    const columnData = columns.columns.map((c): ColumnSource => ({ name: c.name, data: c.data }));
    void this.writer.write({ columnData, rowGroupSize: columns.rows });
    this.rows += columns.rows;
  }

  /** Writes the footer and flushes the file. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    void this.writer.finish();
  }
}
