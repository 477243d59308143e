/**
 * Export jobs end to end, on a real store and a real jobs.sqlite, with the worker thread:
 * every format holds every selected object exactly once with the store's vectors (all, ids and
 * filter selections); a job closed mid-way resumes without redoing or repeating a chunk;
 * cancel; failures; parameter checks; one manager per database.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ExportFormat } from '../../src/export/index.js';
import { JobManager, type ChunkEvent, type ExportParams } from '../../src/jobs/index.js';
import { MODALITIES, type Modality, type SearchFilter, type Store } from '../../src/store/index.js';
import { SkyclipError } from '../../src/util/errors.js';
import { SKIP_ASTROPY, python } from '../export/helpers.js';
import { makeStore, readExport, tempRoot, waitFor } from './helpers.js';

const N = 95;
const DIM = 8;
const CHUNK = 10;
const FORMATS: ExportFormat[] = ['csv', 'fits', 'parquet'];

let root: string;
let cleanup: () => Promise<void>;
let store: Store;
let jobs: JobManager;

function isCode(code: string) {
  return (err: unknown) => err instanceof SkyclipError && err.code === code;
}

before(async () => {
  ({ root, cleanup } = tempRoot('export'));
  store = await makeStore(join(root, 'store'), N, DIM);
  jobs = await JobManager.open({ dbPath: join(root, 'jobs', 'jobs.sqlite'), resultsDir: join(root, 'results'), store, chunkSize: CHUNK });
});

after(async () => {
  await jobs?.close();
  await store?.close();
  await cleanup?.();
});

/** Ids in catalog order passing `filter`. */
function selectIds(filter?: SearchFilter): string[] {
  return store.select(filter, { limit: 10_000 }).map((r) => r.id);
}

/** Runs an export to completion and checks its file against the store. */
async function exportAndCheck(params: ExportParams, expected: string[]): Promise<void> {
  const submitted = jobs.submitExport(params);
  assert.equal(submitted.state, 'queued');
  const done = await waitFor(jobs, submitted.id);
  assert.equal(done.state, 'succeeded', done.error ?? '');
  assert.equal(done.total, expected.length);
  assert.equal(done.done, expected.length);
  assert.equal(done.etaSeconds, 0);
  const file = jobs.result(submitted.id);
  assert.equal(file.filename, done.result!.filename);
  assert.equal(file.bytes, done.result!.bytes);
  const rows = await readExport(params.format, file.path, params.modalities, DIM);
  assert.deepEqual(
    rows.map((r) => r.id),
    expected,
    'every selected object exactly once, in selection order',
  );
  let missing = 0;
  for (const { id, vectors } of rows) {
    for (const m of params.modalities) {
      const stored = store.vectorOf(id, m);
      if (!stored) missing++;
      assert.deepEqual(vectors[m], stored ? Array.from(stored) : null, `${m} vector of ${id}`);
    }
    for (const m of MODALITIES.filter((x) => !params.modalities.includes(x))) assert.equal(vectors[m], undefined);
  }
  if (params.modalities.includes('image') && expected.length === N) assert.ok(missing > 0, 'some objects have no image vector');
}

describe('export jobs: content', () => {
  for (const format of FORMATS) {
    it(`${format}: selection "all", both modalities`, async () => {
      await exportAndCheck({ selection: { kind: 'all' }, modalities: ['image', 'spectrum'], format }, selectIds());
    });

    it(`${format}: selection "ids" keeps the given order and drops repeats`, async () => {
      const all = selectIds();
      const ids = [all[40]!, all[7]!, all[8]!, all[5]!, all[7]!, all[0]!];
      await exportAndCheck({ selection: { kind: 'ids', ids }, modalities: ['spectrum', 'image'], format }, [all[40]!, all[7]!, all[8]!, all[5]!, all[0]!]);
    });

    it(`${format}: selection "filter" (class, z range)`, async () => {
      const filter: SearchFilter = { equals: { class: ['GALAXY', 'STAR'] }, range: { z: { min: 0.2, max: 0.7 } } };
      const expected = selectIds(filter);
      assert.ok(expected.length > 20 && expected.length < N);
      await exportAndCheck({ selection: { kind: 'filter', filter }, modalities: ['image'], format }, expected);
    });
  }

  it('gives the same file inline (threaded: false, chunks of 30) as on the worker (chunks of 10)', async () => {
    const params: ExportParams = { selection: { kind: 'all' }, modalities: ['image', 'spectrum'], format: 'fits' };
    const inline = await JobManager.open({ dbPath: join(root, 'inline', 'jobs.sqlite'), resultsDir: join(root, 'inline', 'results'), store, chunkSize: 30, threaded: false });
    try {
      const a = await waitFor(inline, inline.submitExport(params).id);
      const b = await waitFor(jobs, jobs.submitExport(params).id);
      const { readFileSync } = await import('node:fs');
      // Byte for byte the same, DATE aside (the two jobs may be created in different seconds).
      const strip = (buf: Buffer) => buf.toString('latin1').replace(/DATE    = '[^']*'/g, '');
      assert.equal(strip(readFileSync(inline.result(a.id).path)), strip(readFileSync(jobs.result(b.id).path)));
    } finally {
      await inline.close();
    }
  });

  it('an empty selection gives a valid empty file', async () => {
    for (const format of FORMATS) {
      await exportAndCheck({ selection: { kind: 'filter', filter: { range: { z: { min: 5 } } } }, modalities: ['image'], format }, []);
    }
  });

  it('the FITS export passes astropy verify("exception")', { skip: SKIP_ASTROPY }, async () => {
    const job = jobs.submitExport({ selection: { kind: 'all' }, modalities: ['image', 'spectrum'], format: 'fits' });
    assert.equal((await waitFor(jobs, job.id)).state, 'succeeded');
    const out = python(
      `
import sys, warnings
warnings.simplefilter('error')
from astropy.io import fits
with fits.open(sys.argv[1]) as h:
    h.verify('exception')
    print(h[1].header['NAXIS2'], h[1].header['TFORM' + str(h[1].columns.names.index('image_emb') + 1)], h[1].header['MODELID'], len(h[1].data))
`,
      jobs.result(job.id).path,
    );
    assert.equal(out.trim(), `${N} ${DIM}E ${store.modelId} ${N}`);
  });
});

describe('export jobs: status, cancel, failures', () => {
  it('lists jobs oldest first, with params, progress and result', async () => {
    const listed = jobs.list();
    assert.ok(listed.length >= 9);
    const created = listed.map((j) => Date.parse(j.createdAt));
    assert.deepEqual(created, [...created].sort((a, b) => a - b));
    const last = listed.at(-1)!;
    assert.equal(jobs.get(last.id)!.id, last.id);
    assert.equal(last.kind, 'export');
    assert.ok(last.startedAt && last.finishedAt);
    assert.equal(jobs.get('no-such-job'), undefined);
  });

  it('shows a long ids selection shortened in status, and exports all of it', async () => {
    const all = selectIds();
    const ids = [...all, ...all, ...all].slice(0, 150);
    const job = jobs.submitExport({ selection: { kind: 'ids', ids }, modalities: [], format: 'csv' });
    const selection = job.params as ExportParams;
    assert.deepEqual(selection.selection, { kind: 'ids', ids: ids.slice(0, 100), count: 150 });
    const done = await waitFor(jobs, job.id);
    assert.equal(done.total, N, 'repeats dropped');
  });

  it('freezes a queued export at submit: objects added while it waits are not in it', async () => {
    const first = jobs.submitExport({ selection: { kind: 'all' }, modalities: ['image'], format: 'parquet' });
    const queued = jobs.submitExport({ selection: { kind: 'all' }, modalities: ['spectrum'], format: 'csv' });
    while (jobs.get(queued.id)!.total === null) await new Promise((r) => setTimeout(r, 5));
    assert.equal(jobs.get(queued.id)!.state, 'queued');
    assert.equal(jobs.get(queued.id)!.total, N);
    const before = selectIds();
    store.upsertObjects([{ id: 'late-1', ra: 1, dec: 1 }]);
    await store.addEmbeddings('spectrum', [{ id: 'late-1', vector: Array.from({ length: DIM }, (_, i) => i + 1) }]);
    try {
      assert.equal((await waitFor(jobs, first.id)).state, 'succeeded');
      const done = await waitFor(jobs, queued.id);
      assert.equal(done.state, 'succeeded');
      const rows = await readExport('csv', jobs.result(queued.id).path, ['spectrum'], DIM);
      assert.deepEqual(rows.map((r) => r.id), before);
    } finally {
      await store.delete(['late-1']);
    }
  });

  it('fails a job whose ids name objects the catalog lacks, saying which', async () => {
    const job = jobs.submitExport({ selection: { kind: 'ids', ids: ['obj-1', 'nope-1', 'obj-2', 'nope-2'] }, modalities: ['image'], format: 'parquet' });
    const done = await waitFor(jobs, job.id);
    assert.equal(done.state, 'failed');
    assert.match(done.error!, /2 of the 4 requested id\(s\) are not in the catalog: "nope-1", "nope-2"/);
    assert.equal(done.result, null);
    assert.throws(() => jobs.result(job.id), isCode('CONFLICT'));
    await jobs.idle();
    assert.ok(!existsSync(join(root, 'results', job.id)), 'no files kept for a failed job');
  });

  it('refuses malformed parameters at submit', () => {
    const bad: unknown[] = [
      { selection: { kind: 'all' }, modalities: ['image'], format: 'xlsx' },
      { selection: { kind: 'all' }, modalities: ['image', 'image'], format: 'csv' },
      { selection: { kind: 'all' }, modalities: ['radio'], format: 'csv' },
      { selection: { kind: 'ids', ids: [] }, modalities: [], format: 'csv' },
      { selection: { kind: 'filter', filter: { equals: { nope: 'x' } } }, modalities: [], format: 'csv' },
      { selection: { kind: 'filter', filter: { range: { z: { min: 2, max: 1 } } } }, modalities: [], format: 'csv' },
      { selection: { kind: 'everything' }, modalities: [], format: 'csv' },
      { selection: { kind: 'all' }, modalities: [], format: 'csv', extra: 1 },
    ];
    for (const params of bad) assert.throws(() => jobs.submitExport(params as ExportParams), isCode('BAD_INPUT'), JSON.stringify(params));
  });

  it('cancels a running job after its chunk in flight and removes its files; refuses to cancel twice', async () => {
    const seen: ChunkEvent[] = [];
    let id = '';
    const onChunk = (c: ChunkEvent) => {
      if (c.jobId !== id) return;
      seen.push(c);
      if (c.index === 1) jobs.cancel(id);
    };
    jobs.on('chunk', onChunk);
    id = jobs.submitExport({ selection: { kind: 'all' }, modalities: ['image'], format: 'csv' }).id;
    const queued = jobs.submitExport({ selection: { kind: 'all' }, modalities: ['image'], format: 'fits' });
    assert.equal(jobs.cancel(queued.id).state, 'cancelled', 'a queued job is cancelled at once');
    const done = await waitFor(jobs, id);
    await jobs.idle();
    jobs.off('chunk', onChunk);
    assert.equal(done.state, 'cancelled');
    assert.deepEqual(seen.map((c) => c.index), [0, 1]);
    assert.equal(jobs.get(id)!.done, 2 * CHUNK);
    assert.ok(!existsSync(join(root, 'results', id)), 'partial files removed');
    assert.equal(jobs.get(queued.id)!.startedAt, null, 'the cancelled queued job never ran');
    assert.throws(() => jobs.cancel(id), isCode('CONFLICT'));
    assert.throws(() => jobs.result(id), isCode('CONFLICT'));
    assert.throws(() => jobs.cancel('no-such-job'), isCode('NOT_FOUND'));
    assert.throws(() => jobs.result('no-such-job'), isCode('NOT_FOUND'));
  });

  it('cancels or deletes queued exports while their selections are still being frozen, leaving no files', async () => {
    // Submitting starts the freeze on the worker at once; cancelling in the same tick lands while
    // it writes into the job's directory. The files must go after the freeze, not under it.
    const cancelled = Array.from({ length: 4 }, () => jobs.submitExport({ selection: { kind: 'all' }, modalities: ['image', 'spectrum'], format: 'fits' }).id);
    for (const id of cancelled) assert.equal(jobs.cancel(id).state, 'cancelled');
    const deleted = jobs.submitExport({ selection: { kind: 'all' }, modalities: ['image'], format: 'csv' }).id;
    await jobs.delete(deleted);
    await jobs.idle();
    for (const id of [...cancelled, deleted]) assert.ok(!existsSync(join(root, 'results', id)), `files of ${id} removed`);
    assert.equal(jobs.get(deleted), undefined);
    for (const id of cancelled) assert.equal(jobs.get(id)!.startedAt, null, 'a cancelled queued job never runs');
  });

  it('fails, with CONFLICT, when an object of the frozen selection is deleted before its chunk', async () => {
    const victim = selectIds().at(-1)!;
    let id = '';
    let deleting: Promise<unknown> | undefined;
    const onChunk = (c: ChunkEvent) => {
      if (c.jobId === id && c.index === 0) deleting = store.delete([victim]);
    };
    jobs.on('chunk', onChunk);
    id = jobs.submitExport({ selection: { kind: 'all' }, modalities: ['image'], format: 'fits' }).id;
    const done = await waitFor(jobs, id);
    jobs.off('chunk', onChunk);
    await deleting;
    assert.equal(done.state, 'failed');
    assert.match(done.error!, /deleted from the store after it was submitted/);
    assert.ok(done.error!.includes(JSON.stringify(victim)));
  });

  it('deletes a finished job and its files', async () => {
    const job = jobs.submitExport({ selection: { kind: 'ids', ids: [selectIds()[0]!] }, modalities: ['image'], format: 'csv' });
    await waitFor(jobs, job.id);
    const dir = join(root, 'results', job.id);
    assert.ok(existsSync(dir));
    await jobs.delete(job.id);
    assert.equal(jobs.get(job.id), undefined);
    assert.ok(!existsSync(dir));
    await assert.rejects(jobs.delete(job.id), isCode('NOT_FOUND'));
  });

  it('refuses a second manager on the same jobs database', async () => {
    await assert.rejects(
      JobManager.open({ dbPath: join(root, 'jobs', 'jobs.sqlite'), resultsDir: join(root, 'results'), store }),
      (err: unknown) => err instanceof SkyclipError && err.code === 'CONFLICT' && /in use/.test(err.message),
    );
  });
});

describe('export jobs: resume', () => {
  it('a manager closed after the first chunk leaves the job running; the next open finishes it without redoing a chunk', async () => {
    const dbPath = join(root, 'resume', 'jobs.sqlite');
    const resultsDir = join(root, 'resume', 'results');
    const modalities: Modality[] = ['image', 'spectrum'];
    for (const format of FORMATS) {
      const executed: number[] = [];
      let first = await JobManager.open({ dbPath, resultsDir, store, chunkSize: CHUNK });
      let closing: Promise<void> | undefined;
      first.on('chunk', (c) => {
        executed.push(c.index);
        if (c.index === 0) closing = first.close();
      });
      const id = first.submitExport({ selection: { kind: 'all' }, modalities, format }).id;
      while (!closing) await new Promise((r) => setTimeout(r, 10));
      await closing;

      const second = await JobManager.open({ dbPath, resultsDir, store, chunkSize: 7 /* ignored: fixed per job */ });
      const mid = second.get(id)!;
      assert.equal(mid.done, CHUNK);
      second.on('chunk', (c) => executed.push(c.index));
      const done = await waitFor(second, id);
      assert.equal(done.state, 'succeeded', done.error ?? '');
      assert.deepEqual(executed, Array.from({ length: Math.ceil(N / CHUNK) }, (_, i) => i), `${format}: each chunk ran once`);
      const rows = await readExport(format, second.result(id).path, modalities, DIM);
      assert.deepEqual(rows.map((r) => r.id), selectIds());
      for (const r of rows) assert.deepEqual(r.vectors.spectrum, Array.from(store.vectorOf(r.id, 'spectrum')!));
      assert.deepEqual(readdirSync(join(resultsDir, id)), [second.result(id).filename]);
      await second.close();
      first = second;
    }
  });
});
