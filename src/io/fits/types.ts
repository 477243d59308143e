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
  /**
   * How many pixels are masked (NaN in `data`): BLANK pixels of integer images plus NaN and
   * +-Inf pixels of float images (Inf is turned into NaN too). Set by the reader.
   */
  maskedCount?: number;
}

/**
 * Decoded column values. Numeric columns: Int32Array for unscaled B/I/J, Float32Array for E,
 * Float64Array for D, K (64-bit integers; exact up to 2^53) and any column with TSCAL/TZERO.
 * L columns are boolean[], A columns string[] (one string per row, trailing blanks removed).
 */
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
  /** TNULLn of an integer column, when present. Values are kept as stored (astropy does too). */
  tnull?: number;
  /** TSCALn/TZEROn when the file has them (already applied to `data`). */
  tscal?: number;
  tzero?: number;
}

/** A column the reader saw but did not decode (bit, complex and variable-length arrays). */
export interface SkippedColumn {
  name: string;
  format: string;
  reason: string;
}

export interface BinTableHdu {
  kind: 'bintable';
  index: number;
  cards: HeaderCard[];
  nrows: number;
  columns: TableColumn[];
  /** Columns of types skyclip does not decode (X, C, M, P, Q); absent when there are none. */
  skippedColumns?: SkippedColumn[];
}

export type Hdu = ImageHdu | BinTableHdu;

/** An HDU that is valid FITS but that skyclip does not decode (ASCII TABLE, tile-compressed image...). */
export interface SkippedHdu {
  index: number;
  /** XTENSION value, e.g. 'TABLE'. */
  xtension: string;
  cards: HeaderCard[];
  reason: string;
}

export interface FitsFile {
  /** Path or name the file was read from, used in error messages. */
  source: string;
  /** Decoded HDUs in file order; `hdus[i].index` is the position in the file. */
  hdus: Hdu[];
  /** HDUs that were left undecoded, with the reason; absent when there are none. */
  skipped?: SkippedHdu[];
  /** Things a strict reader would reject but that were tolerated (e.g. trailing bytes). */
  warnings?: string[];
}

/** What a writer takes for one HDU: data plus the extra cards the caller wants kept. */
export type WritableHdu =
  | {
      kind: 'image';
      /** Row-major shape, as above. */
      shape: number[];
      data: Float32Array | Float64Array | Int16Array | Int32Array | Uint8Array | BigInt64Array;
      /**
       * BITPIX to store; defaults from the array type (8 Uint8Array, 16 Int16Array, 32 Int32Array,
       * 64 BigInt64Array, -32 Float32Array, -64 Float64Array).
       */
      bitpix?: Bitpix;
      /**
       * Linear scaling: `data` holds physical values and the file stores
       * (physical - bzero) / bscale, rounded for integer BITPIX. Written as BSCALE/BZERO cards.
       */
      bscale?: number;
      bzero?: number;
      /** BLANK for integer BITPIX: NaN values are stored as this raw value (read back as NaN). */
      blank?: number;
      cards?: HeaderCard[];
      extname?: string;
    }
  | {
      kind: 'bintable';
      columns: WritableColumn[];
      cards?: HeaderCard[];
      extname?: string;
    };

/** A BINTABLE column to write. */
export interface WritableColumn {
  name: string;
  /** Per-row element count; 1 for scalars. For strings: the fixed width (default: longest string). */
  repeat?: number;
  unit?: string;
  /**
   * Row-major values (nrows * repeat) or one string per row. The TFORM type follows the array:
   * Float64Array D, Float32Array E, Int32Array J, Int16Array I, Uint8Array B, BigInt64Array K,
   * boolean[] L, string[] A.
   */
  data: Float64Array | Float32Array | Int32Array | Int16Array | Uint8Array | BigInt64Array | string[] | boolean[];
  /** Store numeric data as this type instead (e.g. 'I' with tzero 32768 for unsigned 16-bit). */
  format?: 'B' | 'I' | 'J' | 'K' | 'E' | 'D';
  /** TSCALn/TZEROn: `data` is physical, the file stores (physical - tzero) / tscal. */
  tscal?: number;
  tzero?: number;
}
