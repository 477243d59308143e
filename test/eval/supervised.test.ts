/**
 * The supervised-from-scratch baseline: `skyclip train-supervised` for 3 steps writes a loadable
 * model directory with its head, targets and scaling; only the chosen encoder (and the head)
 * changed; its predictions have one value per object and target, in physical units; `skyclip
 * eval --supervised` scores it as its own row; a model trained on the held-out seed is refused.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { SurveyDataset, openSurvey } from '../../src/data/index.js';
import { evaluateSupervised, runEval } from '../../src/eval/index.js';
import { buildModel } from '../../src/nn/skyclip-model.js';
import { tf } from '../../src/nn/tf.js';
import { loadModel, saveModel } from '../../src/nn/weights-io.js';
import { loadSupervised, runSupervised, SUPERVISED_TARGETS, stagesOf } from '../../src/train/pipelines/index.js';
import { maskedPairMse } from '../../src/train/tasks/supervised.js';
import { MICRO, makeSurvey, tempDir, useWasm } from '../data/helpers.js';

let root: string;
let trainData: string;
let heldout: string;
let init: string;
let sup: string;

before(async () => {
  await useWasm();
  root = tempDir('supervised');
  trainData = await makeSurvey(join(root, 'sim-train'), 48, 3);
  heldout = await makeSurvey(join(root, 'sim-heldout'), 30, 4);
  init = join(root, 'init');
  const m = buildModel(MICRO, { seed: 5 });
  await saveModel(init, m);
  m.dispose();
  sup = join(root, 'sup-image');
});

after(() => rmSync(root, { recursive: true, force: true }));

async function weights(dir: string, prefix: string): Promise<Float32Array[]> {
  const { model } = await loadModel(dir);
  const out = model.namedParameters().filter(([n]) => n.startsWith(prefix)).map(([, v]) => v.dataSync().slice() as Float32Array);
  model.dispose();
  return out;
}

describe('supervised baseline', () => {
  it('scores only the labels that are present (a star has no stellar mass)', () => {
    const [value] = tf.tidy(() => {
      const prediction = tf.tensor2d([[1, 5], [0, 0]]); // [B=2, T=2]
      const targets = tf.tensor2d([[0, 0], [2, 100]]);
      const present = tf.tensor2d([[1, 0], [1, 1]]);
      return [maskedPairMse(prediction, targets, present).dataSync()[0]];
    });
    assert.ok(Math.abs(value - (1 + 4 + 10000) / 3) < 1e-3, `${value}`);
    const none = tf.tidy(() => maskedPairMse(tf.ones([1, 2]), tf.zeros([1, 2]), tf.zeros([1, 2])).dataSync()[0]);
    assert.equal(none, 0);
  });

  it('trains 3 steps through the CLI and writes a loadable model with its head, log and plot', async () => {
    const before = tf.memory().numTensors;
    const code = await main([
      'train-supervised', '--modality', 'image', '--data', trainData, '--out', sup, '--init', init,
      '--run-dir', join(root, 'runs', 'sup'), '--steps', '3', '--batch', '4', '--lr', '1e-3', '--seed', '1',
      '--validate-every', '3', '--val-samples', '6', '--quiet',
    ]);
    assert.equal(code, 0);
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
    const loaded = await loadModel(sup, { expect: MICRO.preprocess });
    loaded.model.dispose();
    const stage = stagesOf(loaded.training).at(-1)!;
    assert.equal(stage.stage, 'supervised-image');
    assert.equal(stage.steps, 3);
    assert.equal(stage.data.seed, 3);
    assert.deepEqual(stage.targets, SUPERVISED_TARGETS);
    assert.ok(Number.isFinite(stage.finalLosses.val) && Number.isFinite(stage.finalLosses.baseline) && Number.isFinite(stage.samplesPerSec));
    for (const f of ['supervised-head.json', 'supervised-head.bin', 'training-log/supervised-image/log.jsonl', 'training-log/supervised-image/loss.png']) {
      assert.ok(existsSync(join(sup, f)), f);
    }
    const changed = (a: Float32Array[], b: Float32Array[]) => a.some((w, i) => w.some((x, j) => x !== b[i][j]));
    assert.ok(changed(await weights(init, 'image.'), await weights(sup, 'image.')), 'image encoder trained');
    assert.ok(!changed(await weights(init, 'spectrum.'), await weights(sup, 'spectrum.')), 'spectrum encoder untouched');
  });

  it('predicts every target for every object, in physical units', async () => {
    const model = await loadSupervised(sup);
    const survey = openSurvey(heldout);
    try {
      const dataset = new SurveyDataset(survey, model.model.config.preprocess, 'all');
      const predictions = model.predictDataset(dataset, { batchSize: 7 });
      assert.deepEqual(Object.keys(predictions), [...SUPERVISED_TARGETS]);
      for (const [column, values] of Object.entries(predictions)) {
        assert.equal(values.length, 30, column);
        assert.ok(values.every(Number.isFinite), column);
      }
      // near-untrained: predictions sit near the training mean of each target, not near 0
      const meta = JSON.parse(readFileSync(join(sup, 'supervised-head.json'), 'utf8'));
      const i = meta.scaling.columns.indexOf('logmstar');
      const mean = predictions.logmstar.reduce((a, b) => a + b, 0) / 30;
      assert.ok(Math.abs(mean - meta.scaling.mean[i]) < 3 * meta.scaling.scale[i], `logmstar mean ${mean}`);
    } finally {
      model.dispose();
      survey.close();
    }
  });

  it('is scored by skyclip eval as its own row, and refused on the seed it trained on', async () => {
    const out = join(root, 'eval');
    const report = await runEval({ model: init, reference: trainData, data: heldout, out, quick: true, supervised: [sup], progress: false, log: () => {} });
    assert.ok(Array.isArray(report.supervised));
    const [row] = report.supervised as Exclude<typeof report.supervised, { status: string }>;
    assert.equal(row.modality, 'image');
    assert.equal(row.targets.z.count, 30);
    assert.ok(Number.isFinite(row.targets.z.r2) && Number.isFinite(row.targets.z.r2Galaxies!) && Number.isFinite(row.targets.z.sigmaNMAD!));
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    const line = md.split('\n').find((l) => l.startsWith('| supervised from scratch |'))!;
    assert.equal(line.split('|')[3].trim(), row.targets.z.r2Galaxies!.toFixed(2), 'headline: redshift over galaxies');
    assert.equal(line.split('|')[4].trim(), 'not run', 'no spectrum model given');
    const survey = openSurvey(trainData);
    try {
      await assert.rejects(evaluateSupervised(sup, survey, undefined, { progress: false }), /trained the supervised model/);
    } finally {
      survey.close();
    }
  });

  it('resumes an interrupted run from its checkpoint (--resume), and refuses to restart it silently', async () => {
    const runDir = join(root, 'runs', 'sup-resume');
    const common = { modality: 'image' as const, data: trainData, init, runDir, batch: 4, lr: 1e-3, seed: 1, validateEvery: 2, valSamples: 6, progress: false, log: () => {} };
    const first = await runSupervised({ ...common, out: join(root, 'sup-r1'), steps: 2 });
    assert.equal(first.record.resumedFrom, 0);
    await assert.rejects(runSupervised({ ...common, out: join(root, 'sup-r2'), steps: 4 }), /--resume/);
    const second = await runSupervised({ ...common, out: join(root, 'sup-r2'), steps: 4, resume: true });
    assert.equal(second.record.resumedFrom, 2);
    assert.equal(second.record.steps, 4);
    const lines = readFileSync(join(runDir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.filter((r) => r.kind === 'train').map((r) => r.step), [1, 2, 3, 4]);
  });

  it('refuses bad targets', async () => {
    await assert.rejects(
      runSupervised({ modality: 'image', data: trainData, out: join(root, 'bad'), init, steps: 1, batch: 2, lr: 1e-3, seed: 1, targets: ['class'], progress: false, log: () => {} }),
      /not a regression target/,
    );
  });
});
