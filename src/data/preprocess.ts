/**
 * Raw object -> model input, exactly as the preprocessing contract says (the contract travels
 * with the weights, src/config/model-config.ts). Pure functions on typed arrays; no tensors.
 *
 * Image: cube [bands, H, W] in nanomaggies (band order = contract.image.stretch.bands)
 *   -> centre crop to cutoutSize (when larger) -> centre crop to cropSize
 *   -> Legacy-viewer stretch with the contract's constants -> channels last [S, S, C].
 *   Two successive centre crops land on the same pixels as one crop only when the parities
 *   agree, so both are applied: a 96-pixel mock cutout and a 72-pixel one give the same crop.
 *   Non-finite pixels become 0 and are counted (the stretch masks them).
 * Spectrum: (wavelength, flux, ivar) on any increasing grid -> ivar-weighted resampling onto
 *   the contract's linear grid -> masked pixels (ivar = 0 after resampling: no valid input)
 *   filled explicitly by linear interpolation between the nearest valid pixels (held constant
 *   beyond the first/last valid one), so the tokenizer's per-object mean and std are not
 *   dragged towards zero by gaps. The mask (ivar) is returned beside the filled flux.
 *
 *   const img = prepareImage(cube, [3, 96, 96], contract.image);   // data: [64 * 64 * 3] HWC
 *   const spec = prepareSpectrum(wave, flux, ivar, contract.spectrum); // flux: [1946]
 */
import type { PreprocessContract } from '../config/model-config.js';
import { resampleToGrid } from '../preprocess/spectrum-grid.js';
import { centerCrop, stretchCube, type CubeShape } from '../preprocess/stretch.js';
import { badInput } from '../util/errors.js';

export type ImageContract = PreprocessContract['image'];
export type SpectrumContract = PreprocessContract['spectrum'];

export interface PreparedImage {
  /** Stretched values in [0, 1], channels last: data[(y * S + x) * C + c]. */
  data: Float32Array;
  /** Side S of the square (the contract's cropSize). */
  size: number;
  channels: number;
  /** Pixels of the crop that were non-finite in some band (model sees 0 there). */
  maskedPixels: number;
}

export interface PreparedSpectrum {
  /** Flux on the contract grid with masked pixels filled (see the module comment). */
  flux: Float32Array;
  /** Inverse variance on the contract grid; 0 = masked (no valid input pixel). */
  ivar: Float32Array;
  /** Share of grid pixels that were masked and filled. */
  maskedFraction: number;
}

/** Centre crops [bands, H, W] to the contract's cutout (if larger) and then to its crop. */
export function contractCrop(cube: Float32Array, shape: CubeShape, image: ImageContract): { data: Float32Array; shape: CubeShape } {
  const [, h, w] = shape;
  if (h !== w) throw badInput(`cutouts must be square, got ${h}x${w}`);
  if (h < image.cropSize) throw badInput(`a ${h}x${w} cutout is smaller than the model's ${image.cropSize}-pixel crop`);
  let current = { data: cube, shape };
  if (h > image.cutoutSize) current = centerCrop(current.data, current.shape, image.cutoutSize);
  if (current.shape[1] > image.cropSize) current = centerCrop(current.data, current.shape, image.cropSize);
  return current;
}

/** Band-major [C, S, S] -> channels last [S, S, C]. */
export function toChannelsLast(cube: Float32Array, shape: CubeShape): Float32Array {
  const [c, h, w] = shape;
  const out = new Float32Array(cube.length);
  const plane = h * w;
  for (let b = 0; b < c; b++) {
    for (let p = 0; p < plane; p++) out[p * c + b] = cube[b * plane + p];
  }
  return out;
}

/** Stretches an already-cropped cube [C, S, S] and lays it out channels last. */
export function stretchToModel(cube: Float32Array, shape: CubeShape, image: ImageContract): PreparedImage {
  if (shape[0] !== image.stretch.bands.length) {
    throw badInput(`the model expects ${image.stretch.bands.length} bands (${image.stretch.bands.join(',')}), the image has ${shape[0]}`);
  }
  const stretched = stretchCube(cube, shape, image.stretch);
  return { data: toChannelsLast(stretched.data, shape), size: shape[1], channels: shape[0], maskedPixels: stretched.maskedCount };
}

/** Cube in nanomaggies [bands, H, W] -> the model's input (crop, stretch, channels last). */
export function prepareImage(cube: Float32Array, shape: CubeShape, image: ImageContract): PreparedImage {
  const cropped = contractCrop(cube, shape, image);
  return stretchToModel(cropped.data, cropped.shape, image);
}

/**
 * An already-stretched picture (PNG/JPEG in display units 0..1, band-major [3, H, W]) -> the
 * model's input: centre crops only, no stretch (the Legacy viewer applied it). 8-bit pictures
 * are quantised, so embeddings of pictures are close to, not equal to, those of FITS cutouts.
 */
export function prepareDisplayImage(cube: Float32Array, shape: CubeShape, image: ImageContract): PreparedImage {
  const cropped = contractCrop(cube, shape, image);
  const data = toChannelsLast(cropped.data, cropped.shape);
  let masked = 0;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      data[i] = 0;
      masked++;
    }
  }
  return { data, size: cropped.shape[1], channels: cropped.shape[0], maskedPixels: masked };
}

/**
 * Fills pixels with ivar = 0 in place: linear interpolation between the nearest valid pixels,
 * constant beyond the ends; all zeros when no pixel is valid. Returns the number filled.
 */
export function fillMasked(flux: Float32Array, ivar: Float32Array): number {
  const n = flux.length;
  let filled = 0;
  let prev = -1; // last valid pixel
  for (let i = 0; i <= n; i++) {
    const valid = i < n && ivar[i] > 0;
    if (!valid && i < n) continue;
    // pixels prev+1 .. i-1 are masked
    for (let k = prev + 1; k < i; k++) {
      if (prev < 0 && i >= n) flux[k] = 0;
      else if (prev < 0) flux[k] = flux[i];
      else if (i >= n) flux[k] = flux[prev];
      else flux[k] = flux[prev] + ((flux[i] - flux[prev]) * (k - prev)) / (i - prev);
      filled++;
    }
    prev = i;
  }
  return filled;
}

/** Any spectrum -> the model's grid, masked pixels filled (see the module comment). */
export function prepareSpectrum(
  wavelength: ArrayLike<number>,
  flux: ArrayLike<number>,
  ivar: ArrayLike<number>,
  spectrum: SpectrumContract,
): PreparedSpectrum {
  if (wavelength.length !== flux.length || flux.length !== ivar.length) {
    throw badInput(`spectrum arrays differ in length: wavelength ${wavelength.length}, flux ${flux.length}, ivar ${ivar.length}`);
  }
  const gridded = resampleToGrid(wavelength, flux, ivar, spectrum.grid);
  const filled = fillMasked(gridded.flux, gridded.ivar);
  return { flux: gridded.flux, ivar: gridded.ivar, maskedFraction: filled / gridded.flux.length };
}
