import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/nn/tf.js';
import { learningRateAt } from '../../src/train/schedule.js';
import { infoNce, maskedMse } from '../../src/train/losses.js';
import { AdamW } from '../../src/train/adamw.js';

const close = (a: number, b: number, tol = 1e-5) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);

test('warmup + cosine: linear ramp, peak, half-way, floor', () => {
  const s = { peakLr: 1e-3, minLr: 1e-5, warmupSteps: 10, totalSteps: 110 };
  close(learningRateAt(0, s), 1e-4);
  close(learningRateAt(9, s), 1e-3);
  close(learningRateAt(60, s), 1e-5 + 0.5 * (1e-3 - 1e-5)); // half-way through the cosine
  close(learningRateAt(110, s), 1e-5);
  close(learningRateAt(500, s), 1e-5);
});

test('InfoNCE of perfectly aligned orthonormal pairs is log(1 + (B-1) e^-s)', () => {
  const eye = tf.eye(4) as tf.Tensor2D; // [4, 4], rows are unit vectors
  const loss = infoNce(eye, eye, 15.5);
  close(loss.dataSync()[0], Math.log(1 + 3 * Math.exp(-15.5)), 1e-4);
  // Swapping partners makes every positive pair orthogonal and its negatives aligned.
  const shuffled = tf.tensor2d([[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]]);
  const bad = infoNce(eye, shuffled, 15.5);
  close(bad.dataSync()[0], 15.5 + Math.log(1 + 3 * Math.exp(-15.5)), 1e-4);
  tf.dispose([eye, loss, shuffled, bad]);
});

test('masked MSE counts only masked positions', () => {
  const prediction = tf.tensor3d([[[1, 1], [5, 5], [0, 0]]]); // [1, 3, 2]
  const target = tf.tensor3d([[[0, 0], [5, 5], [9, 9]]]);
  const mask = tf.tensor2d([[1, 1, 0]]); // token 2 visible: its huge error must not count
  const loss = maskedMse(prediction, target, mask);
  close(loss.dataSync()[0], (1 + 0) / 2);
  tf.dispose([prediction, target, mask, loss]);
});

test('AdamW: first step moves by lr against the gradient, decay is decoupled', () => {
  const x = tf.variable(tf.scalar(1));
  const opt = new AdamW([['w', x]], { weightDecay: 0.5, clipNorm: 0 });
  const g = tf.scalar(2); // d/dx of x^2 at 1
  opt.applyGradients({ w: g }, 0.1);
  close(x.dataSync()[0], 1 * (1 - 0.1 * 0.5) - 0.1, 1e-6);
  tf.dispose([x, g]);
  opt.dispose();
});

test('AdamW clips the global gradient norm and reports it', () => {
  const a = tf.variable(tf.tensor1d([0, 0]));
  const opt = new AdamW([['a', a]], { weightDecay: 0, clipNorm: 1 });
  const g = tf.tensor1d([3, 4]);
  const norm = opt.applyGradients({ a: g }, 0.01);
  close(norm, 5);
  tf.dispose([a, g]);
  opt.dispose();
});

test('AdamW state round trip resumes identically and leaks no tensors', () => {
  const before = tf.memory().numTensors;
  const run = (resumeAfter?: number) => {
    const initial = tf.tensor1d([0.5, -1.5, 2]);
    const w = tf.variable(initial); // copies: the initial tensor is ours to dispose
    initial.dispose();
    let opt = new AdamW([['proj.weight', w]], { weightDecay: 0.1 });
    for (let step = 0; step < 4; step++) {
      if (resumeAfter !== undefined && step === resumeAfter) {
        const state = opt.getState();
        opt.dispose();
        opt = new AdamW([['proj.weight', w]], { weightDecay: 0.1 });
        opt.setState(state);
      }
      const { value, grads } = tf.variableGrads(() => w.square().sum() as tf.Scalar, [w]);
      opt.applyGradients({ 'proj.weight': grads[w.name] }, 0.05);
      tf.dispose([value, grads]);
    }
    const out = Array.from(w.dataSync());
    opt.dispose();
    w.dispose();
    return out;
  };
  assert.deepEqual(run(2), run());
  assert.equal(tf.memory().numTensors, before);
});
