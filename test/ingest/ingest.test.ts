/**
 * Ingesting a simulated survey into a real store (SQLite + HNSW files on disk) with a
 * random-init micro model: counts and rows, every object findable by its own vector, reruns
 * that add nothing, an interrupted run that resumes to the same store as an uninterrupted one,
 * bad files reported per object while the rest lands, and the worker-thread split.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { embedIngestBatch, ingest, planIngest, resolveIngestSource, writeIngestBatch, type IngestProgress } from '../../src/ingest/index.js';
import { parseCatalog } from '../../src/sim/catalog-columns.js';
import { Store } from '../../src/store/index.js';
import { makeModel, makeSurvey, maxDiff, snapshot, tempRoot, useWasm } from './helpers.js';

const N = 60;
let root: string;
let cleanup: () => Promise<void>;
let surveyDir: string;
let model: Awaited<ReturnType<typeof makeModel>>;
/** The store of one uninterrupted run, for comparisons. */
let reference: ReturnType<typeof snapshot>;

before(async () => {
  await useWasm();
  ({ root, cleanup } = tempRoot('run'));
  surveyDir = await makeSurvey(join(root, 'survey'), N, 5);
  model = await makeModel(join(root, 'model'), 1);
});

after(async () => {
  model?.model.dispose();
  await cleanup?.();
});

function open(dir: string, options: { readOnly?: boolean } = {}) {
  return Store.open(dir, { modelId: model.id, create: !options.readOnly, dimension: model.embedder.dim, ...options });
}

describe('ingest of a survey folder', () => {
  it('stores every object with its labels and both vectors, each finding itself first', async () => {
    const dir = join(root, 'store-a');
    const store = await open(dir);
    const progress: IngestProgress[] = [];
    const report = await ingest(store, model.embedder, surveyDir, { batchSize: 16, modelId: model.id, onProgress: (p) => progress.push({ ...p }) });
    assert.equal(report.total, N);
    assert.equal(report.skipped, 0);
    assert.equal(report.processed, N);
    assert.deepEqual(report.embedded, { image: N, spectrum: N });
    assert.deepEqual(report.failed, []);
    assert.equal(report.interrupted, false);
    assert.deepEqual(
      progress.map((p) => p.done),
      [0, 16, 32, 48, 60],
    );
    assert.ok(progress.every((p) => p.total === N && p.failed === 0));

    assert.equal(store.count(), N);
    assert.equal(store.count('image'), N);
    assert.equal(store.count('spectrum'), N);
    const catalog = parseCatalog(readFileSync(join(surveyDir, 'catalog.csv'), 'utf8'));
    for (const truth of catalog) {
      const row = store.get(truth.id)!;
      assert.ok(row, truth.id);
      assert.equal(row.model_id, model.id);
      assert.equal(row.class, truth.class);
      assert.equal(row.z, truth.z);
      assert.ok(Math.abs(row.ra - truth.ra) < 1e-9 && Math.abs(row.dec - truth.dec) < 1e-9);
      assert.equal(row.split, truth.split);
      assert.equal(row.image_path, truth.image_path);
      assert.equal(row.extra.source_dir, surveyDir);
      // Survey columns the store has no column for go into extra, typed; empty cells are left out.
      assert.equal(row.extra.index, truth.index);
      assert.equal(row.extra.mag_g, truth.mag_g);
      assert.equal(row.extra.sfr ?? null, truth.sfr);
    }
    await store.close();

    // Reopened from disk: the saved indexes answer, and every vector finds its own object first.
    const reopened = await open(dir, { readOnly: true });
    reference = snapshot(reopened);
    assert.equal(reference.size, N);
    for (const [id, vectors] of reference) {
      for (const m of ['image', 'spectrum'] as const) {
        const hits = reopened.search(m, vectors[m]!, { k: 3 });
        assert.equal(hits[0].id, id, `${m} of ${id}`);
        assert.ok(hits[0].similarity > 0.99999);
      }
    }
    await reopened.close();
  });

  it('a rerun embeds nothing and duplicates nothing', async () => {
    const store = await open(join(root, 'store-a'));
    const report = await ingest(store, model.embedder, surveyDir, { batchSize: 16 });
    assert.equal(report.skipped, N);
    assert.equal(report.processed, 0);
    assert.deepEqual(report.embedded, { image: 0, spectrum: 0 });
    assert.equal(store.count(), N);
    const again = snapshot(store);
    await store.close();
    assert.deepEqual([...again.keys()], [...reference.keys()]);
    for (const [id, v] of again) assert.deepEqual(v, reference.get(id));
  });

  it('an interrupted run, resumed, ends with the same store as an uninterrupted one', async () => {
    const dir = join(root, 'store-b');
    const controller = new AbortController();
    let store = await open(dir);
    const first = await ingest(store, model.embedder, surveyDir, {
      batchSize: 16,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done >= 16) controller.abort();
      },
    });
    assert.equal(first.interrupted, true);
    assert.equal(first.processed, 16);
    assert.equal(store.count(), 16);
    await store.close();

    // The interrupted store opens cleanly (no repair) and holds whole objects only.
    store = await Store.open(dir, { modelId: model.id });
    assert.equal(store.count('image'), 16);
    assert.equal(store.count('spectrum'), 16);
    const generation = store.info().generation;
    const second = await ingest(store, model.embedder, surveyDir, { batchSize: 16, saveEvery: 16 });
    assert.equal(second.interrupted, false);
    assert.equal(second.skipped, 16);
    assert.equal(second.processed, N - 16);
    assert.deepEqual(second.embedded, { image: N - 16, spectrum: N - 16 });
    assert.ok(store.info().generation >= generation + 3, 'saved every 16 objects and at the end');
    const resumed = snapshot(store);
    await store.close();

    assert.deepEqual([...resumed.keys()].sort(), [...reference.keys()].sort());
    for (const [id, v] of resumed) {
      const ref = reference.get(id)!;
      assert.ok(maxDiff(v.image!, ref.image!) < 1e-5, `image of ${id}`);
      assert.ok(maxDiff(v.spectrum!, ref.spectrum!) < 1e-5, `spectrum of ${id}`);
    }
  });

  it('reports bad files per object while the rest lands, and retries them on the next run', async () => {
    const copy = join(root, 'survey-damaged');
    cpSync(surveyDir, copy, { recursive: true });
    const catalog = parseCatalog(readFileSync(join(copy, 'catalog.csv'), 'utf8'));
    const [x, y, z] = catalog.slice(3, 6);
    const goodImage = readFileSync(join(copy, x.image_path));
    truncateSync(join(copy, x.image_path), 5000); // a truncated FITS cube
    writeFileSync(join(copy, y.spectrum_path), 'this is not a FITS file at all, just text\n'.repeat(100));
    rmSync(join(copy, z.spectrum_path));

    const dir = join(root, 'store-c');
    let store = await open(dir);
    const report = await ingest(store, model.embedder, copy, { batchSize: 16 });
    assert.equal(report.processed, N);
    assert.deepEqual(report.embedded, { image: N - 1, spectrum: N - 2 });
    assert.deepEqual(
      report.failed.map((f) => [f.id, f.file]).sort(),
      [
        [x.id, join(copy, x.image_path)],
        [y.id, join(copy, y.spectrum_path)],
        [z.id, join(copy, z.spectrum_path)],
      ].sort(),
    );
    const messages = new Map(report.failed.map((f) => [f.id, f.message]));
    assert.match(messages.get(y.id)!, /not a valid FITS|FITS/i);
    assert.match(messages.get(z.id)!, /no such file/);
    assert.deepEqual(store.modalitiesOf(x.id), ['spectrum']);
    assert.deepEqual(store.modalitiesOf(y.id), ['image']);
    assert.equal(store.count(), N);

    // The next run retries exactly the missing files; with the image repaired, it lands.
    writeFileSync(join(copy, x.image_path), goodImage);
    const rerun = await ingest(store, model.embedder, copy, { batchSize: 16 });
    assert.equal(rerun.skipped, N - 3);
    assert.equal(rerun.processed, 3);
    assert.deepEqual(rerun.embedded, { image: 1, spectrum: 0 });
    assert.deepEqual(rerun.failed.map((f) => f.id).sort(), [y.id, z.id].sort());
    assert.deepEqual(store.modalitiesOf(x.id), ['image', 'spectrum']);
    assert.ok(maxDiff(Array.from(store.vectorOf(x.id, 'image')!), reference.get(x.id)!.image!) < 1e-5);
    await store.close();
    store = await Store.open(dir, { modelId: model.id, readOnly: true });
    assert.equal(store.count('image'), N);
    await store.close();
  });

  it('splits into plan / embed / write steps whose data survive a structured clone (worker threads)', async () => {
    const dir = join(root, 'store-d');
    const store = await open(dir);
    const source = await resolveIngestSource(surveyDir);
    const plan = structuredClone(planIngest(store, source));
    assert.equal(plan.items.length, N);
    const batch = await embedIngestBatch(plan.items.slice(0, 10), model.embedder);
    const cloned = structuredClone(batch);
    assert.deepEqual(cloned, batch);
    assert.ok(cloned.image.vectors instanceof Float32Array);
    assert.deepEqual(await writeIngestBatch(store, cloned), { objects: 10, image: 10, spectrum: 10 });
    assert.equal(planIngest(store, source).items.length, N - 10);
    assert.deepEqual(planIngest(store, source, { rebuild: true }).items.length, N);
    for (const id of batch.image.ids) assert.ok(maxDiff(Array.from(store.vectorOf(id, 'image')!), reference.get(id)!.image!) < 1e-5);
    await store.close();
  });

  it('refuses a store of another model or dimension', async () => {
    const store = await open(join(root, 'store-a'));
    await assert.rejects(ingest(store, model.embedder, surveyDir, { modelId: 'someothermodel00' }), { code: 'CONFLICT' });
    await store.close();
    const wide = await Store.open(join(root, 'store-wide'), { modelId: model.id, create: true, dimension: 32 });
    await assert.rejects(ingest(wide, model.embedder, surveyDir), /embeds into 16 dimensions/);
    await wide.close();
  });
});
