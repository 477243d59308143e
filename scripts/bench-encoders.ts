/**
 * Times the encoders of a preset on the chosen backend (SKYCLIP_BACKEND, default auto):
 * forward and forward+backward (tf.variableGrads over every trainable weight) per batch.
 *   node --import tsx scripts/bench-encoders.ts [preset=tiny] [batch=32] [reps=5]
 * Not a test (no .test.ts suffix); prints one JSON line per encoder.
 */
import { presetConfig } from '../src/config/model-config.js';
import { initBackend } from '../src/nn/backend.js';
import { buildModel } from '../src/nn/skyclip-model.js';
import { tf } from '../src/nn/tf.js';

const [presetName = 'tiny', batchArg = '32', repsArg = '5'] = process.argv.slice(2);
const batch = Number(batchArg);
const reps = Number(repsArg);
const info = await initBackend();
const config = presetConfig(presetName);
const model = buildModel(config, { seed: 1 });
const shapes = model.shapes;

function time(fn: () => void): number {
  fn(); // warm-up (kernel compilation, allocations)
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)]!;
}

const images = tf.randomUniform([batch, shapes.image.size, shapes.image.size, shapes.image.channels], 0, 1, 'float32', 1) as tf.Tensor4D;
const spectra = tf.randomNormal([batch, shapes.spectrum.length], 1, 0.5, 'float32', 2) as tf.Tensor2D;
const cases = [
  { encoder: 'image', params: model.image.numParams(), run: () => model.image.forward(images).embedding, vars: model.image.trainableVariables() },
  { encoder: 'spectrum', params: model.spectrum.numParams(), run: () => model.spectrum.forward(spectra).embedding, vars: model.spectrum.trainableVariables() },
];
for (const c of cases) {
  const forwardMs = time(() => {
    const e = c.run();
    e.dataSync();
    e.dispose();
  });
  const backwardMs = time(() => {
    const { value, grads } = tf.variableGrads(() => c.run().square().mean() as tf.Scalar, c.vars);
    value.dataSync();
    for (const g of Object.values(grads)) g.dataSync();
    value.dispose();
    tf.dispose(grads);
  });
  console.log(JSON.stringify({ backend: info.name, preset: presetName, batch, encoder: c.encoder, params: c.params, forwardMs: Math.round(forwardMs), forwardBackwardMs: Math.round(backwardMs) }));
}
console.log(JSON.stringify({ preset: presetName, totalParams: model.numParams(), numTensors: tf.memory().numTensors }));
