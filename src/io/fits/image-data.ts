/**
 * Image data unit -> physical values.
 *
 * Raw values come from fitsjs's frame decoder (Image.prototype._getFrame, called with
 * BZERO = 0 and BSCALE = 1) for BITPIX 8, 16, 32 and -32. fitsjs is not used for:
 * - BITPIX -64: it byte-swaps 32-bit words and then reads them as float32, which is wrong;
 * - BITPIX 64: it has no 64-bit decoder at all;
 * - scaling: it writes BZERO + BSCALE * raw back into the integer array when both are
 *   integers, so unsigned data (BITPIX 16 with BZERO = 32768, 32 with 2^31, 8 with
 *   BZERO = -128) overflow and wrap, and it keeps scaled 32-bit data in float32 (24-bit
 *   mantissa); it also ignores BLANK.
 * Those parts are done here: 64-bit decoding with DataView, scaling (see `scaler`) and BLANK.
 * The output type follows astropy: float64 for BITPIX 32, 64 and -64, float32 otherwise.
 */
import { fitsjs } from './fitsjs-node.js';
import type { Bitpix } from './types.js';

export interface ImageScaling {
  bscale: number;
  bzero: number;
  /** BLANK, integer BITPIX only. */
  blank?: number;
}

/** Big-endian IEEE doubles. */
export function decodeFloat64(buffer: ArrayBuffer, count: number): Float64Array {
  const view = new DataView(buffer);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i += 1) out[i] = view.getFloat64(i * 8, false);
  return out;
}

/** Big-endian signed 64-bit integers, as numbers (exact up to 2^53 in magnitude). */
export function decodeInt64(buffer: ArrayBuffer, count: number): Float64Array {
  const view = new DataView(buffer);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i += 1) out[i] = Number(view.getBigInt64(i * 8, false));
  return out;
}

/** Raw stored values of a data unit, before BSCALE/BZERO/BLANK. */
export function decodeRawImage(buffer: ArrayBuffer, bitpix: Bitpix, count: number): ArrayLike<number> {
  if (bitpix === -64) return decodeFloat64(buffer, count);
  if (bitpix === 64) return decodeInt64(buffer, count);
  if (count === 0) return new Float32Array(0);
  // fitsjs swaps bytes in place; the data unit's buffer is its own copy of the file bytes.
  const frame = buffer.byteLength === count * (Math.abs(bitpix) / 8) ? buffer : buffer.slice(0, count * (Math.abs(bitpix) / 8));
  return fitsjs().FITS.Image.prototype._getFrame(frame, bitpix, 0, 1);
}

export interface PhysicalImage {
  data: Float32Array | Float64Array;
  /** Pixels that are NaN in `data` (BLANK, NaN or +-Inf in the file). */
  maskedCount: number;
}

/**
 * physical = stored * BSCALE + BZERO with astropy's arithmetic, so values are bit-identical
 * to astropy's: float64 operations for float64 output; for float32 output (BITPIX 8, 16,
 * -32) astropy multiplies and adds in float32 with BSCALE and BZERO rounded to float32.
 * Computing that in doubles and rounding after each step gives exactly the float32 result
 * (a product of two floats is exact in a double; a double sum rounded to float is
 * correctly rounded since 53 >= 2 * 24 + 2).
 */
function scaler(wide: boolean, bscale: number, bzero: number): (stored: number) => number {
  if (bscale === 1 && bzero === 0) return (stored) => stored;
  if (wide) return (stored) => stored * bscale + bzero;
  const scale32 = Math.fround(bscale);
  const zero32 = Math.fround(bzero);
  return (stored) => Math.fround(Math.fround(Math.fround(stored) * scale32) + zero32);
}

/**
 * Applies BLANK and linear scaling, storing float32 or float64 (astropy's dtype). Non-finite
 * results (NaN or Inf pixels, or BLANK) become NaN and are counted, so masked pixels can
 * never pass as data.
 */
export function toPhysical(raw: ArrayLike<number>, bitpix: Bitpix, scaling: ImageScaling): PhysicalImage {
  const wide = bitpix === 32 || bitpix === 64 || bitpix === -64;
  const data = wide ? new Float64Array(raw.length) : new Float32Array(raw.length);
  const blank = bitpix > 0 ? scaling.blank : undefined;
  const physical = scaler(wide, scaling.bscale, scaling.bzero);
  let maskedCount = 0;
  for (let i = 0; i < raw.length; i += 1) {
    const stored = raw[i]!;
    if (blank !== undefined && stored === blank) {
      data[i] = Number.NaN;
      maskedCount += 1;
      continue;
    }
    data[i] = physical(stored);
    // Read back: a finite float64 can still overflow to Inf when narrowed to float32.
    if (!Number.isFinite(data[i]!)) {
      data[i] = Number.NaN;
      maskedCount += 1;
    }
  }
  return { data, maskedCount };
}
