/**
 * Reading FITS files into the FitsFile model (types.ts). The steps:
 * 1. gunzip when the bytes are gzip (.fits.gz is how surveys often serve files);
 * 2. scanFitsLayout validates the block structure and parses the cards (structure.ts), so
 *    malformed input is a clear SkyclipError and never reaches fitsjs;
 * 3. fitsjs parses the file (fitsjs-node.ts) under a timeout and hands back each HDU's
 *    data unit; its HDU count and data sizes must agree with step 2;
 * 4. data units become physical values (image-data.ts, table-data.ts).
 */
import { gunzipSync } from 'node:zlib';
import { readFileBytes } from '../file.js';
import { ioError } from '../io-error.js';
import { FitsjsError, parseWithFitsjs, type FitsjsBinaryTable, type FitsjsHdu } from './fitsjs-node.js';
import { cardBoolean, cardNumber } from './header.js';
import { decodeRawImage, toPhysical } from './image-data.js';
import { scanFitsLayout, type HduLayout } from './structure.js';
import { decodeBinTable } from './table-data.js';
import type { BinTableHdu, FitsFile, Hdu, ImageHdu, SkippedHdu } from './types.js';

export interface ReadFitsOptions {
  /** Give up when fitsjs has not finished after this many milliseconds (default 20000). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 20_000;
/** Refuse to inflate gzip input beyond this, so a small hostile file cannot exhaust memory. */
const MAX_GUNZIPPED_BYTES = 2 ** 31 - 1;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function gunzip(bytes: Uint8Array, source: string): Uint8Array {
  try {
    return gunzipSync(bytes, { maxOutputLength: MAX_GUNZIPPED_BYTES });
  } catch (err) {
    throw ioError('FITS_INVALID', source, `gzip data could not be decompressed (${(err as Error).message})`);
  }
}

function imageHdu(layout: HduLayout, unit: FitsjsHdu['data'], source: string): ImageHdu {
  const shape = [...layout.naxis].reverse();
  const count = layout.naxis.length === 0 ? 0 : layout.naxis.reduce((a, b) => a * b, 1);
  const buffer = unit?.buffer ?? new ArrayBuffer(0);
  if (buffer.byteLength < count * (Math.abs(layout.bitpix) / 8)) {
    throw ioError('INTERNAL', source, `HDU ${layout.index}: fitsjs returned fewer data bytes than the header announces`);
  }
  const raw = decodeRawImage(buffer, layout.bitpix, count);
  const { data, maskedCount } = toPhysical(raw, layout.bitpix, {
    bscale: cardNumber(layout.cards, 'BSCALE') ?? 1,
    bzero: cardNumber(layout.cards, 'BZERO') ?? 0,
    blank: cardNumber(layout.cards, 'BLANK'),
  });
  return { kind: 'image', index: layout.index, cards: layout.cards, bitpix: layout.bitpix, shape, data, maskedCount };
}

function tableHdu(layout: HduLayout, unit: FitsjsHdu['data'], source: string): BinTableHdu {
  const decoded = decodeBinTable(layout, unit as FitsjsBinaryTable | undefined, source);
  const hdu: BinTableHdu = {
    kind: 'bintable',
    index: layout.index,
    cards: layout.cards,
    nrows: decoded.nrows,
    columns: decoded.columns,
  };
  if (decoded.skippedColumns.length > 0) hdu.skippedColumns = decoded.skippedColumns;
  return hdu;
}

/** Why an HDU is not decoded, or undefined when it is. */
function skipReason(layout: HduLayout): string | undefined {
  if (layout.xtension === 'PRIMARY' || layout.xtension === 'IMAGE') return undefined;
  if (layout.xtension === 'BINTABLE') {
    return cardBoolean(layout.cards, 'ZIMAGE') === true ? 'tile-compressed image (fpack) is not supported' : undefined;
  }
  if (layout.xtension === 'TABLE') return 'ASCII TABLE extensions are not supported';
  return `XTENSION '${layout.xtension}' is not supported`;
}

async function runFitsjs(bytes: Uint8Array, size: number, source: string, timeoutMs: number): Promise<FitsjsHdu[]> {
  try {
    return await parseWithFitsjs(bytes, size, timeoutMs);
  } catch (err) {
    if (err instanceof FitsjsError) {
      throw ioError('FITS_INVALID', source, err.timedOut ? err.message : `fitsjs could not read the file: ${err.message}`);
    }
    throw err;
  }
}

function checkAgreement(layouts: HduLayout[], parsed: FitsjsHdu[], source: string): void {
  if (parsed.length !== layouts.length) {
    throw ioError('FITS_INVALID', source, `fitsjs found ${parsed.length} HDUs where the file structure has ${layouts.length}`);
  }
  layouts.forEach((layout, i) => {
    const got = parsed[i]!.data?.buffer?.byteLength ?? 0;
    if (got !== layout.dataBytes) {
      throw ioError('FITS_INVALID', source, `HDU ${i}: fitsjs read ${got} data bytes where the header announces ${layout.dataBytes}`);
    }
  });
}

/** Reads FITS bytes (optionally gzip-compressed). `source` names the input in errors. */
export async function readFitsBuffer(buf: Uint8Array, source: string, options: ReadFitsOptions = {}): Promise<FitsFile> {
  const bytes = isGzip(buf) ? gunzip(buf, source) : buf;
  const layout = scanFitsLayout(bytes, source);
  const parsed = await runFitsjs(bytes, layout.spanBytes, source, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  checkAgreement(layout.hdus, parsed, source);
  const hdus: Hdu[] = [];
  const skipped: SkippedHdu[] = [];
  layout.hdus.forEach((hduLayout, i) => {
    const unit = parsed[i]!.data;
    const reason = skipReason(hduLayout);
    if (reason) {
      skipped.push({ index: hduLayout.index, xtension: hduLayout.xtension, cards: hduLayout.cards, reason });
    } else if (hduLayout.xtension === 'BINTABLE') {
      hdus.push(tableHdu(hduLayout, unit, source));
    } else {
      hdus.push(imageHdu(hduLayout, unit, source));
    }
  });
  const file: FitsFile = { source, hdus };
  if (skipped.length > 0) file.skipped = skipped;
  if (layout.warnings.length > 0) file.warnings = layout.warnings;
  return file;
}

/** Reads a FITS file from disk. A missing file is NOT_FOUND; bad content FITS_INVALID/UNSUPPORTED. */
export async function readFits(path: string, options: ReadFitsOptions = {}): Promise<FitsFile> {
  return readFitsBuffer(await readFileBytes(path), path, options);
}
