/**
 * The display stretch of the Legacy Surveys viewer, which AstroCLIP also feeds its image
 * encoder (PHYSICS.md, "Display/network stretch"), plus the centre crop that goes with it.
 * Pure functions on row-major Float32Array cubes [bands, H, W]; no I/O.
 *
 * Per pixel, with bands b in the cube's order (g, r, z):
 *   v_b = img_b * s_b + m
 *   I   = mean_b max(0, v_b)
 *   f   = asinh(Q I) / sqrt(Q)
 *   out_b = clip(v_b * f / I, 0, 1)
 * Dividing every band by the same I keeps the colour (band ratios) of a pixel while asinh
 * compresses its brightness, so galaxy cores do not saturate to white.
 *
 * Edge cases, chosen so the output stays a function of the input alone:
 * - I = 0 (every v_b <= 0): f / I tends to sqrt(Q) > 0 as I -> 0, and every v_b <= 0, so the
 *   limit of clip(v_b f / I) is 0. We output 0 there, and the pixel is NOT masked: it is
 *   valid data that is simply dark.
 * - a non-finite value (NaN, +-Infinity) in any band: I is undefined, so the whole pixel is
 *   masked: every band outputs 0 and `mask[y * W + x] = 1`. A masked pixel and a dark one
 *   both read 0, which is why the mask is returned: it is the only way to tell them apart.
 */
import { badInput } from '../util/errors.js';

/** Row-major cube shape: [bands, height, width]. */
export type CubeShape = readonly [bands: number, height: number, width: number];

/**
 * Constants of the stretch. They are part of the preprocessing contract between images and
 * model weights (a model trained on one stretch sees another as out of distribution), so
 * they are named here and meant to be saved alongside the weights.
 */
export interface StretchConfig {
  /** Band names in the order of the cube's first axis. Default ['g', 'r', 'z']. */
  readonly bands: readonly string[];
  /**
   * Multiplier s_b per band, same order as `bands`. Default [6.0, 3.4, 2.2], the Legacy
   * viewer's, which roughly equalise sky-limited depth so a typical galaxy is grey-ish.
   */
  readonly scales: readonly number[];
  /** Offset m added after scaling (nanomaggies x s). Default 0.03: lifts the sky off black. */
  readonly offset: number;
  /** Softening Q of the asinh. Default 20: linear below I ~ 1/Q, logarithmic above. */
  readonly q: number;
}

/** The Legacy Surveys viewer / AstroCLIP stretch, exactly as PHYSICS.md gives it. */
export const LEGACY_STRETCH: StretchConfig = Object.freeze({
  bands: Object.freeze(['g', 'r', 'z']),
  scales: Object.freeze([6.0, 3.4, 2.2]),
  offset: 0.03,
  q: 20,
});

export interface StretchResult {
  /** Stretched values in [0, 1], same shape and band order as the input. */
  data: Float32Array;
  shape: CubeShape;
  /** One byte per pixel (H * W, row-major): 1 where any band was non-finite, else 0. */
  mask: Uint8Array;
  /** Number of masked pixels (the count of ones in `mask`). */
  maskedCount: number;
}

/** Fills defaults and checks a partial stretch config; throws BAD_INPUT on nonsense. */
export function resolveStretchConfig(partial: Partial<StretchConfig> = {}): StretchConfig {
  const config: StretchConfig = {
    bands: partial.bands ?? LEGACY_STRETCH.bands,
    scales: partial.scales ?? LEGACY_STRETCH.scales,
    offset: partial.offset ?? LEGACY_STRETCH.offset,
    q: partial.q ?? LEGACY_STRETCH.q,
  };
  if (config.bands.length === 0) throw badInput('stretch: bands must not be empty');
  if (config.scales.length !== config.bands.length) {
    throw badInput(
      `stretch: ${config.scales.length} scales for ${config.bands.length} bands (${config.bands.join(',')})`,
    );
  }
  if (!config.scales.every((s) => Number.isFinite(s) && s > 0)) {
    throw badInput(`stretch: scales must be finite and positive, got [${config.scales.join(', ')}]`);
  }
  if (!Number.isFinite(config.offset)) throw badInput(`stretch: offset must be finite, got ${config.offset}`);
  if (!(Number.isFinite(config.q) && config.q > 0)) {
    throw badInput(`stretch: q must be finite and positive, got ${config.q}`);
  }
  return config;
}

/** Throws unless `data` holds exactly product(shape) values of a non-empty cube. */
export function checkCube(data: ArrayLike<number>, shape: CubeShape): void {
  const [bands, height, width] = shape;
  if (![bands, height, width].every((n) => Number.isInteger(n) && n > 0)) {
    throw badInput(`cube shape must be three positive integers, got [${shape.join(', ')}]`);
  }
  if (data.length !== bands * height * width) {
    throw badInput(`cube has ${data.length} values but shape [${shape.join(', ')}] needs ${bands * height * width}`);
  }
}

/**
 * Applies the stretch to a cube in nanomaggies. The cube's band count must match
 * `config.bands` (g, r, z by default). See the module comment for I = 0 and NaN pixels.
 */
export function stretchCube(
  cube: Float32Array,
  shape: CubeShape,
  config: Partial<StretchConfig> = LEGACY_STRETCH,
): StretchResult {
  const { scales, offset, q, bands } = resolveStretchConfig(config);
  checkCube(cube, shape);
  const [nb, height, width] = shape;
  if (nb !== bands.length) {
    throw badInput(`stretch expects ${bands.length} bands (${bands.join(',')}), cube has ${nb}`);
  }
  const npix = height * width;
  const out = new Float32Array(cube.length);
  const mask = new Uint8Array(npix);
  const sqrtQ = Math.sqrt(q);
  const v = new Float64Array(nb); // scaled values of one pixel, reused
  let maskedCount = 0;

  for (let p = 0; p < npix; p++) {
    let sum = 0;
    let finite = true;
    for (let b = 0; b < nb; b++) {
      const x = cube[b * npix + p] * scales[b] + offset;
      if (!Number.isFinite(x)) finite = false;
      v[b] = x;
      if (x > 0) sum += x;
    }
    if (!finite) {
      mask[p] = 1;
      maskedCount++;
      continue; // out stays 0 in every band
    }
    const intensity = sum / nb;
    if (intensity === 0) continue; // the I -> 0 limit is 0 (module comment); not masked
    const gain = Math.asinh(q * intensity) / sqrtQ / intensity; // f / I, shared by all bands
    for (let b = 0; b < nb; b++) {
      const y = v[b] * gain;
      out[b * npix + p] = y <= 0 ? 0 : y >= 1 ? 1 : y;
    }
  }
  return { data: out, shape: [nb, height, width], mask, maskedCount };
}

/**
 * The central `size` (one number for a square, or [height, width]) of every band. When the
 * excess (H - h) is odd the extra row is dropped at the bottom (start row = floor((H - h) / 2)),
 * the same for columns, so a crop of a crop is centred on the same pixel.
 */
export function centerCrop(
  cube: Float32Array,
  shape: CubeShape,
  size: number | readonly [height: number, width: number],
): { data: Float32Array; shape: CubeShape } {
  checkCube(cube, shape);
  const [nb, height, width] = shape;
  const [h, w] = typeof size === 'number' ? [size, size] : size;
  if (!(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0)) {
    throw badInput(`crop size must be positive integers, got [${h}, ${w}]`);
  }
  if (h > height || w > width) {
    throw badInput(`cannot crop ${h}x${w} out of a ${height}x${width} image`);
  }
  const top = Math.floor((height - h) / 2);
  const left = Math.floor((width - w) / 2);
  const out = new Float32Array(nb * h * w);
  for (let b = 0; b < nb; b++) {
    for (let y = 0; y < h; y++) {
      const src = (b * height + top + y) * width + left;
      out.set(cube.subarray(src, src + w), (b * h + y) * w);
    }
  }
  return { data: out, shape: [nb, h, w] };
}
