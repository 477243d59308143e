/**
 * The whole AstroCLIP-style model, built from a ModelConfig (architectures are data):
 *   image:        VisionTransformer   [B, H, W, C] -> tokens
 *   spectrum:     SpecFormer          [B, L]       -> tokens
 *   imageHead:    AlignmentHead       image tokens    -> [B, E]
 *   spectrumHead: AlignmentHead       spectrum tokens -> [B, E]   (with align.spectrumInputSkip:
 *                                     the tokens beside their input windows)
 * `encodeImage` / `encodeSpectrum` return L2-normalized vectors in the shared space; the model
 * also carries its fixed logit scale (15.5 in AstroCLIP) and holds no loss (open_clip style).
 * Weight names are dotted paths from here: `image.blocks.0.attn.qkv.weight`, `spectrumHead.pool.query`.
 *
 *   const model = buildModel(presetConfig('tiny'), { seed: 1 });
 *   const zi = model.encodeImage(images);    // [B, 64, 64, 3] -> [B, 64], unit norm
 *   const zs = model.encodeSpectrum(spectra); // [B, 1946]      -> [B, 64], unit norm
 *   model.dispose();
 */
import { derivedShapes, type ModelConfig } from '../config/model-config.js';
import { AlignmentHead } from './alignment-head.js';
import { Module, ParamInit, type InitMode } from './module.js';
import { SpecFormer, specFormerConfigFrom } from './specformer.js';
import { tf } from './tf.js';
import { VisionTransformer, vitConfigFrom } from './vit.js';

/** x / ||x|| along the last axis (eps keeps a zero vector finite). */
export function l2Normalize(x: tf.Tensor2D, eps = 1e-12): tf.Tensor2D {
  return tf.tidy(() => x.div(x.square().sum(-1, true).add(eps).sqrt()) as tf.Tensor2D); // [B, E]
}

export interface BuildOptions {
  /** Seed of the parameter initialisation. Default 0. */
  seed?: number;
  /** 'zeros' builds the structure only (fast; for parameter counts of large presets). Default 'random'. */
  init?: InitMode;
}

export class SkyClipModel extends Module {
  readonly image: VisionTransformer;
  readonly spectrum: SpecFormer;
  readonly imageHead: AlignmentHead;
  readonly spectrumHead: AlignmentHead;
  /** Values per token of the spectrum head's sequence: D, or D + window + 2 with the input skip. */
  readonly spectrumHeadWidth: number;
  /** Fixed contrastive temperature (logits = logitScale * cosine). */
  readonly logitScale: number;

  constructor(
    readonly config: ModelConfig,
    init: ParamInit,
  ) {
    super();
    this.image = this.child('image', new VisionTransformer(init, vitConfigFrom(config)));
    this.spectrum = this.child('spectrum', new SpecFormer(init, specFormerConfigFrom(config)));
    const { spectrumReadout, spectrumInputSkip, ...align } = config.align;
    const head = (kvDim: number, readout?: { tokens: number; axes: number }) => new AlignmentHead(init, { kvDim, ...align, readout });
    this.imageHead = this.child('imageHead', head(config.image.dim));
    this.spectrumHeadWidth = config.spectrum.dim + (spectrumInputSkip ? this.spectrum.tokenizer.tokenDim : 0);
    this.spectrumHead = this.child('spectrumHead', head(this.spectrumHeadWidth, spectrumReadout ? { tokens: this.spectrum.tokenizer.numTokens, axes: spectrumReadout } : undefined));
    this.logitScale = config.align.logitScale;
  }

  /** Stretched, cropped images [B, S, S, C] -> unit vectors [B, E]. */
  encodeImage(images: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const { sequence } = this.image.forward(images); // [B, T, D]
      return l2Normalize(this.imageHead.forward(sequence)); // [B, E]
    });
  }

  /**
   * What the spectrum head reads: the encoder's tokens [B, T, D], or with align.spectrumInputSkip
   * each beside its input window [B, T, D + F]. The frozen-feature cache stores exactly this.
   */
  spectrumHeadSequence(spectra: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const tokens = this.spectrum.tokenize(spectra); // [B, T, F]
      const { sequence } = this.spectrum.forwardTokens(tokens); // [B, T, D]
      return this.config.align.spectrumInputSkip ? tf.concat([sequence, tokens], 2) : sequence; // [B, T, D (+ F)]
    });
  }

  /** Spectra on the contract's grid [B, L] -> unit vectors [B, E]. */
  encodeSpectrum(spectra: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => l2Normalize(this.spectrumHead.forward(this.spectrumHeadSequence(spectra)))); // [B, L] -> [B, T, D (+ F)] -> [B, E]
  }

  /** Input and output shapes implied by the config. */
  get shapes() {
    return derivedShapes(this.config);
  }
}

export function buildModel(config: ModelConfig, options: BuildOptions = {}): SkyClipModel {
  return new SkyClipModel(config, new ParamInit(options.seed ?? 0, options.init ?? 'random'));
}
