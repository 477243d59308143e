/**
 * Masks for masked-modeling pretraining, as pure functions of a uniform random source
 * (`uniform()` in [0, 1)), so the caller's seeded generator makes them reproducible.
 *
 * - Images (MAE): hide a random subset of patches; the encoder sees only the visible ones.
 * - Spectra (AstroCLIP): zero `chunks` contiguous runs of `chunkLength` tokens (6 x 50 of 778,
 *   ~39 %, in AstroCLIP) and regress them; contiguous runs stop the model from interpolating
 *   a masked pixel from its immediate neighbours.
 */
export type Uniform = () => number;

export interface PatchMask {
  /** Indices of the patches the encoder sees, ascending. */
  visible: Int32Array;
  /** Indices of the hidden patches to reconstruct, ascending. */
  masked: Int32Array;
}

/** Hides round(maskRatio * numPatches) patches chosen uniformly without replacement. */
export function randomPatchMask(numPatches: number, maskRatio: number, uniform: Uniform): PatchMask {
  if (!(maskRatio >= 0 && maskRatio < 1)) throw new RangeError(`maskRatio must be in [0, 1), got ${maskRatio}`);
  const order = Array.from({ length: numPatches }, (_, i) => i);
  for (let i = numPatches - 1; i > 0; i--) {
    // Fisher-Yates shuffle
    const j = Math.floor(uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const numMasked = Math.round(maskRatio * numPatches);
  const masked = Int32Array.from(order.slice(0, numMasked)).sort();
  const visible = Int32Array.from(order.slice(numMasked)).sort();
  return { visible, masked };
}

export interface ChunkMaskConfig {
  /** Number of contiguous runs (AstroCLIP: 6). */
  chunks: number;
  /** Tokens per run (AstroCLIP: 50 of 778). */
  chunkLength: number;
  /** Tokens at the start that are never masked (the leading mean/std token: 1). */
  skipLeading?: number;
}

/**
 * Throws unless `config` hides at least one token and every run fits in the maskable span: a
 * mask that hides nothing would make the masked loss 0 and training a silent no-op.
 */
export function checkChunkMask(numTokens: number, config: ChunkMaskConfig): void {
  const span = numTokens - (config.skipLeading ?? 1);
  if (!(Number.isInteger(config.chunks) && config.chunks >= 1)) throw new RangeError(`chunks must be a positive integer, got ${config.chunks}`);
  if (!(Number.isInteger(config.chunkLength) && config.chunkLength >= 1)) {
    throw new RangeError(`chunkLength must be a positive integer, got ${config.chunkLength}`);
  }
  if (config.chunkLength > span) throw new RangeError(`chunkLength ${config.chunkLength} exceeds the ${span} maskable spectrum tokens`);
}

/**
 * A 0/1 mask over `numTokens` (1 = hidden). Runs are placed uniformly at random and may
 * overlap, as in AstroCLIP, so the hidden fraction is at most chunks * chunkLength / numTokens.
 */
export function chunkTokenMask(numTokens: number, config: ChunkMaskConfig, uniform: Uniform): Uint8Array {
  checkChunkMask(numTokens, config);
  const skip = config.skipLeading ?? 1;
  const span = numTokens - skip;
  const mask = new Uint8Array(numTokens);
  for (let c = 0; c < config.chunks; c++) {
    const start = skip + Math.floor(uniform() * (span - config.chunkLength + 1));
    mask.fill(1, start, start + config.chunkLength);
  }
  return mask;
}
