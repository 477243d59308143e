/**
 * Embedding: unit vectors in batches with no leaked tensors, the same vector whether an object
 * comes from the shards or from its FITS files, batch size not changing the result, and the
 * embeddings file round trip.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { SurveyDataset, openSurvey, type Survey } from '../../src/data/index.js';
import {
  Embedder,
  decodeEmbeddings,
  encodeEmbeddings,
  imageFromFile,
  readEmbeddings,
  spectrumFromFile,
  writeEmbeddings,
} from '../../src/embed/index.js';
import { buildModel, type SkyClipModel } from '../../src/nn/skyclip-model.js';
import { tf } from '../../src/nn/tf.js';
import { MICRO, makeSurvey, sameValues, tempDir, useWasm } from '../data/helpers.js';

let root: string;
let survey: Survey;
let model: SkyClipModel;
let all: SurveyDataset;

before(async () => {
  await useWasm();
  root = tempDir('embed');
  await makeSurvey(join(root, 'sim'), 12, 4, { fits: true });
  survey = openSurvey(join(root, 'sim'));
  all = new SurveyDataset(survey, MICRO.preprocess, 'all');
  model = buildModel(MICRO, { seed: 9 });
});

after(() => {
  model?.dispose();
  survey?.close();
  rmSync(root, { recursive: true, force: true });
});

function norms(values: Float32Array, dim: number): number[] {
  return Array.from({ length: values.length / dim }, (_, r) => Math.hypot(...values.subarray(r * dim, (r + 1) * dim)));
}

describe('Embedder', () => {
  it('embeds a batch without leaking a tensor', () => {
    const embedder = new Embedder(model, { batchSize: 5 });
    embedder.datasetImages(all); // warm-up: kernels and lazily created constants
    embedder.datasetSpectra(all);
    const before = tf.memory().numTensors;
    const images = embedder.datasetImages(all);
    const spectra = embedder.datasetSpectra(all);
    const prepared = embedder.images([all.image(0).data, all.image(1).data]);
    embedder.spectra([all.spectrum(0).flux]);
    assert.equal(tf.memory().numTensors, before);
    assert.equal(images.length, 12 * MICRO.align.dim);
    assert.equal(spectra.length, 12 * MICRO.align.dim);
    for (const n of [...norms(images, MICRO.align.dim), ...norms(spectra, MICRO.align.dim)]) assert.ok(Math.abs(n - 1) < 1e-5, `norm ${n}`);
    assert.ok(sameValues(prepared, images.subarray(0, 2 * MICRO.align.dim)));
  });

  it('gives the same vectors whatever the batch size', () => {
    const a = new Embedder(model, { batchSize: 12 }).datasetSpectra(all);
    const b = new Embedder(model, { batchSize: 5 }).datasetSpectra(all);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-5);
  });

  it('embeds an object from its FITS files exactly as from the shards', async () => {
    const row = all.row(3);
    const image = await imageFromFile(join(survey.dir, row.image_path), MICRO.preprocess.image);
    const spectrum = await spectrumFromFile(join(survey.dir, row.spectrum_path), MICRO.preprocess.spectrum);
    assert.equal(image.units, 'physical');
    assert.ok(sameValues(image.data, all.image(3).data), 'same model input image');
    assert.ok(sameValues(spectrum.flux, all.spectrum(3).flux), 'same model input spectrum');
    const embedder = new Embedder(model);
    const fromFiles = embedder.images([image.data]);
    const fromShards = embedder.datasetImages(all).subarray(3 * MICRO.align.dim, 4 * MICRO.align.dim);
    assert.ok(sameValues(fromFiles, fromShards));
  });
});

describe('pictures', () => {
  it('takes a PNG as already-stretched display values: crop only, z in red', async () => {
    const path = join(root, 'red.png');
    const raw = Buffer.alloc(24 * 24 * 3);
    for (let p = 0; p < 24 * 24; p++) raw[p * 3] = 255; // red = z band
    await sharp(raw, { raw: { width: 24, height: 24, channels: 3 } }).png().toFile(path);
    const image = await imageFromFile(path, MICRO.preprocess.image);
    assert.equal(image.units, 'display');
    assert.equal(image.data.length, 16 * 16 * 3);
    assert.deepEqual(Array.from(image.data.subarray(0, 3)), [0, 0, 1], 'channels last in g, r, z order');
    const z = new Embedder(model).images([image.data]);
    assert.equal(z.length, MICRO.align.dim);
  });
});

describe('embeddings file', () => {
  it('round-trips ids, vectors and header', async () => {
    const dim = 3;
    const ids = ['a', 'b-ü', 'c'];
    const image = Float32Array.from({ length: 9 }, (_, i) => i / 10);
    const spectrum = Float32Array.from({ length: 9 }, (_, i) => -i);
    const path = join(root, 'emb.bin');
    await writeEmbeddings(path, { ids, dim, image, spectrum, model: { id: 'abc', name: 'micro' }, data: { split: 'test' } });
    const back = await readEmbeddings(path);
    assert.deepEqual(back.ids, ids);
    assert.equal(back.dim, 3);
    assert.ok(sameValues(back.image!, image) && sameValues(back.spectrum!, spectrum));
    assert.deepEqual(back.model, { id: 'abc', name: 'micro' });
    assert.deepEqual(back.data, { split: 'test' });
    const bytes = readFileSync(path);
    assert.equal(bytes.toString('ascii', 0, 8), 'SKYEMBD1');
    for (const block of back.header.blocks) assert.equal(block.offset % 64, 0, 'blocks start 64-byte aligned');
    // one modality only
    const only = decodeEmbeddings(encodeEmbeddings({ ids, dim, image, model: { id: 'x', name: 'y' }, data: {} }));
    assert.ok(only.image && !only.spectrum);
  });

  it('refuses files that are not embeddings or do not fit', () => {
    assert.throws(() => decodeEmbeddings(Buffer.from('NOTEMBED........')), /magic/);
    const good = encodeEmbeddings({ ids: ['a'], dim: 2, image: Float32Array.from([1, 0]), model: { id: 'x', name: 'y' }, data: {} });
    const block = decodeEmbeddings(good).header.blocks[0];
    assert.throws(() => decodeEmbeddings(good.subarray(0, block.offset + 4)), /does not fit/);
    assert.throws(
      () => encodeEmbeddings({ ids: ['a', 'b'], dim: 2, image: Float32Array.from([1, 0]), model: { id: 'x', name: 'y' }, data: {} }),
      /2 ids/,
    );
    const path = join(root, 'junk.bin');
    writeFileSync(path, 'junk');
    return assert.rejects(readEmbeddings(path), /not a skyclip embeddings file/);
  });
});
