/**
 * Export file formats: what a table of objects and their embeddings looks like as CSV, FITS,
 * Parquet and VOTable. Each writer works on chunks of rows, so no export ever holds the whole
 * catalog in memory; src/jobs/ drives them durably. Import from here.
 *
 *   schema.ts    the columns (catalog + one vector column per modality), units, UCDs
 *   csv.ts       RFC 4180 text, one column per vector component
 *   fits.ts      BINTABLE streamed row by row, fixed-length float32 array columns
 *   parquet.ts   row groups through hyparquet-writer, list<float> vector columns
 *   votable.ts   VOTable 1.4 TABLEDATA for cone search and search results; the error document
 */
export {
  CATALOG_EXPORT_COLUMNS,
  CREATED_BY,
  EXPORT_FORMATS,
  SKYCLIP_VERSION,
  exportSchema,
  formatFloat32,
  scalarValue,
  vectorColumnName,
  type ExportColumn,
  type ExportFormat,
  type ExportRow,
  type ExportSchema,
  type ScalarType,
} from './schema.js';
export { CSV_MEDIA_TYPE, csvColumnNames, csvField, csvHeader, csvRows } from './csv.js';
export {
  FITS_EXTNAME,
  FITS_MEDIA_TYPE,
  encodeFitsRows,
  fitsDataPadding,
  fitsHeader,
  fitsText,
  measureFitsText,
  planFitsTable,
  type FitsField,
  type FitsTableLayout,
  type FitsTextWidths,
} from './fits.js';
export { PARQUET_MEDIA_TYPE, ParquetExportWriter, parquetColumns, parquetMetadataJson, parquetSchema, type ParquetColumns } from './parquet.js';
export { VOTABLE_MEDIA_TYPE, catalogVoFields, toVoTable, voTableError, xmlEscape, type VoDatatype, type VoField, type VoTableOptions } from './votable.js';

import type { ExportFormat } from './schema.js';
import { CSV_MEDIA_TYPE } from './csv.js';
import { FITS_MEDIA_TYPE } from './fits.js';
import { PARQUET_MEDIA_TYPE } from './parquet.js';

/** Media type and file extension of each export format. */
export const FORMAT_FILES: Record<ExportFormat, { mediaType: string; extension: string }> = {
  csv: { mediaType: CSV_MEDIA_TYPE, extension: 'csv' },
  fits: { mediaType: FITS_MEDIA_TYPE, extension: 'fits' },
  parquet: { mediaType: PARQUET_MEDIA_TYPE, extension: 'parquet' },
};
