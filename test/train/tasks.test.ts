import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveModelConfig } from '../../src/config/model-config.js';
import { ParamInit } from '../../src/nn/module.js';
import { SpecFormer, specFormerConfigFrom } from '../../src/nn/specformer.js';
import { tf } from '../../src/nn/tf.js';
import { VisionTransformer, vitConfigFrom } from '../../src/nn/vit.js';
import { chunkTokenMask, randomPatchMask } from '../../src/preprocess/masking.js';
import { train } from '../../src/train/loop.js';
import { ImageMaeTask, type ImageMaeBatch } from '../../src/train/tasks/image-mae.js';
import { SpectrumMmTask, type SpectrumMmBatch } from '../../src/train/tasks/spectrum-mm.js';

/** A config small enough to train for a few steps in a test. */
const config = resolveModelConfig({
  name: 'test-micro',
  preprocess: {
    image: { cutoutSize: 16, cropSize: 16 },
    spectrum: { grid: { start: 3600, step: 20, length: 200 }, window: 20, stride: 10 },
  },
  image: { patchSize: 4, dim: 32, depth: 1, heads: 2, mlpRatio: 2 },
  spectrum: { dim: 32, depth: 1, heads: 2, mlpRatio: 2 },
  align: { dim: 16, heads: 2, mlpRatio: 2 },
});

function uniformFrom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 4294967296;
  };
}

/** Images with structure to learn: smooth blobs whose position varies. */
function imageBatch(step: number, encoder: VisionTransformer): ImageMaeBatch {
  const b = 8;
  const size = 16;
  const values = new Float32Array(b * size * size * 3);
  const u = uniformFrom(step + 1);
  for (let s = 0; s < b; s++) {
    const cx = 4 + 8 * u();
    const cy = 4 + 8 * u();
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        for (let c = 0; c < 3; c++)
          values[((s * size + y) * size + x) * 3 + c] = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (4 + 2 * c));
  }
  const visible = Array.from({ length: b }, () => Array.from(randomPatchMask(encoder.numPatches, 0.75, u).visible));
  return { images: tf.tensor4d(values, [b, size, size, 3]), visible: tf.tensor2d(visible, undefined, 'int32') };
}

function spectrumBatch(step: number, encoder: SpecFormer): SpectrumMmBatch {
  const b = 8;
  const length = 200;
  const u = uniformFrom(step + 7);
  const values = new Float32Array(b * length);
  for (let s = 0; s < b; s++) {
    const slope = 1 + 2 * u(); // a continuum whose std stays above the tokenizer's 0.2 floor
    const line = 20 + Math.floor(160 * u());
    for (let i = 0; i < length; i++) values[s * length + i] = 1 + slope * (i / length) + 0.5 * Math.exp(-((i - line) ** 2) / 4);
  }
  const t = encoder.tokenizer.numTokens;
  const masks = Array.from({ length: b }, () => Array.from(chunkTokenMask(t, { chunks: 2, chunkLength: 3 }, u)));
  return { spectra: tf.tensor2d(values, [b, length]), mask: tf.tensor2d(masks) };
}

test('image MAE: loss falls below the predict-the-mean baseline after a short training', async () => {
  const before = tf.memory().numTensors;
  const init = new ParamInit(3);
  const encoder = new VisionTransformer(init, vitConfigFrom(config));
  const task = new ImageMaeTask(encoder, init, { decoderDim: 32 });
  const dir = mkdtempSync(join(tmpdir(), 'skyclip-mae-'));
  const val = () => [imageBatch(10_000, encoder)];
  const result = await train(task, { batchSize: 8, trainBatch: (s) => imageBatch(s, encoder), valBatches: val }, {
    steps: 40, runDir: dir, seed: 3, schedule: { peakLr: 3e-3, warmupSteps: 5 }, validateEvery: 0, progress: false,
  });
  const [batch] = val();
  const baseline = task.baselineLoss(batch);
  assert.ok(result.finalValLoss < 0.8 * baseline.dataSync()[0], `val ${result.finalValLoss} vs baseline ${baseline.dataSync()[0]}`);
  tf.dispose([baseline, batch as unknown as tf.TensorContainer]);
  encoder.dispose();
  task.dispose();
  assert.equal(tf.memory().numTensors, before);
  rmSync(dir, { recursive: true });
});

test('spectrum masked modeling: a short training beats the predict-the-mean baseline', async () => {
  const init = new ParamInit(5);
  const encoder = new SpecFormer(init, specFormerConfigFrom(config));
  const task = new SpectrumMmTask(encoder);
  const dir = mkdtempSync(join(tmpdir(), 'skyclip-smm-'));
  const val = () => [spectrumBatch(10_000, encoder)];
  const result = await train(task, { batchSize: 8, trainBatch: (s) => spectrumBatch(s, encoder), valBatches: val }, {
    steps: 40, runDir: dir, seed: 5, schedule: { peakLr: 3e-3, warmupSteps: 5 }, validateEvery: 0, progress: false,
  });
  const [batch] = val();
  const baseline = task.baselineLoss(batch);
  assert.ok(result.finalValLoss < 0.8 * baseline.dataSync()[0], `val ${result.finalValLoss} vs baseline ${baseline.dataSync()[0]}`);
  tf.dispose([baseline, batch as unknown as tf.TensorContainer]);
  encoder.dispose();
  rmSync(dir, { recursive: true });
});
