/**
 * The training pipelines end to end on a micro model and tiny mock surveys: each stage takes a
 * few steps and writes a loadable model directory whose contract matches, with its stage in
 * training.json, its log and plots, the weights it should (and only those) changed; alignment
 * caches features; evaluation writes its report and refuses a training seed.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { derivedShapes } from '../../src/config/model-config.js';
import { DEFAULT_AUGMENT, SurveyDataset, defaultChunkMask, openSurvey, spectrumMmData } from '../../src/data/index.js';
import { train } from '../../src/train/loop.js';
import { lossPlotSvg, runningMean } from '../../src/train/plot-log.js';
import { SpectrumMmTask } from '../../src/train/tasks/spectrum-mm.js';
import { buildModel } from '../../src/nn/skyclip-model.js';
import { tf } from '../../src/nn/tf.js';
import { loadModel, saveModel } from '../../src/nn/weights-io.js';
import { groupedRanks, runAlign, runEvaluation, runPretrain, stagesOf, type AlignOptions } from '../../src/train/pipelines/index.js';
import { tokenFeatures } from '../../src/train/pipelines/feature-cache.js';
import { MICRO, makeSurvey, tempDir, useWasm } from '../data/helpers.js';

let root: string;
let trainData: string;
let heldout: string;
let init: string;

before(async () => {
  await useWasm();
  root = tempDir('pipelines');
  trainData = await makeSurvey(join(root, 'sim-train'), 40, 3);
  heldout = await makeSurvey(join(root, 'sim-heldout'), 30, 4);
  init = join(root, 'init');
  const model = buildModel(MICRO, { seed: 2 });
  await saveModel(init, model);
  model.dispose();
});

after(() => rmSync(root, { recursive: true, force: true }));

const quiet = { progress: false, log: () => {} };
function stage(out: string, extra: Partial<AlignOptions> = {}): AlignOptions {
  return { data: trainData, out: join(root, out), runDir: join(root, 'runs', out), steps: 3, batch: 4, lr: 1e-3, seed: 1, validateEvery: 3, valSamples: 4, ...quiet, ...extra };
}

/** Name -> values of the weights under a prefix. */
async function weightsOf(dir: string, prefix: string): Promise<Map<string, Float32Array>> {
  const { model } = await loadModel(dir);
  const out = new Map<string, Float32Array>();
  for (const [name, v] of model.namedParameters()) if (name.startsWith(prefix)) out.set(name, v.dataSync().slice() as Float32Array);
  model.dispose();
  return out;
}

function changed(a: Map<string, Float32Array>, b: Map<string, Float32Array>): boolean {
  for (const [name, v] of a) if (v.some((x, i) => x !== b.get(name)![i])) return true;
  return false;
}

describe('pipelines', () => {
  it('pretrains the image encoder: loadable model, matching contract, only image weights changed, log and plots', async () => {
    const before = tf.memory().numTensors;
    const result = await runPretrain({ ...stage('pi', { init }), modality: 'image' });
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
    const loaded = await loadModel(result.out, { expect: MICRO.preprocess });
    loaded.model.dispose();
    assert.equal(loaded.id, result.modelId);
    const stages = stagesOf(loaded.training);
    assert.deepEqual(stages.map((s) => s.stage), ['pretrain-image']);
    assert.equal(stages[0].steps, 3);
    assert.ok(Number.isFinite(stages[0].finalLosses.baseline) && Number.isFinite(stages[0].finalLosses.val));
    assert.equal(loaded.training.dataSeed, 3);
    assert.ok(changed(await weightsOf(init, 'image.'), await weightsOf(result.out, 'image.')));
    assert.ok(!changed(await weightsOf(init, 'spectrum.'), await weightsOf(result.out, 'spectrum.')));
    for (const f of ['log.jsonl', 'loss.svg', 'loss.png']) assert.ok(existsSync(join(result.out, 'training-log', 'pretrain-image', f)), f);
    assert.ok(readFileSync(join(result.out, 'training-log', 'pretrain-image', 'loss.svg'), 'utf8').includes('predict-the-mean baseline'));
    assert.ok(existsSync(join(result.out, 'mae-decoder.json')) && existsSync(join(result.out, 'mae-decoder.bin')));
    const lines = readFileSync(join(result.runDir, 'log.jsonl'), 'utf8').trim().split('\n');
    assert.equal(lines.filter((l) => l.includes('"train"')).length, 3);
  });

  it('refuses to silently restart or overwrite', async () => {
    await assert.rejects(runPretrain({ ...stage('pi', { init }), modality: 'image' }), /already exists/);
    await assert.rejects(runPretrain({ ...stage('pi', { init, out: join(root, 'pi-again') }), modality: 'image' }), /--resume/);
  });

  it('pretrains the spectrum encoder from the image model, carrying its log and decoder', async () => {
    const result = await runPretrain({ ...stage('ps', { init: join(root, 'pi') }), modality: 'spectrum' });
    const loaded = await loadModel(result.out, { expect: MICRO.preprocess });
    loaded.model.dispose();
    assert.deepEqual(stagesOf(loaded.training).map((s) => s.stage), ['pretrain-image', 'pretrain-spectrum']);
    assert.deepEqual(readdirSync(join(result.out, 'training-log')).sort(), ['pretrain-image', 'pretrain-spectrum']);
    assert.ok(existsSync(join(result.out, 'mae-decoder.json')));
    assert.ok(!changed(await weightsOf(join(root, 'pi'), 'image.'), await weightsOf(result.out, 'image.')));
    assert.ok(changed(await weightsOf(join(root, 'pi'), 'spectrum.'), await weightsOf(result.out, 'spectrum.')));
  });

  it('continues the spectrum pretraining with longer masked runs: the mask is recorded and both stage logs are kept', async () => {
    const result = await runPretrain({ ...stage('ps2', { init: join(root, 'ps') }), modality: 'spectrum', spectrumMask: { chunkLength: 3 } });
    const loaded = await loadModel(result.out, { expect: MICRO.preprocess });
    loaded.model.dispose();
    const stages = stagesOf(loaded.training);
    assert.deepEqual(stages.map((s) => s.stage), ['pretrain-image', 'pretrain-spectrum', 'pretrain-spectrum']);
    const numTokens = derivedShapes(MICRO).spectrum.numTokens;
    assert.deepEqual(stages[1].mask, defaultChunkMask(numTokens));
    assert.deepEqual(stages[2].mask, { ...defaultChunkMask(numTokens), chunkLength: 3 });
    assert.deepEqual(readdirSync(join(result.out, 'training-log')).sort(), ['pretrain-image', 'pretrain-spectrum', 'pretrain-spectrum-2']);
    assert.deepEqual(
      readFileSync(join(result.out, 'training-log', 'pretrain-spectrum', 'log.jsonl')),
      readFileSync(join(root, 'ps', 'training-log', 'pretrain-spectrum', 'log.jsonl')),
      'the first run\'s log is carried unchanged',
    );
    await assert.rejects(
      runPretrain({ ...stage('ps3', { init: join(root, 'ps') }), modality: 'spectrum', spectrumMask: { chunkLength: numTokens } }),
      /exceeds the \d+ maskable spectrum tokens/,
    );
  });

  it('aligns on cached frozen features: encoders untouched, heads trained, cache reused', async () => {
    const lines: string[] = [];
    const cacheDir = join(root, 'features');
    const result = await runAlign({ ...stage('al', { init: join(root, 'ps'), cacheDir }), log: (l) => lines.push(l) });
    const loaded = await loadModel(result.out, { expect: MICRO.preprocess });
    loaded.model.dispose();
    assert.deepEqual(stagesOf(loaded.training).map((s) => s.stage), ['pretrain-image', 'pretrain-spectrum', 'align']);
    for (const prefix of ['image.', 'spectrum.']) assert.ok(!changed(await weightsOf(join(root, 'ps'), prefix), await weightsOf(result.out, prefix)), prefix);
    assert.ok(changed(await weightsOf(join(root, 'ps'), 'imageHead.'), await weightsOf(result.out, 'imageHead.')));
    assert.ok(lines.some((l) => l.includes('computed into')));
    assert.equal(readdirSync(cacheDir).length, 2, 'train and val features');
    assert.deepEqual(readdirSync(join(result.out, 'training-log')).sort(), ['align', 'pretrain-image', 'pretrain-spectrum']);
    // a second run on the same encoders and data reads the cache; same steps, same seed, same weights
    const again: string[] = [];
    const second = await runAlign({ ...stage('al2', { init: join(root, 'ps'), cacheDir }), log: (l) => again.push(l) });
    assert.ok(again.some((l) => l.includes('read from')));
    assert.equal(second.modelId, result.modelId, 'deterministic: the same model id');
  });

  it('aligns with the spectrum-retention term: recorded in the stage, validation still the InfoNCE; refused with --full', async () => {
    const cacheDir = join(root, 'features');
    const lines: string[] = [];
    const result = await runAlign({ ...stage('al-retain', { init: join(root, 'ps'), cacheDir }), retain: { axes: 3, weight: 0.5 }, log: (l) => lines.push(l) });
    assert.deepEqual(result.record.retain, { axes: 3, weight: 0.5 });
    assert.ok(lines.some((l) => l.includes('retention targets: 3 whitened principal axes of the spectrum tokens, fitted and cached')));
    // the same run again reads the fitted targets back and trains to the same weights
    const again: string[] = [];
    const repeat = await runAlign({ ...stage('al-retain-2', { init: join(root, 'ps'), cacheDir }), retain: { axes: 3, weight: 0.5 }, log: (l) => again.push(l) });
    assert.ok(again.some((l) => l.includes('read from the cache')));
    assert.equal(repeat.modelId, result.modelId, 'cached targets are the fitted ones');
    assert.equal(readdirSync(cacheDir).filter((d) => d.startsWith('spectrum-axes-')).length, 1, 'one entry, no temporary folder left');
    assert.ok(result.finalLosses.val > 0 && result.finalLosses.val < 2 * result.finalLosses.chance, 'an InfoNCE-sized validation loss');
    const loaded = await loadModel(result.out);
    assert.ok(!loaded.model.namedParameters().some(([n]) => n.startsWith('retention.')), 'the decoder is not part of the model');
    loaded.model.dispose();
    await assert.rejects(runAlign({ ...stage('al-retain-full', { init: join(root, 'ps') }), full: true, retain: { axes: 3, weight: 1 } }), /needs frozen backbones/);
    await assert.rejects(runAlign({ ...stage('al-retain-bad', { init: join(root, 'ps') }), retain: { axes: 3, weight: 0 } }), /weight must be a positive number/);
    assert.ok(!existsSync(join(root, 'al-retain-full')) && !existsSync(join(root, 'runs', 'al-retain-bad')), 'refused before any work');
    assert.equal(await main(['align', '--init', join(root, 'ps'), '--data', trainData, '--out', join(root, 'cli-r'), '--retain-weight', '2']), 2);
    assert.equal(await main(['align', '--init', join(root, 'ps'), '--data', trainData, '--out', join(root, 'cli-r'), '--retain-spectrum', '0']), 2);
    assert.equal(await main(['align', '--init', join(root, 'ps'), '--data', trainData, '--out', join(root, 'cli-r'), '--retain-spectrum', '2', '--retain-weight', 'lots']), 2);
  });

  it('fits the spectrum head\'s principal-axis readout on the frozen train tokens; the axes stay as fitted, its map learns', async () => {
    const withReadout = join(root, 'init-readout');
    const model = buildModel({ ...MICRO, align: { ...MICRO.align, spectrumReadout: 3 } }, { seed: 2 });
    await saveModel(withReadout, model);
    model.dispose();
    const cacheDir = join(root, 'features-readout');
    const lines: string[] = [];
    const result = await runAlign({ ...stage('al-readout', { init: withReadout, cacheDir }), log: (l) => lines.push(l) });
    assert.ok(lines.some((l) => l.includes('spectrum readout: 3 whitened principal axes of the spectrum tokens, fitted and cached')));
    const entry = readdirSync(cacheDir).find((d) => d.startsWith('spectrum-axes-') && d.endsWith('-p3-s1'));
    assert.ok(entry, 'the fit is cached');
    const bytes = readFileSync(join(cacheDir, entry, 'axes.f32'));
    const fittedAxes = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const after = await weightsOf(result.out, 'spectrumHead.readout.');
    assert.deepEqual(after.get('spectrumHead.readout.axes'), fittedAxes, 'the saved axes are the fit, untouched by the optimizer');
    assert.ok(fittedAxes.some((v) => v !== 0));
    const before = await weightsOf(withReadout, 'spectrumHead.readout.');
    assert.ok(changed(before, after) && changed(new Map([['w', before.get('spectrumHead.readout.proj.weight')!]]), new Map([['w', after.get('spectrumHead.readout.proj.weight')!]])), 'the map learned');
    // --full does not fit axes: an unfitted readout is said, not silently carried.
    const fullLines: string[] = [];
    await runAlign({ ...stage('al-readout-full', { init: withReadout }), full: true, steps: 1, log: (l) => fullLines.push(l) });
    assert.ok(fullLines.some((l) => l.includes("warning: the spectrum readout's axes were never fitted")));
  });

  it('caches what the spectrum head reads: with the input skip each token beside its input window, under another key', async () => {
    const survey = openSurvey(trainData);
    const dataset = new SurveyDataset(survey, MICRO.preprocess, 'train');
    const plain = buildModel(MICRO, { seed: 2 });
    const skip = buildModel({ ...MICRO, align: { ...MICRO.align, spectrumInputSkip: true } }, { seed: 2 }); // the same encoders
    const cacheDir = join(root, 'features-skip');
    try {
      const a = await tokenFeatures(plain, dataset, cacheDir, { progress: false });
      const b = await tokenFeatures(skip, dataset, cacheDir, { progress: false });
      assert.notEqual(a.key, b.key, 'the skip changes what is cached, so the key');
      const { numTokens: tokens, tokenDim } = derivedShapes(MICRO).spectrum;
      assert.equal(a.spectrum.width, 16);
      assert.equal(b.spectrum.width, 16 + tokenDim);
      assert.deepEqual(b.image.data, a.image.data, 'the image side is the same');
      // Object 0, token t: the encoded values as without the skip, then that token's input window.
      const first = tf.tidy(() => skip.spectrum.tokenize(dataset.spectrumTensor([0])).dataSync() as Float32Array); // [1, T, F]
      for (let t = 0; t < tokens; t++) {
        const row = b.spectrum.data.subarray(t * b.spectrum.width, (t + 1) * b.spectrum.width);
        assert.deepEqual(row.subarray(0, 16), a.spectrum.data.subarray(t * 16, (t + 1) * 16));
        assert.deepEqual(row.subarray(16), first.subarray(t * tokenDim, (t + 1) * tokenDim));
      }
      const reread = await tokenFeatures(skip, dataset, cacheDir, { progress: false });
      assert.ok(reread.fromCache);
      assert.deepEqual(reread.spectrum.data, b.spectrum.data);
    } finally {
      [plain, skip].forEach((m) => m.dispose());
    }
  });

  it('combines encoders from two model directories and fine-tunes everything with --full', async () => {
    const result = await runAlign({ ...stage('full', { init: join(root, 'pi') }), spectrumFrom: join(root, 'ps'), full: true });
    const loaded = await loadModel(result.out, { expect: MICRO.preprocess });
    loaded.model.dispose();
    // pretrain-image reaches it through both sources and is recorded once
    assert.deepEqual(stagesOf(loaded.training).map((s) => s.stage), ['pretrain-image', 'pretrain-spectrum', 'align-full']);
    assert.ok(changed(await weightsOf(join(root, 'ps'), 'spectrum.'), await weightsOf(result.out, 'spectrum.')));
    assert.ok(!existsSync(join(result.out, 'mae-decoder.json')), 'the decoder no longer fits a fine-tuned encoder');
  });

  it('evaluates on a held-out survey and refuses the training survey', async () => {
    const model = join(root, 'al');
    const report = await runEvaluation({ model, data: heldout, candidates: 10, minPairs: 20, mmSamples: 8, progress: false });
    assert.equal(report.retrieval.candidates, 10);
    assert.equal(report.retrieval.imageToSpectrum.queries, 30);
    assert.ok('ratio' in report.maskedModeling.image, 'the image decoder came along');
    assert.ok(report.maskedModeling.spectrum.ratio > 0);
    assert.equal(report.gates.length, 6);
    const json = JSON.parse(readFileSync(join(model, 'eval.json'), 'utf8'));
    assert.equal(json.model.id, report.model.id);
    assert.match(readFileSync(join(model, 'eval.md'), 'utf8'), /\| image -> spectrum \|/);
    await assert.rejects(runEvaluation({ model, data: trainData, candidates: 10, minPairs: 20, progress: false }), /trained model/);
    await assert.rejects(runEvaluation({ model, data: heldout, candidates: 10, minPairs: 100, progress: false }), /at least 100/);
  });

  it('runs from the CLI', async () => {
    const out = join(root, 'cli-ps');
    const code = await main([
      'pretrain', '--modality', 'spectrum', '--init', init, '--data', trainData, '--out', out, '--run-dir', join(root, 'runs', 'cli'),
      '--steps', '2', '--batch', '4', '--val-samples', '4', '--quiet',
    ]);
    assert.equal(code, 0);
    const emb = join(root, 'emb.bin');
    assert.equal(await main(['embed', '--model', out, '--data', heldout, '--split', 'all', '--out', emb, '--quiet']), 0);
    assert.ok(existsSync(emb));
    assert.equal(await main(['pretrain', '--modality', 'radio', '--data', trainData, '--out', out]), 2);
    // One mask option alone keeps the other's default (an earlier version erased it: nothing hidden, loss 0).
    const longer = join(root, 'cli-ps-longer');
    assert.equal(await main([
      'pretrain', '--modality', 'spectrum', '--init', out, '--data', trainData, '--out', longer, '--run-dir', join(root, 'runs', 'cli-longer'),
      '--steps', '2', '--batch', '4', '--val-samples', '4', '--mask-chunk-length', '2', '--quiet',
    ]), 0);
    const longerModel = await loadModel(longer);
    longerModel.model.dispose();
    const longerStages = stagesOf(longerModel.training);
    assert.deepEqual(longerStages.at(-1)!.mask, { ...defaultChunkMask(derivedShapes(MICRO).spectrum.numTokens), chunkLength: 2 });
    const losses = readFileSync(join(root, 'runs', 'cli-longer', 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; loss: number });
    assert.ok(losses.every((l) => l.loss > 0), 'every train and val loss is a real masked loss');
    const refused = join(root, 'cli-refused');
    assert.equal(await main(['pretrain', '--modality', 'image', '--mask-chunks', '3', '--data', trainData, '--out', refused]), 2);
    assert.equal(await main(['pretrain', '--modality', 'spectrum', '--mask-ratio', '0.5', '--data', trainData, '--out', refused]), 2);
    assert.equal(await main(['pretrain', '--modality', 'spectrum', '--mask-chunk-length', '0', '--data', trainData, '--out', refused]), 2);
    assert.ok(!existsSync(refused), 'nothing written for a refused command');
  });
});

describe('resume with survey batches', () => {
  it('continues an interrupted run to the same weights as an uninterrupted one', async () => {
    const survey = openSurvey(trainData);
    const trainSet = new SurveyDataset(survey, MICRO.preprocess, 'train');
    const valSet = new SurveyDataset(survey, MICRO.preprocess, 'val');
    const numTokens = derivedShapes(MICRO).spectrum.numTokens;
    const data = () => spectrumMmData(trainSet, valSet, { batchSize: 4, seed: 5, augment: DEFAULT_AUGMENT, numTokens, mask: defaultChunkMask(numTokens) });
    const run = async (dir: string, steps: number, resume: boolean) => {
      const model = buildModel(MICRO, { seed: 2 });
      await train(new SpectrumMmTask(model.spectrum), data(), {
        steps, schedule: { peakLr: 1e-3, warmupSteps: 1, totalSteps: 4 }, runDir: dir, resume, seed: 5, validateEvery: 0, checkpointEvery: 2, progress: false,
      });
      const values = model.spectrum.namedParameters().map(([, v]) => Array.from(v.dataSync()));
      model.dispose();
      return values;
    };
    const straight = await run(join(root, 'resume-a'), 4, false);
    await run(join(root, 'resume-b'), 2, false); // "interrupted" after its step-2 checkpoint
    const resumed = await run(join(root, 'resume-b'), 4, true);
    assert.deepEqual(resumed, straight);
    survey.close();
  });
});

describe('training-curve plot', () => {
  it('draws train, validation and the baseline line; smooths with a trailing mean', () => {
    assert.deepEqual(runningMean([1, 3, 5, 7], 2), [1, 2, 4, 6]);
    const records = [1, 2, 3, 4].map((step) => ({ step, kind: 'train' as const, loss: 1 / step }));
    const svg = lossPlotSvg([...records, { step: 4, kind: 'val', loss: 0.3 }], { title: 'T', baseline: 0.9 });
    for (const text of ['train', 'validation', 'predict-the-mean baseline', '>T<']) assert.ok(svg.includes(text), text);
  });
});

describe('retrieval groups', () => {
  it('ranks partners inside groups of the candidate count only', () => {
    const dim = 2;
    // 5 objects, groups of 2: object 4 is left over; identical views rank 1
    const v = Float32Array.from([1, 0, 0, 1, 1, 1, -1, 0, 0, -1]);
    const ranks = groupedRanks(v, v, dim, 2);
    assert.deepEqual(Array.from(ranks), [1, 1, 1, 1]);
  });
});
