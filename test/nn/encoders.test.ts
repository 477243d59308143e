import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { derivedShapes, listPresets, presetConfig, resolveModelConfig } from '../../src/config/model-config.js';
import { buildModel } from '../../src/nn/skyclip-model.js';
import { tf } from '../../src/nn/tf.js';
import { SkyclipError } from '../../src/util/errors.js';
import { expectedParamCount, maxAbsDiff, randomImages, randomSpectra, useBackend } from './helpers.js';

before(() => useBackend('wasm'));

/** Presets small enough to run a forward pass in a test. */
const RUNNABLE = new Set(['tiny']);

describe('presets', () => {
  it('registers tiny and base', () => {
    assert.ok(listPresets().includes('tiny'));
    assert.ok(listPresets().includes('base'));
    assert.throws(() => presetConfig('huge'), /unknown model preset 'huge'/);
  });

  for (const name of listPresets()) {
    it(`${name}: parses, builds, and has the parameters its config implies`, () => {
      const config = presetConfig(name);
      assert.equal(config.name, name);
      const model = buildModel(config, { init: RUNNABLE.has(name) ? 'random' : 'zeros' });
      try {
        const expected = expectedParamCount(config);
        assert.equal(model.image.numParams(), expected.image);
        assert.equal(model.spectrum.numParams(), expected.spectrum);
        assert.equal(model.numParams(), expected.total);
        const names = model.namedParameters().map(([n]) => n);
        assert.equal(new Set(names).size, names.length, 'parameter names are unique');
        if (name === 'base') {
          assert.equal(model.numParams(), 110_292_246);
          assert.equal(model.spectrum.numParams(), 43_177_750);
          assert.deepEqual(derivedShapes(config).spectrum, { length: 7781, numWindows: 777, numTokens: 778, tokenDim: 22, maxTokens: 800 });
        }
      } finally {
        model.dispose();
      }
    });
  }

  for (const name of listPresets().filter((n) => RUNNABLE.has(n))) {
    it(`${name}: a forward pass gives the documented shapes`, () => {
      const config = presetConfig(name);
      const s = derivedShapes(config);
      const model = buildModel(config, { seed: 3 });
      tf.tidy(() => {
        const images = randomImages(config, 2);
        const spectra = randomSpectra(config, 2);
        const img = model.image.forward(images);
        assert.deepEqual(img.sequence.shape, [2, s.image.numTokens, config.image.dim]);
        assert.deepEqual(img.embedding.shape, [2, config.image.dim]);
        const spec = model.spectrum.forward(spectra, { reconstruct: true });
        assert.deepEqual(spec.sequence.shape, [2, s.spectrum.numTokens, config.spectrum.dim]);
        assert.deepEqual(spec.embedding.shape, [2, config.spectrum.dim]);
        assert.deepEqual(spec.reconstruction?.shape, [2, s.spectrum.numTokens, s.spectrum.tokenDim]);
        const zi = model.encodeImage(images);
        const zs = model.encodeSpectrum(spectra);
        assert.deepEqual(zi.shape, [2, config.align.dim]);
        assert.deepEqual(zs.shape, [2, config.align.dim]);
        for (const z of [zi, zs]) assert.ok(z.norm('euclidean', 1).sub(1).abs().max().dataSync()[0]! < 1e-5, 'unit norm');
      });
      model.dispose();
    });
  }

  it('the tiny preset has the documented sizes', () => {
    const s = derivedShapes(presetConfig('tiny'));
    assert.deepEqual(s.image, { size: 64, channels: 3, gridSize: 8, numPatches: 64, numTokens: 65 });
    assert.deepEqual(s.spectrum, { length: 1946, numWindows: 96, numTokens: 97, tokenDim: 42, maxTokens: 97 });
    // 4 pooling queries; the spectrum head (only) reads the whole 97-token sequence on 32 principal
    // axes, each token's 96 encoded values beside its 42 input values (the input skip).
    const model = buildModel(presetConfig('tiny'), { init: 'zeros' });
    assert.equal(model.spectrumHeadWidth, 96 + 42);
    assert.deepEqual(model.spectrumHead.readout?.axes.shape, [97 * (96 + 42), 32]);
    assert.equal(model.imageHead.readout, undefined);
    assert.deepEqual(model.spectrumHead.pool.query.shape, [1, 4, 64]);
    model.dispose();
  });
});

describe('model config', () => {
  it('fills documented defaults (AstroCLIP constants)', () => {
    const c = resolveModelConfig({ name: 'x', image: { dim: 32, depth: 1, heads: 2, patchSize: 16 }, spectrum: { dim: 32, depth: 1, heads: 2 } });
    assert.deepEqual(c.preprocess.image.stretch, { bands: ['g', 'r', 'z'], scales: [6.0, 3.4, 2.2], offset: 0.03, q: 20 });
    assert.equal(c.preprocess.image.cropSize, 144);
    assert.deepEqual(c.preprocess.spectrum.grid, { start: 3600, step: 0.8, length: 7781 });
    assert.equal(c.preprocess.spectrum.stdMin, 0.2);
    assert.equal(c.align.dim, 1024);
    assert.equal(c.align.logitScale, 15.5);
    assert.equal(c.image.pool, 'cls');
  });

  it('refuses bad configs, naming the field', () => {
    const base = { name: 'x', image: { dim: 30, depth: 1, heads: 4, patchSize: 16 }, spectrum: { dim: 32, depth: 1, heads: 2 } };
    assert.throws(() => resolveModelConfig(base), (e: unknown) => e instanceof SkyclipError && e.code === 'BAD_INPUT' && /image\.heads/.test(e.message));
    assert.throws(() => resolveModelConfig({ ...base, image: { ...base.image, dim: 32, patchSize: 10 } }), /image\.patchSize/);
    assert.throws(() => resolveModelConfig({ ...base, image: { ...base.image, dim: 32 }, extra: 1 }), /extra/);
  });
});

describe('encoders', () => {
  it('the ViT embeds a visible subset of patches (MAE) with their own positions', () => {
    const config = presetConfig('tiny');
    const model = buildModel(config, { seed: 4 });
    tf.tidy(() => {
      const images = randomImages(config, 2);
      const visible = tf.tensor2d([[0, 1, 2, 63], [10, 20, 30, 40]], [2, 4], 'int32');
      const out = model.image.forward(images, { visible });
      assert.deepEqual(out.sequence.shape, [2, 1 + 4, config.image.dim]);
      // All patches listed in order == the full forward.
      const all = tf.range(0, 64, 1, 'int32').expandDims(0).tile([2, 1]) as tf.Tensor2D;
      assert.ok(maxAbsDiff(model.image.forward(images, { visible: all }).sequence, model.image.forward(images).sequence) < 1e-4);
    });
    model.dispose();
  });

  it('the input skip: the spectrum head reads each token beside its input window, and only then', () => {
    const withSkip = presetConfig('tiny');
    assert.equal(withSkip.align.spectrumInputSkip, true);
    const withoutSkip = resolveModelConfig({ ...withSkip, align: { ...withSkip.align, spectrumInputSkip: undefined } });
    const [a, b] = [buildModel(withSkip, { seed: 6 }), buildModel(withoutSkip, { seed: 6 })];
    assert.equal(b.spectrumHeadWidth, 96);
    tf.tidy(() => {
      const spectra = randomSpectra(withSkip, 3);
      const tokens = a.spectrum.tokenize(spectra); // [3, 97, 42]
      const { sequence } = a.spectrum.forwardTokens(tokens); // [3, 97, 96]
      const read = a.spectrumHeadSequence(spectra); // [3, 97, 138]
      assert.deepEqual(read.shape, [3, 97, 138]);
      assert.equal(maxAbsDiff(read.slice([0, 0, 0], [3, 97, 96]), sequence), 0, 'encoded values first');
      assert.equal(maxAbsDiff(read.slice([0, 0, 96], [3, 97, 42]), tokens), 0, 'then the input window and its statistics');
      // encodeSpectrum embeds exactly what the feature cache stores, so cached and live agree.
      const direct = a.encodeSpectrum(spectra);
      const viaHead = a.spectrumHead.forward(read);
      assert.ok(maxAbsDiff(direct, viaHead.div(viaHead.norm('euclidean', 1, true))) < 1e-5);
      // Without the skip the head reads the encoder's tokens alone (AstroCLIP).
      assert.equal(maxAbsDiff(b.spectrumHeadSequence(spectra), b.spectrum.forward(spectra).sequence), 0);
    });
    [a, b].forEach((m) => m.dispose());
  });

  it('the same seed gives bit-identical weights, another seed different ones', () => {
    const config = presetConfig('tiny');
    const [a, b, c] = [buildModel(config, { seed: 9 }), buildModel(config, { seed: 9 }), buildModel(config, { seed: 10 })];
    const w = (m: typeof a) => m.image.blocks[0]!.attn.qkv.weight;
    assert.equal(maxAbsDiff(w(a), w(b)), 0);
    assert.ok(maxAbsDiff(w(a), w(c)) > 0);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('leaks no tensor: tf.memory().numTensors is unchanged after embedding a batch', () => {
    const config = presetConfig('tiny');
    const model = buildModel(config, { seed: 5 });
    const images = randomImages(config, 4);
    const spectra = randomSpectra(config, 4);
    const visible = tf.tensor2d([[0, 5, 9], [1, 2, 3], [4, 5, 6], [7, 8, 9]], [4, 3], 'int32');
    const before = tf.memory().numTensors;
    const calls: Array<[string, () => tf.TensorContainer]> = [
      ['image.forward', () => model.image.forward(images)],
      ['image.forward visible', () => model.image.forward(images, { visible })],
      ['spectrum.forward', () => model.spectrum.forward(spectra, { reconstruct: true })],
      ['spectrum.tokenize', () => model.spectrum.tokenize(spectra)],
      ['encodeImage', () => model.encodeImage(images)],
      ['encodeSpectrum', () => model.encodeSpectrum(spectra)],
      ['spectrumHeadSequence', () => model.spectrumHeadSequence(spectra)],
      [
        'variableGrads',
        () => {
          const { value, grads } = tf.variableGrads(() => model.encodeImage(images).sum() as tf.Scalar, model.image.trainableVariables());
          return [value, ...Object.values(grads)];
        },
      ],
    ];
    for (const [label, call] of calls) {
      const out = call();
      tf.dispose(out);
      assert.equal(tf.memory().numTensors, before, `${label} leaked ${tf.memory().numTensors - before} tensors`);
    }
    tf.dispose([images, spectra, visible]);
    const withModel = tf.memory().numTensors;
    model.dispose();
    assert.equal(withModel - tf.memory().numTensors, model.namedParameters().length, 'dispose frees every variable');
  });
});
