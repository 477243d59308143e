/**
 * Recognising an input's format from its first bytes, never from its file name: a PNG saved
 * as "cutout.fits" is a PNG. Signatures: FITS "SIMPLE  =" (FITS 4.0 section 4.4.1.1), PNG's
 * 8-byte signature, JPEG's SOI marker + marker byte, gzip's 1F 8B.
 */
export type InputFormat = 'fits' | 'gzip' | 'png' | 'jpeg' | 'unknown';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const FITS_SIGNATURE = 'SIMPLE  =';

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  return bytes.length >= signature.length && signature.every((b, i) => bytes[i] === b);
}

export function sniffFormat(bytes: Uint8Array): InputFormat {
  if (startsWith(bytes, [...FITS_SIGNATURE].map((c) => c.charCodeAt(0)))) return 'fits';
  if (startsWith(bytes, PNG_SIGNATURE)) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x1f, 0x8b])) return 'gzip';
  return 'unknown';
}

const NAMES: Record<InputFormat, string> = {
  fits: 'FITS',
  gzip: 'gzip-compressed data',
  png: 'PNG image',
  jpeg: 'JPEG image',
  unknown: 'not FITS, PNG or JPEG',
};

/** Words for error messages, e.g. "PNG image". */
export function describeFormat(format: InputFormat): string {
  return NAMES[format];
}
