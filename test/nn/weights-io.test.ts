import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { presetConfig, resolveModelConfig } from '../../src/config/model-config.js';
import { buildModel, type SkyClipModel } from '../../src/nn/skyclip-model.js';
import { tf } from '../../src/nn/tf.js';
import { FILES, loadModel, modelId, readModelInfo, saveModel } from '../../src/nn/weights-io.js';
import { SkyclipError } from '../../src/util/errors.js';
import { bitwiseEqual, randomImages, randomSpectra, useBackend } from './helpers.js';

let root: string;
let model: SkyClipModel;
const config = presetConfig('tiny');

before(async () => {
  await useBackend('wasm');
  root = await mkdtemp(join(tmpdir(), 'skyclip-weights-'));
  model = buildModel(config, { seed: 21 });
});
after(async () => {
  model.dispose();
  await rm(root, { recursive: true, force: true });
});

const isCode = (code: string, pattern?: RegExp) => (err: unknown) =>
  err instanceof SkyclipError && err.code === code && (!pattern || pattern.test(err.message));

describe('weights I/O', () => {
  it('round-trips to bitwise-identical embeddings, with every file in place', async () => {
    const dir = join(root, 'roundtrip');
    const training = { dataSeed: 7, steps: 120, finalLosses: { infonce: 1.25 }, gitCommit: 'abc123' };
    const saved = await saveModel(dir, model, { training });
    assert.deepEqual((await readdir(dir)).sort(), Object.values(FILES).sort());
    const loaded = await loadModel(dir);
    try {
      assert.equal(loaded.id, saved.id);
      assert.deepEqual(loaded.config, config);
      assert.deepEqual(loaded.contract, config.preprocess);
      assert.equal(loaded.training.steps, 120);
      assert.deepEqual(loaded.training.finalLosses, { infonce: 1.25 });
      assert.equal(loaded.training.gitCommit, 'abc123');
      assert.ok(loaded.training.createdAt);
      const images = randomImages(config, 3);
      const spectra = randomSpectra(config, 3);
      const pairs: Array<[tf.Tensor, tf.Tensor]> = [
        [model.encodeImage(images), loaded.model.encodeImage(images)],
        [model.encodeSpectrum(spectra), loaded.model.encodeSpectrum(spectra)],
        [model.spectrum.forward(spectra, { reconstruct: true }).reconstruction!, loaded.model.spectrum.forward(spectra, { reconstruct: true }).reconstruction!],
      ];
      for (const [a, b] of pairs) assert.ok(bitwiseEqual(a, b), 'bitwise equal outputs');
      tf.dispose([images, spectra, ...pairs.flat()]);
    } finally {
      loaded.model.dispose();
    }
    const manifest = JSON.parse(await readFile(join(dir, FILES.manifest), 'utf8'));
    const entry = manifest.entries.find((e: { name: string }) => e.name === 'image.blocks.0.attn.qkv.weight');
    assert.deepEqual(entry.shape, [96, 288]);
    assert.equal(entry.dtype, 'float32');
  });

  it('gives a stable id across save/load/re-save, and a new one when one weight changes', async () => {
    const id = await modelId(model);
    assert.match(id, /^[0-9a-f]{16}$/);
    const first = await saveModel(join(root, 'id-a'), model, { training: { steps: 1 } });
    assert.equal(first.id, id);
    const loaded = await loadModel(join(root, 'id-a'));
    assert.equal(await modelId(loaded.model), id);
    const again = await saveModel(join(root, 'id-b'), loaded.model, { training: { steps: 999 } });
    assert.equal(again.id, id, 'training metadata is not part of the id');
    // Nudge one value of one weight.
    const w = loaded.model.spectrumHead.mlp.fc2.bias!;
    const values = w.dataSync().slice();
    values[0] = values[0]! + 1e-6;
    w.assign(tf.tensor(values, w.shape));
    assert.notEqual(await modelId(loaded.model), id);
    loaded.model.dispose();
    // A config change with the same weights (the logit scale is not a weight) changes it too.
    const other = buildModel(resolveModelConfig({ ...config, align: { ...config.align, logitScale: 20 } }), { seed: 21 });
    assert.notEqual(await modelId(other), id);
    other.dispose();
  });

  it('refuses a preprocessing contract mismatch, naming the field', async () => {
    const dir = join(root, 'contract');
    await saveModel(dir, model);
    await assert.rejects(loadModel(dir, { expect: { spectrum: { window: 20 } } }), isCode('CONFLICT', /'spectrum\.window'.*40.*20/));
    await assert.rejects(
      loadModel(dir, { expect: { image: { stretch: { scales: [6.0, 3.5, 2.2] } } } }),
      isCode('CONFLICT', /'image\.stretch\.scales\[1\]'/),
    );
    await assert.rejects(loadModel(dir, { expect: { spectrum: { grid: { step: 0.8 } } } }), isCode('CONFLICT', /spectrum\.grid\.step/));
    const ok = await loadModel(dir, { expect: { image: { cropSize: 64, stretch: { bands: ['g', 'r', 'z'] } }, spectrum: config.preprocess.spectrum } });
    ok.model.dispose();
    const full = await loadModel(dir, { expect: config.preprocess });
    full.model.dispose();
  });

  it('writes atomically: refuses to clobber unless asked, swaps whole directories, leaves no temp files', async () => {
    const dir = join(root, 'atomic');
    await saveModel(dir, model, { training: { steps: 1 } });
    await assert.rejects(saveModel(dir, model), isCode('CONFLICT', /already exists/));
    await saveModel(dir, model, { overwrite: true, training: { steps: 2 } });
    assert.equal((await readModelInfo(dir)).training.steps, 2);
    const leftovers = (await readdir(root)).filter((n) => n.startsWith('.'));
    assert.deepEqual(leftovers, []);
  });

  it('refuses corrupted or missing model directories with typed errors', async () => {
    await assert.rejects(loadModel(join(root, 'nope')), isCode('NOT_FOUND'));
    const dir = join(root, 'corrupt');
    await saveModel(dir, model);
    const bin = await readFile(join(dir, FILES.weights));
    bin[100] = bin[100]! ^ 0xff;
    await writeFile(join(dir, FILES.weights), bin);
    await assert.rejects(loadModel(dir), isCode('UNUSABLE', /does not match its manifest/));
    const dir2 = join(root, 'tampered');
    await saveModel(dir2, model);
    const cfg = JSON.parse(await readFile(join(dir2, FILES.config), 'utf8'));
    cfg.align.logitScale = 1;
    await writeFile(join(dir2, FILES.config), JSON.stringify(cfg));
    await assert.rejects(loadModel(dir2), isCode('UNUSABLE', /hashes to/));
  });

  it('leaks no tensor across save and load', async () => {
    const dir = join(root, 'leak');
    const before = tf.memory().numTensors;
    await saveModel(dir, model);
    assert.equal(tf.memory().numTensors, before);
    const loaded = await loadModel(dir);
    assert.equal(tf.memory().numTensors - before, loaded.model.namedParameters().length);
    loaded.model.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});
