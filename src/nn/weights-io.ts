/**
 * Model directories: weights + resolved config + preprocessing contract + training metadata,
 * written atomically and identified by a content hash.
 *
 * Layout of a model directory (format 'skyclip-model', version 1):
 *   model.json       { format, version, id, name, savedAt }
 *   weights.bin      every parameter's values, raw little-endian, concatenated in name order
 *   weights.json     manifest: { format, version, byteLength, sha256, entries: [{ name, shape, dtype, offset, byteLength }] }
 *   config.json      the resolved ModelConfig without its `preprocess` section
 *   preprocess.json  the PreprocessContract (the config's `preprocess` section)
 *   training.json    TrainingMetadata (data seed, steps, final losses, git commit; all optional)
 *
 * The model id is the first 16 hex digits of sha256(manifest entries + weights.bin + canonical
 * config JSON + canonical contract JSON). Training metadata is not part of it, so re-saving the
 * same weights under the same config and contract gives the same id, and changing any single
 * weight, config field or contract constant gives a new one.
 *
 *   const { id } = await saveModel('models/tiny-1', model, { training: { steps: 0 } });
 *   const loaded = await loadModel('models/tiny-1', { expect: { spectrum: { window: 20 } } });
 *   loaded.model.encodeImage(images); // bitwise the same as model.encodeImage(images)
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import {
  resolveModelConfig,
  resolvePreprocessContract,
  type ModelConfig,
  type PreprocessContract,
} from '../config/model-config.js';
import { pathExists, replaceDirectory, writeFileSynced } from '../util/atomic.js';
import { SkyclipError } from '../util/errors.js';
import { buildModel, type SkyClipModel } from './skyclip-model.js';
import { tf } from './tf.js';

export type { PreprocessContract } from '../config/model-config.js';
export { PreprocessContractSchema } from '../config/model-config.js';

export const MODEL_FORMAT = 'skyclip-model';
export const MODEL_FORMAT_VERSION = 1;
const WEIGHTS_FORMAT = 'skyclip-weights';

export const FILES = {
  model: 'model.json',
  weights: 'weights.bin',
  manifest: 'weights.json',
  config: 'config.json',
  contract: 'preprocess.json',
  training: 'training.json',
} as const;

/** Optional facts about how the weights were made; extra fields are kept as given. */
export const TrainingMetadataSchema = z.looseObject({
  /** Seed of the data (mock survey, split, shuffling). */
  dataSeed: z.number().int().optional(),
  /** Optimizer steps taken. */
  steps: z.number().int().nonnegative().optional(),
  /** Last value of each loss, by name. */
  finalLosses: z.record(z.string(), z.number()).optional(),
  /** Commit of the code that trained the weights. */
  gitCommit: z.string().optional(),
  /** ISO time the weights were made. */
  createdAt: z.string().optional(),
  notes: z.string().optional(),
});
export type TrainingMetadata = z.output<typeof TrainingMetadataSchema>;

const WeightEntrySchema = z.strictObject({
  name: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.enum(['float32', 'int32']),
  offset: z.number().int().nonnegative(),
  byteLength: z.number().int().nonnegative(),
});
export type WeightEntry = z.output<typeof WeightEntrySchema>;

const WeightsManifestSchema = z.strictObject({
  format: z.literal(WEIGHTS_FORMAT),
  version: z.literal(1),
  /** Little-endian raw values, entries back to back. */
  byteOrder: z.literal('little-endian'),
  byteLength: z.number().int().nonnegative(),
  sha256: z.string(),
  entries: z.array(WeightEntrySchema),
});
export type WeightsManifest = z.output<typeof WeightsManifestSchema>;

const ModelFileSchema = z.strictObject({
  format: z.literal(MODEL_FORMAT),
  version: z.literal(MODEL_FORMAT_VERSION),
  id: z.string(),
  name: z.string(),
  savedAt: z.string(),
});

// ---------------------------------------------------------------------------------------------
// Encoding and the content id
// ---------------------------------------------------------------------------------------------

/** JSON with object keys sorted at every level: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Named tensors -> one little-endian buffer + manifest entries, in name order. */
export async function encodeWeights(weights: ReadonlyMap<string, tf.Tensor>): Promise<{ data: Buffer; entries: WeightEntry[] }> {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new SkyclipError('UNSUPPORTED', 'weights I/O assumes a little-endian machine');
  }
  const names = [...weights.keys()].sort();
  const chunks: Buffer[] = [];
  const entries: WeightEntry[] = [];
  let offset = 0;
  for (const name of names) {
    const t = weights.get(name)!;
    if (t.dtype !== 'float32' && t.dtype !== 'int32') {
      throw new SkyclipError('UNSUPPORTED', `weight '${name}' has dtype ${t.dtype}; only float32 and int32 are saved`);
    }
    const values = (await t.data()) as Float32Array | Int32Array;
    const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    chunks.push(bytes);
    entries.push({ name, shape: [...t.shape], dtype: t.dtype, offset, byteLength: bytes.byteLength });
    offset += bytes.byteLength;
  }
  return { data: Buffer.concat(chunks, offset), entries };
}

/** Buffer + manifest entries -> named tensors (caller disposes them). */
export function decodeWeights(data: Uint8Array, entries: readonly WeightEntry[]): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const e of entries) {
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (e.byteLength !== size * 4 || e.offset + e.byteLength > data.byteLength || e.offset % 4 !== 0) {
      throw new SkyclipError('UNUSABLE', `weights manifest entry '${e.name}' does not fit the weights file`, { entry: e });
    }
    const copy = data.slice(e.offset, e.offset + e.byteLength); // own, aligned ArrayBuffer
    const values = e.dtype === 'float32' ? new Float32Array(copy.buffer, copy.byteOffset, size) : new Int32Array(copy.buffer, copy.byteOffset, size);
    out.set(e.name, tf.tensor(values, e.shape, e.dtype));
  }
  return out;
}

function sha256(...parts: Array<string | Uint8Array>): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** The config as saved in config.json: everything but the contract. */
function architectureOf(config: ModelConfig): Omit<ModelConfig, 'preprocess'> {
  const { preprocess: _preprocess, ...rest } = config;
  return rest;
}

/** Short content hash of encoded weights + config + contract (16 hex digits). */
export function contentId(data: Uint8Array, entries: readonly WeightEntry[], config: ModelConfig): string {
  const manifest = canonicalJson(entries.map(({ name, shape, dtype }) => ({ name, shape, dtype })));
  const full = sha256(
    'skyclip-model-id/1\n',
    manifest,
    '\n',
    data,
    '\n',
    canonicalJson(architectureOf(config)),
    '\n',
    canonicalJson(config.preprocess),
  );
  return full.slice(0, 16);
}

/** The id the model would be saved under (no files written). */
export async function modelId(model: SkyClipModel): Promise<string> {
  const { data, entries } = await encodeWeights(model.weights());
  return contentId(data, entries, model.config);
}

// ---------------------------------------------------------------------------------------------
// Preprocessing contract check
// ---------------------------------------------------------------------------------------------

export type DeepPartial<T> = T extends readonly (infer U)[] ? readonly U[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** First field where `expected` (partial) differs from `actual`, as a dotted path, or undefined. */
export function contractDifference(
  actual: unknown,
  expected: unknown,
  path = '',
): { field: string; model: unknown; expected: unknown } | undefined {
  if (expected === undefined) return undefined;
  if (Array.isArray(expected) || Array.isArray(actual)) {
    if (!Array.isArray(expected) || !Array.isArray(actual) || expected.length !== actual.length) {
      return { field: path, model: actual, expected };
    }
    for (let i = 0; i < expected.length; i++) {
      const d = contractDifference(actual[i], expected[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') return { field: path, model: actual, expected };
    for (const [key, value] of Object.entries(expected)) {
      const d = contractDifference((actual as Record<string, unknown>)[key], value, path ? `${path}.${key}` : key);
      if (d) return d;
    }
    return undefined;
  }
  return Object.is(actual, expected) ? undefined : { field: path, model: actual, expected };
}

/**
 * Throws CONFLICT when `actual` differs from `expected` in any field `expected` gives, naming
 * the first differing field. Fields left out of `expected` are not checked.
 */
export function assertContract(actual: PreprocessContract, expected: DeepPartial<PreprocessContract>, source = 'model'): void {
  const d = contractDifference(actual, expected);
  if (d) {
    throw new SkyclipError(
      'CONFLICT',
      `preprocessing contract mismatch at '${d.field}': the ${source} was made for ${JSON.stringify(d.model)}, the caller expects ${JSON.stringify(d.expected)}`,
      d,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Save and load
// ---------------------------------------------------------------------------------------------

export interface SaveOptions {
  training?: TrainingMetadata;
  /** Replace an existing directory (atomically swapped). Default false: CONFLICT if it exists. */
  overwrite?: boolean;
}

export interface SavedModel {
  id: string;
  dir: string;
  /** Bytes of weights.bin. */
  weightBytes: number;
}

/**
 * Writes the model directory: all files go to a temporary sibling directory first, which is
 * then renamed into place, so a reader sees the old directory or the complete new one.
 */
export async function saveModel(dir: string, model: SkyClipModel, options: SaveOptions = {}): Promise<SavedModel> {
  const config = model.config;
  const training = TrainingMetadataSchema.parse({ createdAt: new Date().toISOString(), ...options.training });
  const { data, entries } = await encodeWeights(model.weights());
  const id = contentId(data, entries, config);
  const manifest: WeightsManifest = {
    format: WEIGHTS_FORMAT,
    version: 1,
    byteOrder: 'little-endian',
    byteLength: data.byteLength,
    sha256: sha256(data),
    entries,
  };
  const head = { format: MODEL_FORMAT, version: MODEL_FORMAT_VERSION, id, name: config.name, savedAt: new Date().toISOString() };

  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  if (!options.overwrite && (await pathExists(dir))) {
    throw new SkyclipError('CONFLICT', `model directory ${dir} already exists (pass overwrite to replace it)`, { dir });
  }
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = join(parent, `.${basename(dir)}.tmp-${tag}`);
  await mkdir(tmp);
  try {
    const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
    await writeFileSynced(join(tmp, FILES.weights), data);
    await writeFileSynced(join(tmp, FILES.manifest), json(manifest));
    await writeFileSynced(join(tmp, FILES.config), json(architectureOf(config)));
    await writeFileSynced(join(tmp, FILES.contract), json(config.preprocess));
    await writeFileSynced(join(tmp, FILES.training), json(training));
    await writeFileSynced(join(tmp, FILES.model), json(head)); // last: marks the directory complete
    await replaceDirectory(tmp, dir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return { id, dir, weightBytes: data.byteLength };
}

async function readJson(dir: string, file: string): Promise<unknown> {
  const path = join(dir, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SkyclipError('NOT_FOUND', `${path} does not exist; is ${dir} a skyclip model directory?`, { path });
    throw err;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new SkyclipError('UNUSABLE', `${path} is not valid JSON`, { path });
  }
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, path: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const why = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new SkyclipError('UNUSABLE', `${path} is not valid: ${why}`, { path });
  }
  return r.data;
}

/** What a model directory says about itself, without building the model. */
export interface ModelInfo {
  id: string;
  dir: string;
  config: ModelConfig;
  contract: PreprocessContract;
  training: TrainingMetadata;
  manifest: WeightsManifest;
  savedAt: string;
}

/** Reads and validates the JSON files of a model directory (not the weights). */
export async function readModelInfo(dir: string): Promise<ModelInfo> {
  const head = parseOrThrow(ModelFileSchema, await readJson(dir, FILES.model), join(dir, FILES.model));
  const manifest = parseOrThrow(WeightsManifestSchema, await readJson(dir, FILES.manifest), join(dir, FILES.manifest));
  const contract = resolvePreprocessContract(await readJson(dir, FILES.contract));
  const arch = (await readJson(dir, FILES.config)) as Record<string, unknown>;
  let config: ModelConfig;
  try {
    config = resolveModelConfig({ ...arch, preprocess: contract });
  } catch (err) {
    throw new SkyclipError('UNUSABLE', `${join(dir, FILES.config)}: ${(err as Error).message}`);
  }
  const training = parseOrThrow(TrainingMetadataSchema, await readJson(dir, FILES.training), join(dir, FILES.training));
  return { id: head.id, dir, config, contract, training, manifest, savedAt: head.savedAt };
}

export interface LoadOptions {
  /** Contract fields the caller's data follows; any difference is refused (CONFLICT). */
  expect?: DeepPartial<PreprocessContract>;
}

export interface LoadedModel extends ModelInfo {
  model: SkyClipModel;
}

/**
 * Loads a model directory: checks the contract against `expect`, verifies the weights' checksum
 * and the content id, builds the model from the saved config and assigns the saved weights.
 */
export async function loadModel(dir: string, options: LoadOptions = {}): Promise<LoadedModel> {
  const info = await readModelInfo(dir);
  if (options.expect) assertContract(info.contract, options.expect, `model ${info.id}`);
  const weightsPath = join(dir, FILES.weights);
  let data: Buffer;
  try {
    data = await readFile(weightsPath);
  } catch {
    throw new SkyclipError('NOT_FOUND', `${weightsPath} is missing`, { path: weightsPath });
  }
  if (data.byteLength !== info.manifest.byteLength || sha256(data) !== info.manifest.sha256) {
    throw new SkyclipError('UNUSABLE', `${weightsPath} does not match its manifest (truncated or corrupted)`, { path: weightsPath });
  }
  const id = contentId(data, info.manifest.entries, info.config);
  if (id !== info.id) {
    throw new SkyclipError('UNUSABLE', `model directory ${dir} says id ${info.id} but its content hashes to ${id}`, { dir });
  }
  const weights = decodeWeights(data, info.manifest.entries);
  const model = buildModel(info.config, { init: 'zeros' });
  try {
    model.loadWeights(weights);
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    for (const t of weights.values()) t.dispose();
  }
  return { ...info, model };
}
