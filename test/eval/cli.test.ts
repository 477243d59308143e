/**
 * `skyclip eval` and `skyclip train-supervised` refuse bad invocations with a clear message and
 * exit status 2, before any work: missing options, a folder that is not a survey, a held-out
 * survey with the reference's seed, a held-out survey whose seed trained the model, bad numbers.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { buildModel } from '../../src/nn/skyclip-model.js';
import { saveModel } from '../../src/nn/weights-io.js';
import { MICRO, makeSurvey, tempDir, useWasm } from '../data/helpers.js';

let root: string;
let model: string;
let trainedOn4: string;
let reference: string;
let heldout: string;
let sameSeed: string;

before(async () => {
  await useWasm();
  root = tempDir('eval-cli');
  reference = await makeSurvey(join(root, 'ref'), 20, 3);
  heldout = await makeSurvey(join(root, 'held'), 20, 4);
  sameSeed = await makeSurvey(join(root, 'same'), 12, 3);
  const m = buildModel(MICRO, { seed: 1 });
  model = join(root, 'model');
  await saveModel(model, m);
  trainedOn4 = join(root, 'model-4');
  await saveModel(trainedOn4, m, { training: { dataSeed: 4 } });
  m.dispose();
  mkdirSync(join(root, 'empty'));
});

after(() => rmSync(root, { recursive: true, force: true }));

/** Runs the CLI in-process, capturing what it prints to stderr. */
async function run(...argv: string[]): Promise<{ code: number; err: string; out: string }> {
  const err: string[] = [];
  const out: string[] = [];
  const [e, l] = [console.error, console.log];
  console.error = (...a: unknown[]) => err.push(a.join(' '));
  console.log = (...a: unknown[]) => out.push(a.join(' '));
  try {
    return { code: await main(argv), err: err.join('\n'), out: out.join('\n') };
  } finally {
    [console.error, console.log] = [e, l];
  }
}

describe('skyclip eval: bad invocations', () => {
  it('prints its usage with --help and is listed by skyclip --help', async () => {
    const r = await run('eval', '--help');
    assert.equal(r.code, 0);
    assert.match(r.out, /--reference DIR/);
    assert.match(r.out, /--supervised DIR/);
    const all = await run('--help');
    assert.match(all.out, /\n {2}eval +Evaluation report/);
    assert.match(all.out, /\n {2}train-supervised +Train the supervised-from-scratch baseline/);
  });

  it('needs --model, --reference, --data and --out', async () => {
    const out = join(root, 'out-missing');
    for (const missing of ['model', 'reference', 'data', 'out']) {
      const args = { model, reference, data: heldout, out } as Record<string, string>;
      delete args[missing];
      const r = await run('eval', ...Object.entries(args).flatMap(([k, v]) => [`--${k}`, v]));
      assert.equal(r.code, 2, missing);
      assert.match(r.err, new RegExp(`--${missing} is required`));
    }
    assert.ok(!existsSync(out), 'nothing written');
  });

  it('refuses a reference or held-out folder that is not a survey, naming the missing file', async () => {
    const r = await run('eval', '--model', model, '--reference', join(root, 'empty'), '--data', heldout, '--out', join(root, 'o1'), '--quick', '--quiet');
    assert.equal(r.code, 2);
    assert.match(r.err, /empty\/catalog\.csv does not exist/);
    const r2 = await run('eval', '--model', model, '--reference', reference, '--data', join(root, 'nowhere'), '--out', join(root, 'o1'), '--quick', '--quiet');
    assert.equal(r2.code, 2);
    assert.match(r2.err, /nowhere\/catalog\.csv does not exist/);
    assert.ok(!existsSync(join(root, 'o1')));
  });

  it("refuses a held-out survey with the reference's seed", async () => {
    const r = await run('eval', '--model', model, '--reference', reference, '--data', sameSeed, '--out', join(root, 'o2'), '--quick', '--quiet');
    assert.equal(r.code, 2);
    assert.match(r.err, /reference survey's seed \(3\).*another seed/);
    assert.ok(!existsSync(join(root, 'o2')));
  });

  it('refuses a held-out survey whose seed trained the model, unless allowed', async () => {
    const r = await run('eval', '--model', trainedOn4, '--reference', reference, '--data', heldout, '--out', join(root, 'o3'), '--quick', '--quiet');
    assert.equal(r.code, 2);
    assert.match(r.err, /seed 4, which trained model/);
  });

  it('refuses bad numbers and unknown options', async () => {
    const base = ['eval', '--model', model, '--reference', reference, '--data', heldout, '--out', join(root, 'o4')];
    for (const [flag, value, pattern] of [
      ['--n-reference', '0', /--n-reference must be an integer >= 1/],
      ['--candidates', 'many', /--candidates must be an integer >= 1/],
      ['--few-shot-draws', '0', /--few-shot-draws must be an integer >= 1/],
      ['--seed', '1.5', /--seed must be an integer >= 0/],
      ['--batch', '2.5', /--batch must be a positive integer/],
    ] as const) {
      const r = await run(...base, flag, value);
      assert.equal(r.code, 2, flag);
      assert.match(r.err, pattern);
    }
    const r = await run(...base, '--frobnicate');
    assert.equal(r.code, 2);
    assert.match(r.err, /Unknown option '--frobnicate'/);
  });
});

describe('skyclip train-supervised: bad invocations', () => {
  it('needs a modality, data and out, and valid targets', async () => {
    const base = ['train-supervised', '--data', reference, '--out', join(root, 's1'), '--init', model, '--steps', '1', '--quiet'];
    let r = await run(...base);
    assert.equal(r.code, 2);
    assert.match(r.err, /--modality must be image or spectrum/);
    r = await run('train-supervised', '--modality', 'image', '--out', join(root, 's1'));
    assert.equal(r.code, 2);
    assert.match(r.err, /--data is required/);
    r = await run(...base, '--modality', 'image', '--targets', 'z,gz_bar', '--run-dir', join(root, 'runs-s1'));
    assert.equal(r.code, 2);
    assert.match(r.err, /'gz_bar' is not a regression target/);
    r = await run(...base, '--modality', 'image', '--run-dir', join(root, 's1', 'run'));
    assert.equal(r.code, 2);
    assert.match(r.err, /lies inside --out/);
    r = await run(...base, '--modality', 'image', '--targets', ',');
    assert.equal(r.code, 2);
    assert.match(r.err, /--targets must name at least one column/);
    assert.ok(!existsSync(join(root, 's1')));
  });
});
