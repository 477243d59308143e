import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../../src/nn/tf.js';
import { train, type TrainData, type TrainTask } from '../../src/train/loop.js';

interface Batch {
  x: tf.Tensor2D; // [B, 3]
  y: tf.Tensor2D; // [B, 1]
}

const trueWeights = [1.5, -2, 0.5];

/** Least squares on a fixed linear target: small enough to train for real in a test. */
function regressionTask(): { task: TrainTask<Batch>; weight: tf.Variable; dispose(): void } {
  const initial = tf.zeros([3, 1]);
  const weight = tf.variable(initial, true, 'w');
  initial.dispose();
  return {
    weight,
    task: {
      parameters: () => [['probe.weight', weight]] as const,
      loss: ({ x, y }) => tf.losses.meanSquaredError(y, x.matMul(weight)) as tf.Scalar,
    },
    dispose: () => weight.dispose(),
  };
}

function batchFor(seed: number): Batch {
  return tf.tidy(() => {
    const x = tf.randomNormal([16, 3], 0, 1, 'float32', seed) as tf.Tensor2D;
    const y = x.matMul(tf.tensor2d(trueWeights, [3, 1])) as tf.Tensor2D;
    return { x, y };
  });
}

const data: TrainData<Batch> = {
  batchSize: 16,
  trainBatch: (step) => batchFor(1000 + step),
  valBatches: () => [batchFor(7), batchFor(8)],
};

const config = (runDir: string, steps: number) => ({
  steps,
  runDir,
  seed: 1,
  schedule: { peakLr: 0.1, warmupSteps: 5, totalSteps: 60 },
  optimizer: { weightDecay: 0 },
  validateEvery: 20,
  checkpointEvery: 10,
  progress: false,
});

test('the loop trains: validation loss falls far below its starting value', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skyclip-train-'));
  const before = tf.memory().numTensors;
  const { task, dispose } = regressionTask();
  const result = await train(task, data, config(dir, 60));
  dispose();
  const firstTrain = result.log.find((r) => r.kind === 'train')!.loss;
  assert.ok(result.finalValLoss < firstTrain * 0.01, `${result.finalValLoss} vs ${firstTrain}`);
  assert.equal(tf.memory().numTensors, before, 'the loop leaks no tensors');
  rmSync(dir, { recursive: true });
});

test('an interrupted run resumes from its checkpoint and ends where an uninterrupted one does', async () => {
  const straightDir = mkdtempSync(join(tmpdir(), 'skyclip-train-'));
  const straight = regressionTask();
  await train(straight.task, data, config(straightDir, 60));
  const expected = Array.from(straight.weight.dataSync());
  straight.dispose();

  const resumedDir = mkdtempSync(join(tmpdir(), 'skyclip-train-'));
  const first = regressionTask();
  await train(first.task, data, config(resumedDir, 30)); // "interrupted" after step 30
  first.dispose();
  const second = regressionTask(); // a fresh process would rebuild the model from scratch
  const result = await train(second.task, data, config(resumedDir, 60));
  assert.equal(result.resumedFrom, 30);
  assert.deepEqual(Array.from(second.weight.dataSync()), expected);
  second.dispose();

  const steps = readFileSync(join(resumedDir, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { step: number; kind: string })
    .filter((r) => r.kind === 'train')
    .map((r) => r.step);
  assert.deepEqual(steps, Array.from({ length: 60 }, (_, i) => i + 1), 'each step logged once');
  rmSync(straightDir, { recursive: true });
  rmSync(resumedDir, { recursive: true });
});

test('a checkpoint of other weights is refused, not half resumed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skyclip-train-'));
  const first = regressionTask();
  await train(first.task, data, config(dir, 10));
  first.dispose();
  const other = regressionTask();
  const extra = tf.variable(tf.zeros([1]), true, 'extra');
  const renamed: TrainTask<Batch> = { ...other.task, parameters: () => [['probe.weight', other.weight], ['probe.bias', extra]] as const };
  await assert.rejects(train(renamed, data, config(dir, 20)), /made for other weights \(1 missing: probe\.bias; 0 unexpected/);
  other.dispose();
  extra.dispose();
  rmSync(dir, { recursive: true });
});
