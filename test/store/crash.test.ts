import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Store, type Manifest } from '../../src/store/index.js';
import { MODEL_A, crashData, embeddings, tempDir } from './helpers.js';

const { base, extra } = crashData();
const DIM = 16;

async function buildBase(dir: string): Promise<void> {
  const store = await Store.open(dir, { modelId: MODEL_A, create: true, dimension: DIM });
  store.upsertObjects(base.rows);
  await store.addEmbeddings('image', embeddings(base));
  await store.close();
}

async function generation(dir: string): Promise<number> {
  return (JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest).generation;
}

/** What the store must show once the crashed writer's catalog commits are replayed. */
function assertCaughtUp(store: Store): void {
  assert.equal(store.count(), 348);
  assert.equal(store.count('image'), 348);
  for (let i = 0; i < 50; i += 7) assert.equal(store.search('image', extra.vectors[i], { k: 1 })[0].id, extra.rows[i].id);
  for (const i of [5, 6]) {
    const hits = store.search('image', base.vectors[i], { k: 10 });
    assert.ok(!hits.some((h) => h.id === base.rows[i].id), `${base.rows[i].id} stays deleted`);
  }
}

describe('a crash while saving', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => ({ dir, cleanup } = await tempDir()));
  after(() => cleanup());

  it('killed between writing the new manifest and renaming it, the old store opens and catches up', async () => {
    await buildBase(dir);
    assert.equal(await generation(dir), 1);
    const child = fileURLToPath(new URL('./fixtures/crash-child.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', child, dir], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.signal, 'SIGKILL', `the child died at the hook (status ${run.status}, stderr ${run.stderr})`);

    const left = await readdir(dir);
    assert.ok(left.some((f) => f.startsWith('manifest.json.tmp-')), `the new manifest was written, not renamed: ${left}`);
    assert.ok(left.includes('image.g000002.hnsw'), 'the new index file was written');
    assert.ok(left.includes('store.lock'), 'the dead writer left its lock');
    assert.equal(await generation(dir), 1, 'manifest.json is still the old one');

    // Readers see the old checkpoint plus the committed catalog changes.
    const reader = await Store.open(dir, { modelId: MODEL_A, readOnly: true });
    assertCaughtUp(reader);
    await reader.close();

    // A writer takes over the dead lock, sweeps the debris and saves a clean generation.
    const writer = await Store.open(dir, { modelId: MODEL_A });
    const swept = await readdir(dir);
    assert.ok(!swept.some((f) => f.includes('.tmp-') || f === 'image.g000002.hnsw'), `debris removed: ${swept}`);
    assertCaughtUp(writer);
    assert.deepEqual(writer.info().unsaved, ['image']);
    await writer.close();
    assert.equal(await generation(dir), 2);
    const final = await Store.open(dir, { modelId: MODEL_A });
    assert.deepEqual(final.info().unsaved, []);
    assertCaughtUp(final);
    await final.close();
  });

  it('a save that fails before the rename leaves the old files in place, and a later save succeeds', async () => {
    const { dir: d2, cleanup: c2 } = await tempDir();
    try {
      await buildBase(d2);
      let fail = true;
      const store = await Store.open(d2, {
        modelId: MODEL_A,
        hooks: {
          beforeManifestRename: () => {
            if (fail) throw new Error('disk on fire');
          },
        },
      });
      store.upsertObjects(extra.rows);
      await store.addEmbeddings('image', embeddings(extra));
      await store.delete([base.rows[5].id, base.rows[6].id]);
      await assert.rejects(store.save(), /disk on fire/);
      assert.deepEqual((await readdir(d2)).filter((f) => f.endsWith('.hnsw')), ['image.g000001.hnsw'], 'the failed generation was removed');
      assert.equal(await generation(d2), 1);
      const reader = await Store.open(d2, { modelId: MODEL_A, readOnly: true });
      assertCaughtUp(reader);
      await reader.close();
      fail = false;
      assert.deepEqual(await store.save(), { saved: ['image'] });
      await store.close();
      assert.equal(await generation(d2), 2);
      assert.deepEqual((await readdir(d2)).filter((f) => f.endsWith('.hnsw')), ['image.g000002.hnsw'], 'the old generation was removed after the commit');
    } finally {
      await c2();
    }
  });
});
