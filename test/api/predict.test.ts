/**
 * Prediction over HTTP: k-NN heads from the store (the query object never its own neighbour;
 * the value recomputed by hand from the neighbours returned), conformal intervals, class
 * probabilities, the linear probe (cached until the store changes), few-shot heads trained,
 * listed, used, persisted in service.sqlite and deleted, and the error paths.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { HeadRegistry } from '../../src/api/services/index.js';
import type { Services } from '../../src/api/services/index.js';
import { type Fixture, API_KEY, appFor, buildFixture, ids, openServices, testConfig } from './helpers.js';

let fx: Fixture;
let services: Services;
let app: ReturnType<typeof appFor>;

before(async () => {
  fx = await buildFixture('predict', 80);
  services = await openServices(fx, null);
  app = appFor(services, testConfig(fx));
});

after(async () => {
  await services?.close();
  await fx?.cleanup();
});

/**
 * The weighted median of values with weights 1 / chord distance, as src/heads defines a weighted
 * sample's quantile: sorted values at plotting positions (cumulative weight minus half their
 * own), linear in between.
 */
function weightedMedian(values: number[], sims: number[]): number {
  const w = sims.map((s) => 1 / Math.max(Math.sqrt(Math.max(0, 2 * (1 - s))), 1e-6));
  const total = w.reduce((a, b) => a + b, 0);
  const order = values.map((v, i) => [v, w[i] / total] as const).sort((a, b) => a[0] - b[0]);
  const positions: number[] = [];
  let cum = 0;
  for (const [, wi] of order) {
    positions.push(cum + wi / 2);
    cum += wi;
  }
  if (0.5 <= positions[0]) return order[0][0];
  for (let i = 0; i + 1 < order.length; i++) {
    if (positions[i + 1] >= 0.5) return order[i][0] + ((0.5 - positions[i]) / (positions[i + 1] - positions[i])) * (order[i + 1][0] - order[i][0]);
  }
  return order[order.length - 1][0];
}

describe('POST /v1/predict (knn)', () => {
  it('predicts every labelled target for an id, never using the object itself', async () => {
    const id = ids(services)[5];
    const res = await request(app).post('/v1/predict').send({ query: { id } }).expect(200);
    assert.equal(res.body.head, 'knn');
    assert.equal(res.body.modality, 'image');
    const p = res.body.predictions;
    for (const t of ['redshift', 'logmstar', 'logssfr', 'zmw', 'tage', 'morphology', 'class']) assert.ok(p[t], `has ${t}`);
    const z = p.redshift;
    assert.equal(z.task, 'regression');
    assert.equal(z.column, 'z');
    assert.ok(z.neighbours.length > 0);
    assert.ok(z.neighbours.every((n: { id: string }) => n.id !== id), 'the query object is not its own neighbour');
    // The point is the distance-weighted median of the neighbours returned.
    const expected = weightedMedian(z.neighbours.map((n: { value: number }) => n.value), z.neighbours.map((n: { similarity: number }) => n.similarity));
    assert.ok(Math.abs(z.value - expected) < 1e-9, `${z.value} vs ${expected}`);
    // Neighbour values are the catalog's.
    for (const n of z.neighbours) assert.equal(n.value, services.store.get(n.id)!.z);
    const [i68, i95] = z.intervals;
    assert.equal(i68.level, 0.68);
    assert.equal(i95.level, 0.95);
    assert.ok(i95.lower <= i68.lower && i68.upper <= i95.upper, 'nested intervals');
    assert.match(z.head, /split-conformal/);
    const morph = p.morphology;
    assert.equal(morph.task, 'classification');
    const probs = Object.values(morph.probabilities) as number[];
    assert.ok(Math.abs(probs.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    assert.equal(morph.value, Object.entries(morph.probabilities).sort((a, b) => (b[1] as number) - (a[1] as number))[0][0]);
  });

  it('takes a fixed k, a spectrum query, a vector and an upload', async () => {
    const id = ids(services)[8];
    const k3 = await request(app).post('/v1/predict').send({ query: { id, modality: 'spectrum' }, targets: ['redshift'], k: 3 }).expect(200);
    assert.equal(k3.body.modality, 'spectrum');
    assert.equal(k3.body.predictions.redshift.neighbours.length, 3);
    assert.match(k3.body.predictions.redshift.head, /k=3/);
    const v = Array.from(services.store.vectorOf(id, 'image')!);
    const byVector = await request(app).post('/v1/predict').send({ query: { vector: v, modality: 'image' }, targets: ['logmstar'] }).expect(200);
    // A bare vector is not an object: the stored object with that vector is its nearest neighbour.
    assert.equal(byVector.body.predictions.logmstar.neighbours[0].id, id);
    const row = services.store.get(id)!;
    const upload = await request(app)
      .post('/v1/predict')
      .attach('spectrum', join(fx.surveyDir, row.spectrum_path!))
      .field('request', JSON.stringify({ targets: ['class'] }))
      .expect(200);
    assert.equal(upload.body.modality, 'spectrum');
    assert.deepEqual(Object.keys(upload.body.predictions), ['class']);
  });

  it('refuses unknown ids, targets and heads', async () => {
    await request(app).post('/v1/predict').send({ query: { id: 'nope' } }).expect(404);
    await request(app).post('/v1/predict').send({ query: { id: ids(services)[0] }, targets: ['colour'] }).expect(400);
    await request(app).post('/v1/predict').send({ query: { id: ids(services)[0] }, head: 'head-000000000000' }).expect(404);
    await request(app).post('/v1/predict').send({ query: { id: ids(services)[0] }, k: 0 }).expect(400);
  });
});

describe('POST /v1/predict (linear)', () => {
  it('fits ridge / softmax probes on the store, cached until the store changes', async () => {
    const all = ids(services);
    const id = all[12];
    const body = { query: { id }, head: 'linear', targets: ['redshift', 'morphology'] };
    const first = await request(app).post('/v1/predict').send(body).expect(200);
    const second = await request(app).post('/v1/predict').send(body).expect(200);
    assert.deepEqual(second.body.predictions, first.body.predictions);
    assert.match(first.body.predictions.redshift.head, /^ridge \(alpha=[^,]+, (\d+) objects\)/);
    assert.match(first.body.predictions.morphology.head, /^softmax \((\d+) objects, \d classes\)/);
    assert.equal(first.body.predictions.redshift.neighbours, undefined);
    assert.ok(Number.isFinite(first.body.predictions.redshift.value));
    const before = Number(/softmax \((\d+) objects/.exec(first.body.predictions.morphology.head)![1]);

    // A new labelled object: the probes are fitted again on one more object.
    const row = services.store.get(all[0])!;
    await request(app)
      .post('/v1/objects')
      .field('metadata', JSON.stringify({ id: 'extra-object', ra: 1, dec: 1, z: 0.1, morph_type: 'spiral' }))
      .attach('image', join(fx.surveyDir, row.image_path!))
      .expect(201);
    const third = await request(app).post('/v1/predict').send(body).expect(200);
    const after = Number(/softmax \((\d+) objects/.exec(third.body.predictions.morphology.head)![1]);
    assert.equal(after, before + 1);
    await request(app).delete('/v1/objects/extra-object').expect(200);
    const fourth = await request(app).post('/v1/predict').send(body).expect(200);
    assert.deepEqual(fourth.body.predictions, first.body.predictions);
  });
});

describe('/v1/heads', () => {
  it('trains a few-shot head, lists it, predicts with it, keeps it in service.sqlite, deletes it', async () => {
    const all = ids(services);
    const examples = all.slice(0, 30).map((id) => ({ id }));
    const created = await request(app).post('/v1/heads').send({ target: 'redshift', examples, name: 'z from 30' }).expect(201);
    const head = created.body;
    assert.match(head.id, /^head-[0-9a-f]{12}$/);
    assert.equal(created.headers.location, `/v1/heads/${head.id}`);
    assert.equal(head.kind, 'mlp');
    assert.equal(head.task, 'regression');
    assert.equal(head.examples, 30);
    assert.equal(head.usable, true);

    const listed = await request(app).get('/v1/heads').expect(200);
    assert.deepEqual(listed.body.heads.map((h: { id: string }) => h.id), [head.id]);
    await request(app).get(`/v1/heads/${head.id}`).expect(200);

    const res = await request(app).post('/v1/predict').send({ query: { id: all[50] }, head: head.id }).expect(200);
    assert.deepEqual(Object.keys(res.body.predictions), ['redshift']);
    assert.ok(Number.isFinite(res.body.predictions.redshift.value));
    assert.equal(res.body.predictions.redshift.intervals.length, 2);
    await request(app).post('/v1/predict').send({ query: { id: all[50] }, head: head.id, targets: ['logmstar'] }).expect(400);

    // A classifier with labels given in the request, on the spectrum embedding.
    const cls = await request(app)
      .post('/v1/heads')
      .send({ target: 'class', modality: 'spectrum', examples: all.slice(0, 10).map((id, i) => ({ id, label: i % 2 ? 'A' : 'B' })) })
      .expect(201);
    assert.equal(cls.body.kind, 'prototype');
    assert.deepEqual(cls.body.classes, ['A', 'B']);
    const clsPrediction = await request(app).post('/v1/predict').send({ query: { id: all[3] }, head: cls.body.id }).expect(200);
    assert.equal(clsPrediction.body.modality, 'spectrum');
    assert.ok(['A', 'B'].includes(clsPrediction.body.predictions.class.value));

    // Persisted: a fresh registry on the same file has both heads and predicts the same.
    const again = HeadRegistry.open(join(fx.stateDir, 'service.sqlite'));
    try {
      assert.deepEqual(again.list().map((h) => h.id).sort(), [head.id, cls.body.id].sort());
      const v = services.store.vectorOf(all[50], 'image')!;
      const x = { data: Float64Array.from(v), rows: 1, cols: 16 };
      const reloaded = again.head(head.id).head;
      assert.ok(reloaded.task === 'regression');
      assert.ok(Math.abs(reloaded.predict(x).point[0] - res.body.predictions.redshift.value) < 1e-9);
    } finally {
      again.close();
    }

    await request(app).delete(`/v1/heads/${head.id}`).expect(200, { deleted: head.id });
    await request(app).get(`/v1/heads/${head.id}`).expect(404);
    await request(app).delete(`/v1/heads/${head.id}`).expect(404);
  });

  it('refuses bad training requests', async () => {
    const all = ids(services);
    await request(app).post('/v1/heads').send({ target: 'redshift', examples: [{ id: all[0] }, { id: 'ghost' }] }).expect(404);
    await request(app).post('/v1/heads').send({ target: 'redshift', examples: [{ id: all[0] }, { id: all[0] }] }).expect(400);
    await request(app).post('/v1/heads').send({ target: 'redshift', examples: [{ id: all[0] }, { id: all[1] }] }).expect(422);
    await request(app).post('/v1/heads').send({ target: 'redshift', kind: 'prototype', examples: all.slice(0, 5).map((id) => ({ id })) }).expect(400);
    await request(app).post('/v1/heads').send({ target: 'class', examples: all.slice(0, 5).map((id) => ({ id, label: 'same' })) }).expect(422);
    await request(app).post('/v1/heads').send({ target: 'redshift', examples: all.slice(0, 5).map((id) => ({ id, label: 'high' })) }).expect(400);
    await request(app).post('/v1/heads').send({ target: 'redshift', examples: [{ id: all[0] }] }).expect(400);
  });

  it('needs an API key for training and deleting when keys are configured', async () => {
    const locked = appFor(services, testConfig(fx, { apiKeys: [API_KEY] }));
    const body = { target: 'logmstar', examples: ids(services).slice(0, 10).map((id) => ({ id })), kind: 'ridge' };
    const denied = await request(locked).post('/v1/heads').send(body).expect(401);
    assert.equal(denied.body.error.code, 'UNAUTHORIZED');
    assert.equal(denied.headers['www-authenticate'], 'Bearer');
    await request(locked).post('/v1/heads').set('Authorization', 'Bearer wrong-key-wrong-key-0000').send(body).expect(401);
    const ok = await request(locked).post('/v1/heads').set('Authorization', `Bearer ${API_KEY}`).send(body).expect(201);
    await request(locked).get('/v1/heads').expect(200);
    await request(locked).delete(`/v1/heads/${ok.body.id}`).expect(401);
    await request(locked).delete(`/v1/heads/${ok.body.id}`).set('X-API-Key', API_KEY).expect(200);
  });
});
