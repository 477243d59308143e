/**
 * SVG to PNG through sharp, which rasterizes SVG with librsvg (text through fontconfig, so
 * the fonts named in svg.ts DEFAULT_FONT_FAMILY should be installed; DejaVu is on most Linux).
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import sharp from 'sharp';
import { badInput } from '../util/errors.js';

export interface RasterOptions {
  /**
   * Pixels per SVG user unit (default 1). 2 gives a sharp image on high-density screens and
   * in papers; the SVG is re-rendered at that density, not upscaled.
   */
  scale?: number;
}

export interface RasterInfo {
  width: number;
  height: number;
  /** Bytes of the PNG. */
  size: number;
}

// librsvg's default resolution: 72 dpi renders one pixel per user unit.
const SVG_BASE_DPI = 72;

function svgInput(svg: string, options: RasterOptions): sharp.Sharp {
  const scale = options.scale ?? 1;
  if (!(Number.isFinite(scale) && scale > 0)) throw badInput(`raster scale must be positive, got ${scale}`);
  return sharp(Buffer.from(svg, 'utf8'), { density: SVG_BASE_DPI * scale });
}

/** Renders an SVG document to PNG bytes. */
export async function svgToPngBuffer(svg: string, options: RasterOptions = {}): Promise<Buffer> {
  return svgInput(svg, options).png().toBuffer();
}

/** Renders an SVG document to a PNG file, creating its folder if needed. */
export async function svgToPng(svg: string, path: string, options: RasterOptions = {}): Promise<RasterInfo> {
  await mkdir(dirname(path), { recursive: true });
  const info = await svgInput(svg, options).png().toFile(path);
  return { width: info.width, height: info.height, size: info.size };
}
