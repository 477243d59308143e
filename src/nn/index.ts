/**
 * Public surface of the neural-network foundation. Import from here outside src/nn.
 */
export { tf } from './tf.js';
export { initBackend, backendInfo, selectBackend, parseBackendName, BACKEND_NAMES } from './backend.js';
export type { BackendInfo, BackendName, BackendAttempt, InitBackendOptions } from './backend.js';
export { Module, ParamInit, type InitMode } from './module.js';
export { Linear } from './layers/linear.js';
export { LayerNorm } from './layers/layer-norm.js';
export { gelu, geluTanh, activation, type Activation, type ActivationName } from './layers/activations.js';
export { Mlp } from './layers/mlp.js';
export { MultiHeadSelfAttention, scaledDotProductAttention, splitHeads, mergeHeads, MASKED_LOGIT } from './layers/attention.js';
export { TransformerBlock, type BlockOptions } from './layers/transformer-block.js';
export { PatchEmbed, patchify, selectTokens } from './layers/patch-embed.js';
export { PositionEmbedding } from './layers/position-embedding.js';
export { meanPool, clsPool, type PoolName } from './layers/pooling.js';
export { CrossAttentionPool } from './layers/cross-attention-pool.js';
export { SpectrumTokenizer, numWindows, type SpectrumTokenizerConfig } from './layers/spectrum-tokenizer.js';
export { VisionTransformer, vitConfigFrom, type ViTConfig, type EncoderOutput, type ViTForwardOptions } from './vit.js';
export { SpecFormer, specFormerConfigFrom, type SpecFormerConfig, type SpecFormerOutput, type SpecFormerForwardOptions } from './specformer.js';
export { AlignmentHead, type AlignmentHeadConfig } from './alignment-head.js';
export { dense } from './ops.js';
export { SkyClipModel, buildModel, l2Normalize, type BuildOptions } from './skyclip-model.js';
export {
  saveModel,
  loadModel,
  readModelInfo,
  modelId,
  contentId,
  assertContract,
  contractDifference,
  encodeWeights,
  decodeWeights,
  canonicalJson,
  TrainingMetadataSchema,
  PreprocessContractSchema,
  FILES as MODEL_FILES,
} from './weights-io.js';
export type { PreprocessContract, TrainingMetadata, ModelInfo, LoadedModel, LoadOptions, SaveOptions, SavedModel, DeepPartial } from './weights-io.js';
