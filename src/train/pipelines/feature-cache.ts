/**
 * Frozen-backbone features for alignment: both encoders' token sequences for every object of a
 * dataset, computed once (no augmentation) and kept as float32 — in memory for training, and on
 * disk so a resumed or repeated run skips the encoder passes.
 *
 * On disk: `<cacheDir>/<key>/` with meta.json, image.f32 ([n, Ti, Di] little-endian float32,
 * rows in dataset order) and spectrum.f32 ([n, Ts, Ds]). The key joins a hash of the two
 * encoders' weights + architecture + contract with the survey's content key, the split and the
 * object count, so a cache is only ever reused for the same encoders on the same objects.
 *
 *   const features = await tokenFeatures(model, trainSet, 'runs/tiny/align/features');
 *   features.image.data; // Float32Array [n * 65 * 96]
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { derivedShapes } from '../../config/model-config.js';
import type { SurveyDataset } from '../../data/dataset.js';
import { encodeInBatches, range } from '../../embed/encode.js';
import type { SkyClipModel } from '../../nn/skyclip-model.js';
import { tf } from '../../nn/tf.js';
import { canonicalJson, encodeWeights } from '../../nn/weights-io.js';
import { ProgressBar } from '../../util/progress.js';

export interface TokenBlock {
  /** Tokens per object and values per token. */
  tokens: number;
  width: number;
  /** [n * tokens * width], object-major. */
  data: Float32Array;
}

export interface TokenFeatures {
  key: string;
  count: number;
  image: TokenBlock;
  spectrum: TokenBlock;
  /** True when read from disk rather than computed. */
  fromCache: boolean;
  /** Seconds spent computing (0 when read from disk). */
  seconds: number;
}

/** Hash of both encoders' weights, their architecture, the contract and the input skip (16 hex digits). */
export async function encoderKey(model: SkyClipModel): Promise<string> {
  const weights = new Map<string, tf.Tensor>();
  for (const [name, v] of model.image.namedParameters('image.')) weights.set(name, v);
  for (const [name, v] of model.spectrum.namedParameters('spectrum.')) weights.set(name, v);
  const { data, entries } = await encodeWeights(weights);
  // The input skip changes what is cached for the spectrum (tokens beside their input windows);
  // it joins the key only when on, so entries cached before it existed keep their keys.
  const skip = model.config.align.spectrumInputSkip ? { spectrumInputSkip: true } : {};
  const arch = canonicalJson({ image: model.config.image, spectrum: model.config.spectrum, preprocess: model.config.preprocess, ...skip });
  return createHash('sha256')
    .update(canonicalJson(entries.map(({ name, shape }) => ({ name, shape }))))
    .update(data)
    .update(arch)
    .digest('hex')
    .slice(0, 16);
}

async function writeSynced(path: string, data: Float32Array | string): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Writes `<cacheDir>/<key>/` with these files atomically: into a temporary folder (each file
 * synced), then renamed into place, so a reader sees either no entry or a whole one. meta.json
 * should be among the files: readers take its presence as the mark of a complete entry, and an
 * existing complete entry is kept (the same key means the same content).
 */
export async function writeCacheEntry(cacheDir: string, key: string, files: Record<string, Float32Array | string>): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  const dir = join(cacheDir, key);
  const tmp = join(cacheDir, `.${key}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmp);
  try {
    for (const [name, data] of Object.entries(files)) await writeSynced(join(tmp, name), data);
    // Entries are deterministic in their key, so a complete one written meanwhile by another run
    // sharing the cache is kept as it is (replacing it could pull it from under that run's reads).
    if (existsSync(join(dir, 'meta.json'))) {
      await rm(tmp, { recursive: true, force: true });
      return;
    }
    await rm(dir, { recursive: true, force: true }); // an incomplete folder, never a reader's entry
    try {
      await rename(tmp, dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (!((code === 'ENOTEMPTY' || code === 'EEXIST') && existsSync(join(dir, 'meta.json')))) throw err;
      await rm(tmp, { recursive: true, force: true }); // the other run won the race
    }
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** `count` little-endian float32 values from `path`, refusing a file of another size. */
export async function readFloats(path: string, count: number): Promise<Float32Array> {
  const buf = await readFile(path);
  if (buf.byteLength !== count * 4) throw new RangeError(`${path} has ${buf.byteLength} bytes, expected ${count * 4}`);
  if (buf.byteOffset % 4 === 0) return new Float32Array(buf.buffer, buf.byteOffset, count);
  return new Float32Array(new Uint8Array(buf).buffer, 0, count);
}

export interface FeatureOptions {
  /** Objects per encoder pass (default 64). */
  batchSize?: number;
  progress?: boolean;
  label?: string;
}

/** Token sequences of both frozen encoders for every item of `dataset`, cached under `cacheDir`. */
export async function tokenFeatures(model: SkyClipModel, dataset: SurveyDataset, cacheDir: string, options: FeatureOptions = {}): Promise<TokenFeatures> {
  const shapes = derivedShapes(model.config);
  const image = { tokens: shapes.image.numTokens, width: model.config.image.dim };
  const spectrum = { tokens: shapes.spectrum.numTokens, width: model.spectrumHeadWidth };
  const count = dataset.size;
  const key = `${await encoderKey(model)}-${dataset.survey.key}-${dataset.split}-${count}`;
  const dir = join(cacheDir, key);
  const sizes = { image: count * image.tokens * image.width, spectrum: count * spectrum.tokens * spectrum.width };
  if (existsSync(join(dir, 'meta.json'))) {
    return {
      key,
      count,
      image: { ...image, data: await readFloats(join(dir, 'image.f32'), sizes.image) },
      spectrum: { ...spectrum, data: await readFloats(join(dir, 'spectrum.f32'), sizes.spectrum) },
      fromCache: true,
      seconds: 0,
    };
  }
  const started = performance.now();
  const batch = options.batchSize ?? 64;
  const bar = new ProgressBar(options.label ?? 'features', 2 * count, { unit: 'objects', enabled: options.progress ?? true });
  const imageData = encodeInBatches(
    count,
    image.tokens * image.width,
    batch,
    (s, e) => dataset.imageTensor(range(s, e)),
    (x) => model.image.forward(x as tf.Tensor4D).sequence, // [b, Ti, Di]
    (done) => bar.update(done),
  );
  const spectrumData = encodeInBatches(
    count,
    spectrum.tokens * spectrum.width,
    batch,
    (s, e) => dataset.spectrumTensor(range(s, e)),
    (x) => model.spectrumHeadSequence(x as tf.Tensor2D), // [b, Ts, Ds (+ window + 2 with the input skip)]
    (done) => bar.update(count + done),
  );
  bar.finish();
  const seconds = (performance.now() - started) / 1000;

  const meta = { key, count, split: dataset.split, survey: dataset.survey.dir, image, spectrum, dtype: 'float32', byteOrder: 'little', seconds };
  await writeCacheEntry(cacheDir, key, { 'image.f32': imageData, 'spectrum.f32': spectrumData, 'meta.json': `${JSON.stringify(meta, null, 2)}\n` });
  return { key, count, image: { ...image, data: imageData }, spectrum: { ...spectrum, data: spectrumData }, fromCache: false, seconds };
}

/** Rows `items` of a row-major block of `width`-value rows, copied into one array [B * width]. */
export function gatherRowValues(data: Float32Array, width: number, items: ArrayLike<number>): Float32Array {
  const values = new Float32Array(items.length * width);
  for (let j = 0; j < items.length; j++) values.set(data.subarray(items[j] * width, (items[j] + 1) * width), j * width);
  return values;
}

/** Rows `items` of a token block as a [B, T, D] tensor. */
export function gatherTokens(block: TokenBlock, items: ArrayLike<number>): tf.Tensor3D {
  const values = gatherRowValues(block.data, block.tokens * block.width, items);
  return tf.tensor3d(values, [items.length, block.tokens, block.width]); // [B, T, D]
}
