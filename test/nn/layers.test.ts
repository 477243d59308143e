import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { gelu, geluTanh } from '../../src/nn/layers/activations.js';
import { MASKED_LOGIT, MultiHeadSelfAttention } from '../../src/nn/layers/attention.js';
import { CrossAttentionPool } from '../../src/nn/layers/cross-attention-pool.js';
import { AlignmentHead } from '../../src/nn/alignment-head.js';
import { LayerNorm } from '../../src/nn/layers/layer-norm.js';
import { Linear } from '../../src/nn/layers/linear.js';
import { Mlp } from '../../src/nn/layers/mlp.js';
import { PatchEmbed, patchify, selectTokens } from '../../src/nn/layers/patch-embed.js';
import { clsPool, meanPool } from '../../src/nn/layers/pooling.js';
import { PositionEmbedding } from '../../src/nn/layers/position-embedding.js';
import { PrincipalReadout } from '../../src/nn/layers/principal-readout.js';
import { SpectrumTokenizer } from '../../src/nn/layers/spectrum-tokenizer.js';
import { TransformerBlock } from '../../src/nn/layers/transformer-block.js';
import { ParamInit } from '../../src/nn/module.js';
import { dense } from '../../src/nn/ops.js';
import { tf } from '../../src/nn/tf.js';
import { maxAbsDiff, useBackend } from './helpers.js';

before(() => useBackend('wasm'));

const ASTROCLIP_TOKENIZER = {
  length: 7781,
  window: 20,
  stride: 10,
  stdMin: 0.2,
  stats: { meanShift: 2, meanScale: 2, stdShift: 2, stdScale: 8 },
};

describe('layer shapes', () => {
  it('Linear maps the last axis of any rank, with a [in, out] weight', () => {
    const fc = new Linear(new ParamInit(1), 8, 5);
    const y = fc.forward(tf.ones([2, 3, 8]) as tf.Tensor3D);
    assert.deepEqual(y.shape, [2, 3, 5]);
    assert.deepEqual(fc.weight.shape, [8, 5]);
    assert.equal(fc.numParams(), 8 * 5 + 5);
    const noBias = new Linear(new ParamInit(1), 8, 5, { bias: false });
    assert.equal(noBias.numParams(), 40);
  });

  it('dense matches tf.matMul and its gradients', () => {
    const x = tf.randomNormal([6, 4], 0, 1, 'float32', 3) as tf.Tensor2D;
    const w = tf.randomNormal([4, 5], 0, 1, 'float32', 4) as tf.Tensor2D;
    const b = tf.randomNormal([5], 0, 1, 'float32', 5) as tf.Tensor1D;
    const r = tf.randomNormal([6, 5], 0, 1, 'float32', 6);
    assert.ok(maxAbsDiff(dense(x, w, b), tf.matMul(x, w).add(b)) < 1e-5);
    const mine = tf.grads((a, c, d) => dense(a as tf.Tensor2D, c as tf.Tensor2D, d as tf.Tensor1D).mul(r).sum())([x, w, b]);
    const ref = tf.grads((a, c, d) => tf.matMul(a as tf.Tensor2D, c as tf.Tensor2D).add(d).mul(r).sum())([x, w, b]);
    for (let i = 0; i < 3; i++) assert.ok(maxAbsDiff(mine[i]!, ref[i]!) < 1e-4, `grad ${i}`);
  });

  it('LayerNorm gives zero mean and unit variance per token', () => {
    const ln = new LayerNorm(new ParamInit(1), 16);
    const y = ln.forward(tf.randomNormal([2, 3, 16], 4, 3, 'float32', 7) as tf.Tensor3D);
    assert.deepEqual(y.shape, [2, 3, 16]);
    const { mean, variance } = tf.moments(y, -1);
    assert.ok(mean.abs().max().dataSync()[0]! < 1e-5);
    assert.ok(variance.sub(1).abs().max().dataSync()[0]! < 1e-3);
  });

  it('GELU matches reference values', () => {
    const y = gelu(tf.tensor1d([-1, 0, 1, 2])).dataSync();
    [-0.158655, 0, 0.841345, 1.954500].forEach((v, i) => assert.ok(Math.abs(y[i]! - v) < 1e-5, `gelu ${i}`));
    const t = geluTanh(tf.tensor1d([1])).dataSync()[0]!;
    assert.ok(Math.abs(t - 0.841192) < 1e-5);
  });

  it('Mlp and TransformerBlock keep [B, T, D]', () => {
    const init = new ParamInit(2);
    const x = tf.randomNormal([2, 5, 16]) as tf.Tensor3D;
    assert.deepEqual(new Mlp(init, 16, 64).forward(x).shape, [2, 5, 16]);
    assert.deepEqual(new Mlp(init, 16, 64, { outDim: 7 }).forward(x).shape, [2, 5, 7]);
    const block = new TransformerBlock(init, 16, { heads: 4 });
    assert.deepEqual(block.forward(x).shape, [2, 5, 16]);
    assert.deepEqual(block.forward(x, tf.ones([2, 5]) as tf.Tensor2D).shape, [2, 5, 16]);
    assert.deepEqual(
      block.namedParameters().map(([n]) => n),
      ['norm1.weight', 'norm1.bias', 'attn.qkv.weight', 'attn.qkv.bias', 'attn.proj.weight', 'attn.proj.bias',
        'norm2.weight', 'norm2.bias', 'mlp.fc1.weight', 'mlp.fc1.bias', 'mlp.fc2.weight', 'mlp.fc2.bias'],
    );
  });

  it('pooling: mean (optionally masked) and cls', () => {
    const x = tf.tensor3d([[[1, 2], [3, 4], [100, 100]]]); // [1, 3, 2]
    assert.deepEqual(meanPool(x).shape, [1, 2]);
    assert.deepEqual([...meanPool(x, tf.tensor2d([[1, 1, 0]])).dataSync()], [2, 3]);
    assert.deepEqual([...clsPool(x).dataSync()], [1, 2]);
  });
});

describe('attention', () => {
  it('self-attention returns [B, T, D] and weights rows summing to 1', () => {
    const attn = new MultiHeadSelfAttention(new ParamInit(3), 16, 4);
    const x = tf.randomNormal([2, 6, 16], 0, 1, 'float32', 8) as tf.Tensor3D;
    assert.deepEqual(attn.forward(x).shape, [2, 6, 16]);
    const w = attn.attentionWeights(x);
    assert.deepEqual(w.shape, [2, 4, 6, 6]);
    assert.ok(w.sum(-1).sub(1).abs().max().dataSync()[0]! < 1e-5);
  });

  it('masked keys get exactly zero weight, and changing them changes nothing', () => {
    const attn = new MultiHeadSelfAttention(new ParamInit(4), 16, 4);
    const x = tf.randomNormal([2, 6, 16], 0, 1, 'float32', 9) as tf.Tensor3D;
    const mask = tf.tensor2d([[1, 1, 1, 1, 0, 0], [1, 0, 1, 0, 1, 0]]);
    const w = attn.attentionWeights(x, mask).arraySync(); // [B, H, T, T]
    const m = mask.arraySync();
    for (let b = 0; b < 2; b++)
      for (let h = 0; h < 4; h++)
        for (let q = 0; q < 6; q++)
          for (let k = 0; k < 6; k++) if (m[b]![k] === 0) assert.equal(w[b]![h]![q]![k], 0);
    // Perturbing masked tokens leaves the outputs at unmasked positions unchanged.
    const noise = tf.randomNormal([2, 6, 16], 0, 5, 'float32', 10).mul(tf.sub(1, mask).expandDims(2));
    const y0 = attn.forward(x, mask).mul(mask.expandDims(2));
    const y1 = attn.forward(x.add(noise) as tf.Tensor3D, mask).mul(mask.expandDims(2));
    assert.ok(maxAbsDiff(y0, y1) < 1e-5);
    assert.ok(MASKED_LOGIT < -1e8);
  });

  it('cross-attention pool: one query -> [B, E], masked keys ignored', () => {
    const pool = new CrossAttentionPool(new ParamInit(5), { kvDim: 12, dim: 8, heads: 2 });
    const x = tf.randomNormal([3, 5, 12], 0, 1, 'float32', 11) as tf.Tensor3D;
    assert.deepEqual(pool.forward(x).shape, [3, 8]);
    assert.deepEqual(pool.query.shape, [1, 1, 8]);
    const mask = tf.tensor2d([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]]);
    const w = pool.attentionWeights(x, mask);
    assert.deepEqual(w.shape, [3, 2, 1, 5]);
    const masked = w.mul(tf.sub(1, mask).reshape([3, 1, 1, 5])).abs().max().dataSync()[0];
    assert.equal(masked, 0);
    // Sample 2 attends only to token 0: pooled output = out(v(token 0)) whatever the rest is.
    const x2 = x.add(tf.randomNormal([3, 5, 12], 0, 3, 'float32', 12).mul(tf.sub(1, mask).expandDims(2))) as tf.Tensor3D;
    assert.ok(maxAbsDiff(pool.forward(x, mask), pool.forward(x2, mask)) < 1e-5);
  });

  it('cross-attention pool: Q queries -> [B, Q*E]; each block is what a one-query pool with that query gives', () => {
    const x = tf.randomNormal([3, 5, 12], 0, 1, 'float32', 11) as tf.Tensor3D;
    const pool3 = new CrossAttentionPool(new ParamInit(5), { kvDim: 12, dim: 8, heads: 2, queries: 3 });
    assert.deepEqual(pool3.query.shape, [1, 3, 8]);
    const y3 = pool3.forward(x); // [3, 24]
    assert.deepEqual(y3.shape, [3, 24]);
    assert.deepEqual(pool3.attentionWeights(x).shape, [3, 2, 3, 5]);
    for (let q = 0; q < 3; q++) {
      const pool1 = new CrossAttentionPool(new ParamInit(99), { kvDim: 12, dim: 8, heads: 2 });
      const weights = new Map(pool3.weights());
      weights.set('query', pool3.query.slice([0, q, 0], [1, 1, 8]));
      pool1.loadWeights(weights);
      assert.ok(maxAbsDiff(pool1.forward(x), y3.slice([0, q * 8], [3, 8])) < 1e-5, `block ${q}`);
    }
    assert.throws(() => new CrossAttentionPool(new ParamInit(5), { kvDim: 12, dim: 8, heads: 2, queries: 0 }), /queries must be a positive integer/);
  });

  it('alignment head: one query has no merge layer (saved models keep their weight names); Q queries merge back to the shared width', () => {
    const one = new AlignmentHead(new ParamInit(7), { kvDim: 12, dim: 8, heads: 2, mlpRatio: 2, eps: 1e-5 });
    const four = new AlignmentHead(new ParamInit(7), { kvDim: 12, dim: 8, heads: 2, mlpRatio: 2, eps: 1e-5, queries: 4 });
    const names = (h: AlignmentHead) => h.namedParameters('').map(([n]) => n);
    assert.ok(!names(one).some((n) => n.startsWith('merge.')));
    assert.deepEqual(four.merge!.weight.shape, [32, 8]);
    const x = tf.randomNormal([2, 5, 12], 0, 1, 'float32', 21) as tf.Tensor3D;
    assert.deepEqual(one.forward(x).shape, [2, 8]);
    assert.deepEqual(four.forward(x).shape, [2, 8]);
  });

  it('principal readout: whitened coordinates (x - center) @ axes, then a learned map; unfitted it adds only the bias', () => {
    const readout = new PrincipalReadout(new ParamInit(3), { tokens: 5, width: 4, axes: 3, dim: 6 });
    const x = tf.randomNormal([2, 5, 4], 0, 1, 'float32', 31) as tf.Tensor3D;
    assert.ok(tf.tidy(() => readout.coordinates(x).abs().max().dataSync()[0]) === 0, 'unfitted: zero coordinates');
    assert.equal(readout.isFitted(), false);
    assert.equal(readout.center.trainable, false);
    assert.equal(readout.axes.trainable, false);
    assert.equal(readout.proj.weight.trainable, true);
    const center = Float32Array.from({ length: 20 }, (_, i) => i / 10);
    const axes = Float32Array.from({ length: 60 }, (_, i) => Math.sin(i));
    readout.setAxes(center, axes);
    assert.equal(readout.isFitted(), true);
    // By hand: coordinate j of object b = sum_r (x[b, r] - center[r]) * axes[r, j], r = t * 4 + d.
    const flat = x.reshape([2, 20]).arraySync() as number[][];
    const expected = flat.map((row) => [0, 1, 2].map((j) => row.reduce((acc, v, r) => acc + (v - center[r]) * axes[r * 3 + j], 0)));
    assert.ok(maxAbsDiff(readout.coordinates(x), tf.tensor2d(expected)) < 1e-4);
    const byHand = dense(tf.tensor2d(expected), readout.proj.weight as tf.Tensor2D, readout.proj.bias as tf.Tensor1D);
    assert.ok(maxAbsDiff(readout.forward(x), byHand) < 1e-4);
    assert.throws(() => readout.setAxes(center, axes.subarray(0, 40)), /expected 20 centre values and 20 x 3 axes/);
    assert.throws(() => readout.forward(tf.zeros([2, 4, 4]) as tf.Tensor3D), /fitted on sequences of 5 x 4, got 4 x 4/);
  });

  it('alignment head: a principal readout tells token positions apart (the pool cannot) and adds nothing when zeroed', () => {
    const config = { kvDim: 12, dim: 8, heads: 2, mlpRatio: 2, eps: 1e-5 };
    const pooled = new AlignmentHead(new ParamInit(7), config);
    const withReadout = new AlignmentHead(new ParamInit(7), { ...config, readout: { tokens: 5, axes: 3 } });
    assert.deepEqual(withReadout.readout!.axes.shape, [5 * 12, 3]);
    assert.equal(pooled.readout, undefined);
    withReadout.readout!.setAxes(new Float32Array(60), Float32Array.from({ length: 180 }, (_, i) => Math.cos(i)));
    const x = tf.randomNormal([2, 5, 12], 0, 1, 'float32', 23) as tf.Tensor3D;
    const swapped = tf.concat([x.slice([0, 1, 0], [2, 1, 12]), x.slice([0, 0, 0], [2, 1, 12]), x.slice([0, 2, 0], [2, 3, 12])], 1) as tf.Tensor3D;
    // The attention pool is a weighted mean: swapping two tokens changes nothing.
    assert.ok(maxAbsDiff(pooled.forward(x), pooled.forward(swapped)) < 1e-5);
    // The readout weighs each position separately: the same swap moves the embedding.
    assert.ok(maxAbsDiff(withReadout.forward(x), withReadout.forward(swapped)) > 1e-3);
    // With zero axes and bias the head is exactly the pooled one (same other weights).
    const weights = new Map(pooled.weights());
    weights.set('readout.center', tf.zeros([60]));
    weights.set('readout.axes', tf.zeros([60, 3]));
    weights.set('readout.proj.weight', tf.randomNormal([3, 8]));
    weights.set('readout.proj.bias', tf.zeros([8]));
    withReadout.loadWeights(weights);
    assert.ok(maxAbsDiff(withReadout.forward(x), pooled.forward(x)) < 1e-6);
    assert.throws(() => new AlignmentHead(new ParamInit(7), { ...config, readout: { tokens: 0, axes: 3 } }), /tokens must be a positive integer/);
  });
});

describe('patch embedding', () => {
  it('patchify lays out patches row-major and matches a conv2d with the reshaped filter', () => {
    const images = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 13) as tf.Tensor4D;
    const embed = new PatchEmbed(new ParamInit(6), { imageSize: 16, patchSize: 4, channels: 3, dim: 10 });
    const y = embed.forward(images); // [2, 16, 10]
    assert.deepEqual(y.shape, [2, 16, 10]);
    const filter = embed.proj.weight.reshape([4, 4, 3, 10]) as tf.Tensor4D;
    const conv = tf.conv2d(images, filter, 4, 'valid').add(embed.proj.bias!).reshape([2, 16, 10]);
    assert.ok(maxAbsDiff(y, conv) < 1e-4);
    // Patch 5 (row 1, col 1) of image 0 is pixels [4:8, 4:8].
    const p = patchify(images, 4);
    assert.deepEqual(p.shape, [2, 16, 48]);
    const direct = images.slice([0, 4, 4, 0], [1, 4, 4, 3]).reshape([48]);
    assert.equal(maxAbsDiff(p.slice([0, 5, 0], [1, 1, 48]).reshape([48]), direct), 0);
  });

  it('embeds only the visible patches when given their indices', () => {
    const images = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 14) as tf.Tensor4D;
    const embed = new PatchEmbed(new ParamInit(6), { imageSize: 16, patchSize: 4, channels: 3, dim: 10 });
    const visible = tf.tensor2d([[0, 5, 15], [3, 2, 1]], [2, 3], 'int32');
    const some = embed.forward(images, visible);
    assert.deepEqual(some.shape, [2, 3, 10]);
    assert.equal(maxAbsDiff(some, selectTokens(embed.forward(images), visible)), 0);
    assert.throws(() => embed.forward(tf.zeros([1, 8, 8, 3]) as tf.Tensor4D), /expects \[B, 16, 16, 3\]/);
  });
});

describe('position embedding', () => {
  it('first(t) and at(indices) pick rows of the table (one-hot matMul == gather)', () => {
    const pos = new PositionEmbedding(new ParamInit(7), 10, 4);
    assert.deepEqual(pos.first(6).shape, [1, 6, 4]);
    const idx = tf.tensor2d([[9, 0, 3], [1, 1, 2]], [2, 3], 'int32');
    const picked = pos.at(idx);
    assert.deepEqual(picked.shape, [2, 3, 4]);
    assert.equal(maxAbsDiff(picked, tf.gather(pos.table, idx)), 0);
    assert.throws(() => pos.first(11), /exceeds/);
  });
});

describe('spectrum tokenizer', () => {
  it("gives AstroCLIP's 778 tokens of 22 values for 7781 pixels, window 20, stride 10", () => {
    const tok = new SpectrumTokenizer(ASTROCLIP_TOKENIZER);
    assert.equal(tok.numWindows, 777);
    assert.equal(tok.numTokens, 778);
    assert.equal(tok.tokenDim, 22);
    const spectra = tf.randomNormal([2, 7781], 3, 2, 'float32', 15) as tf.Tensor2D;
    assert.deepEqual(tok.forward(spectra).shape, [2, 778, 22]);
  });

  it('standardizes per object (Bessel std, clipped), windows overlap, stats token leads', () => {
    const cfg = { ...ASTROCLIP_TOKENIZER, length: 50, window: 20, stride: 10 };
    const tok = new SpectrumTokenizer(cfg);
    const values = Array.from({ length: 50 }, (_, i) => 4 + Math.sin(i) * 3);
    const flat = Array.from({ length: 50 }, () => 7); // std 0 -> clipped to 0.2
    const tokens = tok.forward(tf.tensor2d([values, flat])).arraySync(); // [2, 5, 22]
    assert.equal(tokens[0]!.length, 1 + 4); // floor((50-20)/10)+1 = 4 windows
    const mean = values.reduce((a, b) => a + b) / 50;
    const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / 49);
    const head = tokens[0]![0]!;
    assert.ok(Math.abs(head[0]! - (mean - 2) / 2) < 1e-5);
    assert.ok(Math.abs(head[1]! - (std - 2) / 8) < 1e-5);
    assert.ok(head.slice(2).every((v) => v === 0));
    // Window 1 covers pixels 10..29, after two zero slots.
    const w1 = tokens[0]![2]!;
    assert.deepEqual(w1.slice(0, 2), [0, 0]);
    for (let j = 0; j < 20; j++) assert.ok(Math.abs(w1[2 + j]! - (values[10 + j]! - mean) / std) < 1e-4);
    // A flat spectrum: std clipped to 0.2, windows all zero.
    assert.ok(Math.abs(tokens[1]![0]![1]! - (0.2 - 2) / 8) < 1e-6);
    assert.ok(tokens[1]!.slice(1).every((t) => t.every((v) => Math.abs(v) < 1e-5)));
  });

  it('refuses spectra of the wrong length', () => {
    const tok = new SpectrumTokenizer(ASTROCLIP_TOKENIZER);
    assert.throws(() => tok.forward(tf.zeros([1, 100]) as tf.Tensor2D), /7781 pixels/);
  });
});
