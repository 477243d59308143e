/**
 * The in-memory model of a FITS file that the rest of skyclip sees. Readers (fitsjs-backed)
 * produce it and writers consume it; nothing outside src/io knows how bytes are laid out.
 *
 * Conventions:
 * - `shape` is in row-major (numpy/astropy) order: a cube with NAXIS1 = x, NAXIS2 = y,
 *   NAXIS3 = band has shape [NAXIS3, NAXIS2, NAXIS1] = [bands, y, x], and `data[(b*ny + y)*nx + x]`.
 * - Image data are physical values: BSCALE/BZERO applied, BLANK (integer images) and
 *   non-finite floats become NaN so that they are visibly masked, never zeros posing as data.
 */

/** The BITPIX values of the FITS standard (4.0). */
export type Bitpix = 8 | 16 | 32 | 64 | -32 | -64;

export type CardValue = string | number | boolean | null;

export interface HeaderCard {
  /** Keyword, upper case, at most 8 characters (COMMENT/HISTORY/blank allowed). */
  key: string;
  /** Parsed value: strings unquoted, logicals as booleans, numbers as numbers; null for none. */
  value: CardValue;
  comment?: string;
}

export interface ImageHdu {
  kind: 'image';
  /** Position in the file, 0 = primary. */
  index: number;
  cards: HeaderCard[];
  bitpix: Bitpix;
  /** Row-major shape ([] for a header-only HDU with NAXIS = 0). */
  shape: number[];
  /** Physical values, length = product(shape). Float64Array for BITPIX -64 and 32/64, else Float32Array. */
  data: Float32Array | Float64Array;
}

export type ColumnData = Float64Array | Float32Array | Int32Array | string[] | boolean[];

export interface TableColumn {
  name: string;
  /** TFORMn as written, e.g. "1E", "7781E", "16A". */
  format: string;
  unit?: string;
  /** Elements per row (the repeat count; 1 for scalar columns; string width for 'A'). */
  repeat: number;
  /** nrows * repeat values for numeric columns (TSCAL/TZERO applied), nrows strings for 'A'. */
  data: ColumnData;
}

export interface BinTableHdu {
  kind: 'bintable';
  index: number;
  cards: HeaderCard[];
  nrows: number;
  columns: TableColumn[];
}

export type Hdu = ImageHdu | BinTableHdu;

export interface FitsFile {
  /** Path or name the file was read from, used in error messages. */
  source: string;
  hdus: Hdu[];
}

/** What a writer takes for one HDU: data plus the extra cards the caller wants kept. */
export type WritableHdu =
  | {
      kind: 'image';
      /** Row-major shape, as above. */
      shape: number[];
      data: Float32Array | Float64Array | Int16Array | Int32Array | Uint8Array;
      /** BITPIX to store; defaults from the array type (-32 for Float32Array, -64 for Float64Array...). */
      bitpix?: Bitpix;
      cards?: HeaderCard[];
      extname?: string;
    }
  | {
      kind: 'bintable';
      columns: Array<{
        name: string;
        /** Per-row element count; 1 for scalars. */
        repeat?: number;
        unit?: string;
        data: Float64Array | Float32Array | Int32Array | Int16Array | string[];
      }>;
      cards?: HeaderCard[];
      extname?: string;
    };
