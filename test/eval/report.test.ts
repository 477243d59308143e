/**
 * `skyclip eval` end to end on a random micro model, an 80-object reference survey and a
 * 60-object held-out survey (--quick): report.json holds every section with finite numbers where
 * a head ran, report.md the AstroCLIP-shaped headline table, the figures decode as PNGs, the
 * baselines are there (random-init, photometry; supervised says "not run"), and a rerun reads the
 * embedding cache and reproduces every number.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { runEval, type EvalReport } from '../../src/eval/index.js';
import { DOWNSTREAM_TARGETS } from '../../src/heads/index.js';
import { buildModel } from '../../src/nn/skyclip-model.js';
import { tf } from '../../src/nn/tf.js';
import { saveModel } from '../../src/nn/weights-io.js';
import { MICRO, makeSurvey, tempDir, useWasm } from '../data/helpers.js';

let root: string;
let model: string;
let reference: string;
let heldout: string;
let out: string;
let report: EvalReport;
let json: EvalReport;
const lines: string[] = [];

before(async () => {
  await useWasm();
  root = tempDir('eval');
  reference = await makeSurvey(join(root, 'sim-ref'), 80, 3);
  heldout = await makeSurvey(join(root, 'sim-heldout'), 60, 4);
  model = join(root, 'model');
  const m = buildModel(MICRO, { seed: 2 });
  await saveModel(model, m);
  m.dispose();
  out = join(root, 'eval');
  const tensors = tf.memory().numTensors;
  report = await runEval({ model, reference, data: heldout, out, quick: true, progress: false, log: (l) => lines.push(l) });
  assert.equal(tf.memory().numTensors, tensors, 'no tensor left behind');
  json = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as EvalReport;
});

after(() => rmSync(root, { recursive: true, force: true }));

const isNum = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

describe('skyclip eval report', () => {
  it('has every section, with the pool split and the settings it ran with', () => {
    for (const key of ['model', 'randomEncoder', 'reference', 'heldout', 'settings', 'featureSets', 'retrieval', 'targets', 'aggregates', 'labelEfficiency', 'goals', 'supervised', 'timings', 'files']) {
      assert.ok(key in json, key);
    }
    assert.equal(json.reference.objects, 80);
    assert.equal(json.heldout.objects, 60);
    assert.equal(json.reference.fit + json.reference.val + json.reference.calibration, 80);
    assert.ok(json.reference.val > 0 && json.reference.calibration > 0);
    assert.equal(json.settings.quick, true);
    assert.deepEqual(json.featureSets.map((f) => f.name), ['skyclip-image', 'skyclip-spectrum', 'random-image', 'random-spectrum', 'photometry', 'spectrum-pixels']);
    assert.equal(json.featureSets.find((f) => f.name === 'spectrum-pixels')?.dim, Math.floor(MICRO.preprocess.spectrum.grid.length / json.settings.spectrumPixelBin), 'the contract grid in bins');
    assert.deepEqual(Object.keys(json.targets), DOWNSTREAM_TARGETS.map((t) => t.column));
  });

  it('has finite numbers for redshift (all methods, all feature sets) and the properties', () => {
    for (const fs of json.featureSets) {
      for (const method of ['knn', 'linear', 'fewshot'] as const) {
        const z = json.targets.z.results[fs.name][method] as unknown as Record<string, unknown>;
        assert.ok(!('skipped' in z), `${fs.name}/${method} z ran`);
        for (const k of ['r2', 'r2Galaxies', 'sigmaNMAD', 'outlierFraction', 'bias', 'coverage68', 'coverage95', 'width68']) assert.ok(isNum(z[k]), `${fs.name}/${method} z.${k} = ${z[k]}`);
        assert.ok((z.coverage68 as number) >= 0 && (z.coverage95 as number) <= 1 && (z.coverage68 as number) <= (z.coverage95 as number));
        for (const c of ['logmstar', 'logssfr', 'zmw', 'tage']) {
          const p = json.targets[c].results[fs.name][method] as unknown as Record<string, unknown>;
          assert.ok(isNum(p.r2) && isNum(p.coverage68), `${fs.name}/${method} ${c}`);
        }
      }
      const knn = json.targets.z.results[fs.name].knn as unknown as {
        pit: { density: number[]; ks: number };
        hyper: { k: number };
        intervals: string;
        uncalibrated: { coverage68: number; coverage95: number };
      };
      assert.equal(knn.pit.density.length, 10);
      assert.ok(knn.pit.density.every(isNum) && isNum(knn.pit.ks));
      assert.ok(json.settings.kGrid.includes(knn.hyper.k), 'k from the grid');
      assert.equal(knn.intervals, 'conformal', 'k-NN intervals are conformal on the calibration split');
      assert.ok(isNum(knn.uncalibrated.coverage68) && isNum(knn.uncalibrated.coverage95), 'uncalibrated coverage reported');
      assert.equal((json.targets.z.results[fs.name].linear as unknown as { intervals: string }).intervals, 'conformal');
      const few = json.targets.z.results[fs.name].fewshot as unknown as { spread: { draws: number; sd: Record<string, number> } };
      assert.equal(few.spread.draws, json.settings.fewShotDraws, 'few-shot repeated over the label draws');
      assert.ok(isNum(few.spread.sd.r2) && isNum(few.spread.sd.r2Galaxies));
    }
  });

  it('scores morphology per question where asked, and the spectral class', () => {
    let ran = 0;
    for (const [column, entry] of Object.entries(json.targets)) {
      if (entry.task !== 'classification') continue;
      for (const fs of json.featureSets) {
        for (const r of Object.values(entry.results[fs.name])) {
          const x = r as unknown as Record<string, unknown>;
          if ('skipped' in x) {
            assert.equal(typeof x.skipped, 'string', `${column}: a reason, not a number`);
          } else {
            ran++;
            assert.ok(isNum(x.accuracy) && (x.accuracy as number) >= 0 && (x.accuracy as number) <= 1, `${column} accuracy`);
            assert.ok((x.count as number) > 0);
          }
        }
      }
    }
    assert.ok(ran >= 5 * 3 * 3, `classification heads that ran: ${ran}`);
    const agg = json.aggregates['skyclip-image'].knn;
    assert.ok(isNum(agg.propertiesMeanR2) && isNum(agg.morphologyMeanAccuracy) && agg.morphologyQuestions > 0);
  });

  it('has retrieval in both directions for skyclip and the random encoder, and the label-efficiency curve', () => {
    for (const which of ['skyclip', 'random'] as const) {
      const r = json.retrieval[which];
      assert.equal(r.candidates, 60);
      assert.equal(r.groups, 1);
      for (const d of [r.imageToSpectrum, r.spectrumToImage]) {
        assert.equal(d.queries, 60);
        for (const v of [d.recallAt1, d.recallAt10, d.recallAt100, d.medianRank]) assert.ok(isNum(v));
        assert.ok(d.recallAt1 <= d.recallAt10 && d.recallAt10 <= d.recallAt100);
      }
    }
    const le = json.labelEfficiency;
    assert.ok(le.sizes.length >= 2 && le.sizes.at(-1) === le.fitLabels);
    assert.ok(le.sizes.every((n, i) => i === 0 || n > le.sizes[i - 1]));
    assert.deepEqual(le.series.map((s) => `${s.feature}/${s.method}`), [
      'skyclip-image/knn',
      'skyclip-image/linear',
      'skyclip-spectrum/knn',
      'skyclip-spectrum/linear',
      'photometry/knn',
      'photometry/linear',
      'spectrum-pixels/knn',
      'spectrum-pixels/linear',
    ]);
    for (const s of le.series) assert.ok(s.r2.length === le.sizes.length && s.r2.every(isNum), `${s.feature}/${s.method}`);
  });

  it('writes report.md with the headline table, baselines and an honest supervised row', () => {
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    assert.match(md, /## Headline \(AstroCLIP-style\)/);
    assert.match(md, /\| method \| features \| z R² image \| z R² spectrum \|/);
    const rows = md.split('\n').filter((l) => l.startsWith('| k-NN (zero-shot) |') || l.startsWith('| linear probe |') || l.startsWith('| few-shot MLP'));
    assert.equal(rows.length, 12, 'three methods x (skyclip, random-init, photometry, raw spectrum)');
    const pixelKnn = rows.find((l) => l.includes('| raw spectrum (binned, no model) |') && l.startsWith('| k-NN'))!.split('|').map((c) => c.trim());
    assert.equal(pixelKnn[3], '—', 'the raw-spectrum baseline has no image side');
    assert.equal(pixelKnn[4], (json.targets.z.results['spectrum-pixels'].knn as unknown as { r2Galaxies: number }).r2Galaxies.toFixed(2));
    // the headline's cells are the report's numbers: redshift over galaxies, the properties as they are
    const skyKnn = rows.find((l) => l.includes('| skyclip |') && l.startsWith('| k-NN'))!.split('|').map((c) => c.trim());
    const res = (c: string, f: string) => json.targets[c].results[f].knn as unknown as { r2: number; r2Galaxies: number };
    assert.equal(skyKnn[3], res('z', 'skyclip-image').r2Galaxies.toFixed(2));
    assert.equal(skyKnn[4], res('z', 'skyclip-spectrum').r2Galaxies.toFixed(2));
    assert.equal(skyKnn[5], `${res('logmstar', 'skyclip-image').r2.toFixed(2)} / ${res('logmstar', 'skyclip-spectrum').r2.toFixed(2)}`);
    assert.ok(rows.some((l) => l.startsWith(`| few-shot MLP (${json.settings.fewShotLabels} labels, mean of ${json.settings.fewShotDraws} draws) |`)));
    const fewZ = json.targets.z.results['skyclip-image'].fewshot as unknown as { r2: number; spread: { sd: Record<string, number> } };
    assert.ok(md.includes(`| ${fewZ.r2.toFixed(3)} ± ${fewZ.spread.sd.r2.toFixed(3)} |`), 'the redshift table gives the few-shot mean ± sd');
    assert.match(md, /\| supervised from scratch \|[^\n]*not run/);
    assert.deepEqual(json.supervised, report.supervised);
    assert.equal((json.supervised as { status: string }).status, 'not run');
    assert.match(md, /photometry \(g, r, z aperture mags \+ colours\)/);
    assert.match(md, /random-init encoder/);
    assert.match(md, /\*\*Quick run\*\*/);
    // the targets, checked from the report's own numbers; no supervised baseline here
    assert.deepEqual(json.goals.map((g) => g.id), ['image-vs-supervised', 'image-vs-photometry', 'spectrum-redshift', 'coverage68']);
    assert.equal(json.goals[0].met, null);
    assert.match(md, /## Targets on the mock survey/);
    assert.match(md, /\| zero-shot k-NN redshift from image embeddings at least as good as the supervised image encoder \| not checked: no supervised image baseline \(--supervised\) \| not checked \|/);
    const spec = json.goals.find((g) => g.id === 'spectrum-redshift')!;
    assert.equal(spec.met, (spec.value as number) >= 0.99);
    assert.ok(!/NaN|undefined/.test(md), 'no NaN or undefined printed');
  });

  it('writes the figures as SVG and decodable PNG, and the redshift predictions', async () => {
    for (const name of ['redshift-scatter', 'redshift-pit', 'label-efficiency']) {
      const files = json.files.plots[name];
      assert.ok(files, name);
      assert.ok(readFileSync(files.svg, 'utf8').startsWith('<svg'), `${name}.svg`);
      const meta = await sharp(files.png).metadata();
      assert.equal(meta.format, 'png');
      assert.ok((meta.width ?? 0) > 400 && (meta.height ?? 0) > 300, `${name}.png ${meta.width}x${meta.height}`);
    }
    const csv = readFileSync(join(out, 'predictions-z.csv'), 'utf8').trim().split('\n');
    assert.equal(csv.length, 61);
    assert.ok(csv[0].startsWith('id,z_true,skyclip-image/knn'));
  });

  it('caches embeddings: a rerun reads them and reproduces every number', async () => {
    assert.equal(readdirSync(join(out, 'cache')).length, 4, 'skyclip + random-init, reference + held-out');
    const again: string[] = [];
    const second = await runEval({ model, reference, data: heldout, out, quick: true, progress: false, log: (l) => again.push(l) });
    assert.equal(again.filter((l) => l.includes('read from')).length, 4);
    assert.ok(Object.values(second.timings.embedding).every((e) => e.cached));
    assert.deepEqual(second.targets, report.targets);
    assert.deepEqual(second.retrieval, report.retrieval);
    assert.ok(existsSync(join(out, 'report.md')));
    assert.ok(lines.some((l) => l.includes('embedded 80 objects')));
  });
});
