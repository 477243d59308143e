/**
 * Ingest jobs: a mock survey with FITS files embedded on the worker thread (a random-init micro
 * model) and written into a real store; the vectors equal those embedded on this thread; a job
 * closed after its first chunk resumes without redoing it; paths outside the allowed root, a
 * manager without a model and a model that is not the store's are refused.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { embedIngestBatch, resolveIngestSource } from '../../src/ingest/index.js';
import { JobManager } from '../../src/jobs/index.js';
import { Store } from '../../src/store/index.js';
import { SkyclipError } from '../../src/util/errors.js';
import { makeModel, makeSurvey, maxDiff, useWasm } from '../ingest/helpers.js';
import { tempRoot, waitFor } from './helpers.js';

const N = 10;

let root: string;
let cleanup: () => Promise<void>;
let surveyDir: string;
let modelDir: string;
let otherModelDir: string;
let model: Awaited<ReturnType<typeof makeModel>>;

before(async () => {
  ({ root, cleanup } = tempRoot('ingest'));
  await useWasm();
  surveyDir = await makeSurvey(join(root, 'data', 'survey'), N, 5);
  modelDir = join(root, 'model');
  model = await makeModel(modelDir, 1);
  otherModelDir = join(root, 'other-model');
  (await makeModel(otherModelDir, 2)).model.dispose();
});

after(async () => {
  model?.model.dispose();
  await cleanup?.();
});

async function newStore(name: string): Promise<Store> {
  return Store.open(join(root, name), { modelId: model.id, create: true, dimension: model.embedder.dim });
}

describe('ingest jobs', () => {
  it('embeds a survey on the worker and writes it into the store', async () => {
    const store = await newStore('store-a');
    const jobs = await JobManager.open({ dbPath: join(root, 'a', 'jobs.sqlite'), resultsDir: join(root, 'a', 'results'), store, modelDir, allowedRoot: join(root, 'data'), chunkSize: 4 });
    try {
      const job = jobs.submitIngest({ path: surveyDir });
      assert.equal(job.kind, 'ingest');
      const done = await waitFor(jobs, job.id, 120_000);
      assert.equal(done.state, 'succeeded', done.error ?? '');
      assert.equal(done.total, N);
      assert.equal(store.count(), N);
      assert.equal(store.count('image'), N);
      assert.equal(store.count('spectrum'), N);
      const summary = done.result!.summary as { total: number; embedded: { image: number; spectrum: number }; failed: number };
      assert.deepEqual([summary.total, summary.embedded.image, summary.embedded.spectrum, summary.failed], [N, N, N, 0]);
      const report = JSON.parse(readFileSync(jobs.result(job.id).path, 'utf8'));
      assert.deepEqual(report.embedded, { image: N, spectrum: N });
      assert.equal(jobs.result(job.id).mediaType, 'application/json');

      // The worker's vectors are the ones this thread's embedder gives.
      const source = await resolveIngestSource(surveyDir);
      const here = await embedIngestBatch(source.entries.slice(0, 3), model.embedder);
      here.image.ids.forEach((id, i) => {
        assert.ok(maxDiff(Array.from(store.vectorOf(id, 'image')!), Array.from(here.image.vectors.subarray(i * here.dim, (i + 1) * here.dim))) < 1e-5);
      });

      // Nothing left to do: a second ingest plans zero items and succeeds.
      const again = await waitFor(jobs, jobs.submitIngest({ path: surveyDir }).id, 60_000);
      assert.equal(again.state, 'succeeded');
      assert.equal(again.total, 0);
    } finally {
      await jobs.close();
      await store.close();
    }
  });

  it('resumes after a close without redoing the committed chunk', async () => {
    const store = await newStore('store-b');
    const dbPath = join(root, 'b', 'jobs.sqlite');
    const resultsDir = join(root, 'b', 'results');
    const executed: number[] = [];
    try {
      const first = await JobManager.open({ dbPath, resultsDir, store, modelDir, chunkSize: 4 });
      let closing: Promise<void> | undefined;
      first.on('chunk', (c) => {
        executed.push(c.index);
        closing ??= first.close();
      });
      const id = first.submitIngest({ path: surveyDir }).id;
      while (!closing) await new Promise((r) => setTimeout(r, 20));
      await closing;
      assert.equal(store.count('spectrum'), 4, 'only the first chunk was written');

      const second = await JobManager.open({ dbPath, resultsDir, store, modelDir });
      try {
        second.on('chunk', (c) => executed.push(c.index));
        const done = await waitFor(second, id, 120_000);
        assert.equal(done.state, 'succeeded', done.error ?? '');
        assert.deepEqual(executed, [0, 1, 2]);
        assert.equal(store.count('image'), N);
        assert.equal(store.count('spectrum'), N);
      } finally {
        await second.close();
      }
    } finally {
      await store.close();
    }
  });

  it('refuses paths outside the allowed root, a manager without a model, and a model that is not the store’s', async () => {
    const store = await newStore('store-c');
    const isCode = (code: string) => (err: unknown) => err instanceof SkyclipError && err.code === code;
    try {
      const noModel = await JobManager.open({ dbPath: join(root, 'c1', 'jobs.sqlite'), resultsDir: join(root, 'c1', 'results'), store });
      assert.throws(() => noModel.submitIngest({ path: surveyDir }), isCode('CONFLICT'));
      await noModel.close();

      const jobs = await JobManager.open({ dbPath: join(root, 'c2', 'jobs.sqlite'), resultsDir: join(root, 'c2', 'results'), store, modelDir: otherModelDir, allowedRoot: join(root, 'data') });
      try {
        assert.throws(() => jobs.submitIngest({ path: join(root, 'model') }), isCode('BAD_INPUT'));
        assert.throws(() => jobs.submitIngest({ path: join(root, 'data', '..', 'model') }), isCode('BAD_INPUT'));
        assert.throws(() => jobs.submitIngest({ path: '' }), isCode('BAD_INPUT'));
        const done = await waitFor(jobs, jobs.submitIngest({ path: surveyDir }).id, 60_000);
        assert.equal(done.state, 'failed');
        assert.match(done.error!, /is not the store's model/);
        assert.equal(store.count(), 0);
      } finally {
        await jobs.close();
      }
    } finally {
      await store.close();
    }
  });
});
