/**
 * `skyclip ingest` through the CLI entry (main(), in process; Ctrl-C through bin/skyclip.js in
 * a child process): argument errors, exit codes, the summary, the failure list, --reindex
 * without a source, --rebuild with another model, and stopping on SIGINT with a way to resume.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import { main } from '../../src/cli/main.js';
import { initBackend } from '../../src/nn/backend.js';
import { parseCatalog } from '../../src/sim/catalog-columns.js';
import { Store } from '../../src/store/index.js';
import { makeModel, makeSurvey, tempRoot } from './helpers.js';

const N = 30;
let root: string;
let cleanup: () => Promise<void>;
let surveyDir: string;
let modelA: Awaited<ReturnType<typeof makeModel>>;
let modelB: Awaited<ReturnType<typeof makeModel>>;

before(async () => {
  await initBackend({ env: { SKYCLIP_BACKEND: 'wasm' }, logger: () => {} });
  ({ root, cleanup } = tempRoot('cli'));
  surveyDir = await makeSurvey(join(root, 'survey'), N, 13);
  modelA = await makeModel(join(root, 'model-a'), 1);
  modelB = await makeModel(join(root, 'model-b'), 2);
  modelA.model.dispose();
  modelB.model.dispose();
});

after(async () => {
  await cleanup?.();
});

/** Runs `skyclip ...args` in this process; returns the exit code and what it printed. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = mock.method(console, 'log', (...a: unknown[]) => void out.push(a.join(' ')));
  const error = mock.method(console, 'error', (...a: unknown[]) => void err.push(a.join(' ')));
  try {
    const code = await main(args);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mock.restore();
    error.mock.restore();
  }
}

describe('skyclip ingest: arguments', () => {
  it('refuses unknown sources, missing --store / --model / SOURCE and a bad --batch with exit 2', async () => {
    const store = join(root, 'store-args');
    const model = join(root, 'model-a');
    const cases: Array<[string[], RegExp]> = [
      [['ingest', join(root, 'nowhere'), '--store', store, '--model', model], /skyclip ingest: ingest source .*nowhere does not exist/],
      [['ingest', surveyDir, '--model', model], /--store DIR is required/],
      [['ingest', surveyDir, '--store', store], /--model DIR is required/],
      [['ingest', '--store', store, '--model', model], /give the SOURCE to ingest/],
      [['ingest', surveyDir, '--store', store, '--model', model, '--batch', 'abc'], /--batch must be a positive integer, got 'abc'/],
      [['ingest', surveyDir, '--store', store, '--model', model, '--batch', '0'], /--batch must be a positive integer, got '0'/],
      [['ingest', surveyDir, surveyDir, '--store', store, '--model', model], /ingest takes one SOURCE, got 2/],
      [['ingest', '--rebuild', '--store', store, '--model', model], /--rebuild without SOURCE re-embeds an existing store/],
      [['ingest', '--reindex', '--store', store], /no store at/],
      [['ingest', surveyDir, '--store', store, '--model', join(root, 'no-model')], /model\.json does not exist/],
      [['ingest', surveyDir, '--store', store, '--model', model, '--frobnicate'], /Unknown option '--frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const run = await cli(...args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.err}`);
      assert.match(run.err, message);
    }
    assert.equal((await cli('ingest', '--help')).code, 0);
  });
});

describe('skyclip ingest: runs', () => {
  it('ingests, skips on a rerun, reindexes without a source and rebuilds with another model', async () => {
    const store = join(root, 'store');
    const first = await cli('ingest', surveyDir, '--store', store, '--model', join(root, 'model-a'), '--batch', '8', '--quiet');
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, new RegExp(`${N} objects in the source, 0 already embedded, ${N} processed \\(${N} image \\+ ${N} spectrum vectors\\)`));
    assert.match(first.out, /objects\/s/);
    assert.match(first.out, new RegExp(`store .*: ${N} objects, ${N} image and ${N} spectrum vectors`));

    const rerun = await cli('ingest', surveyDir, '--store', store, '--model', join(root, 'model-a'), '--quiet');
    assert.equal(rerun.code, 0);
    assert.match(rerun.out, new RegExp(`${N} already embedded, 0 processed`));

    const reindex = await cli('ingest', '--reindex', '--store', store, '--quiet');
    assert.equal(reindex.code, 0, reindex.err);
    assert.match(reindex.out, new RegExp(`reindexed .* \\(model ${modelA.id}\\): ${N} image and ${N} spectrum vectors`));

    const conflict = await cli('ingest', surveyDir, '--store', store, '--model', join(root, 'model-b'), '--quiet');
    assert.equal(conflict.code, 2);
    assert.match(conflict.err, new RegExp(`index built by model ${modelA.id} but model ${modelB.id} is loaded; run \`skyclip ingest --rebuild`));

    const rebuild = await cli('ingest', '--rebuild', '--store', store, '--model', join(root, 'model-b'), '--quiet');
    assert.equal(rebuild.code, 0, rebuild.err);
    const opened = await Store.open(store, { modelId: modelB.id, readOnly: true });
    assert.equal(opened.count('image'), N);
    assert.ok(opened.select(undefined, { limit: 100 }).every((r) => r.model_id === modelB.id));
    await opened.close();
  });

  it('exits 1 and lists the first 20 failures and how many more', async () => {
    const copy = join(root, 'survey-damaged');
    cpSync(surveyDir, copy, { recursive: true });
    const rows = parseCatalog(readFileSync(join(copy, 'catalog.csv'), 'utf8'));
    for (const row of rows.slice(0, 23)) writeFileSync(join(copy, row.spectrum_path), 'not a spectrum');
    rmSync(join(copy, rows[29].image_path));
    const run = await cli('ingest', copy, '--store', join(root, 'store-damaged'), '--model', join(root, 'model-a'), '--quiet');
    assert.equal(run.code, 1);
    assert.match(run.out, new RegExp(`${N} processed \\(${N - 1} image \\+ ${N - 23} spectrum vectors\\)`));
    assert.match(run.err, /24 objects or files failed:/);
    assert.match(run.err, new RegExp(`  ${rows[0].id}  .*${rows[0].spectrum_path}: `));
    assert.match(run.err, /\.\.\. and 4 more/);
    assert.equal(run.err.split('\n').filter((l) => l.startsWith('  ') && !l.includes('... and')).length, 20);
  });

  it('stops on Ctrl-C after the current batch, saves, says how to resume, and the rerun finishes', async () => {
    const store = join(root, 'store-sigint');
    const args = ['bin/skyclip.js', 'ingest', surveyDir, '--store', store, '--model', join(root, 'model-a'), '--batch', '1'];
    const child = spawn(process.execPath, args, { env: { ...process.env, SKYCLIP_BACKEND: 'wasm' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    let sent = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      // The bar's first line (0 done) comes once the SIGINT handler is in place.
      if (!sent && /ingest \[/.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 130, stderr);
    assert.match(stderr, /stopping after the current batch/);
    assert.match(stderr, /interrupted: what was embedded is saved; run `skyclip ingest .* --store .*store-sigint --model .*` to resume/);
    const processed = Number(/(\d+) processed/.exec(stdout)?.[1]);
    assert.ok(processed >= 1 && processed < N, `processed ${processed}`);

    const resumed = await cli('ingest', surveyDir, '--store', store, '--model', join(root, 'model-a'), '--quiet');
    assert.equal(resumed.code, 0, resumed.err);
    assert.match(resumed.out, new RegExp(`${processed} already embedded, ${N - processed} processed`));
    assert.match(resumed.out, new RegExp(`store .*: ${N} objects, ${N} image and ${N} spectrum vectors`));
  });
});
