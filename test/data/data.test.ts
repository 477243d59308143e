/**
 * The data pipeline on a real (tiny) mock survey: per-step batches are a pure function of the
 * step, preprocessing follows the contract, augmentations conserve flux and never move a
 * feature (spatial or spectral), and masks have the documented shapes.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  DEFAULT_AUGMENT,
  EpochOrder,
  NO_AUGMENT,
  SurveyDataset,
  blurAndNoise,
  conditionsOfRow,
  defaultChunkMask,
  dihedral,
  fillMasked,
  gaussianBlurPlane,
  imageMaeData,
  openSurvey,
  pairData,
  prepareImage,
  prepareSpectrum,
  spectrumMmData,
  spectrumNoise,
  splitPositions,
  type AugmentConfig,
  type Survey,
} from '../../src/data/index.js';
import { derivedShapes } from '../../src/config/model-config.js';
import { tf } from '../../src/nn/tf.js';
import { resampleToGrid } from '../../src/preprocess/spectrum-grid.js';
import { centerCrop, stretchCube } from '../../src/preprocess/stretch.js';
import { Rng } from '../../src/util/random.js';
import { MICRO, SIM_SIZE, free, makeSurvey, sameValues, tempDir, useWasm } from './helpers.js';

let root: string;
let survey: Survey;
let train: SurveyDataset;
let val: SurveyDataset;
const shapes = derivedShapes(MICRO);

before(async () => {
  await useWasm();
  root = tempDir('data');
  await makeSurvey(join(root, 'sim'), 40, 3);
  survey = openSurvey(join(root, 'sim'));
  train = new SurveyDataset(survey, MICRO.preprocess, 'train');
  val = new SurveyDataset(survey, MICRO.preprocess, 'val');
});

after(() => {
  survey?.close();
  rmSync(root, { recursive: true, force: true });
});

function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

describe('survey and splits', () => {
  it('opens the catalogue, shards and conditions, and splits by the catalogue column', () => {
    assert.equal(survey.rows.length, 40);
    assert.equal(survey.seed, 3);
    assert.match(survey.key, /^[0-9a-f]{16}$/);
    const all = splitPositions(survey, 'all');
    assert.equal(all.length, 40);
    const parts = (['train', 'val', 'test'] as const).map((s) => splitPositions(survey, s).length);
    assert.equal(parts.reduce((a, b) => a + b, 0), 40);
    assert.ok(train.size > 20 && val.size > 0, `train ${train.size}, val ${val.size}`);
    for (let i = 0; i < train.size; i++) assert.equal(train.row(i).split, 'train');
  });

  it('refuses a contract the survey cannot feed (pixel scale, crop)', () => {
    const wrongScale = { ...MICRO.preprocess, image: { ...MICRO.preprocess.image, pixelScale: 0.5 } };
    assert.throws(() => new SurveyDataset(survey, wrongScale, 'train'), /arcsec pixels/);
    const tooBig = { ...MICRO.preprocess, image: { ...MICRO.preprocess.image, cropSize: 32, cutoutSize: 32 } };
    assert.throws(() => new SurveyDataset(survey, tooBig, 'train'), /crops 32/);
  });
});

describe('deterministic batches', () => {
  it('visits every item once per epoch, in a new order each epoch', () => {
    const order = new EpochOrder(10, 7);
    const epoch0 = [...order.indicesForStep(0, 5), ...order.indicesForStep(1, 5)];
    const epoch1 = [...order.indicesForStep(2, 5), ...order.indicesForStep(3, 5)];
    assert.deepEqual([...epoch0].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual([...epoch1].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.notDeepEqual(epoch0, epoch1);
    // a batch that straddles two epochs
    assert.deepEqual([...order.indicesForStep(1, 7)], [...epoch0.slice(7), ...epoch1.slice(0, 4)]);
  });

  it('makes trainBatch(step) a pure function of the step, whatever was asked before', () => {
    const opts = { batchSize: 6, seed: 11, augment: DEFAULT_AUGMENT };
    const mae = () => imageMaeData(train, val, { ...opts, numPatches: shapes.image.numPatches, maskRatio: 0.75 });
    const smm = () => spectrumMmData(train, val, { ...opts, numTokens: shapes.spectrum.numTokens, mask: defaultChunkMask(shapes.spectrum.numTokens) });
    const a = mae();
    const b = mae();
    const first = a.trainBatch(5);
    for (const s of [0, 1, 2]) free(b.trainBatch(s)); // b has seen other steps first
    const again = b.trainBatch(5);
    assert.ok(sameValues(values(first.images), values(again.images)));
    assert.ok(sameValues(values(first.visible), values(again.visible)));
    assert.deepEqual(first.images.shape, [6, 16, 16, 3]);
    assert.deepEqual(first.visible.shape, [6, shapes.image.numPatches - Math.round(0.75 * shapes.image.numPatches)]);
    const other = a.trainBatch(6);
    assert.ok(!sameValues(values(first.images), values(other.images)));
    free(first, again, other);

    const s1 = smm().trainBatch(3);
    const s2 = smm().trainBatch(3);
    assert.ok(sameValues(values(s1.spectra), values(s2.spectra)));
    assert.ok(sameValues(values(s1.mask), values(s2.mask)));
    assert.deepEqual(s1.spectra.shape, [6, 200]);
    assert.deepEqual(s1.mask.shape, [6, shapes.spectrum.numTokens]);
    const maskRow = Array.from(s1.mask.dataSync().slice(0, shapes.spectrum.numTokens));
    assert.equal(maskRow[0], 0, 'the statistics token is never masked');
    assert.ok(maskRow.some((m) => m === 1));
    free(s1, s2);

    const p = pairData(train, val, opts);
    const p1 = p.trainBatch(2);
    const p2 = pairData(train, val, opts).trainBatch(2);
    assert.ok(sameValues(values(p1.images), values(p2.images)) && sameValues(values(p1.spectra), values(p2.spectra)));
    free(p1, p2);
  });

  it('gives the same validation batches every time, without augmentation', () => {
    const data = imageMaeData(train, val, { batchSize: 3, seed: 1, augment: DEFAULT_AUGMENT, numPatches: shapes.image.numPatches, maskRatio: 0.5 });
    const once = [...data.valBatches()];
    const twice = [...data.valBatches()];
    assert.equal(once.length, Math.ceil(val.size / 3));
    once.forEach((b, i) => {
      assert.ok(sameValues(values(b.images), values(twice[i].images)));
      assert.ok(sameValues(values(b.visible), values(twice[i].visible)));
    });
    const plain = val.imageTensor([0]);
    assert.ok(sameValues(values(once[0].images).slice(0, 16 * 16 * 3), values(plain)));
    free(once, twice, plain);
  });
});

describe('preprocessing follows the contract', () => {
  it('crops to the cutout, then the crop, stretches with the contract, channels last', () => {
    const raw = survey.shards.readImage(survey.rows[0].index);
    const got = prepareImage(raw, [3, SIM_SIZE, SIM_SIZE], MICRO.preprocess.image);
    const a = centerCrop(raw, [3, 24, 24], 20);
    const b = centerCrop(a.data, a.shape, 16);
    const stretched = stretchCube(b.data, b.shape, MICRO.preprocess.image.stretch);
    assert.equal(got.size, 16);
    assert.equal(got.data.length, 16 * 16 * 3);
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < 256; p++) assert.equal(got.data[p * 3 + c], stretched.data[c * 256 + p]);
    }
    const t = train.imageTensor([0, 1]);
    assert.deepEqual(t.shape, [2, 16, 16, 3]);
    const v = t.dataSync();
    assert.ok(v.every((x) => x >= 0 && x <= 1), 'stretched values lie in [0, 1]');
    t.dispose();
  });

  it('resamples spectra onto the contract grid and fills masked pixels explicitly', () => {
    const row = survey.rows[1];
    const { flux, ivar } = survey.shards.readSpectrum(row.index);
    const got = prepareSpectrum(survey.wavelength, flux, ivar, MICRO.preprocess.spectrum);
    const ref = resampleToGrid(survey.wavelength, flux, ivar, MICRO.preprocess.spectrum.grid);
    assert.equal(got.flux.length, 200);
    for (let i = 0; i < 200; i++) if (ref.ivar[i] > 0) assert.equal(got.flux[i], ref.flux[i]);
    assert.ok(got.flux.every(Number.isFinite));

    const f = Float32Array.from([9, 1, 0, 0, 4, 0, 7, 0]);
    const w = Float32Array.from([0, 1, 0, 0, 1, 0, 1, 0]);
    assert.equal(fillMasked(f, w), 5);
    assert.deepEqual(Array.from(f), [1, 1, 2, 3, 4, 5.5, 7, 7]);
    const none = Float32Array.from([3, 3]);
    fillMasked(none, new Float32Array(2));
    assert.deepEqual(Array.from(none), [0, 0]);
  });
});

describe('augmentations respect the physics', () => {
  const rng = (seed: number) => new Rng(seed);

  it('rotates and flips by permutation: flux exact, 4 quarter turns are the identity, 8 distinct images', () => {
    const n = 5;
    const cube = Float32Array.from({ length: 2 * n * n }, (_, i) => (i * 7919) % 101);
    const sum = (a: Float32Array) => a.reduce((s, x) => s + x, 0);
    const seen = new Set<string>();
    for (let k = 0; k < 8; k++) {
      const t = dihedral(cube, [2, n, n], k);
      assert.equal(sum(t), sum(cube));
      assert.deepEqual([...t].sort((a, b) => a - b), [...cube].sort((a, b) => a - b));
      seen.add(t.join(','));
    }
    assert.equal(seen.size, 8);
    let turned: Float32Array = cube;
    for (let i = 0; i < 4; i++) turned = dihedral(turned, [2, n, n], 1);
    assert.deepEqual(Array.from(turned), Array.from(cube));
    assert.deepEqual(Array.from(dihedral(dihedral(cube, [2, n, n], 4), [2, n, n], 4)), Array.from(cube));
    // the centre pixel never moves
    for (let k = 0; k < 8; k++) assert.equal(dihedral(cube, [2, n, n], k)[12], cube[12]);
  });

  it('blurs without losing light or moving the centroid', () => {
    const n = 21;
    const plane = new Float32Array(n * n);
    plane[10 * n + 10] = 100;
    plane[10 * n + 19] = 5; // near the edge: its light is reflected back, not lost
    const before = plane.reduce((s, x) => s + x, 0);
    gaussianBlurPlane(plane, n, n, 1.7);
    const after = plane.reduce((s, x) => s + x, 0);
    assert.ok(Math.abs(after - before) < 1e-4 * before, `${before} -> ${after}`);
    assert.ok(plane[10 * n + 10] < 100 && plane[10 * n + 11] > 0, 'light spread');
    const centre = new Float32Array(n * n);
    centre[10 * n + 10] = 1;
    gaussianBlurPlane(centre, n, n, 2.5);
    let mx = 0;
    let my = 0;
    centre.forEach((v, p) => {
      mx += v * (p % n);
      my += v * Math.floor(p / n);
    });
    assert.ok(Math.abs(mx - 10) < 1e-5 && Math.abs(my - 10) < 1e-5, `centroid (${mx}, ${my})`);
  });

  it('draws blur and noise from the survey distributions, only ever making the seeing and noise worse', () => {
    const row = survey.rows[2];
    const own = conditionsOfRow(row, survey.conditions.pixelScale);
    const always: AugmentConfig = { ...DEFAULT_AUGMENT, blurProb: 1, noiseProb: 1 };
    const raw = survey.shards.readImage(row.index);
    let sumDiff = 0;
    let noiseVar = 0;
    const trials = 40;
    for (let t = 0; t < trials; t++) {
      const cube = raw.slice();
      const done = blurAndNoise(cube, [3, SIM_SIZE, SIM_SIZE], own, survey.conditions, always, rng(100 + t));
      for (let b = 0; b < 3; b++) {
        assert.ok(done.blurSigmaPx[b] >= 0 && done.noiseNmgy[b] >= 0);
        noiseVar += (done.noiseNmgy[b] ** 2 * SIM_SIZE * SIM_SIZE) / 3;
      }
      sumDiff += cube.reduce((s, x) => s + x, 0) - raw.reduce((s, x) => s + x, 0);
    }
    // Blur conserves flux; noise has zero mean: the flux change is within 5 sigma of the added noise.
    assert.ok(Math.abs(sumDiff) <= 5 * Math.sqrt(noiseVar * 3) + 1e-3, `flux drift ${sumDiff}`);
    const same = raw.slice();
    blurAndNoise(same, [3, SIM_SIZE, SIM_SIZE], own, survey.conditions, NO_AUGMENT, rng(5));
    assert.ok(sameValues(same, raw), 'no augmentation leaves the cube alone');
    // An object already observed in worse seeing and noise than any draw is left as it is.
    const awful = { psfSigmaPx: [50, 50, 50], noiseNmgy: [10, 10, 10] };
    const kept = raw.slice();
    const none = blurAndNoise(kept, [3, SIM_SIZE, SIM_SIZE], awful, survey.conditions, always, rng(6));
    assert.deepEqual([...none.blurSigmaPx, ...none.noiseNmgy], [0, 0, 0, 0, 0, 0]);
    assert.ok(sameValues(kept, raw));
  });

  it('adds spectrum noise scaled by the ivar, unbiased, and never moves a line', () => {
    const n = 400;
    const flux = Float32Array.from({ length: n }, (_, i) => 2 + 30 * Math.exp(-0.5 * ((i - 237) / 1.5) ** 2));
    const ivar = Float32Array.from({ length: n }, (_, i) => (i < 20 ? 0 : 4));
    const always: AugmentConfig = { ...DEFAULT_AUGMENT, spectrumNoiseProb: 1, spectrumNoiseMax: 1 };
    const mean = new Float64Array(n);
    const trials = 300;
    for (let t = 0; t < trials; t++) {
      const out = spectrumNoise(flux, ivar, always, rng(t));
      assert.ok(out.scale > 0 && out.scale <= 1);
      for (let i = 0; i < 20; i++) assert.equal(out.flux[i], flux[i], 'masked pixels untouched');
      assert.ok(Math.abs(out.ivar[30] - 4 / (1 + out.scale ** 2)) < 1e-5, 'ivar shrinks by 1 + a^2');
      let peak = 0;
      for (let i = 1; i < n; i++) if (out.flux[i] > out.flux[peak]) peak = i;
      assert.ok(Math.abs(peak - 237) <= 2, `line peak at ${peak}`);
      out.flux.forEach((v, i) => (mean[i] += v / trials));
    }
    for (let i = 20; i < n; i++) assert.ok(Math.abs(mean[i] - flux[i]) < 0.15, `pixel ${i}: mean ${mean[i]} vs ${flux[i]}`);
  });

  it('augments a survey object without shifting its spectrum on the wavelength grid', () => {
    // Across many augmented draws the mean spectrum matches the clean one at every grid pixel.
    const clean = train.spectrum(0).flux;
    const mean = new Float64Array(clean.length);
    const trials = 60;
    for (let t = 0; t < trials; t++) {
      const aug = train.spectrum(0, { config: { ...DEFAULT_AUGMENT, spectrumNoiseProb: 1 }, rng: rng(t) }).flux;
      aug.forEach((v, i) => (mean[i] += v / trials));
    }
    let lag0 = 0;
    let lag1 = 0;
    const c0 = clean.reduce((s, x) => s + x, 0) / clean.length;
    for (let i = 1; i < clean.length - 1; i++) {
      lag0 += (mean[i] - c0) * (clean[i] - c0);
      lag1 += (mean[i] - c0) * (clean[i + 1] - c0);
    }
    assert.ok(lag0 > lag1, 'the mean augmented spectrum lines up with the clean one at zero lag');
  });
});

describe('tensors', () => {
  it('builds training batches without leaking tensors beyond the batch itself', () => {
    const before = tf.memory().numTensors;
    const data = spectrumMmData(train, val, { batchSize: 4, seed: 2, augment: DEFAULT_AUGMENT, numTokens: shapes.spectrum.numTokens, mask: defaultChunkMask(shapes.spectrum.numTokens) });
    const batch = data.trainBatch(0);
    assert.equal(tf.memory().numTensors, before + 2);
    free(batch);
    for (const b of data.valBatches()) free(b);
    assert.equal(tf.memory().numTensors, before);
  });
});
