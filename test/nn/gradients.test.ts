/**
 * Proof that training can run on the wasm backend: gradients flow through full tiny encoders
 * (patch embed, positions, blocks, pooling, tokenizer, reconstruction head) and the alignment
 * heads, and every trainable weight gets a finite, non-zero gradient.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { presetConfig } from '../../src/config/model-config.js';
import { buildModel } from '../../src/nn/skyclip-model.js';
import { tf } from '../../src/nn/tf.js';
import { randomImages, randomSpectra, useBackend } from './helpers.js';

before(() => useBackend('wasm'));

/** A loss that depends on every coordinate (a plain sum of LayerNorm outputs would not). */
function probe(x: tf.Tensor, seed: number): tf.Scalar {
  return tf.tidy(() => x.mul(tf.randomNormal(x.shape, 0, 1, 'float32', seed)).sum().add(x.square().mean()) as tf.Scalar);
}

function checkGrads(grads: tf.NamedTensorMap, names: Map<string, string>): void {
  assert.equal(Object.keys(grads).length, names.size, 'one gradient per trainable variable');
  for (const [id, g] of Object.entries(grads)) {
    const name = names.get(id)!;
    const [finite, maxAbs] = tf.tidy(() => [tf.all(tf.isFinite(g)).dataSync()[0]!, g.abs().max().dataSync()[0]!]);
    assert.equal(finite, 1, `${name}: gradient is finite`);
    assert.ok(maxAbs! > 0, `${name}: gradient is non-zero`);
  }
}

describe('gradients on wasm', () => {
  it('reach every weight of the tiny ViT, SpecFormer and both alignment heads', () => {
    assert.equal(tf.getBackend(), 'wasm');
    const config = presetConfig('tiny');
    const model = buildModel(config, { seed: 11 });
    const images = randomImages(config, 4);
    const spectra = randomSpectra(config, 4);
    // The spectrum readout's centre and axes are fitted, not trained; everything else trains.
    const frozen = model.namedParameters().filter(([, v]) => !v.trainable).map(([n]) => n);
    assert.deepEqual(frozen, ['spectrumHead.readout.center', 'spectrumHead.readout.axes']);
    const readout = model.spectrumHead.readout!;
    const d = readout.config.tokens * readout.config.width;
    readout.setAxes(new Float32Array(d), Float32Array.from({ length: d * readout.config.axes }, (_, i) => Math.sin(i) / Math.sqrt(d))); // fitted stand-in
    const vars = model.trainableVariables();
    const names = new Map(model.namedParameters().filter(([, v]) => v.trainable).map(([n, v]) => [v.name, n]));
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => {
      const img = model.image.forward(images); // [B, T, D]
      const tokens = model.spectrum.tokenize(spectra); // [B, T, F]
      const spec = model.spectrum.forwardTokens(tokens, { reconstruct: true });
      const zi = model.imageHead.forward(img.sequence); // [B, E]
      const zs = model.spectrumHead.forward(tf.concat([spec.sequence, tokens], 2) as tf.Tensor3D); // [B, T, D + F] (the tiny preset's input skip) -> [B, E]
      const recon = spec.reconstruction!.sub(tokens).square().mean(); // masked-modeling-like term
      return probe(zi, 1).add(probe(zs, 2)).add(recon).add(probe(img.embedding, 3)).add(probe(spec.embedding, 4)) as tf.Scalar;
    }, vars);
    assert.ok(Number.isFinite(value.dataSync()[0]));
    checkGrads(grads, names);
    tf.dispose([value, grads]);
    assert.equal(tf.memory().numTensors, before, 'no tensor leaked by the gradient step');
    tf.dispose([images, spectra]);
    model.dispose();
  });

  it('through a masked (visible-subset) ViT forward: only visible positions get position gradients', () => {
    const config = presetConfig('tiny');
    const model = buildModel(config, { seed: 12 });
    const images = randomImages(config, 2);
    const visible = tf.tensor2d([[0, 7, 9, 63], [1, 7, 20, 40]], [2, 4], 'int32');
    const vars = model.image.trainableVariables();
    const names = new Map(model.image.namedParameters().map(([n, v]) => [v.name, n]));
    const { value, grads } = tf.variableGrads(() => probe(model.image.forward(images, { visible }).sequence, 5), vars);
    const posId = model.image.pos.table.name;
    const posGrad = grads[posId]!;
    const rowHasGrad = tf.tidy(() => posGrad.abs().sum(1).greater(0).arraySync() as unknown as boolean[]);
    const used = new Set([0, 7, 9, 63, 1, 20, 40]);
    rowHasGrad.forEach((has, i) => assert.equal(Boolean(has), used.has(i), `position ${i}`));
    const { [posId]: _pos, ...others } = grads;
    names.delete(posId);
    checkGrads(others, names);
    tf.dispose([value, grads, images, visible]);
    model.dispose();
  });
});
