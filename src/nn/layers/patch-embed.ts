/**
 * Image patch embedding by reshape + matMul (no conv2d: the wasm backend has no
 * Conv2DBackpropFilter kernel, so a conv patch embedding could not be trained there).
 * Equivalent to a conv2d with kernel = stride = patch: the flattened patch is laid out
 * (row-in-patch, column-in-patch, channel), which matches a tfjs conv filter [p, p, C, D]
 * reshaped to [p*p*C, D] (a PyTorch Conv2d weight [D, C, p, p] must be permuted to [p, p, C, D]).
 *
 *   const embed = new PatchEmbed(init, { imageSize: 64, patchSize: 8, channels: 3, dim: 96 });
 *   embed.forward(images);          // [B, 64, 64, 3] -> [B, 64, 96]
 *   embed.forward(images, visible); // visible [B, Nv] int32 patch indices -> [B, Nv, 96]
 */
import { badInput } from '../../util/errors.js';
import { Module, type ParamInit } from '../module.js';
import { tf } from '../tf.js';
import { Linear } from './linear.js';

/** [B, H, W, C] -> [B, (H/p)(W/p), p*p*C], patches in row-major order over the patch grid. */
export function patchify(images: tf.Tensor4D, patchSize: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, h, w, c] = images.shape;
    const p = patchSize;
    if (h % p !== 0 || w % p !== 0) throw badInput(`image ${h}x${w} is not divisible into ${p}x${p} patches`);
    const gh = h / p;
    const gw = w / p;
    const rows = images.reshape([b * gh, p, gw, p * c]); // [B*gh, p, gw, p*C]
    const grid = rows.transpose([0, 2, 1, 3]); // [B*gh, gw, p, p*C]
    return grid.reshape([b, gh * gw, p * p * c]); // [B, N, p*p*C]
  });
}

/**
 * Picks tokens per sample: x [B, N, F], indices [B, K] int32 -> [B, K, F]. Uses tf.gather, which
 * has no gradient on wasm: use it on inputs (pixels, targets), never on trained tensors.
 * Gathers over the flattened [B*N, F] rows with per-sample offsets, because wasm's GatherV2
 * with batchDims = 1 returns wrong rows for every sample but the first (tfjs 4.22).
 */
export function selectTokens(x: tf.Tensor3D, indices: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, n, f] = x.shape;
    const k = indices.shape[1];
    const offsets = tf.range(0, b * n, n, 'int32').expandDims(1); // [B, 1]
    const flatIdx = indices.toInt().add(offsets).reshape([b * k]); // [B*K]
    return tf.gather(x.reshape([b * n, f]), flatIdx, 0).reshape([b, k, f]) as tf.Tensor3D; // [B, K, F]
  });
}

export interface PatchEmbedConfig {
  imageSize: number;
  patchSize: number;
  channels: number;
  dim: number;
}

export class PatchEmbed extends Module {
  readonly proj: Linear;
  /** Patches per side. */
  readonly gridSize: number;
  /** Patches per image, gridSize^2. */
  readonly numPatches: number;
  /** Values per flattened patch, p*p*C. */
  readonly patchDim: number;

  constructor(
    init: ParamInit,
    readonly config: PatchEmbedConfig,
  ) {
    super();
    const { imageSize, patchSize, channels, dim } = config;
    if (imageSize % patchSize !== 0) throw badInput(`imageSize ${imageSize} is not a multiple of patchSize ${patchSize}`);
    this.gridSize = imageSize / patchSize;
    this.numPatches = this.gridSize ** 2;
    this.patchDim = patchSize * patchSize * channels;
    this.proj = this.child('proj', new Linear(init, this.patchDim, dim));
  }

  forward(images: tf.Tensor4D, visible?: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const { imageSize, channels } = this.config;
      const [, h, w, c] = images.shape;
      if (h !== imageSize || w !== imageSize || c !== channels) {
        throw badInput(`PatchEmbed expects [B, ${imageSize}, ${imageSize}, ${channels}] images, got [${images.shape}]`);
      }
      let patches = patchify(images, this.config.patchSize); // [B, N, P]
      if (visible) patches = selectTokens(patches, visible); // [B, Nv, P]
      return this.proj.forward(patches); // [B, N|Nv, D]
    });
  }
}
