/**
 * Multi-band galaxy images as a (band, y, x) cube.
 *
 * FITS, two layouts:
 * - a 3-D image HDU (NAXIS3 = bands) with a BANDS card naming the bands, as the Legacy
 *   Surveys cutout service returns (BANDS = 'grz': one letter per band; a list with commas
 *   or blanks, e.g. 'g,r,z', is split on them); BAND0..BANDn-1 cards are used when there is
 *   no BANDS card;
 * - one 2-D image HDU per band, the band named by its FILTER, BAND or EXTNAME card (first
 *   word, lower case: FILTER = 'g DECam SDSS c0001' is band 'g'). All must share a shape.
 * Values are physical (BSCALE/BZERO applied); NaN stays NaN (masked) and BLANK or +-Inf
 * pixels are NaN too. `units` is BUNIT when present. `opts.bands` selects and orders bands.
 *
 * PNG/JPEG pictures are handled by raster.ts; `readImage`/`readImageBuffer` pick FITS or
 * raster from the bytes (magic numbers), never from the file name.
 */
import { readFileBytes } from './file.js';
import { ioError } from './io-error.js';
import { cardString, extname } from './fits/header.js';
import { readFitsBuffer } from './fits/read.js';
import type { FitsFile, ImageHdu } from './fits/types.js';
import { readRasterBuffer, type RasterImage } from './raster.js';
import { describeFormat, sniffFormat } from './sniff.js';

export interface ImageCube {
  kind: 'fits';
  /** Band names, lower case, e.g. ['g', 'r', 'z']. */
  bands: string[];
  /** [bands, ny, nx]. */
  shape: [number, number, number];
  /** data[(b * ny + y) * nx + x]; NaN = masked pixel. */
  data: Float32Array;
  /** BUNIT (e.g. 'nanomaggy'), or null when the file does not say. */
  units: string | null;
  source: string;
  meta: {
    layout: 'cube' | 'hdu-per-band';
    /** HDU index each band came from. */
    hdus: number[];
    /** NaN pixels over all bands. */
    maskedPixels: number;
  };
}

/** Either kind of image; `units` tells physical FITS values from display-stretched pictures. */
export type SkyImage = ImageCube | RasterImage;

export interface ReadImageOptions {
  /** Bands to return, in this order (e.g. ['g', 'r', 'z']); default: all, in file order. */
  bands?: string[];
}

/** "g", "G", "g DECam SDSS c0001 4720.0 1520.0" -> "g". */
function bandName(text: string): string {
  return text.trim().split(/\s+/)[0]!.toLowerCase();
}

function bandsOfCube(hdu: ImageHdu, source: string): string[] {
  const nb = hdu.shape[0]!;
  const listed = cardString(hdu.cards, 'BANDS');
  let bands: string[];
  if (listed !== undefined) {
    const text = listed.trim();
    bands = /[\s,]/.test(text) ? text.split(/[\s,]+/).filter(Boolean) : [...text];
  } else {
    bands = [];
    for (let b = 0; b < nb; b += 1) {
      const name = cardString(hdu.cards, `BAND${b}`);
      if (name === undefined) throw ioError('UNUSABLE', source, `HDU ${hdu.index}: a ${nb}-band cube needs a BANDS card (e.g. BANDS = 'grz') or BAND0..BAND${nb - 1}`);
      bands.push(name);
    }
  }
  bands = bands.map(bandName);
  if (bands.length !== nb) {
    throw ioError('UNUSABLE', source, `HDU ${hdu.index}: BANDS names ${bands.length} bands (${bands.join(',')}) but the cube has ${nb}`);
  }
  return bands;
}

function bandOfHdu(hdu: ImageHdu): string | undefined {
  const name = cardString(hdu.cards, 'FILTER') ?? cardString(hdu.cards, 'BAND') ?? extname(hdu.cards);
  return name && name.trim() ? bandName(name) : undefined;
}

function countNaN(data: Float32Array): number {
  let n = 0;
  for (let i = 0; i < data.length; i += 1) if (Number.isNaN(data[i]!)) n += 1;
  return n;
}

function fromCube(hdu: ImageHdu, source: string): ImageCube {
  const [nb, ny, nx] = hdu.shape as [number, number, number];
  const data = Float32Array.from(hdu.data);
  return {
    kind: 'fits',
    bands: bandsOfCube(hdu, source),
    shape: [nb, ny, nx],
    data,
    units: cardString(hdu.cards, 'BUNIT')?.trim() || null,
    source,
    meta: { layout: 'cube', hdus: new Array<number>(nb).fill(hdu.index), maskedPixels: countNaN(data) },
  };
}

function fromBandHdus(hdus: ImageHdu[], source: string): ImageCube {
  const bands = hdus.map((hdu) => {
    const band = bandOfHdu(hdu);
    if (!band) throw ioError('UNUSABLE', source, `HDU ${hdu.index}: no FILTER, BAND or EXTNAME card says which band it is`);
    return band;
  });
  const duplicate = bands.find((b, i) => bands.indexOf(b) !== i);
  if (duplicate) throw ioError('UNUSABLE', source, `band '${duplicate}' appears in more than one HDU`);
  const [ny, nx] = hdus[0]!.shape as [number, number];
  for (const hdu of hdus) {
    if (hdu.shape[0] !== ny || hdu.shape[1] !== nx) {
      throw ioError('UNUSABLE', source, `HDU ${hdu.index} is [${hdu.shape.join(', ')}] but HDU ${hdus[0]!.index} is [${ny}, ${nx}]; band images must share a shape`);
    }
  }
  const data = new Float32Array(hdus.length * ny * nx);
  hdus.forEach((hdu, b) => data.set(hdu.data, b * ny * nx));
  return {
    kind: 'fits',
    bands,
    shape: [hdus.length, ny, nx],
    data,
    units: cardString(hdus[0]!.cards, 'BUNIT')?.trim() || null,
    source,
    meta: { layout: 'hdu-per-band', hdus: hdus.map((h) => h.index), maskedPixels: countNaN(data) },
  };
}

function selectBands(cube: ImageCube, wanted: string[] | undefined): ImageCube {
  if (!wanted) return cube;
  const [, ny, nx] = cube.shape;
  const plane = ny * nx;
  const picks = wanted.map((band) => {
    const at = cube.bands.indexOf(band.toLowerCase());
    if (at === -1) throw ioError('UNUSABLE', cube.source, `band '${band}' is not in the image (bands: ${cube.bands.join(', ')})`);
    return at;
  });
  const data = new Float32Array(picks.length * plane);
  picks.forEach((at, b) => data.set(cube.data.subarray(at * plane, (at + 1) * plane), b * plane));
  return {
    ...cube,
    bands: picks.map((at) => cube.bands[at]!),
    shape: [picks.length, ny, nx],
    data,
    meta: { ...cube.meta, hdus: picks.map((at) => cube.meta.hdus[at]!), maskedPixels: countNaN(data) },
  };
}

/** The band cube in an already-read FITS file. */
export function imageCubeFromFits(file: FitsFile, opts: ReadImageOptions = {}): ImageCube {
  const images = file.hdus.filter((h): h is ImageHdu => h.kind === 'image' && h.data.length > 0);
  const cube = images.find((h) => h.shape.length === 3);
  if (cube) return selectBands(fromCube(cube, file.source), opts.bands);
  const planes = images.filter((h) => h.shape.length === 2);
  if (planes.length === 0) {
    throw ioError('UNUSABLE', file.source, 'no image found: expected a 3-D (band, y, x) cube or 2-D images, one per band');
  }
  return selectBands(fromBandHdus(planes, file.source), opts.bands);
}

/** A FITS band cube from bytes; PNG/JPEG are refused (use readImageBuffer or readRasterImage). */
export async function readImageCubeBuffer(buf: Uint8Array, source: string, opts: ReadImageOptions = {}): Promise<ImageCube> {
  const format = sniffFormat(buf);
  if (format === 'png' || format === 'jpeg') {
    throw ioError('UNSUPPORTED', source, `is a ${describeFormat(format)}, not a FITS image (whatever its name says); read it with readRasterImage`);
  }
  return imageCubeFromFits(await readFitsBuffer(buf, source), opts);
}

export async function readImageCube(path: string, opts: ReadImageOptions = {}): Promise<ImageCube> {
  return readImageCubeBuffer(await readFileBytes(path), path, opts);
}

/** FITS cube or PNG/JPEG picture, chosen by the bytes. */
export async function readImageBuffer(buf: Uint8Array, source: string, opts: ReadImageOptions = {}): Promise<SkyImage> {
  const format = sniffFormat(buf);
  if (format === 'png' || format === 'jpeg') {
    const raster = await readRasterBuffer(buf, source);
    if (opts.bands && opts.bands.join() !== raster.bands.join()) {
      throw ioError('UNUSABLE', source, `a ${describeFormat(format)} always holds bands ${raster.bands.join(', ')}`);
    }
    return raster;
  }
  return readImageCubeBuffer(buf, source, opts);
}

export async function readImage(path: string, opts: ReadImageOptions = {}): Promise<SkyImage> {
  return readImageBuffer(await readFileBytes(path), path, opts);
}
