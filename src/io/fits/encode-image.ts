/**
 * Image data -> big-endian bytes for a given BITPIX, with optional BSCALE/BZERO/BLANK.
 * `data` holds physical values; the file stores (physical - bzero) / bscale, rounded to the
 * nearest integer for integer BITPIX and range-checked, so nothing is silently wrapped.
 */
import { badInput } from '../../util/errors.js';
import type { Bitpix, WritableHdu } from './types.js';

type ImageInput = Extract<WritableHdu, { kind: 'image' }>;

const INTEGER_RANGE: Record<8 | 16 | 32 | 64, [number, number]> = {
  8: [0, 255],
  16: [-32768, 32767],
  32: [-2147483648, 2147483647],
  // 2^63 - 1 is not a double; the largest double below 2^63 is 2^63 - 1024.
  64: [-(2 ** 63), 2 ** 63 - 1024],
};

export function defaultBitpix(data: ImageInput['data']): Bitpix {
  if (data instanceof Uint8Array) return 8;
  if (data instanceof Int16Array) return 16;
  if (data instanceof Int32Array) return 32;
  if (data instanceof BigInt64Array) return 64;
  if (data instanceof Float32Array) return -32;
  return -64;
}

export interface ImageEncoding {
  bitpix: Bitpix;
  bscale: number;
  bzero: number;
  blank?: number;
}

export function checkImageEncoding(hdu: ImageInput, what: string): ImageEncoding {
  const bitpix = hdu.bitpix ?? defaultBitpix(hdu.data);
  const bscale = hdu.bscale ?? 1;
  const bzero = hdu.bzero ?? 0;
  if (!Number.isFinite(bscale) || bscale === 0) throw badInput(`${what}: bscale must be a finite non-zero number`);
  if (!Number.isFinite(bzero)) throw badInput(`${what}: bzero must be finite`);
  if (hdu.blank !== undefined) {
    if (bitpix < 0) throw badInput(`${what}: BLANK is only for integer BITPIX, not ${bitpix}`);
    const [min, max] = INTEGER_RANGE[bitpix as 8 | 16 | 32 | 64];
    if (!Number.isInteger(hdu.blank) || hdu.blank < min || hdu.blank > max) {
      throw badInput(`${what}: BLANK ${hdu.blank} is not a BITPIX ${bitpix} integer`);
    }
  }
  if (hdu.data instanceof BigInt64Array && (bitpix !== 64 || bscale !== 1 || bzero !== 0)) {
    throw badInput(`${what}: BigInt64Array data can only be written unscaled as BITPIX 64`);
  }
  return { bitpix, bscale, bzero, ...(hdu.blank !== undefined ? { blank: hdu.blank } : {}) };
}

/** The integer to store for physical value `value`, or a BAD_INPUT error saying why not. */
function storedInteger(value: number, index: number, encoding: ImageEncoding, what: string): number {
  const { bitpix, bscale, bzero, blank } = encoding;
  if (Number.isNaN(value)) {
    if (blank === undefined) {
      throw badInput(`${what}: NaN at index ${index} cannot be stored as BITPIX ${bitpix} without a BLANK value`);
    }
    return blank;
  }
  const stored = Math.round((value - bzero) / bscale);
  const [min, max] = INTEGER_RANGE[bitpix as 8 | 16 | 32 | 64];
  if (!Number.isFinite(stored) || stored < min || stored > max) {
    throw badInput(`${what}: value ${value} at index ${index} does not fit BITPIX ${bitpix} with BSCALE=${bscale} BZERO=${bzero}`);
  }
  if (stored === blank) {
    throw badInput(`${what}: value ${value} at index ${index} would be stored as the BLANK value ${blank}`);
  }
  return stored;
}

/** Encodes the pixels (without padding). */
export function encodeImageData(data: ImageInput['data'], encoding: ImageEncoding, what: string): Uint8Array {
  const { bitpix, bscale, bzero } = encoding;
  const bytesPer = Math.abs(bitpix) / 8;
  const out = new Uint8Array(data.length * bytesPer);
  const view = new DataView(out.buffer);
  if (data instanceof BigInt64Array) {
    for (let i = 0; i < data.length; i += 1) view.setBigInt64(i * 8, data[i]!, false);
    return out;
  }
  const values = data as ArrayLike<number>;
  const identity = bscale === 1 && bzero === 0;
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i]!;
    if (bitpix < 0) {
      const stored = identity ? value : (value - bzero) / bscale;
      if (bitpix === -32) view.setFloat32(i * 4, stored, false);
      else view.setFloat64(i * 8, stored, false);
      continue;
    }
    const stored = storedInteger(value, i, encoding, what);
    if (bitpix === 8) view.setUint8(i, stored);
    else if (bitpix === 16) view.setInt16(i * 2, stored, false);
    else if (bitpix === 32) view.setInt32(i * 4, stored, false);
    else view.setBigInt64(i * 8, BigInt(stored), false);
  }
  return out;
}
