/**
 * Search over HTTP on a real store (ingested from a mock survey by a random-init micro model):
 * by id (the object itself first in its own modality), by vector, by uploaded file (multipart
 * and raw), filters, cross-modal ranking of an object's own partner (on a store whose image and
 * spectrum vectors are aligned, as a trained model's are), rare-object search and outliers, the
 * VOTable form, and the input errors (k = 10^6, NaN and wrong-length vectors, unknown ids).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { HeadRegistry, Services } from '../../src/api/services/index.js';
import { Store } from '../../src/store/index.js';
import { type Fixture, appFor, buildFixture, ids, openServices, testConfig } from './helpers.js';

let fx: Fixture;
let services: Services;
let app: ReturnType<typeof appFor>;

before(async () => {
  fx = await buildFixture('search', 60);
  services = await openServices(fx, null);
  app = appFor(services, testConfig(fx));
});

after(async () => {
  await services?.close();
  await fx?.cleanup();
});

function row(id: string) {
  return services.store.get(id)!;
}

describe('POST /v1/search', () => {
  it('by id returns the object itself first in its own modality, and neighbours in both indexes', async () => {
    const id = ids(services)[7];
    const res = await request(app).post('/v1/search').send({ query: { id, modality: 'image' }, k: 5 }).expect(200);
    assert.equal(res.body.query.kind, 'id');
    assert.equal(res.body.query.modality, 'image');
    assert.deepEqual(res.body.results.map((r: { modality: string }) => r.modality), ['image', 'spectrum']);
    const image = res.body.results[0];
    assert.equal(image.crossModal, false);
    assert.equal(image.hits.length, 5);
    assert.equal(image.hits[0].id, id);
    assert.ok(Math.abs(image.hits[0].similarity - 1) < 1e-5, `self similarity ${image.hits[0].similarity}`);
    for (let i = 1; i < image.hits.length; i++) assert.ok(image.hits[i - 1].similarity >= image.hits[i].similarity - 1e-9, 'sorted by similarity');
    assert.equal(res.body.results[1].crossModal, true);
    assert.equal(res.body.results[1].hits.length, 5);
    // Catalog columns and links come with every hit; internal fields do not.
    const hit = image.hits[0];
    assert.equal(hit.object.z, row(id).z);
    assert.equal(hit.object.label, undefined);
    assert.equal(hit.links.self, `/v1/objects/${encodeURIComponent(id)}`);
    assert.equal(hit.links.cutout, `/v1/objects/${encodeURIComponent(id)}/cutout.png`);
    assert.equal(hit.links.spectrum, `/v1/objects/${encodeURIComponent(id)}/spectrum.svg`);
  });

  it('by id in the spectrum modality finds itself first among spectra; excludeSelf drops it', async () => {
    const id = ids(services)[3];
    const res = await request(app).post('/v1/search').send({ query: { id, modality: 'spectrum' }, target: 'spectrum', k: 3 }).expect(200);
    assert.equal(res.body.results.length, 1);
    assert.equal(res.body.results[0].hits[0].id, id);
    const without = await request(app).post('/v1/search').send({ query: { id, modality: 'spectrum' }, target: 'spectrum', k: 3, excludeSelf: true }).expect(200);
    assert.equal(without.body.results[0].hits.length, 3);
    assert.ok(without.body.results[0].hits.every((h: { id: string }) => h.id !== id));
    assert.equal(without.body.results[0].hits[0].id, res.body.results[0].hits[1].id);
  });

  it('by vector: the stored vector finds its object; any scale works', async () => {
    const id = ids(services)[11];
    const v = Array.from(services.store.vectorOf(id, 'image')!, (x) => 3 * x);
    const res = await request(app).post('/v1/search').send({ query: { vector: v }, target: 'image', k: 2 }).expect(200);
    assert.equal(res.body.query.kind, 'vector');
    assert.equal(res.body.results[0].crossModal, null);
    assert.equal(res.body.results[0].hits[0].id, id);
  });

  it('by uploaded FITS file (multipart and raw body) finds the object whose file it is', async () => {
    const id = ids(services)[20];
    const imageFile = join(fx.surveyDir, row(id).image_path!);
    const multipart = await request(app).post('/v1/search').attach('image', imageFile).field('request', JSON.stringify({ target: 'image', k: 3 })).expect(200);
    assert.equal(multipart.body.query.kind, 'upload');
    assert.equal(multipart.body.results[0].hits[0].id, id);
    assert.ok(multipart.body.results[0].hits[0].similarity > 0.9999);
    const spectrumFile = join(fx.surveyDir, row(id).spectrum_path!);
    const raw = await request(app)
      .post('/v1/search?modality=spectrum&target=spectrum&k=2')
      .set('Content-Type', 'application/fits')
      .send(readFileSync(spectrumFile))
      .expect(200);
    assert.equal(raw.body.query.modality, 'spectrum');
    assert.equal(raw.body.results[0].hits[0].id, id);
  });

  it('filters by class, redshift range and sky cone', async () => {
    const all = services.store.select(undefined, { limit: 1000 });
    const zs = all.map((r) => r.z!).sort((a, b) => a - b);
    const [lo, hi] = [zs[10], zs[40]];
    const id = ids(services)[0];
    const res = await request(app)
      .post('/v1/search')
      .send({ query: { id }, target: 'image', k: 50, filter: { class: 'GALAXY', redshift: { min: lo, max: hi } } })
      .expect(200);
    const hits = res.body.results[0].hits as Array<{ object: { z: number; class: string } }>;
    const expected = all.filter((r) => r.class === 'GALAXY' && r.z! >= lo && r.z! <= hi).length;
    assert.equal(hits.length, expected);
    assert.ok(hits.every((h) => h.object.class === 'GALAXY' && h.object.z >= lo && h.object.z <= hi));
    const centre = row(id);
    const cone = await request(app)
      .post('/v1/search')
      .send({ query: { id }, target: 'image', k: 50, filter: { cone: { ra: centre.ra, dec: centre.dec, radius: 0.001 } } })
      .expect(200);
    assert.deepEqual(cone.body.results[0].hits.map((h: { id: string }) => h.id), [id]);
  });

  it('answers a VOTable on request', async () => {
    const id = ids(services)[5];
    const res = await request(app).post('/v1/search?format=votable').send({ query: { id }, target: 'image', k: 4 }).expect(200);
    assert.match(res.headers['content-type'], /application\/x-votable\+xml/);
    const text = res.text;
    assert.match(text, /<VOTABLE version="1.4"/);
    assert.match(text, /<INFO name="QUERY_STATUS" value="OK"\/>/);
    assert.equal((text.match(/<TR>/g) ?? []).length, 4);
    assert.ok(text.includes(`<TD>${id}</TD>`));
  });

  it('refuses bad input with 400/404 and the error shape', async () => {
    const id = ids(services)[0];
    const huge = await request(app).post('/v1/search').send({ query: { id }, k: 1_000_000 }).expect(400);
    assert.equal(huge.body.error.code, 'BAD_INPUT');
    assert.ok(huge.body.requestId);
    assert.ok(Array.isArray(huge.body.error.details.issues));
    const overLimit = await request(app).post('/v1/search').send({ query: { id }, k: 5000 }).expect(400);
    assert.match(overLimit.body.error.message, /at most 1000/);
    // NaN cannot be written in JSON: as text it is a parse error, as null a validation error.
    await request(app).post('/v1/search').set('Content-Type', 'application/json').send('{"query":{"vector":[NaN,1]}}').expect(400);
    const nulls = await request(app).post('/v1/search').send({ query: { vector: new Array(16).fill(null) } }).expect(400);
    assert.equal(nulls.body.error.code, 'BAD_INPUT');
    const short = await request(app).post('/v1/search').send({ query: { vector: [1, 2, 3] } }).expect(400);
    assert.match(short.body.error.message, /16/);
    const zero = await request(app).post('/v1/search').send({ query: { vector: new Array(16).fill(0) } }).expect(400);
    assert.match(zero.body.error.message, /no direction/);
    const unknown = await request(app).post('/v1/search').send({ query: { id: 'no-such-object' } }).expect(404);
    assert.equal(unknown.body.error.code, 'NOT_FOUND');
    await request(app).post('/v1/search').send({}).expect(400);
    await request(app).post('/v1/search').send({ query: { id }, filter: { range: { nope: { min: 1 } } } }).expect(400);
    await request(app).post('/v1/search').send({ query: { id }, surprise: true }).expect(400);
    const media = await request(app).post('/v1/search').set('Content-Type', 'text/plain').send('hello').expect(415);
    assert.equal(media.body.error.code, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('cross-modal search', () => {
  let aligned: Services;
  let alignedApp: ReturnType<typeof appFor>;

  before(async () => {
    // A store like the fixture's, but each object's image and spectrum vectors are two noisy
    // views of one direction (what contrastive alignment produces), with the same model id.
    const dir = join(fx.root, 'aligned-store');
    const store = await Store.open(dir, { modelId: fx.loaded.id, create: true, dimension: 16 });
    const rows = services.store.select(undefined, { limit: 1000 });
    store.upsertObjects(rows.map(({ label: _l, model_id: _m, ...r }) => r));
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    const base = rows.map(() => Array.from({ length: 16 }, rand));
    const view = (b: number[]) => b.map((x) => x + 0.35 * rand());
    await store.addEmbeddings('image', rows.map((r, i) => ({ id: r.id, vector: view(base[i]) })));
    await store.addEmbeddings('spectrum', rows.map((r, i) => ({ id: r.id, vector: view(base[i]) })));
    const heads = HeadRegistry.open(join(fx.root, 'aligned-heads.sqlite'));
    aligned = new Services({ model: services.model, embedder: services.embedder, store, heads, jobs: null, backend: null, surveyDir: fx.surveyDir, stateDir: join(fx.root, 'aligned-state') });
    alignedApp = appFor(aligned, testConfig(fx));
  });

  after(async () => {
    await aligned?.close();
  });

  it("ranks the object's own partner in the other modality highly", async () => {
    const all = ids(aligned);
    const ranks: number[] = [];
    for (const id of all.slice(0, 20)) {
      const res = await request(alignedApp).post('/v1/search').send({ query: { id, modality: 'image' }, target: 'spectrum', k: 10 }).expect(200);
      assert.equal(res.body.results[0].crossModal, true);
      const rank = res.body.results[0].hits.findIndex((h: { id: string }) => h.id === id);
      ranks.push(rank === -1 ? 99 : rank + 1);
    }
    const top1 = ranks.filter((r) => r === 1).length;
    assert.ok(top1 >= 16, `partner first for ${top1}/20 (ranks ${ranks.join(',')})`);
    assert.ok(ranks.every((r) => r <= 5), `every partner in the top 5 (ranks ${ranks.join(',')})`);
  });

  it('rare search finds objects near any positive, excludes the examples, says how', async () => {
    const all = ids(aligned);
    const positives = [all[1], all[30]];
    const res = await request(alignedApp).post('/v1/search/rare').send({ positives: positives.map((id) => ({ id })), negatives: [{ id: all[2] }], k: 10 }).expect(200);
    assert.match(res.body.method, /Rocchio/);
    assert.equal(res.body.positives, 2);
    assert.equal(res.body.negatives, 1);
    const got = res.body.hits.map((h: { id: string }) => h.id) as string[];
    assert.equal(got.length, 10);
    for (const e of [...positives, all[2]]) assert.ok(!got.includes(e), `example ${e} excluded`);
    for (let i = 1; i < res.body.hits.length; i++) assert.ok(res.body.hits[i - 1].score >= res.body.hits[i].score);
    // Near any single positive: each positive's own nearest image neighbour (examples aside) is found.
    for (const p of positives) {
      const nearest = aligned.store
        .search('image', aligned.store.vectorOf(p, 'image')!, { k: 5, exact: true })
        .map((h) => h.id)
        .find((id) => ![...positives, all[2]].includes(id))!;
      assert.ok(got.includes(nearest), `the nearest neighbour ${nearest} of positive ${p} is among the results`);
    }
    // Cross-modal examples: the positives given by their spectra rank the image index.
    const viaSpectra = await request(alignedApp)
      .post('/v1/search/rare')
      .send({ positives: positives.map((id) => ({ id, modality: 'spectrum' })), target: 'image', k: 5 })
      .expect(200);
    assert.equal(viaSpectra.body.hits.length, 5);
    await request(alignedApp).post('/v1/search/rare').send({ positives: [] }).expect(400);
    await request(alignedApp).post('/v1/search/rare').send({ positives: [{ id: 'nope' }] }).expect(404);
  });
});

describe('GET /v1/outliers', () => {
  it('ranks by mean cosine distance to the nearest neighbours, highest first', async () => {
    const res = await request(app).get('/v1/outliers?modality=spectrum&k=5&neighbours=4').expect(200);
    assert.equal(res.body.modality, 'spectrum');
    assert.equal(res.body.scored, 60);
    assert.equal(res.body.outliers.length, 5);
    assert.match(res.body.method, /mean cosine distance/);
    const scores = res.body.outliers.map((o: { score: number }) => o.score) as number[];
    for (let i = 1; i < scores.length; i++) assert.ok(scores[i - 1] >= scores[i]);
    // The top score, recomputed by hand from the store.
    const top = res.body.outliers[0];
    const v = services.store.vectorOf(top.id, 'spectrum')!;
    const hits = services.store.search('spectrum', v, { k: 5, exact: true }).filter((h) => h.id !== top.id).slice(0, 4);
    const expected = hits.reduce((s, h) => s + h.distance, 0) / hits.length;
    assert.ok(Math.abs(top.score - expected) < 1e-4, `${top.score} vs ${expected}`);
    await request(app).get('/v1/outliers?k=0').expect(400);
    await request(app).get('/v1/outliers?modality=radio').expect(400);
  });
});
