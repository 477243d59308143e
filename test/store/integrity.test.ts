import assert from 'node:assert/strict';
import { cp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Store, type Manifest } from '../../src/store/index.js';
import { SkyclipError } from '../../src/util/errors.js';
import { MODEL_A, MODEL_B, embeddings, makeDataset, tempDir } from './helpers.js';

const DIM = 8;
const data = makeDataset(200, DIM, 8);

function refused(code: string, ...patterns: RegExp[]) {
  return (err: unknown) => {
    assert.ok(err instanceof SkyclipError, `expected a SkyclipError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    for (const p of patterns) assert.match(err.message, p);
    return true;
  };
}

async function readManifest(dir: string): Promise<Manifest> {
  return JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
}

async function build(dir: string, rows = data.rows, vectors = data.vectors): Promise<void> {
  const store = await Store.open(dir, { modelId: MODEL_A, create: true, dimension: DIM });
  store.upsertObjects(rows);
  await store.addEmbeddings('image', rows.map((r, i) => ({ id: r.id, vector: vectors[i] })));
  await store.addEmbeddings('spectrum', embeddings({ rows, vectors }, 0, 50));
  await store.close();
}

describe('the store refuses to open when it is inconsistent', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let pristine: string;
  let n = 0;
  /** A fresh copy of the saved store to damage. */
  const copy = async () => {
    const dir = join(root, `case-${n++}`);
    await cp(pristine, dir, { recursive: true });
    return dir;
  };

  before(async () => {
    ({ dir: root, cleanup } = await tempDir());
    pristine = join(root, 'pristine');
    await build(pristine);
  });
  after(() => cleanup());

  it('opens the undamaged store (the control case)', async () => {
    const store = await Store.open(await copy(), { modelId: MODEL_A });
    assert.equal(store.count('image'), 200);
    await store.close();
  });

  it('refuses a model other than the one that built it, saying what to run', async () => {
    const dir = await copy();
    await assert.rejects(
      Store.open(dir, { modelId: MODEL_B }),
      refused('CONFLICT', new RegExp(`index built by model ${MODEL_A} but model ${MODEL_B} is loaded`), /run `skyclip ingest --rebuild/),
    );
    // The refusal released the writer lock.
    const store = await Store.open(dir, { modelId: MODEL_A });
    await store.close();
  });

  it('refuses a truncated index file, and repair rebuilds it from the catalog', async () => {
    const dir = await copy();
    const { indexes } = await readManifest(dir);
    const file = join(dir, indexes.image!.file);
    await truncate(file, indexes.image!.bytes - 100);
    await assert.rejects(Store.open(dir, { modelId: MODEL_A }), refused('UNUSABLE', /image\.g000001\.hnsw does not match manifest\.json/, /truncated or corrupted/, /--reindex/));
    const repaired = await Store.open(dir, { modelId: MODEL_A, repair: true });
    assert.deepEqual(repaired.info().unsaved, ['image']);
    assert.equal(repaired.search('image', data.vectors[17], { k: 1 })[0].id, 'obj-17');
    await repaired.close();
    const after = await Store.open(dir, { modelId: MODEL_A });
    assert.equal(after.count('image'), 200);
    await after.close();
  });

  it('refuses an index file whose bytes changed but not its size (checksum)', async () => {
    const dir = await copy();
    const { indexes } = await readManifest(dir);
    const file = join(dir, indexes.spectrum!.file);
    const bytes = await readFile(file);
    bytes[bytes.length >> 1] ^= 0x40;
    await writeFile(file, bytes);
    await assert.rejects(Store.open(dir, { modelId: MODEL_A }), refused('UNUSABLE', /spectrum.*does not match manifest\.json/, /sha256/));
  });

  it('refuses a missing index file', async () => {
    const dir = await copy();
    await rm(join(dir, (await readManifest(dir)).indexes.image!.file));
    await assert.rejects(Store.open(dir, { modelId: MODEL_A }), refused('NOT_FOUND', /is missing/));
  });

  it('refuses an index holding labels the catalog does not know', async () => {
    const dir = await copy();
    // Remove an object behind the store's back: no tombstone explains the label in the graph.
    const db = new Database(join(dir, 'catalog.sqlite'));
    const label = (db.prepare("SELECT label FROM objects WHERE id = 'obj-120'").get() as { label: number }).label;
    db.prepare('DELETE FROM vectors_image WHERE label = ?').run(label);
    db.prepare('DELETE FROM objects WHERE label = ?').run(label);
    db.close();
    await assert.rejects(Store.open(dir, { modelId: MODEL_A }), refused('UNUSABLE', new RegExp(`image index holds 1 label\\(s\\) the catalog does not know \\(e\\.g\\. ${label}\\)`), /disagree/));
  });

  it('refuses a catalog with committed vectors the index lacks', async () => {
    const dir = await copy();
    const db = new Database(join(dir, 'catalog.sqlite'));
    const label = (db.prepare("SELECT label FROM objects WHERE id = 'obj-150'").get() as { label: number }).label;
    const blob = db.prepare('SELECT vector FROM vectors_image WHERE label = ?').pluck().get(label);
    // obj-150 gets a spectrum vector dated before the checkpoint, as if the graph had lost it.
    db.prepare('INSERT INTO vectors_spectrum (label, seq, vector) VALUES (?, 1, ?)').run(label, blob);
    db.close();
    await assert.rejects(Store.open(dir, { modelId: MODEL_A }), refused('UNUSABLE', /catalog has 1 spectrum vector\(s\) the index should hold but does not \(e\.g\. obj-150\)/));
  });

  it("refuses an index file from another store with the same ids (the vectors are spot-checked)", async () => {
    const dir = await copy();
    const other = join(root, 'other');
    await build(other, data.rows, data.vectors.map((v) => v.map((x) => -x)));
    const theirs = await readManifest(other);
    const mine = await readManifest(dir);
    await cp(join(other, theirs.indexes.image!.file), join(dir, mine.indexes.image!.file));
    mine.indexes.image = { ...theirs.indexes.image!, file: mine.indexes.image!.file };
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(mine));
    await assert.rejects(Store.open(dir, { modelId: MODEL_A }), refused('UNUSABLE', /vector for label \d+ differs from the catalog's/));
  });

  it('refuses a manifest from another store', async () => {
    const dir = await copy();
    const manifest = await readManifest(dir);
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, storeId: 'someone-else' }));
    await assert.rejects(Store.open(dir, { modelId: MODEL_A }), refused('UNUSABLE', /disagree on the store id/));
  });

  it('refuses an unknown catalog schema version or store format version', async () => {
    const dir = await copy();
    const db = new Database(join(dir, 'catalog.sqlite'));
    db.prepare("UPDATE meta SET value = '7' WHERE key = 'schema_version'").run();
    db.close();
    await assert.rejects(Store.open(dir, { modelId: MODEL_A }), refused('UNSUPPORTED', /catalog schema version 7; this skyclip reads version 1/));

    const dir2 = await copy();
    const manifest = await readManifest(dir2);
    await writeFile(join(dir2, 'manifest.json'), JSON.stringify({ ...manifest, version: 2 }));
    await assert.rejects(Store.open(dir2, { modelId: MODEL_A }), refused('UNSUPPORTED', /store format version 2/));
  });

  it('refuses a corrupted manifest or catalog, and a directory that is no store', async () => {
    const dir = await copy();
    await writeFile(join(dir, 'manifest.json'), '{"format": "skyclip-st');
    await assert.rejects(Store.open(dir, { modelId: MODEL_A }), refused('UNUSABLE', /not valid JSON/));
    const dir2 = await copy();
    await writeFile(join(dir2, 'catalog.sqlite'), Buffer.alloc(8192, 7));
    await rm(join(dir2, 'catalog.sqlite-wal'), { force: true });
    await rm(join(dir2, 'catalog.sqlite-shm'), { force: true });
    await assert.rejects(Store.open(dir2, { modelId: MODEL_A }), refused('UNUSABLE', /not a readable SQLite database/));
    await assert.rejects(Store.open(join(root, 'nothing-here'), { modelId: MODEL_A }), refused('NOT_FOUND', /no store at/));
  });

  it('rebuilds a lost manifest from the catalog only when asked to (repair)', async () => {
    const dir = await copy();
    const before = await readdir(dir);
    await rm(join(dir, 'manifest.json'));
    await assert.rejects(Store.open(dir, { modelId: MODEL_A }), refused('UNUSABLE', /no manifest\.json/));
    const store = await Store.open(dir, { modelId: MODEL_A, repair: true });
    assert.equal(store.count('image'), 200);
    assert.equal(store.count('spectrum'), 50);
    assert.equal(store.search('image', data.vectors[3], { k: 1 })[0].id, 'obj-3');
    await store.close();
    const files = await readdir(dir);
    assert.ok(!files.some((f) => before.includes(f) && /\.hnsw$/.test(f)), 'the unreferenced old index files were swept');
  });
});
