/**
 * Background jobs over HTTP, on a real store, jobs.sqlite and result files: an export's file
 * (Parquet, CSV) holds every selected object exactly once with its stored vectors; an export
 * torn down mid-job (the whole app: jobs, registry, store closed) resumes in a rebuilt app from
 * its last finished chunk without redoing one; server-side ingest under the data root, and
 * paths that try to leave it; cancel, results before success, unknown ids, keys.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parquetReadObjects } from 'hyparquet';
import request from 'supertest';
import { HeadRegistry, Services } from '../../src/api/services/index.js';
import type { ChunkEvent, JobManager } from '../../src/jobs/index.js';
import { Simulator } from '../../src/sim/survey.js';
import { writeSurvey } from '../../src/sim/writer.js';
import { type Fixture, API_KEY, SIM_SIZE, appFor, buildFixture, ids, openServices, testConfig } from './helpers.js';

let fx: Fixture;
let services: Services;
let app: ReturnType<typeof appFor>;

before(async () => {
  fx = await buildFixture('jobs', 60);
  services = await openServices(fx);
  app = appFor(services, testConfig(fx));
});

after(async () => {
  await services?.close();
  await fx?.cleanup();
});

type Api = ReturnType<typeof appFor>;

async function waitDone(api: Api, id: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  const start = Date.now();
  for (;;) {
    const res = await request(api).get(`/v1/jobs/${id}`).expect(200);
    if (['succeeded', 'failed', 'cancelled'].includes(res.body.state)) return res.body;
    if (Date.now() - start > timeoutMs) throw new Error(`job ${id} still ${res.body.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function download(api: Api, id: string): Promise<Buffer> {
  const res = await request(api)
    .get(`/v1/jobs/${id}/result`)
    .buffer(true)
    .parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => done(null, Buffer.concat(chunks)));
    })
    .expect(200);
  assert.equal(Number(res.headers['content-length']), (res.body as Buffer).length);
  assert.match(res.headers['content-disposition'], /^attachment; filename="/);
  return res.body as Buffer;
}

async function parquetRows(bytes: Buffer): Promise<Array<Record<string, unknown>>> {
  return parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer });
}

function assertExactlyOnce(got: readonly string[], expected: readonly string[]): void {
  assert.equal(new Set(got).size, got.length, 'no object twice');
  assert.deepEqual([...got].sort(), [...expected].sort(), 'every selected object');
}

describe('export jobs', () => {
  it('exports everything as Parquet: every object exactly once, with its stored vectors', async () => {
    const submitted = await request(app).post('/v1/jobs/export').send({ format: 'parquet' }).expect(202);
    assert.equal(submitted.body.kind, 'export');
    assert.equal(submitted.headers.location, `/v1/jobs/${submitted.body.id}`);
    assert.equal(submitted.body.links.result, `/v1/jobs/${submitted.body.id}/result`);
    const done = await waitDone(app, submitted.body.id);
    assert.equal(done.state, 'succeeded');
    assert.equal(done.done, 60);
    assert.equal(done.total, 60);
    assert.equal(done.etaSeconds, 0);
    const rows = await parquetRows(await download(app, submitted.body.id));
    assertExactlyOnce(rows.map((r) => r.id as string), ids(services));
    for (const r of rows.slice(0, 10)) {
      const stored = services.store.vectorOf(r.id as string, 'spectrum')!;
      const got = r.spectrum_emb as number[];
      assert.ok(got.every((v, i) => Math.abs(v - stored[i]) < 1e-6), `spectrum vector of ${r.id}`);
    }
  });

  it('exports an id selection and a filter selection as CSV', async () => {
    const chosen = ids(services).filter((_, i) => i % 7 === 0);
    const byIds = await request(app).post('/v1/jobs/export').send({ selection: { ids: chosen }, modalities: ['image'], format: 'csv' }).expect(202);
    const status = await waitDone(app, byIds.body.id);
    assert.equal(status.state, 'succeeded');
    const text = (await download(app, byIds.body.id)).toString('utf8');
    const [header, ...lines] = text.trim().split(/\r?\n/);
    assert.equal(header.split(',')[0], 'id');
    assert.ok(header.includes('image_emb'), header.slice(0, 200));
    assert.ok(!header.includes('spectrum_emb'));
    assertExactlyOnce(lines.map((l) => l.split(',')[0]), chosen);

    const zs = services.store.select(undefined, { limit: 1000 }).map((r) => r.z!).sort((a, b) => a - b);
    const cut = zs[30];
    const expected = services.store.select({ range: { z: { max: cut } } }, { limit: 1000 }).map((r) => r.id);
    const byFilter = await request(app).post('/v1/jobs/export').send({ selection: { filter: { redshift: { max: cut } } }, modalities: [], format: 'csv' }).expect(202);
    assert.equal((await waitDone(app, byFilter.body.id)).state, 'succeeded');
    const filtered = (await download(app, byFilter.body.id)).toString('utf8').trim().split(/\r?\n/).slice(1);
    assertExactlyOnce(filtered.map((l) => l.split(',')[0]), expected);
  });

  it('refuses bad export requests and unknown jobs; a finished job cannot be cancelled', async () => {
    await request(app).post('/v1/jobs/export').send({ format: 'xlsx' }).expect(400);
    await request(app).post('/v1/jobs/export').send({ selection: { ids: [] } }).expect(400);
    await request(app).post('/v1/jobs/export').send({ selection: { filter: { range: { nope: { min: 1 } } } } }).expect(400);
    await request(app).get('/v1/jobs/no-such-job').expect(404);
    await request(app).get('/v1/jobs/no-such-job/result').expect(404);
    await request(app).delete('/v1/jobs/no-such-job').expect(404);
    const list = await request(app).get('/v1/jobs').expect(200);
    const finished = list.body.jobs.find((j: { state: string }) => j.state === 'succeeded');
    assert.ok(finished);
    const conflict = await request(app).delete(`/v1/jobs/${finished.id}`).expect(409);
    assert.equal(conflict.body.error.code, 'CONFLICT');
  });

  it('needs an API key when keys are configured; 503 without a job manager', async () => {
    const locked = appFor(services, testConfig(fx, { apiKeys: [API_KEY] }));
    await request(locked).post('/v1/jobs/export').send({}).expect(401);
    await request(locked).get('/v1/jobs').expect(401);
    await request(locked).get('/v1/jobs').set('Authorization', `Bearer ${API_KEY}`).expect(200);
    const noJobs = new Services({ model: services.model, embedder: services.embedder, store: services.store, heads: HeadRegistry.open(':memory:'), jobs: null, backend: null, surveyDir: fx.surveyDir, stateDir: fx.stateDir });
    const res = await request(appFor(noJobs, testConfig(fx))).get('/v1/jobs').expect(503);
    assert.equal(res.body.error.code, 'NOT_READY');
    noJobs.heads.close();
  });
});

describe('an export torn down mid-job', () => {
  it('resumes in a rebuilt app from its last finished chunk; nothing redone, nothing lost', async () => {
    // Tear the first app down while chunk 2 (of 12) is being committed.
    await services.close();
    let teardown: Promise<void> | undefined;
    const first = await openServices(fx, {
      chunkSize: 5,
      hooks: {
        beforeCommit: (_jobId, index) => {
          if (index === 2 && !teardown) teardown = first.close();
        },
      },
    });
    const firstChunks: number[] = [];
    (first.jobs as JobManager).on('chunk', (c: ChunkEvent) => firstChunks.push(c.index));
    const firstApp = appFor(first, testConfig(fx));
    const submitted = await request(firstApp).post('/v1/jobs/export').send({ format: 'parquet', modalities: ['image'] }).expect(202);
    const id = submitted.body.id as string;
    while (!teardown) await new Promise((r) => setTimeout(r, 10));
    await teardown;
    assert.deepEqual(firstChunks, [0, 1, 2]);

    // Rebuilt: a new store handle, registry, job manager and app over the same files.
    services = await openServices(fx, { chunkSize: 5 });
    const secondChunks: number[] = [];
    (services.jobs as JobManager).on('chunk', (c: ChunkEvent) => secondChunks.push(c.index));
    app = appFor(services, testConfig(fx));
    const done = await waitDone(app, id);
    assert.equal(done.state, 'succeeded');
    assert.deepEqual(secondChunks, [3, 4, 5, 6, 7, 8, 9, 10, 11], 'resumed at chunk 3, no chunk redone');
    const rows = await parquetRows(await download(app, id));
    assertExactlyOnce(rows.map((r) => r.id as string), ids(services));
  });
});

describe('ingest jobs', () => {
  it('ingests a survey folder under the data root', async () => {
    const dir = join(fx.root, 'more');
    const sim = await Simulator.create({ seed: 99, image: { size: SIM_SIZE } });
    await writeSurvey(sim, { outDir: dir, n: 6, fits: true, shards: false, writerThread: false });
    const newIds = readFileSync(join(dir, 'catalog.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
    const before = services.store.count();
    const res = await request(app).post('/v1/jobs/ingest').send({ path: 'more' }).expect(202);
    assert.equal(res.body.kind, 'ingest');
    const done = await waitDone(app, res.body.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    assert.equal(services.store.count(), before + 6);
    for (const id of newIds) assert.deepEqual(services.store.modalitiesOf(id), ['image', 'spectrum']);
    // Searchable through the API at once.
    const found = await request(app).post('/v1/search').send({ query: { id: newIds[0] }, target: 'image', k: 1 }).expect(200);
    assert.equal(found.body.results[0].hits[0].id, newIds[0]);
  });

  it('refuses paths outside the data root, through .. or a symbolic link, and missing ones', async () => {
    const escape = await request(app).post('/v1/jobs/ingest').send({ path: '../..' }).expect(403);
    assert.equal(escape.body.error.code, 'FORBIDDEN');
    await request(app).post('/v1/jobs/ingest').send({ path: '/etc' }).expect(403);
    await request(app).post('/v1/jobs/ingest').send({ path: 'survey/../../..' }).expect(403);
    mkdirSync(join(fx.root, 'links'), { recursive: true });
    symlinkSync('/usr', join(fx.root, 'links', 'out'));
    await request(app).post('/v1/jobs/ingest').send({ path: 'links/out' }).expect(403);
    await request(app).post('/v1/jobs/ingest').send({ path: 'not-there' }).expect(404);
    await request(app).post('/v1/jobs/ingest').send({}).expect(400);
  });
});
