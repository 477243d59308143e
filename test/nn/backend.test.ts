import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BACKEND_NAMES, backendInfo, initBackend, parseBackendName, selectBackend } from '../../src/nn/backend.js';
import { tf } from '../../src/nn/tf.js';
import { SkyclipError } from '../../src/util/errors.js';

const fail = (msg: string) => async () => {
  throw new Error(msg);
};

describe('backend selection', () => {
  it('honours SKYCLIP_BACKEND', async () => {
    const cpu = await selectBackend({ env: { SKYCLIP_BACKEND: 'cpu' } });
    assert.equal(cpu.name, 'cpu');
    assert.equal(cpu.source, 'env');
    assert.equal(tf.getBackend(), 'cpu');
    const wasm = await selectBackend({ env: { SKYCLIP_BACKEND: ' WASM ' } });
    assert.equal(wasm.name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.equal(wasm.wasm?.threads, 1);
    assert.deepEqual(wasm.tried.map((a) => a.name), ['wasm']);
  });

  it('rejects an unknown SKYCLIP_BACKEND with the allowed values', async () => {
    await assert.rejects(selectBackend({ env: { SKYCLIP_BACKEND: 'webgpu' } }), (err: unknown) => {
      assert.ok(err instanceof SkyclipError);
      assert.equal(err.code, 'BAD_INPUT');
      assert.match(err.message, /webgpu/);
      for (const name of BACKEND_NAMES) assert.ok(err.message.includes(name), `message lists ${name}`);
      return true;
    });
    assert.throws(() => parseBackendName('gpu'), SkyclipError);
    assert.equal(parseBackendName('tensorflow-gpu'), 'tensorflow-gpu');
  });

  it('refuses, without falling back, a named backend that does not load', async () => {
    await assert.rejects(
      selectBackend({ env: { SKYCLIP_BACKEND: 'tensorflow' }, loaders: { tensorflow: fail('libtensorflow missing') } }),
      (err: unknown) => err instanceof SkyclipError && err.code === 'UNSUPPORTED' && /libtensorflow missing/.test(err.message),
    );
  });

  it('picks the first backend that loads, in order, recording each attempt', async () => {
    const info = await selectBackend({
      env: {},
      loaders: { 'tensorflow-gpu': fail('no CUDA'), tensorflow: fail('no libtensorflow') },
    });
    assert.equal(info.name, 'wasm');
    assert.equal(info.source, 'auto');
    assert.deepEqual(
      info.tried.map((a) => [a.name, a.ok]),
      [['tensorflow-gpu', false], ['tensorflow', false], ['wasm', true]],
    );
    assert.equal(info.tried[0]!.error, 'no CUDA');
  });

  it('really tries the optional native packages (absent here) before wasm', async () => {
    const info = await selectBackend({ env: {} });
    // On a machine with tfjs-node installed this picks 'tensorflow'; here they are absent.
    if (info.name === 'wasm') {
      assert.deepEqual(info.tried.map((a) => a.name), ['tensorflow-gpu', 'tensorflow', 'wasm']);
      assert.ok(info.tried.slice(0, 2).every((a) => !a.ok && a.error));
    }
  });

  it('initBackend is idempotent and logs its choice once through the injected logger', async () => {
    const lines: string[] = [];
    const logger = (l: string) => lines.push(l);
    const a = await initBackend({ env: { SKYCLIP_BACKEND: 'wasm' }, logger });
    const b = await initBackend({ env: { SKYCLIP_BACKEND: 'cpu' }, logger });
    assert.equal(a, b);
    assert.equal(backendInfo(), a);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /backend wasm/);
  });
});

describe('wasm backend limits the model code is written around', () => {
  // If tfjs ever adds these kernels, these tests fail: the workarounds in PatchEmbed and
  // PositionEmbedding may then be simplified.
  it('has no Conv2DBackpropFilter (conv2d filters cannot be trained)', async () => {
    await selectBackend({ env: { SKYCLIP_BACKEND: 'wasm' } });
    const f = tf.variable(tf.randomNormal([2, 2, 3, 4]));
    const x = tf.randomNormal([1, 8, 8, 3]) as tf.Tensor4D;
    assert.throws(() => tf.variableGrads(() => tf.conv2d(x, f as tf.Tensor4D, 2, 'valid').sum() as tf.Scalar, [f]), /Conv2DBackpropFilter/);
    tf.dispose([f, x]);
  });

  it('has no UnsortedSegmentSum (tf.gather has no gradient)', async () => {
    await selectBackend({ env: { SKYCLIP_BACKEND: 'wasm' } });
    const w = tf.variable(tf.randomNormal([5, 3]));
    assert.throws(() => tf.variableGrads(() => tf.gather(w, [0, 2]).sum() as tf.Scalar, [w]), /UnsortedSegmentSum/);
    w.dispose();
  });

  it('returns wrong rows from tf.gather with batchDims = 1 (so selectTokens flattens instead)', async () => {
    await selectBackend({ env: { SKYCLIP_BACKEND: 'wasm' } });
    const x = tf.tensor3d([[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]);
    const idx = tf.tensor2d([[0, 1, 2], [2, 0, 1]], [2, 3], 'int32');
    const right = [[[1, 2], [3, 4], [5, 6]], [[11, 12], [7, 8], [9, 10]]];
    assert.notDeepEqual(tf.gather(x, idx, 1, 1).arraySync(), right);
    const { selectTokens } = await import('../../src/nn/layers/patch-embed.js');
    assert.deepEqual(selectTokens(x, idx).arraySync(), right);
    tf.dispose([x, idx]);
  });
});
