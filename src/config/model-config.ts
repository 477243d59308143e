/**
 * Model configuration: architectures are data. A preset (src/config/presets/*.json) is a partial
 * ModelConfig; `resolveModelConfig` fills the documented defaults below and checks the result,
 * and the resolved config is what a model directory saves (config.json + preprocess.json).
 *
 * A ModelConfig has four sections:
 *   preprocess  the PreprocessContract: what the data pipeline must hand the model (stretch,
 *               crop, spectrum grid) and the model's own tokenization constants. It is saved
 *               with the weights and checked when they are loaded.
 *   image       the ViT image encoder (input size and channels come from preprocess.image).
 *   spectrum    the SpecFormer spectrum encoder (tokenization comes from preprocess.spectrum).
 *   align       the two alignment heads (cross-attention pool + MLP) into the shared space.
 *
 * Defaults are AstroCLIP's (Parker et al. 2024) wherever it states a number.
 *
 *   const config = presetConfig('tiny');
 *   const same = resolveModelConfig(JSON.parse(text)); // throws BAD_INPUT naming the bad field
 */
import { z } from 'zod';
import { badInput } from '../util/errors.js';
import base from './presets/base.json' with { type: 'json' };
import tiny from './presets/tiny.json' with { type: 'json' };

// ---------------------------------------------------------------------------------------------
// Preprocessing contract
// ---------------------------------------------------------------------------------------------

/** Image stretch constants: the same fields as src/preprocess/stretch.ts StretchConfig. */
export const StretchContractSchema = z.strictObject({
  /** Band order of the channel axis. Default ['g', 'r', 'z']. */
  bands: z.array(z.string().min(1)).min(1).default(['g', 'r', 'z']),
  /** Per-band multiplier s_b. Default [6.0, 3.4, 2.2] (Legacy Surveys viewer). */
  scales: z.array(z.number().positive()).min(1).default([6.0, 3.4, 2.2]),
  /** Offset added after scaling. Default 0.03. */
  offset: z.number().default(0.03),
  /** asinh softening Q. Default 20. */
  q: z.number().positive().default(20),
});

export const ImageContractSchema = z.strictObject({
  stretch: StretchContractSchema.prefault({}),
  /** Side of the square cutout the pipeline starts from, pixels. Default 152 (AstroCLIP). */
  cutoutSize: z.number().int().positive().default(152),
  /** Side of the centre crop fed to the encoder, pixels. Default 144 (AstroCLIP). */
  cropSize: z.number().int().positive().default(144),
  /** Arcsec per pixel of the cutout. Default 0.262 (Legacy Surveys). */
  pixelScale: z.number().positive().default(0.262),
});

export const SpectrumGridSchema = z.strictObject({
  /** Wavelength of pixel 0, Angstrom (vacuum, observed frame). Default 3600 (DESI). */
  start: z.number().positive().default(3600),
  /** Linear step, Angstrom per pixel. Default 0.8 (DESI coadd). */
  step: z.number().positive().default(0.8),
  /** Pixels. Default 7781 (DESI b+r+z coadd, 3600-9824 A). */
  length: z.number().int().positive().default(7781),
});

export const SpectrumContractSchema = z.strictObject({
  grid: SpectrumGridSchema.prefault({}),
  /** Pixels per token. Default 20 (AstroCLIP). */
  window: z.number().int().positive().default(20),
  /** Pixels between token starts. Default 10 (AstroCLIP). */
  stride: z.number().int().positive().default(10),
  /** Lower clip of the per-object std before standardizing. Default 0.2 (AstroCLIP). */
  stdMin: z.number().positive().default(0.2),
  /** Statistics token: [(mean - meanShift) / meanScale, (std - stdShift) / stdScale]. Default 2, 2, 2, 8 (AstroCLIP). */
  stats: z
    .strictObject({
      meanShift: z.number().default(2),
      meanScale: z.number().positive().default(2),
      stdShift: z.number().default(2),
      stdScale: z.number().positive().default(8),
    })
    .prefault({}),
});

export const PreprocessContractSchema = z.strictObject({
  /** Bumped when the meaning of a field changes. */
  version: z.literal(1).default(1),
  image: ImageContractSchema.prefault({}),
  spectrum: SpectrumContractSchema.prefault({}),
});

/** What the data pipeline and the weights agree on; saved as preprocess.json beside the weights. */
export type PreprocessContract = z.output<typeof PreprocessContractSchema>;

// ---------------------------------------------------------------------------------------------
// Architecture
// ---------------------------------------------------------------------------------------------

const ActivationSchema = z.enum(['gelu', 'gelu_tanh']);

const transformerFields = {
  /** Token width. */
  dim: z.number().int().positive(),
  /** Number of Transformer blocks. */
  depth: z.number().int().nonnegative(),
  /** Attention heads; must divide dim. */
  heads: z.number().int().positive(),
  /** MLP hidden width / dim. Default 4. */
  mlpRatio: z.number().positive().default(4),
  /** Bias on the qkv projection. Default true. */
  qkvBias: z.boolean().default(true),
  /** MLP activation. Default exact GELU. */
  act: ActivationSchema.default('gelu'),
};

export const ImageEncoderSchema = z.strictObject({
  ...transformerFields,
  /** Patch side, pixels; must divide preprocess.image.cropSize. */
  patchSize: z.number().int().positive(),
  /** LayerNorm epsilon. Default 1e-6 (timm / DINOv2 ViT). */
  eps: z.number().positive().default(1e-6),
  /** 'cls': a learned class token, embedding = its output; 'mean': mean of patch tokens. Default 'cls'. */
  pool: z.enum(['cls', 'mean']).default('cls'),
});

export const SpectrumEncoderSchema = z.strictObject({
  ...transformerFields,
  /** LayerNorm epsilon. Default 1e-5 (AstroCLIP SpecFormer, torch default). */
  eps: z.number().positive().default(1e-5),
  /** Learned positions; default (0) = exactly the number of tokens the contract gives. */
  maxTokens: z.number().int().nonnegative().default(0),
});

export const AlignHeadSchema = z.strictObject({
  /** Width of the shared embedding space. Default 1024 (AstroCLIP). */
  dim: z.number().int().positive().default(1024),
  /** Heads of the cross-attention pool. Default 4 (AstroCLIP). */
  heads: z.number().int().positive().default(4),
  /**
   * Learned queries of the cross-attention pool; their outputs are concatenated and merged
   * linearly to `dim`. Absent = 1 (AstroCLIP). Left out of the config rather than defaulted so
   * that models saved before the field existed keep their content id.
   */
  queries: z.number().int().positive().optional(),
  /**
   * Spectrum head only: principal axes P of a readout of the whole spectrum-token sequence whose
   * learned map is added to the pooled vector (nn/layers/principal-readout.ts). The axes are
   * fitted, label-free, on the training split's frozen tokens by `skyclip align`. Pooling cannot
   * tell where a line sits, which is the redshift. Absent = no readout (AstroCLIP); left out
   * like `queries`.
   */
  spectrumReadout: z.number().int().positive().optional(),
  /**
   * Spectrum head only: read each token's input window (the tokenizer's standardized flux values
   * and statistics) beside the encoder's output for that token, a skip connection around the
   * encoder: the head's sequence is [B, T, D + window + 2]. Masked-modeling tokens blur where a
   * line sits inside its window (models/README.md, "The input skip"); the input windows keep it
   * to a pixel. Absent = the encoder's tokens only (AstroCLIP); left out like `queries`.
   */
  spectrumInputSkip: z.boolean().optional(),
  /** Hidden width of the residual MLP / dim. Default 4. */
  mlpRatio: z.number().positive().default(4),
  /** LayerNorm epsilon. Default 1e-5 (torch). */
  eps: z.number().positive().default(1e-5),
  /** Fixed logit scale of the contrastive loss (not learned). Default 15.5 (AstroCLIP). */
  logitScale: z.number().positive().default(15.5),
});

export const ModelConfigSchema = z
  .strictObject({
    /** Registry name, e.g. 'tiny'. */
    name: z.string().min(1),
    description: z.string().default(''),
    preprocess: PreprocessContractSchema.prefault({}),
    image: ImageEncoderSchema,
    spectrum: SpectrumEncoderSchema,
    align: AlignHeadSchema.prefault({}),
  })
  .superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const { image: img, spectrum: spec } = c.preprocess;
    if (img.stretch.scales.length !== img.stretch.bands.length) {
      issue(['preprocess', 'image', 'stretch', 'scales'], `${img.stretch.scales.length} scales for ${img.stretch.bands.length} bands`);
    }
    if (img.cropSize > img.cutoutSize) issue(['preprocess', 'image', 'cropSize'], `crop ${img.cropSize} exceeds cutout ${img.cutoutSize}`);
    if (img.cropSize % c.image.patchSize !== 0) {
      issue(['image', 'patchSize'], `patch ${c.image.patchSize} does not divide crop ${img.cropSize}`);
    }
    if (spec.window > spec.grid.length) issue(['preprocess', 'spectrum', 'window'], `window ${spec.window} exceeds ${spec.grid.length} pixels`);
    for (const key of ['image', 'spectrum', 'align'] as const) {
      const s = c[key];
      if (s.dim % s.heads !== 0) issue([key, 'heads'], `${s.heads} heads do not divide width ${s.dim}`);
    }
    const tokens = Math.floor((spec.grid.length - spec.window) / spec.stride) + 2;
    if (c.spectrum.maxTokens !== 0 && c.spectrum.maxTokens < tokens) {
      issue(['spectrum', 'maxTokens'], `${c.spectrum.maxTokens} positions for ${tokens} tokens`);
    }
  });

export type ModelConfig = z.output<typeof ModelConfigSchema>;
export type ModelConfigInput = z.input<typeof ModelConfigSchema>;
export type ImageEncoderConfig = z.output<typeof ImageEncoderSchema>;
export type SpectrumEncoderConfig = z.output<typeof SpectrumEncoderSchema>;
export type AlignHeadConfig = z.output<typeof AlignHeadSchema>;

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}

/** Fills defaults and checks a (partial) model config; throws BAD_INPUT naming each bad field. */
export function resolveModelConfig(input: unknown): ModelConfig {
  const parsed = ModelConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw badInput(`invalid model config: ${describeIssues(parsed.error)}`, { issues: parsed.error.issues });
  }
  return parsed.data;
}

/** Fills defaults and checks a (partial) preprocessing contract. */
export function resolvePreprocessContract(input: unknown): PreprocessContract {
  const parsed = PreprocessContractSchema.safeParse(input);
  if (!parsed.success) {
    throw badInput(`invalid preprocessing contract: ${describeIssues(parsed.error)}`, { issues: parsed.error.issues });
  }
  return parsed.data;
}

/** Numbers that follow from a config (not stored, always recomputed). */
export interface DerivedShapes {
  image: { size: number; channels: number; gridSize: number; numPatches: number; numTokens: number };
  spectrum: { length: number; numWindows: number; numTokens: number; tokenDim: number; maxTokens: number };
  embedDim: number;
}

export function derivedShapes(c: ModelConfig): DerivedShapes {
  const img = c.preprocess.image;
  const spec = c.preprocess.spectrum;
  const gridSize = img.cropSize / c.image.patchSize;
  const numWindows = Math.floor((spec.grid.length - spec.window) / spec.stride) + 1;
  return {
    image: {
      size: img.cropSize,
      channels: img.stretch.bands.length,
      gridSize,
      numPatches: gridSize * gridSize,
      numTokens: gridSize * gridSize + (c.image.pool === 'cls' ? 1 : 0),
    },
    spectrum: {
      length: spec.grid.length,
      numWindows,
      numTokens: numWindows + 1,
      tokenDim: spec.window + 2,
      maxTokens: c.spectrum.maxTokens || numWindows + 1,
    },
    embedDim: c.align.dim,
  };
}

/** The built-in presets, by name. Add a JSON file and a line here to register one. */
const PRESETS: Record<string, unknown> = { tiny, base };

export function listPresets(): string[] {
  return Object.keys(PRESETS);
}

/** The resolved config of a built-in preset; throws NOT_FOUND-style BAD_INPUT for an unknown name. */
export function presetConfig(name: string): ModelConfig {
  const preset = PRESETS[name];
  if (preset === undefined) throw badInput(`unknown model preset '${name}'; known: ${listPresets().join(', ')}`);
  return resolveModelConfig(preset);
}
