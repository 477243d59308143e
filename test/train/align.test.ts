import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveModelConfig } from '../../src/config/model-config.js';
import { partnerRanks, retrievalScores } from '../../src/heads/retrieval.js';
import { buildModel, l2Normalize } from '../../src/nn/skyclip-model.js';
import { tf } from '../../src/nn/tf.js';
import { train } from '../../src/train/loop.js';
import { ParamInit } from '../../src/nn/module.js';
import { infoNce } from '../../src/train/losses.js';
import { spectrumAxes } from '../../src/train/pipelines/retention.js';
import { PrincipalReadout } from '../../src/nn/layers/principal-readout.js';
import { AlignFrozenTask, SpectrumRetention, type CachedFeatureBatch } from '../../src/train/tasks/align.js';

const config = resolveModelConfig({
  name: 'test-align',
  preprocess: {
    image: { cutoutSize: 16, cropSize: 16 },
    spectrum: { grid: { start: 3600, step: 20, length: 200 }, window: 20, stride: 10 },
  },
  image: { patchSize: 4, dim: 16, depth: 1, heads: 2, mlpRatio: 2 },
  spectrum: { dim: 16, depth: 1, heads: 2, mlpRatio: 2 },
  align: { dim: 16, heads: 2, mlpRatio: 2 },
});

/**
 * Cached "backbone features" of N objects sharing a hidden 4-d latent: each modality sees the
 * latent through its own fixed random projection plus noise, as two views of one galaxy would.
 */
function pairedFeatures(n: number, seed: number): CachedFeatureBatch {
  return tf.tidy(() => {
    const latent = tf.randomNormal([n, 1, 4], 0, 1, 'float32', seed); // [N, 1, 4]
    const view = (tokens: number, projSeed: number, noiseSeed: number) => {
      const proj = tf.randomNormal([4, tokens * 16], 0, 1, 'float32', projSeed); // [4, T*16]
      const clean = latent.reshape([n, 4]).matMul(proj).reshape([n, tokens, 16]); // [N, T, 16]
      return clean.add(tf.randomNormal([n, tokens, 16], 0, 0.3, 'float32', noiseSeed)) as tf.Tensor3D;
    };
    return { imageTokens: view(5, 101, seed + 1), spectrumTokens: view(7, 202, seed + 2) };
  });
}

async function retrieval(model: ReturnType<typeof buildModel>, batch: CachedFeatureBatch) {
  const img = tf.tidy(() => l2Normalize(model.imageHead.forward(batch.imageTokens)));
  const spec = tf.tidy(() => l2Normalize(model.spectrumHead.forward(batch.spectrumTokens)));
  const ranks = partnerRanks((await img.data()) as Float32Array, (await spec.data()) as Float32Array, img.shape[1]);
  tf.dispose([img, spec]);
  return retrievalScores(ranks, [1, 10]);
}

test('frozen-backbone alignment learns to match partners (InfoNCE falls, recall rises)', async () => {
  const model = buildModel(config, { seed: 1 });
  const task = new AlignFrozenTask(model);
  const names = task.parameters().map(([name]) => name);
  assert.ok(names.every((n) => n.startsWith('imageHead.') || n.startsWith('spectrumHead.')), 'backbones frozen');
  const heldOut = pairedFeatures(100, 999);
  const before = await retrieval(model, heldOut);
  const dir = mkdtempSync(join(tmpdir(), 'skyclip-align-'));
  await train(task, { batchSize: 32, trainBatch: (s) => pairedFeatures(32, s * 7 + 3), valBatches: () => [pairedFeatures(32, 5)] }, {
    steps: 60, runDir: dir, seed: 1, schedule: { peakLr: 3e-3, warmupSteps: 5 }, validateEvery: 0, progress: false,
  });
  const after = await retrieval(model, heldOut);
  assert.ok(after.recallAt[10] > 0.5 && after.recallAt[10] > before.recallAt[10] + 0.2,
    `recall@10 ${before.recallAt[10]} -> ${after.recallAt[10]}`);
  assert.ok(after.medianRank < before.medianRank);
  tf.dispose(heldOut as unknown as tf.TensorContainer);
  model.dispose();
  rmSync(dir, { recursive: true });
});

test('spectrum retention: loss = InfoNCE + weight x MSE of the decoded unit spectrum embedding; validation is the InfoNCE alone', () => {
  const model = buildModel(config, { seed: 1 });
  const retention = new SpectrumRetention(new ParamInit(3), config.align.dim, 5, 0.7);
  const task = new AlignFrozenTask(model, retention);
  assert.ok(task.parameters().some(([n]) => n === 'retention.decoder.weight'), 'the decoder trains with the heads');
  const batch = { ...pairedFeatures(8, 11), spectrumTargets: tf.randomNormal([8, 5], 0, 1, 'float32', 12) as tf.Tensor2D };
  const [loss, val, byHand] = tf.tidy(() => {
    const img = l2Normalize(model.imageHead.forward(batch.imageTokens)); // [8, E]
    const spec = l2Normalize(model.spectrumHead.forward(batch.spectrumTokens)); // [8, E]
    const decoded = spec.matMul(retention.decoder.weight).add(retention.decoder.bias!); // [8, 5]
    const mse = decoded.sub(batch.spectrumTargets).square().mean();
    const contrastive = infoNce(img, spec, model.logitScale);
    return [task.loss(batch).dataSync()[0], task.valLoss(batch).dataSync()[0], [contrastive.dataSync()[0], mse.dataSync()[0]]];
  }) as unknown as [number, number, [number, number]];
  assert.ok(Math.abs(val - byHand[0]) < 1e-5, `val ${val} vs InfoNCE ${byHand[0]}`);
  assert.ok(Math.abs(loss - (byHand[0] + 0.7 * byHand[1])) < 1e-4, `loss ${loss} vs ${byHand[0]} + 0.7 x ${byHand[1]}`);
  assert.throws(() => task.loss({ imageTokens: batch.imageTokens, spectrumTokens: batch.spectrumTokens }), /needs spectrumTargets/);
  tf.dispose(batch as unknown as tf.TensorContainer);
  retention.decoder.dispose();
  model.dispose();
});

test('spectrum axes: whitened coordinates on the training tokens\' leading axes; validation projected on the same axes; a readout with them reproduces the coordinates', () => {
  const n = 300;
  const batch = pairedFeatures(n + 50, 21); // spectrum tokens [350, 7, 16], a 4-d latent inside
  const data = batch.spectrumTokens.dataSync() as Float32Array;
  const row = 7 * 16;
  const block = (from: number, to: number) => ({ tokens: 7, width: 16, data: data.slice(from * row, to * row) });
  const t = spectrumAxes(block(0, n), block(n, n + 50), 4, 1);
  assert.equal(t.train.length, n * 4);
  assert.equal(t.val.length, 50 * 4);
  for (let j = 0; j < 4; j++) {
    let [mean, square] = [0, 0];
    for (let i = 0; i < n; i++) [mean, square] = [mean + t.train[i * 4 + j] / n, square + t.train[i * 4 + j] ** 2];
    assert.ok(Math.abs(mean) < 1e-4 && Math.abs(square / (n - 1) - 1) < 1e-3, `axis ${j}: mean ${mean}, variance ${square / (n - 1)}`);
  }
  assert.ok(t.variances[0] >= t.variances[3] && t.variances[3] > 10 * 0.3 ** 2, 'four strong latent axes above the noise');
  assert.throws(() => spectrumAxes(block(0, n), block(n, n + 50), 0, 1), /principal axes must be an integer/);
  // The head's readout with these axes gives the validation objects' coordinates.
  const readout = new PrincipalReadout(new ParamInit(1), { tokens: 7, width: 16, axes: 4, dim: 3 });
  readout.setAxes(t.center, t.axes);
  const coords = readout.coordinates(batch.spectrumTokens.slice([n, 0, 0], [50, 7, 16]) as tf.Tensor3D);
  assert.ok(tf.tidy(() => coords.sub(tf.tensor2d(t.val, [50, 4])).abs().max().dataSync()[0]) < 1e-3);
  tf.dispose([coords, ...readout.namedParameters().map(([, v]) => v)]);
  tf.dispose(batch as unknown as tf.TensorContainer);
});

test('cache entries are written whole and an existing complete entry is kept (same key, same content)', async () => {
  const { writeCacheEntry, readFloats } = await import('../../src/train/pipelines/feature-cache.js');
  const { readdirSync, readFileSync } = await import('node:fs');
  const dir = mkdtempSync(join(tmpdir(), 'skyclip-cache-'));
  await writeCacheEntry(dir, 'k1', { 'a.f32': Float32Array.of(1, 2, 3), 'meta.json': '{"n":3}\n' });
  assert.deepEqual(Array.from(await readFloats(join(dir, 'k1', 'a.f32'), 3)), [1, 2, 3]);
  // A second writer of the same key (another run sharing the cache) leaves the entry alone.
  await writeCacheEntry(dir, 'k1', { 'a.f32': Float32Array.of(9, 9, 9), 'meta.json': '{"n":3}\n' });
  assert.deepEqual(Array.from(await readFloats(join(dir, 'k1', 'a.f32'), 3)), [1, 2, 3]);
  assert.deepEqual(readdirSync(dir), ['k1'], 'no temporary folder left behind');
  assert.equal(readFileSync(join(dir, 'k1', 'meta.json'), 'utf8'), '{"n":3}\n');
  await assert.rejects(readFloats(join(dir, 'k1', 'a.f32'), 4), /has 12 bytes, expected 16/);
  rmSync(dir, { recursive: true, force: true });
});
