/**
 * AstroCLIP's spectrum tokenizer (SpecFormer.preprocess), parameter-free:
 *   1. standardize each spectrum: x' = (x - mean) / max(std, stdMin), std with Bessel's
 *      correction (torch.Tensor.std's default);
 *   2. cut x' into overlapping windows of `window` pixels every `stride` pixels, keeping only
 *      full windows: floor((L - window) / stride) + 1 of them;
 *   3. prefix each window with 2 zeros (token width window + 2), and prepend one token holding
 *      the object's statistics: [(mean - meanShift) / meanScale, (std - stdShift) / stdScale, 0...].
 * With AstroCLIP's numbers (L 7781, window 20, stride 10, shifts 2/2, scales 2/8) this gives
 * 778 tokens of 22 values.
 *
 *   const tok = new SpectrumTokenizer({ length: 7781, window: 20, stride: 10, stdMin: 0.2,
 *     stats: { meanShift: 2, meanScale: 2, stdShift: 2, stdScale: 8 } });
 *   tok.forward(spectra); // [B, 7781] -> [B, 778, 22]
 */
import { badInput } from '../../util/errors.js';
import { tf } from '../tf.js';

export interface SpectrumStatsNorm {
  meanShift: number;
  meanScale: number;
  stdShift: number;
  stdScale: number;
}

export interface SpectrumTokenizerConfig {
  /** Pixels per spectrum. */
  length: number;
  /** Pixels per token window. */
  window: number;
  /** Pixels between window starts (window - stride pixels overlap). */
  stride: number;
  /** Lower clip on the per-object std. */
  stdMin: number;
  /** Normalization of the statistics token. */
  stats: SpectrumStatsNorm;
}

/** Number of full windows: floor((length - window) / stride) + 1. */
export function numWindows(c: Pick<SpectrumTokenizerConfig, 'length' | 'window' | 'stride'>): number {
  return Math.floor((c.length - c.window) / c.stride) + 1;
}

export class SpectrumTokenizer {
  /** Windows per spectrum. */
  readonly numWindows: number;
  /** Tokens per spectrum: one statistics token + the windows. */
  readonly numTokens: number;
  /** Values per token: 2 statistics slots + window. */
  readonly tokenDim: number;
  private readonly windowIndex: Int32Array; // [nW * window] pixel index of each window value

  constructor(readonly config: SpectrumTokenizerConfig) {
    const { length, window, stride } = config;
    if (!(window >= 1 && stride >= 1 && length >= window)) {
      throw badInput(`spectrum tokenizer: need 1 <= window <= length and stride >= 1, got length ${length}, window ${window}, stride ${stride}`);
    }
    this.numWindows = numWindows(config);
    this.numTokens = this.numWindows + 1;
    this.tokenDim = window + 2;
    this.windowIndex = new Int32Array(this.numWindows * window);
    for (let w = 0; w < this.numWindows; w++) {
      for (let j = 0; j < window; j++) this.windowIndex[w * window + j] = w * stride + j;
    }
  }

  /** Per-object standardization: returns x' [B, L], mean [B, 1], clipped std [B, 1]. */
  standardize(spectra: tf.Tensor2D): { x: tf.Tensor2D; mean: tf.Tensor2D; std: tf.Tensor2D } {
    return tf.tidy(() => {
      const n = spectra.shape[1];
      const mean = spectra.mean(1, true) as tf.Tensor2D; // [B, 1]
      const sq = spectra.sub(mean).square().sum(1, true); // [B, 1]
      const std = sq.div(Math.max(n - 1, 1)).sqrt().maximum(this.config.stdMin) as tf.Tensor2D; // [B, 1]
      const x = spectra.sub(mean).div(std) as tf.Tensor2D; // [B, L]
      return { x, mean, std };
    });
  }

  forward(spectra: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const { length, window, stats } = this.config;
      const [b, l] = spectra.shape;
      if (l !== length) throw badInput(`spectrum tokenizer expects ${length} pixels per spectrum, got ${l}`);
      const { x, mean, std } = this.standardize(spectra); // [B, L], [B, 1], [B, 1]
      const idx = tf.tensor1d(this.windowIndex, 'int32'); // [nW * W]
      const windows = tf.gather(x, idx, 1).reshape([b, this.numWindows, window]); // [B, nW, W]
      const data = windows.pad([[0, 0], [0, 0], [2, 0]]); // [B, nW, W+2]
      const m = mean.sub(stats.meanShift).div(stats.meanScale); // [B, 1]
      const s = std.sub(stats.stdShift).div(stats.stdScale); // [B, 1]
      const head = tf.concat([m, s, tf.zeros([b, window])], 1).expandDims(1); // [B, 1, W+2]
      return tf.concat([head, data], 1) as tf.Tensor3D; // [B, T, W+2]
    });
  }
}
