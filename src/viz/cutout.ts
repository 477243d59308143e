/**
 * Colour pictures of grz cutouts the way the Legacy Surveys viewer shows them: the display
 * stretch of preprocess/stretch.ts, then R <- z, G <- r, B <- g (reddest band as red). Also
 * a montage: many cutouts in a grid with a caption under each, as one PNG.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import sharp from 'sharp';
import { stretchCube, type CubeShape, type StretchConfig } from '../preprocess/stretch.js';
import { badInput } from '../util/errors.js';
import type { RasterInfo } from './raster.js';
import { withDefaults } from './defaults.js';
import { DEFAULT_FONT_FAMILY, escapeXml, num } from './svg.js';
import { textWidth } from './theme.js';

type Rgb = readonly [number, number, number];

export interface CutoutOptions {
  /** Stretch constants; default LEGACY_STRETCH (g, r, z cube in nanomaggies). */
  stretch?: Partial<StretchConfig>;
  /** Cube band index shown as red, green, blue; default [2, 1, 0] = z, r, g (the viewer's order). */
  channels?: Rgb;
  /** Integer nearest-neighbour magnification (default 1): pixels stay visible as pixels. */
  upscale?: number;
  /**
   * Where cube row 0 goes: 'lower' (default) puts it at the bottom of the picture, the FITS
   * convention (y grows upwards; north up, east left for survey cutouts), as the Legacy viewer
   * and `imshow(origin='lower')` show it. 'upper' keeps array order (row 0 on top).
   */
  origin?: 'lower' | 'upper';
  /**
   * Colour of masked pixels (a non-finite value in any band), default [255, 0, 255]: a colour
   * the stretch cannot produce from sky (it is grey-ish), so missing data is never mistaken
   * for dark sky.
   */
  maskColor?: Rgb;
}

export const CUTOUT_DEFAULTS = Object.freeze({
  channels: Object.freeze([2, 1, 0]) as Rgb,
  upscale: 1,
  origin: 'lower' as 'lower' | 'upper',
  maskColor: Object.freeze([255, 0, 255]) as Rgb,
});

/** 8-bit RGB pixels, interleaved, row-major: data[(y * width + x) * 3 + c]. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Stretches a cube and maps bands to RGB bytes (row 0 at the bottom unless origin = 'upper'). Pure. */
export function cutoutRgb(cube: Float32Array, shape: CubeShape, options: CutoutOptions = {}): RgbImage {
  const channels = options.channels ?? CUTOUT_DEFAULTS.channels;
  const maskColor = options.maskColor ?? CUTOUT_DEFAULTS.maskColor;
  const { data, mask } = stretchCube(cube, shape, options.stretch);
  const [bands, height, width] = shape;
  if (!channels.every((c) => Number.isInteger(c) && c >= 0 && c < bands)) {
    throw badInput(`channels [${channels.join(', ')}] must be band indices below ${bands}`);
  }
  const flip = (options.origin ?? CUTOUT_DEFAULTS.origin) === 'lower';
  const npix = height * width;
  const rgb = new Uint8Array(npix * 3);
  for (let y = 0; y < height; y++) {
    const outRow = flip ? height - 1 - y : y; // picture rows run top to bottom
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const q = (outRow * width + x) * 3;
      for (let c = 0; c < 3; c++) {
        rgb[q + c] = mask[p] ? maskColor[c] : Math.round(data[channels[c] * npix + p] * 255);
      }
    }
  }
  const image = { data: rgb, width, height };
  return upscaleNearest(image, options.upscale ?? CUTOUT_DEFAULTS.upscale);
}

/** Each pixel becomes a factor x factor block. Pure; factor 1 returns the input. */
export function upscaleNearest(image: RgbImage, factor: number): RgbImage {
  if (!(Number.isInteger(factor) && factor >= 1)) throw badInput(`upscale must be an integer >= 1, got ${factor}`);
  if (factor === 1) return image;
  const { width, height, data } = image;
  const w = width * factor;
  const out = new Uint8Array(w * height * factor * 3);
  for (let y = 0; y < height; y++) {
    const row = new Uint8Array(w * 3);
    for (let x = 0; x < width; x++) {
      const src = (y * width + x) * 3;
      for (let k = 0; k < factor; k++) row.set(data.subarray(src, src + 3), (x * factor + k) * 3);
    }
    for (let k = 0; k < factor; k++) out.set(row, (y * factor + k) * w * 3);
  }
  return { data: out, width: w, height: height * factor };
}

function rawInput(image: RgbImage): { input: Buffer; raw: { width: number; height: number; channels: 3 } } {
  return {
    input: Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength),
    raw: { width: image.width, height: image.height, channels: 3 },
  };
}

/** PNG bytes of one cutout. */
export async function cutoutPng(cube: Float32Array, shape: CubeShape, options: CutoutOptions = {}): Promise<Buffer> {
  const { input, raw } = rawInput(cutoutRgb(cube, shape, options));
  return sharp(input, { raw }).png().toBuffer();
}

/** Writes one cutout as PNG, creating the folder if needed. */
export async function writeCutoutPng(
  cube: Float32Array,
  shape: CubeShape,
  path: string,
  options: CutoutOptions = {},
): Promise<RasterInfo> {
  await mkdir(dirname(path), { recursive: true });
  const { input, raw } = rawInput(cutoutRgb(cube, shape, options));
  const info = await sharp(input, { raw }).png().toFile(path);
  return { width: info.width, height: info.height, size: info.size };
}

export interface MontageItem {
  cube: Float32Array;
  shape: CubeShape;
  /** Text under the cutout; '\n' separates lines. Too-long lines are cut with an ellipsis. */
  caption?: string;
}

export interface MontageOptions extends CutoutOptions {
  /** Cutouts per row; default ceil(sqrt(n)). */
  columns?: number;
  /** Pixels between cells and around the edge (default 6). */
  gap?: number;
  /** Caption font size in pixels (default 12). */
  captionSize?: number;
  /** Canvas colour (default '#111111': cutouts are mostly dark sky, so a dark frame hides seams). */
  background?: string;
  /** Caption colour (default '#eeeeee'). */
  captionColor?: string;
}

export const MONTAGE_DEFAULTS = Object.freeze({
  gap: 6,
  captionSize: 12,
  background: '#111111',
  captionColor: '#eeeeee',
});

/** Cut a line to fit `maxWidth` pixels (estimated), ending it with an ellipsis. */
function fitLine(line: string, maxWidth: number, fontSize: number): string {
  if (textWidth(line, fontSize) <= maxWidth) return line;
  const chars = [...line];
  while (chars.length > 1 && textWidth(chars.join('') + '\u2026', fontSize) > maxWidth) chars.pop();
  return chars.join('') + '\u2026';
}

/**
 * One PNG with the cutouts in a grid, a caption under each. Cells are as large as the
 * largest (upscaled) cutout; smaller cutouts are centred in theirs. Captions are one SVG
 * overlay composited over the canvas.
 */
export async function montagePng(
  items: readonly MontageItem[],
  options: MontageOptions = {},
): Promise<{ png: Buffer; width: number; height: number }> {
  if (items.length === 0) throw badInput('montage: no cutouts');
  const { gap, captionSize, background, captionColor } = withDefaults(MONTAGE_DEFAULTS, options);
  const columns = options.columns ?? Math.ceil(Math.sqrt(items.length));
  if (!(Number.isInteger(columns) && columns > 0)) throw badInput(`montage columns must be a positive integer, got ${columns}`);
  const images = items.map((item) => cutoutRgb(item.cube, item.shape, options));
  const cellW = Math.max(...images.map((im) => im.width));
  const cellH = Math.max(...images.map((im) => im.height));
  const captionLines = items.map((item) => (item.caption ? item.caption.split('\n') : []));
  const lineHeight = Math.round(captionSize * 1.3);
  const captionH = Math.max(...captionLines.map((l) => l.length)) * lineHeight + (captionLines.some((l) => l.length) ? 4 : 0);
  const rows = Math.ceil(items.length / columns);
  const width = gap + columns * (cellW + gap);
  const height = gap + rows * (cellH + captionH + gap);

  const layers: sharp.OverlayOptions[] = [];
  const texts: string[] = [];
  images.forEach((im, i) => {
    const x = gap + (i % columns) * (cellW + gap);
    const y = gap + Math.floor(i / columns) * (cellH + captionH + gap);
    layers.push({ ...rawInput(im), left: x + Math.floor((cellW - im.width) / 2), top: y + Math.floor((cellH - im.height) / 2) });
    captionLines[i].forEach((line, k) => {
      const fitted = escapeXml(fitLine(line, cellW, captionSize));
      texts.push(`<text x="${num(x + cellW / 2)}" y="${num(y + cellH + 2 + lineHeight * (k + 0.8))}">${fitted}</text>`);
    });
  });
  if (texts.length > 0) {
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<g font-family="${escapeXml(DEFAULT_FONT_FAMILY)}" font-size="${num(captionSize)}" fill="${escapeXml(captionColor)}" text-anchor="middle">` +
      texts.join('') +
      '</g></svg>';
    layers.push({ input: Buffer.from(svg, 'utf8'), left: 0, top: 0 });
  }
  const png = await sharp({ create: { width, height, channels: 3, background } })
    .composite(layers)
    .png()
    .toBuffer();
  return { png, width, height };
}

/** Writes a montage PNG, creating the folder if needed. */
export async function writeMontagePng(items: readonly MontageItem[], path: string, options: MontageOptions = {}): Promise<RasterInfo> {
  const { png, width, height } = await montagePng(items, options);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, png);
  return { width, height, size: png.length };
}

