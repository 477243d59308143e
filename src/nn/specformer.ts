/**
 * Spectrum encoder (AstroCLIP's SpecFormer): a patch Transformer over overlapping windows.
 *   tokenize (standardize, windows, statistics token) -> Linear(window+2 -> D) + learned positions
 *   -> pre-norm blocks -> LayerNorm -> embedding = mean over tokens.
 * `head` maps tokens back to token values (window+2) for masked-spectrum pretraining: a caller
 * zeroes some input tokens, runs `forwardTokens(masked, { reconstruct: true })` and compares
 * `reconstruction` with the unmasked tokens at the masked positions.
 *
 *   const spec = new SpecFormer(new ParamInit(0), specFormerConfigFrom(presetConfig('tiny')));
 *   spec.forward(spectra);                       // [B, 1946] -> sequence [B, 97, 96], embedding [B, 96]
 *   const tokens = spec.tokenize(spectra);       // [B, 97, 42]
 *   spec.forwardTokens(tokens, { reconstruct: true }).reconstruction; // [B, 97, 42]
 */
import type { ModelConfig, SpectrumEncoderConfig } from '../config/model-config.js';
import { badInput } from '../util/errors.js';
import { Module, type ParamInit } from './module.js';
import { tf } from './tf.js';
import { activation } from './layers/activations.js';
import { LayerNorm } from './layers/layer-norm.js';
import { Linear } from './layers/linear.js';
import { meanPool } from './layers/pooling.js';
import { PositionEmbedding } from './layers/position-embedding.js';
import { SpectrumTokenizer, type SpectrumTokenizerConfig } from './layers/spectrum-tokenizer.js';
import { TransformerBlock } from './layers/transformer-block.js';
import type { EncoderOutput } from './vit.js';

export interface SpecFormerConfig extends SpectrumEncoderConfig {
  tokenizer: SpectrumTokenizerConfig;
}

export function specFormerConfigFrom(config: ModelConfig): SpecFormerConfig {
  const s = config.preprocess.spectrum;
  return {
    ...config.spectrum,
    tokenizer: { length: s.grid.length, window: s.window, stride: s.stride, stdMin: s.stdMin, stats: { ...s.stats } },
  };
}

export type SpecFormerOutput = EncoderOutput & {
  /** Predicted token values [B, T, window+2], only when asked for. */
  reconstruction?: tf.Tensor3D;
};

export interface SpecFormerForwardOptions {
  /** Also return `reconstruction` from the pretraining head. Default false. */
  reconstruct?: boolean;
  /** Key padding mask [B, T] (1 = real token), e.g. for spectra of unequal length. */
  keyMask?: tf.Tensor2D;
}

export class SpecFormer extends Module {
  readonly tokenizer: SpectrumTokenizer;
  readonly embed: Linear;
  readonly pos: PositionEmbedding; // [maxTokens, D]
  readonly blocks: TransformerBlock[];
  readonly norm: LayerNorm;
  readonly head: Linear;

  constructor(
    init: ParamInit,
    readonly config: SpecFormerConfig,
  ) {
    super();
    this.tokenizer = new SpectrumTokenizer(config.tokenizer);
    const { dim, depth } = config;
    const maxTokens = config.maxTokens || this.tokenizer.numTokens;
    this.embed = this.child('embed', new Linear(init, this.tokenizer.tokenDim, dim));
    this.pos = this.child('pos', new PositionEmbedding(init, maxTokens, dim));
    const act = activation(config.act);
    this.blocks = Array.from({ length: depth }, (_, i) =>
      this.child(`blocks.${i}`, new TransformerBlock(init, dim, { heads: config.heads, mlpRatio: config.mlpRatio, qkvBias: config.qkvBias, eps: config.eps, act })),
    );
    this.norm = this.child('norm', new LayerNorm(init, dim, config.eps));
    this.head = this.child('head', new Linear(init, dim, this.tokenizer.tokenDim));
  }

  /** Raw spectra [B, L] -> tokens [B, T, window+2] (no parameters involved). */
  tokenize(spectra: tf.Tensor2D): tf.Tensor3D {
    return this.tokenizer.forward(spectra); // [B, T, F]
  }

  /** Runs the Transformer on (possibly masked) tokens [B, T, window+2]. */
  forwardTokens(tokens: tf.Tensor3D, options: SpecFormerForwardOptions = {}): SpecFormerOutput {
    return tf.tidy(() => {
      const [, t, f] = tokens.shape;
      if (f !== this.tokenizer.tokenDim) throw badInput(`SpecFormer expects tokens of ${this.tokenizer.tokenDim} values, got ${f}`);
      let x = this.embed.forward(tokens).add(this.pos.first(t)) as tf.Tensor3D; // [B, T, D]
      for (const block of this.blocks) x = block.forward(x, options.keyMask); // [B, T, D]
      const sequence = this.norm.forward(x); // [B, T, D]
      const embedding = meanPool(sequence, options.keyMask); // [B, D]
      if (!options.reconstruct) return { sequence, embedding };
      const reconstruction = this.head.forward(sequence); // [B, T, F]
      return { sequence, embedding, reconstruction };
    });
  }

  /** Raw spectra [B, L] -> sequence [B, T, D] and embedding [B, D]. */
  forward(spectra: tf.Tensor2D, options: SpecFormerForwardOptions = {}): SpecFormerOutput {
    return tf.tidy(() => this.forwardTokens(this.tokenize(spectra), options)); // [B, L] -> [B, T, F] -> outputs
  }
}
