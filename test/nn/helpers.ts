/**
 * Shared test helpers for test/nn (not a test file itself).
 */
import { selectBackend, type BackendName } from '../../src/nn/backend.js';
import type { ModelConfig } from '../../src/config/model-config.js';
import { derivedShapes } from '../../src/config/model-config.js';
import { tf } from '../../src/nn/tf.js';

/** Activates a backend for this test file (each file runs in its own process). */
export async function useBackend(name: BackendName = 'wasm'): Promise<void> {
  await selectBackend({ env: { SKYCLIP_BACKEND: name } });
}

/** Stretched-image-like batch in [0, 1]: [B, S, S, C]. */
export function randomImages(config: ModelConfig, batch: number, seed = 1): tf.Tensor4D {
  const { size, channels } = derivedShapes(config).image;
  return tf.randomUniform([batch, size, size, channels], 0, 1, 'float32', seed) as tf.Tensor4D;
}

/** Spectrum-like batch: a positive continuum plus noise, [B, L]. */
export function randomSpectra(config: ModelConfig, batch: number, seed = 2): tf.Tensor2D {
  const { length } = derivedShapes(config).spectrum;
  return tf.tidy(() => {
    const level = tf.randomUniform([batch, 1], 1, 5, 'float32', seed); // [B, 1]
    return tf.randomNormal([batch, length], 0, 1, 'float32', seed + 1).add(level) as tf.Tensor2D; // [B, L]
  });
}

/** Max |a - b| (0 when bitwise equal, up to -0/+0). */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => a.sub(b).abs().max().dataSync()[0]!);
}

export function bitwiseEqual(a: tf.Tensor, b: tf.Tensor): boolean {
  const x = new Uint8Array((a.dataSync() as Float32Array).slice().buffer);
  const y = new Uint8Array((b.dataSync() as Float32Array).slice().buffer);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Scalar parameters a config implies, counted by hand (independent of the module code). */
export function expectedParamCount(config: ModelConfig): { image: number; spectrum: number; heads: number; total: number } {
  const s = derivedShapes(config);
  const block = (d: number, ratio: number) => {
    const h = Math.round(d * ratio);
    return 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + 2 * d + (d * h + h) + (h * d + d);
  };
  const img = config.image;
  const patchDim = config.image.patchSize ** 2 * s.image.channels;
  const image =
    patchDim * img.dim + img.dim + (img.pool === 'cls' ? img.dim : 0) + s.image.numPatches * img.dim + img.depth * block(img.dim, img.mlpRatio) + 2 * img.dim;
  const sp = config.spectrum;
  const f = s.spectrum.tokenDim;
  const spectrum = f * sp.dim + sp.dim + s.spectrum.maxTokens * sp.dim + sp.depth * block(sp.dim, sp.mlpRatio) + 2 * sp.dim + (sp.dim * f + f);
  const e = config.align.dim;
  const hidden = Math.round(e * config.align.mlpRatio);
  const q = config.align.queries ?? 1;
  const merge = q > 1 ? q * e * e + e : 0;
  // query [Q, E], q/k/v/out projections, merge, norm, MLP; the spectrum head's readout: centre
  // [T*D], axes [T*D, P] (fitted, frozen) and P -> E. With the input skip the spectrum head reads
  // D + F values per token.
  const head = (kv: number) => q * e + (e * e + e) + 2 * (kv * e + e) + (e * e + e) + merge + 2 * e + (e * hidden + hidden) + (hidden * e + e);
  const spectrumKv = sp.dim + (config.align.spectrumInputSkip ? f : 0);
  const p = config.align.spectrumReadout ?? 0;
  const readout = p ? s.spectrum.numTokens * spectrumKv * (1 + p) + p * e + e : 0;
  const heads = head(img.dim) + head(spectrumKv) + readout;
  return { image, spectrum, heads, total: image + spectrum + heads };
}
