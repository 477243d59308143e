/**
 * PNG/JPEG galaxy pictures (e.g. Legacy Surveys viewer cutouts) as a 3-band cube, decoded
 * with sharp.
 *
 * Band mapping follows the Legacy Surveys viewer, which renders g, r, z as
 * blue, green, red: R <- z, G <- r, B <- g. The cube is returned in band order
 * ['g', 'r', 'z'] like a FITS cutout, i.e. band 0 = blue, 1 = green, 2 = red channel.
 *
 * Values are display units in 0..1 (channel value / 255, or / 65535 for 16-bit PNGs). They
 * are stretched, gamma-encoded picture values, NOT fluxes in nanomaggies: they cannot be
 * mixed with FITS cubes without a model trained on pictures.
 *
 * Rows are flipped so that row 0 is the bottom of the picture, as in FITS (y grows up) and
 * in the cube of a FITS cutout of the same field. Alpha is dropped; grey images give three
 * equal bands.
 */
import sharp from 'sharp';
import { readFileBytes } from './file.js';
import { ioError } from './io-error.js';
import { describeFormat, sniffFormat } from './sniff.js';

/** Units of raster cubes: stretched picture values in 0..1, not physical flux. */
export const DISPLAY_UNITS = 'display';

/** Picture channel (0 = R, 1 = G, 2 = B) that holds each band, per the Legacy viewer. */
export const RASTER_BAND_CHANNELS: ReadonlyArray<readonly [band: string, channel: number]> = [
  ['g', 2],
  ['r', 1],
  ['z', 0],
];

export interface RasterImage {
  kind: 'raster';
  format: 'png' | 'jpeg';
  /** Always ['g', 'r', 'z'] (see RASTER_BAND_CHANNELS). */
  bands: string[];
  /** [3, height, width]. */
  shape: [number, number, number];
  /** Band-major, row 0 = bottom: data[(b * ny + y) * nx + x], values in 0..1. */
  data: Float32Array;
  units: typeof DISPLAY_UNITS;
  source: string;
  meta: { width: number; height: number; bitsPerChannel: 8 | 16; hadAlpha: boolean };
}

/** Decodes PNG or JPEG bytes; anything else (a FITS file, a GIF) is an UNSUPPORTED error. */
export async function readRasterBuffer(buf: Uint8Array, source: string): Promise<RasterImage> {
  const format = sniffFormat(buf);
  if (format !== 'png' && format !== 'jpeg') {
    throw ioError('UNSUPPORTED', source, `expected a PNG or JPEG image, but this is ${format === 'unknown' ? 'neither' : describeFormat(format)}`);
  }
  let decoded;
  let sixteenBit = false;
  let hadAlpha = false;
  try {
    const info = await sharp(buf).metadata();
    sixteenBit = info.depth === 'ushort';
    hadAlpha = Boolean(info.hasAlpha);
    decoded = await sharp(buf)
      .removeAlpha()
      .toColourspace(sixteenBit ? 'rgb16' : 'srgb')
      .raw({ depth: sixteenBit ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw ioError('BAD_INPUT', source, `the ${describeFormat(format)} could not be decoded (${(err as Error).message})`);
  }
  const { width, height, channels } = decoded.info;
  const pixels = sixteenBit
    ? new Uint16Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.length / 2)
    : new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.length);
  const full = sixteenBit ? 65535 : 255;
  const data = new Float32Array(3 * width * height);
  RASTER_BAND_CHANNELS.forEach(([, channel], band) => {
    for (let y = 0; y < height; y += 1) {
      const pictureRow = height - 1 - y;
      for (let x = 0; x < width; x += 1) {
        data[(band * height + y) * width + x] = pixels[(pictureRow * width + x) * channels + channel]! / full;
      }
    }
  });
  return {
    kind: 'raster',
    format,
    bands: RASTER_BAND_CHANNELS.map(([band]) => band),
    shape: [3, height, width],
    data,
    units: DISPLAY_UNITS,
    source,
    meta: { width, height, bitsPerChannel: sixteenBit ? 16 : 8, hadAlpha },
  };
}

/** Reads a PNG/JPEG file, or decodes bytes already in memory (then `source` names them). */
export async function readRasterImage(pathOrBuffer: string | Uint8Array, source?: string): Promise<RasterImage> {
  if (typeof pathOrBuffer === 'string') return readRasterBuffer(await readFileBytes(pathOrBuffer), pathOrBuffer);
  return readRasterBuffer(pathOrBuffer, source ?? 'image buffer');
}
