/**
 * Reading a 1-D spectrum from FITS, whatever of the usual layouts it comes in:
 *
 * - 'table-wavelength': a BINTABLE with WAVELENGTH (or WAVE, LAMBDA), FLUX and IVAR columns
 *   (DESI-like). Names are matched case-insensitively; TUNIT of the wavelength column gives
 *   its unit (Angstrom when absent; nm and micron are converted).
 * - 'table-loglam': SDSS spec-*.fits style LOGLAM (log10 Angstrom), FLUX, IVAR columns.
 *   In both table layouts a spectrum is either one value per row (scalar columns) or one
 *   row holding vector columns (e.g. TFORM '7781E'; `opts.row` picks the row, default 0).
 * - 'image-wcs': a 1-D image, or a row-stacked 2-D image whose row 0 is the flux, with the
 *   wavelength WCS of wavelength.ts (linear, or log-linear with DC-FLAG = 1).
 * - 'desi-cameras': DESI's per-camera images (B_/R_/Z_WAVELENGTH, _FLUX, _IVAR, _MASK; one
 *   spectrum per row, `opts.row`), merged into one grid (desi-cameras.ts); sky position and
 *   TARGETID from the FIBERMAP row.
 *
 * Inverse variance: an IVAR column, else 1/err^2 from an ERROR/ERR/SIGMA column. In
 * row-stacked images the rows are described by ARRAYn cards (SDSS: ARRAY3 = 'ERROR'); a row
 * marked IVAR is used as is, a row marked ERROR/SIGMA/NOISE gives 1/err^2. With no
 * uncertainty at all, ivar = 1 wherever the flux is finite (equal weights; `meta.ivarSource`
 * says 'uniform' so callers can tell). Always: non-finite flux, non-finite or negative ivar,
 * and err <= 0 give ivar = 0 (masked). A spectrum with no pixel of ivar > 0 is UNUSABLE.
 * Wavelengths must be finite, positive and strictly monotonic; a decreasing grid is reversed.
 */
import { readFileBytes } from './file.js';
import { ioError } from './io-error.js';
import { cardNumber, cardString, extname } from './fits/header.js';
import { readFitsBuffer } from './fits/read.js';
import type { BinTableHdu, FitsFile, Hdu, ImageHdu, TableColumn } from './fits/types.js';
import { sniffFormat, describeFormat } from './sniff.js';
import { angstromPerUnit, readSpectralWcs, wcsWavelengths } from './wavelength.js';
import { fibermapEntry, findCameraHdus, mergeCameras } from './desi-cameras.js';

export type SpectrumLayout = 'table-wavelength' | 'table-loglam' | 'image-wcs' | 'desi-cameras';

export interface SpectrumMeta {
  /** Index of the HDU the spectrum came from, and its EXTNAME. */
  hdu: number;
  extname?: string;
  /** Table row used for vector columns. */
  row?: number;
  /** Where ivar came from: an ivar column/row, an error column/row, or uniform weights. */
  ivarSource: 'ivar' | 'error' | 'uniform';
  /** Flux unit as given by BUNIT or the flux column's TUNIT. */
  fluxUnit?: string;
  /** Pixels with ivar = 0. */
  maskedPixels: number;
  /** True when the file's wavelengths were decreasing and the arrays were reversed. */
  reversed: boolean;
  /** Redshift and object name when the header has them (Z, OBJECT or NAME). */
  z?: number;
  object?: string;
  /** 'desi-cameras': the cameras merged (in wavelength order), the spectra in the file, and the FIBERMAP row's TARGETID and position (degrees). */
  cameras?: string[];
  spectra?: number;
  targetId?: string;
  ra?: number;
  dec?: number;
}

export interface Spectrum {
  /** Angstrom, strictly increasing. */
  wavelength: Float64Array;
  /** Non-finite values are kept (and have ivar = 0). */
  flux: Float32Array;
  ivar: Float32Array;
  layout: SpectrumLayout;
  source: string;
  meta: SpectrumMeta;
}

export interface ReadSpectrumOptions {
  /** HDU index or EXTNAME (case-insensitive); default: the first HDU holding a spectrum. */
  hdu?: number | string;
  /** Row of a table with vector columns, or spectrum of a per-camera DESI file (default 0). */
  row?: number;
}

const WAVELENGTH_NAMES = ['WAVELENGTH', 'WAVE', 'LAMBDA'];
const LOGLAM_NAMES = ['LOGLAM'];
const FLUX_NAMES = ['FLUX'];
const IVAR_NAMES = ['IVAR'];
const ERROR_NAMES = ['ERROR', 'ERR', 'SIGMA'];

function findColumn(hdu: BinTableHdu, names: readonly string[]): TableColumn | undefined {
  for (const name of names) {
    const column = hdu.columns.find((c) => c.name.toUpperCase() === name);
    if (column) return column;
  }
  return undefined;
}

/** A column the caller needs: UNUSABLE naming the file, HDU and existing columns when missing. */
export function requireColumn(hdu: BinTableHdu, names: readonly string[], source: string): TableColumn {
  const column = findColumn(hdu, names);
  if (column) return column;
  const skipped = hdu.skippedColumns?.find((c) => names.includes(c.name.toUpperCase()));
  if (skipped) {
    throw ioError('UNSUPPORTED', source, `HDU ${hdu.index}: column ${skipped.name} has format ${skipped.format}, which skyclip does not decode`);
  }
  const have = hdu.columns.map((c) => c.name).join(', ') || 'none';
  throw ioError('UNUSABLE', source, `HDU ${hdu.index} has no ${names.join('/')} column (columns: ${have})`);
}

function isSpectrumTable(hdu: Hdu): hdu is BinTableHdu {
  return hdu.kind === 'bintable' && findColumn(hdu, FLUX_NAMES) !== undefined && findColumn(hdu, [...WAVELENGTH_NAMES, ...LOGLAM_NAMES]) !== undefined;
}

function isSpectrumImage(hdu: Hdu): hdu is ImageHdu {
  return hdu.kind === 'image' && (hdu.shape.length === 1 || hdu.shape.length === 2) && hdu.data.length > 0;
}

function pickHdu(file: FitsFile, opts: ReadSpectrumOptions): Hdu {
  const { source } = file;
  if (opts.hdu !== undefined) {
    const wanted = opts.hdu;
    const hdu = typeof wanted === 'number' ? file.hdus.find((h) => h.index === wanted) : file.hdus.find((h) => extname(h.cards)?.toUpperCase() === wanted.toUpperCase());
    if (!hdu) throw ioError('UNUSABLE', source, `there is no decodable HDU ${JSON.stringify(wanted)}`);
    return hdu;
  }
  const hdu = file.hdus.find(isSpectrumTable) ?? file.hdus.find(isSpectrumImage);
  if (!hdu) {
    throw ioError('UNUSABLE', source, 'no spectrum found: expected a table with FLUX and WAVELENGTH or LOGLAM columns, or a 1-D/2-D image with a wavelength WCS');
  }
  return hdu;
}

/** The values of one spectrum from a column: all rows of a scalar column, or one row of a vector column. */
function columnValues(hdu: BinTableHdu, column: TableColumn, row: number, source: string): ArrayLike<number> {
  if (Array.isArray(column.data)) throw ioError('UNUSABLE', source, `HDU ${hdu.index}: column ${column.name} is not numeric`);
  const data = column.data as Float32Array | Float64Array | Int32Array;
  if (column.repeat === 1) return data;
  if (row < 0 || row >= hdu.nrows) {
    throw ioError('BAD_INPUT', source, `HDU ${hdu.index}: row ${row} does not exist (the table has ${hdu.nrows} rows)`);
  }
  return data.subarray(row * column.repeat, (row + 1) * column.repeat);
}

interface RawSpectrum {
  wavelength: Float64Array;
  flux: Float32Array;
  /** ivar as given, or derived from an error array; undefined for uniform weights. */
  ivar?: Float32Array;
  ivarSource: SpectrumMeta['ivarSource'];
  layout: SpectrumLayout;
  fluxUnit?: string;
  row?: number;
}

function ivarFromError(error: ArrayLike<number>): Float32Array {
  const ivar = new Float32Array(error.length);
  for (let i = 0; i < error.length; i += 1) {
    const e = error[i]!;
    ivar[i] = Number.isFinite(e) && e > 0 ? 1 / (e * e) : 0;
  }
  return ivar;
}

function fromTable(hdu: BinTableHdu, opts: ReadSpectrumOptions, source: string): RawSpectrum {
  const row = opts.row ?? 0;
  const flux = requireColumn(hdu, FLUX_NAMES, source);
  const linear = findColumn(hdu, WAVELENGTH_NAMES);
  const waveColumn = linear ?? requireColumn(hdu, [...WAVELENGTH_NAMES, ...LOGLAM_NAMES], source);
  const factor = angstromPerUnit(waveColumn.unit, source, `HDU ${hdu.index} column ${waveColumn.name}`);
  const rawWave = columnValues(hdu, waveColumn, row, source);
  const wavelength = new Float64Array(rawWave.length);
  for (let i = 0; i < rawWave.length; i += 1) wavelength[i] = (linear ? rawWave[i]! : 10 ** rawWave[i]!) * factor;
  const ivarColumn = findColumn(hdu, IVAR_NAMES);
  const errorColumn = ivarColumn ? undefined : findColumn(hdu, ERROR_NAMES);
  const ivar = ivarColumn
    ? Float32Array.from(columnValues(hdu, ivarColumn, row, source))
    : errorColumn
      ? ivarFromError(columnValues(hdu, errorColumn, row, source))
      : undefined;
  const usesRow = [flux, waveColumn, ivarColumn ?? errorColumn].some((c) => c !== undefined && c.repeat > 1);
  return {
    wavelength,
    flux: Float32Array.from(columnValues(hdu, flux, row, source)),
    ...(ivar ? { ivar } : {}),
    ivarSource: ivarColumn ? 'ivar' : errorColumn ? 'error' : 'uniform',
    layout: linear ? 'table-wavelength' : 'table-loglam',
    ...(flux.unit ? { fluxUnit: flux.unit } : {}),
    ...(usesRow ? { row } : {}),
  };
}

/** The row an ARRAYn card marks as `pattern` (0-based), if any. */
function markedRow(hdu: ImageHdu, pattern: RegExp): number | undefined {
  const rows = hdu.shape[0]!;
  for (let n = 1; n <= rows; n += 1) {
    const label = cardString(hdu.cards, `ARRAY${n}`);
    if (label !== undefined && pattern.test(label.trim())) return n - 1;
  }
  return undefined;
}

function fromImage(hdu: ImageHdu, source: string): RawSpectrum {
  const what = `HDU ${hdu.index}`;
  if (hdu.shape.length !== 1 && hdu.shape.length !== 2) {
    throw ioError('UNUSABLE', source, `${what}: a spectrum image must be 1-D or row-stacked 2-D, not shape [${hdu.shape.join(', ')}]`);
  }
  const npix = hdu.shape[hdu.shape.length - 1]!;
  const rowOf = (r: number) => hdu.data.subarray(r * npix, (r + 1) * npix);
  const wavelength = wcsWavelengths(readSpectralWcs(hdu.cards, source, what), npix);
  let ivar: Float32Array | undefined;
  let ivarSource: SpectrumMeta['ivarSource'] = 'uniform';
  if (hdu.shape.length === 2) {
    const ivarRow = markedRow(hdu, /^(IVAR|INVERSE[ _-]?VARIANCE)\b/i);
    const errorRow = markedRow(hdu, /^(ERROR|ERR|SIGMA|NOISE)\b/i);
    if (ivarRow !== undefined && ivarRow > 0) {
      ivar = Float32Array.from(rowOf(ivarRow));
      ivarSource = 'ivar';
    } else if (errorRow !== undefined && errorRow > 0) {
      ivar = ivarFromError(rowOf(errorRow));
      ivarSource = 'error';
    }
  }
  const fluxUnit = cardString(hdu.cards, 'BUNIT');
  return { wavelength, flux: Float32Array.from(rowOf(0)), ...(ivar ? { ivar } : {}), ivarSource, layout: 'image-wcs', ...(fluxUnit ? { fluxUnit } : {}) };
}

/** Reverses a decreasing grid; rejects grids that are not finite, positive and strictly monotonic. */
function orderWavelengths(raw: RawSpectrum, source: string): boolean {
  const w = raw.wavelength;
  for (let i = 0; i < w.length; i += 1) {
    if (!Number.isFinite(w[i]!) || w[i]! <= 0) throw ioError('UNUSABLE', source, `wavelength ${w[i]} at pixel ${i} is not a finite positive number`);
  }
  const increasing = w.every((v, i) => i === 0 || v > w[i - 1]!);
  if (increasing) return false;
  const decreasing = w.every((v, i) => i === 0 || v < w[i - 1]!);
  if (!decreasing) throw ioError('UNUSABLE', source, 'wavelengths are not strictly monotonic');
  w.reverse();
  raw.flux.reverse();
  raw.ivar?.reverse();
  return true;
}

function finalIvar(flux: Float32Array, given: Float32Array | undefined): Float32Array {
  const ivar = new Float32Array(flux.length);
  for (let i = 0; i < flux.length; i += 1) {
    const weight = given ? given[i]! : 1;
    ivar[i] = Number.isFinite(flux[i]!) && Number.isFinite(weight) && weight > 0 ? weight : 0;
  }
  return ivar;
}

/** A DESI per-camera file's spectrum `opts.row`, merged across cameras. */
function fromCameras(file: FitsFile, cameras: ReturnType<typeof findCameraHdus>, opts: ReadSpectrumOptions): Spectrum {
  const row = opts.row ?? 0;
  const merged = mergeCameras(cameras, row, file.source);
  const maskedPixels = merged.ivar.reduce((n, v) => (v > 0 ? n : n + 1), 0);
  const first = cameras.find((c) => c.camera === merged.cameras[0]) ?? cameras[0]!;
  if (maskedPixels === merged.ivar.length) {
    throw ioError('UNUSABLE', file.source, `spectrum row ${row}: no usable pixel in cameras ${merged.cameras.join(', ')} (inverse variance 0 or masked everywhere)`);
  }
  const meta: SpectrumMeta = {
    hdu: first.flux.index,
    extname: merged.cameras.map((c) => `${c}_FLUX`).join('+'),
    row,
    ivarSource: cameras.every((c) => c.ivar) ? 'ivar' : 'uniform',
    maskedPixels,
    reversed: false,
    cameras: merged.cameras,
    spectra: merged.spectra,
    ...fibermapEntry(file, row),
  };
  if (merged.fluxUnit) meta.fluxUnit = merged.fluxUnit;
  return { wavelength: merged.wavelength, flux: merged.flux, ivar: merged.ivar, layout: 'desi-cameras', source: file.source, meta };
}

/** The spectrum in an already-read FITS file. */
export function spectrumFromFits(file: FitsFile, opts: ReadSpectrumOptions = {}): Spectrum {
  const { source } = file;
  if (opts.hdu === undefined) {
    const cameras = findCameraHdus(file);
    if (cameras.length > 0) return fromCameras(file, cameras, opts);
  }
  const hdu = pickHdu(file, opts);
  const raw = hdu.kind === 'bintable' ? fromTable(hdu, opts, source) : fromImage(hdu, source);
  if (raw.wavelength.length !== raw.flux.length || (raw.ivar && raw.ivar.length !== raw.flux.length)) {
    throw ioError('UNUSABLE', source, `HDU ${hdu.index}: wavelength, flux and ivar have different lengths (${raw.wavelength.length}, ${raw.flux.length}, ${raw.ivar?.length ?? raw.flux.length})`);
  }
  if (raw.flux.length === 0) throw ioError('UNUSABLE', source, `HDU ${hdu.index}: the spectrum has no pixels`);
  const reversed = orderWavelengths(raw, source);
  const ivar = finalIvar(raw.flux, raw.ivar);
  const maskedPixels = ivar.reduce((n, v) => (v > 0 ? n : n + 1), 0);
  if (maskedPixels === ivar.length) {
    throw ioError('UNUSABLE', source, `HDU ${hdu.index}: no usable pixel (inverse variance is 0 or flux is not finite everywhere)`);
  }
  const meta: SpectrumMeta = { hdu: hdu.index, ivarSource: raw.ivarSource, maskedPixels, reversed };
  const name = extname(hdu.cards);
  if (name) meta.extname = name;
  if (raw.row !== undefined) meta.row = raw.row;
  if (raw.fluxUnit) meta.fluxUnit = raw.fluxUnit;
  const z = cardNumber(hdu.cards, 'Z') ?? cardNumber(file.hdus[0]?.cards ?? [], 'Z');
  if (z !== undefined) meta.z = z;
  const object = cardString(hdu.cards, 'OBJECT') ?? cardString(hdu.cards, 'NAME');
  if (object) meta.object = object.trim();
  return { wavelength: raw.wavelength, flux: raw.flux, ivar, layout: raw.layout, source, meta };
}

/** Reads a spectrum from FITS bytes (an upload, a download). `source` names it in errors. */
export async function readSpectrumBuffer(buf: Uint8Array, source: string, opts: ReadSpectrumOptions = {}): Promise<Spectrum> {
  const format = sniffFormat(buf);
  if (format === 'png' || format === 'jpeg') {
    throw ioError('UNSUPPORTED', source, `is a ${describeFormat(format)}, not a FITS spectrum`);
  }
  // Anything else goes to the FITS reader, which says precisely why non-FITS bytes are not FITS.
  return spectrumFromFits(await readFitsBuffer(buf, source), opts);
}

export async function readSpectrum(path: string, opts: ReadSpectrumOptions = {}): Promise<Spectrum> {
  return readSpectrumBuffer(await readFileBytes(path), path, opts);
}
