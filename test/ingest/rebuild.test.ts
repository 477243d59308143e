/**
 * The store remedies the ingest command owns, and the demo store: re-embedding a store with
 * another model (built beside it, swapped in when complete, the old store intact and openable
 * when interrupted, resumed on the next run), rebuilding lost index files from the catalog,
 * and ensureDemoStore (builds, resumes, does nothing when complete, rebuilds on a new model).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureDemoStore, ingest, rebuildDirFor, rebuildStore, reindexStore } from '../../src/ingest/index.js';
import { initBackend } from '../../src/nn/backend.js';
import { Store } from '../../src/store/index.js';
import { makeModel, makeSurvey, maxDiff, snapshot, tempRoot } from './helpers.js';

const N = 40;
let root: string;
let cleanup: () => Promise<void>;
let surveyDir: string;
let modelA: Awaited<ReturnType<typeof makeModel>>;
let modelB: Awaited<ReturnType<typeof makeModel>>;

before(async () => {
  await initBackend({ env: { SKYCLIP_BACKEND: 'wasm' }, logger: () => {} });
  ({ root, cleanup } = tempRoot('rebuild'));
  surveyDir = await makeSurvey(join(root, 'survey'), N, 7);
  modelA = await makeModel(join(root, 'model-a'), 1);
  modelB = await makeModel(join(root, 'model-b'), 3);
});

after(async () => {
  modelA?.model.dispose();
  modelB?.model.dispose();
  await cleanup?.();
});

async function build(dir: string, model: typeof modelA) {
  const store = await Store.open(dir, { modelId: model.id, create: true, dimension: model.embedder.dim });
  await ingest(store, model.embedder, surveyDir, { batchSize: 8 });
  const snap = snapshot(store);
  await store.close();
  return snap;
}

async function contents(dir: string, modelId: string) {
  const store = await Store.open(dir, { modelId, readOnly: true });
  const rows = store.select(undefined, { limit: 1000 });
  const snap = snapshot(store);
  await store.close();
  return { rows, snap };
}

describe('rebuildStore (--rebuild)', () => {
  it('re-embeds with another model; an interrupted rebuild leaves the old store intact, the next run resumes', async () => {
    const dir = join(root, 'store');
    const before = await build(dir, modelA);
    const expected = await build(join(root, 'store-b-direct'), modelB);
    await assert.rejects(Store.open(dir, { modelId: modelB.id }), { code: 'CONFLICT', message: /run `skyclip ingest --rebuild --store .* --model MODEL_DIR`/ });

    // Interrupted after the first batch: nothing swapped, the old store opens as it was.
    const controller = new AbortController();
    const first = await rebuildStore(dir, modelB.embedder, {
      modelId: modelB.id,
      batchSize: 8,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done > 0) controller.abort();
      },
    });
    assert.equal(first.interrupted, true);
    assert.equal(first.swapped, false);
    assert.equal(first.previousModelId, modelA.id);
    assert.equal(first.processed, 8);
    assert.ok(existsSync(rebuildDirFor(dir, modelB.id)));
    const old = await contents(dir, modelA.id);
    assert.equal(old.rows.length, N);
    assert.ok(old.rows.every((r) => r.model_id === modelA.id));
    assert.deepEqual(old.snap, before);
    const writable = await Store.open(dir, { modelId: modelA.id }); // not locked, nothing to repair
    await writable.close();

    // Resumed: the 8 embedded objects are kept, the rest embedded, then swapped in.
    const second = await rebuildStore(dir, modelB.embedder, { modelId: modelB.id, batchSize: 8 });
    assert.equal(second.interrupted, false);
    assert.equal(second.swapped, true);
    assert.equal(second.skipped, 8);
    assert.equal(second.processed, N - 8);
    assert.deepEqual(second.failed, []);
    const after = await contents(dir, modelB.id);
    assert.equal(after.rows.length, N);
    assert.ok(after.rows.every((r) => r.model_id === modelB.id), 'model_id changed on every row');
    const oldRows = new Map(old.rows.map((r) => [r.id, r]));
    for (const row of after.rows) {
      const was = oldRows.get(row.id)!;
      assert.deepEqual({ ...row, label: 0, model_id: null }, { ...was, label: 0, model_id: null }, `catalog row of ${row.id} kept`);
      const want = expected.get(row.id)!;
      const got = after.snap.get(row.id)!;
      assert.ok(maxDiff(got.image!, want.image!) < 1e-5 && maxDiff(got.spectrum!, want.spectrum!) < 1e-5, `vectors of ${row.id} are model B's`);
    }
    await assert.rejects(Store.open(dir, { modelId: modelA.id }), { code: 'CONFLICT' });
    assert.deepEqual(
      readdirSync(root).filter((n) => n.startsWith('.')),
      [],
      'no rebuild or aside folder left behind',
    );
  });
});

describe('reindexStore (--reindex)', () => {
  it('rebuilds lost and corrupted index files from the vectors in the catalog', async () => {
    const dir = join(root, 'store-reindex');
    const before = await build(dir, modelA);
    for (const name of readdirSync(dir).filter((n) => n.startsWith('image.'))) rmSync(join(dir, name));
    await assert.rejects(Store.open(dir, { modelId: modelA.id }), { code: 'NOT_FOUND', message: /--reindex/ });
    const result = await reindexStore(dir);
    assert.deepEqual(result, { modelId: modelA.id, vectors: { image: N, spectrum: N } });
    const store = await Store.open(dir, { modelId: modelA.id });
    assert.deepEqual(snapshot(store), before);
    for (const [id, v] of before) assert.equal(store.search('image', v.image!, { k: 1 })[0].id, id);
    await store.close();
    await assert.rejects(reindexStore(join(root, 'no-store')), { code: 'NOT_FOUND' });
  });
});

describe('ensureDemoStore', () => {
  it('builds the store from the survey, resumes when interrupted, and rebuilds for a new model', async () => {
    const storeDir = join(root, 'demo-store');
    const stages = new Set<string>();
    const controller = new AbortController();
    const options = { modelDir: join(root, 'model-a'), surveyDir, storeDir, quiet: true, batchSize: 8 };
    const interrupted = await ensureDemoStore({
      ...options,
      signal: controller.signal,
      onProgress: (p) => {
        stages.add(p.stage);
        if (p.done > 0) controller.abort();
      },
    });
    assert.deepEqual(interrupted, { built: true, storeDir, modelId: modelA.id, failed: [], interrupted: true });
    assert.deepEqual([...stages], ['embed'], 'the survey was there already: no simulation');

    const finished = await ensureDemoStore(options);
    assert.deepEqual(finished, { built: true, storeDir, modelId: modelA.id, failed: [], interrupted: false });
    const a = await contents(storeDir, modelA.id);
    assert.equal(a.rows.length, N);
    assert.equal(a.snap.size, N);

    const again = await ensureDemoStore(options);
    assert.equal(again.built, false, 'complete: nothing to do');

    const updated = await ensureDemoStore({ ...options, modelDir: join(root, 'model-b') });
    assert.deepEqual(updated, { built: true, storeDir, modelId: modelB.id, failed: [], interrupted: false });
    const b = await contents(storeDir, modelB.id);
    assert.equal(b.rows.length, N);
    assert.ok(b.rows.every((r) => r.model_id === modelB.id));
  });
});
