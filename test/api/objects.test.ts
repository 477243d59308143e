/**
 * Uploads and objects over HTTP: embedding files (multipart and raw; the vector of an object's
 * own file equals its stored vector), every kind of bad upload with its status (truncated FITS,
 * a PNG named .fits, a 0-byte body, bytes that are no image, a spectrum with no valid pixel, an
 * image with the wrong bands, too large, too many) leaving the store exactly as it was, the
 * catalog row, cutout PNG and spectrum SVG of an object, and adding, replacing and deleting one.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import request from 'supertest';
import type { Services } from '../../src/api/services/index.js';
import { encodeFits } from '../../src/io/fits/write.js';
import { type Fixture, appFor, buildFixture, ids, openServices, testConfig } from './helpers.js';

let fx: Fixture;
let services: Services;
let app: ReturnType<typeof appFor>;

before(async () => {
  fx = await buildFixture('objects', 40);
  services = await openServices(fx, null);
  app = appFor(services, testConfig(fx));
});

after(async () => {
  await services?.close();
  await fx?.cleanup();
});

const fileOf = (id: string, which: 'image' | 'spectrum') => join(fx.surveyDir, (which === 'image' ? services.store.get(id)!.image_path : services.store.get(id)!.spectrum_path)!);

/** Everything the store holds: ids with both vectors. */
function snapshot(): string {
  return JSON.stringify(ids(services).map((id) => [id, Array.from(services.store.vectorOf(id, 'image') ?? []), Array.from(services.store.vectorOf(id, 'spectrum') ?? [])]));
}

function nanSpectrum(): Buffer {
  const n = 300;
  const wavelength = Float64Array.from({ length: n }, (_, i) => 4000 + 10 * i);
  return Buffer.from(
    encodeFits([
      {
        kind: 'bintable',
        extname: 'SPECTRUM',
        columns: [
          { name: 'WAVELENGTH', data: wavelength, unit: 'Angstrom' },
          { name: 'FLUX', data: new Float32Array(n).fill(Number.NaN) },
          { name: 'IVAR', data: new Float32Array(n).fill(1) },
        ],
      },
    ]),
  );
}

function offGridSpectrum(): Buffer {
  const n = 100;
  return Buffer.from(
    encodeFits([
      {
        kind: 'bintable',
        columns: [
          { name: 'WAVELENGTH', data: Float64Array.from({ length: n }, (_, i) => 20000 + 10 * i) },
          { name: 'FLUX', data: new Float32Array(n).fill(1) },
          { name: 'IVAR', data: new Float32Array(n).fill(1) },
        ],
      },
    ]),
  );
}

function oneBandImage(): Buffer {
  return Buffer.from(encodeFits([{ kind: 'image', shape: [24, 24], data: new Float32Array(24 * 24).fill(0.1), cards: [{ key: 'FILTER', value: 'g' }] }]));
}

describe('POST /v1/embed', () => {
  it("embeds files; an object's own files give its stored vectors", async () => {
    const [a, b] = ids(services);
    const res = await request(app).post('/v1/embed').attach('image', fileOf(a, 'image')).attach('image', fileOf(b, 'image')).attach('spectrum', fileOf(a, 'spectrum')).expect(200);
    assert.equal(res.body.dimension, 16);
    assert.deepEqual(res.body.embeddings.map((e: { modality: string }) => e.modality), ['image', 'image', 'spectrum']);
    const expected = [services.store.vectorOf(a, 'image')!, services.store.vectorOf(b, 'image')!, services.store.vectorOf(a, 'spectrum')!];
    res.body.embeddings.forEach((e: { vector: number[]; format: string }, i: number) => {
      assert.equal(e.format, 'fits');
      assert.equal(e.vector.length, 16);
      const maxDiff = Math.max(...e.vector.map((v, j) => Math.abs(v - expected[i][j])));
      assert.ok(maxDiff < 1e-5, `vector ${i} differs by ${maxDiff}`);
    });
  });

  it('judges a PNG named .fits by its bytes: an image it is, a spectrum it is not', async () => {
    const id = ids(services)[2];
    const png = await request(app).get(`/v1/objects/${id}/cutout.png?scale=1`).expect(200);
    const bytes = Buffer.from(png.body as Buffer);
    const asImage = await request(app).post('/v1/embed').attach('image', bytes, { filename: 'cutout.fits', contentType: 'application/fits' }).expect(200);
    assert.equal(asImage.body.embeddings[0].format, 'png');
    assert.equal(asImage.body.embeddings[0].vector.length, 16);
    const raw = await request(app).post('/v1/embed').set('Content-Type', 'application/fits').send(bytes).expect(200);
    assert.equal(raw.body.embeddings[0].modality, 'image');
    const asSpectrum = await request(app).post('/v1/embed').attach('spectrum', bytes, { filename: 'spec.fits' }).expect(415);
    assert.equal(asSpectrum.body.error.code, 'UNSUPPORTED');
    assert.match(asSpectrum.body.error.message, /PNG/);
  });

  it('refuses bad uploads with the right status and leaves the store as it was', async () => {
    const before = snapshot();
    const image = readFileSync(fileOf(ids(services)[0], 'image'));
    const truncated = await request(app).post('/v1/embed').attach('image', image.subarray(0, 3000), { filename: 'cut.fits' }).expect(400);
    assert.equal(truncated.body.error.code, 'FITS_INVALID');
    const empty = await request(app).post('/v1/embed?modality=image').set('Content-Type', 'application/fits').send(Buffer.alloc(0)).expect(400);
    assert.match(empty.body.error.message, /empty/);
    const emptyPart = await request(app).post('/v1/embed').attach('image', Buffer.alloc(0), { filename: 'zero.fits' }).expect(400);
    assert.match(emptyPart.body.error.message, /0 bytes/);
    await request(app).post('/v1/embed').attach('image', Buffer.from('just some text, not an image'), { filename: 'x.fits' }).expect(415);
    const nan = await request(app).post('/v1/embed').attach('spectrum', nanSpectrum(), { filename: 'nan.fits' }).expect(422);
    assert.equal(nan.body.error.code, 'UNUSABLE');
    assert.match(nan.body.error.message, /no usable pixel/);
    const offGrid = await request(app).post('/v1/embed').attach('spectrum', offGridSpectrum(), { filename: 'ir.fits' }).expect(422);
    assert.match(offGrid.body.error.message, /wavelength grid/);
    const bands = await request(app).post('/v1/embed').attach('image', oneBandImage(), { filename: 'g-only.fits' }).expect(422);
    assert.match(bands.body.error.message, /band 'r'/);
    await request(app).post('/v1/embed').attach('radio', image, { filename: 'a.fits' }).expect(400);
    await request(app).post('/v1/embed').send({ hello: 1 }).expect(415);
    await request(app).post('/v1/embed?modality=image').set('Content-Type', 'application/fits').send(image.subarray(0, 4000)).expect(400);
    const fitsWithoutModality = await request(app).post('/v1/embed').set('Content-Type', 'application/fits').send(image).expect(400);
    assert.match(fitsWithoutModality.body.error.message, /modality/);

    const small = appFor(services, testConfig(fx, { limits: { maxUploadBytes: 4000, maxBatch: 2 } }));
    const big = await request(small).post('/v1/embed').attach('image', image, { filename: 'big.fits' }).expect(413);
    assert.equal(big.body.error.code, 'PAYLOAD_TOO_LARGE');
    await request(small).post('/v1/embed?modality=image').set('Content-Type', 'application/fits').send(image).expect(413);
    const spec = nanSpectrum().subarray(0, 100);
    await request(small).post('/v1/embed').attach('spectrum', spec, { filename: '1' }).attach('spectrum', spec, { filename: '2' }).attach('spectrum', spec, { filename: '3' }).expect(413);
    assert.equal(snapshot(), before);
  });
});

describe('objects', () => {
  it('GET /v1/objects/:id: the row, its modalities and links; 404 for an unknown id', async () => {
    const id = ids(services)[4];
    const res = await request(app).get(`/v1/objects/${encodeURIComponent(id)}`).expect(200);
    assert.equal(res.body.object.id, id);
    assert.deepEqual(res.body.modalities, ['image', 'spectrum']);
    assert.equal(res.body.object.z, services.store.get(id)!.z);
    const missing = await request(app).get('/v1/objects/nope').expect(404);
    assert.equal(missing.body.error.code, 'NOT_FOUND');
    assert.ok(missing.headers['x-request-id']);
    assert.equal(missing.body.requestId, missing.headers['x-request-id']);
  });

  it('cutout.png is a PNG of the cutout in the Legacy stretch; spectrum.svg an SVG plot', async () => {
    const id = ids(services)[6];
    const png = await request(app).get(`/v1/objects/${id}/cutout.png`).expect(200).expect('Content-Type', 'image/png');
    const meta = await sharp(png.body as Buffer).metadata();
    assert.equal(meta.width, 48);
    assert.equal(meta.height, 48);
    const stats = await sharp(png.body as Buffer).stats();
    assert.ok(stats.channels.some((c) => c.max > c.min), 'not a flat picture');
    const svg = await request(app).get(`/v1/objects/${id}/spectrum.svg`).expect(200).expect('Content-Type', /image\/svg\+xml/);
    const text = svg.text || Buffer.from(svg.body as Buffer).toString('utf8');
    assert.match(text, /<svg[\s>]/);
    assert.match(text, /<path|<polyline/);
    assert.ok(text.includes(id));
    await request(app).get('/v1/objects/nope/cutout.png').expect(404);
    await request(app).get(`/v1/objects/${id}/cutout.png?scale=99`).expect(400);
  });

  it('POST /v1/objects embeds, indexes and persists an upload; 409 on a duplicate; replace; DELETE', async () => {
    const source = ids(services)[9];
    const countBefore = services.store.count();
    const outliersBefore = await request(app).get('/v1/outliers?modality=image&k=1').expect(200);
    const metadata = { id: 'upload-1', ra: 150.1, dec: 2.2, class: 'GALAXY', z: 0.21, extra: { note: 'from a test' } };
    const res = await request(app)
      .post('/v1/objects')
      .field('metadata', JSON.stringify(metadata))
      .attach('image', fileOf(source, 'image'))
      .attach('spectrum', fileOf(source, 'spectrum'))
      .expect(201);
    assert.equal(res.headers.location, '/v1/objects/upload-1');
    assert.deepEqual(res.body.modalities, ['image', 'spectrum']);
    assert.equal(res.body.object.z, 0.21);
    assert.equal(res.body.object.extra.note, 'from a test');
    assert.equal(res.body.replaced, false);
    assert.equal(services.store.count(), countBefore + 1);
    // Searchable at once, its own files render, and whole-store analyses see it.
    const found = await request(app).post('/v1/search').send({ query: { id: 'upload-1' }, target: 'image', k: 2 }).expect(200);
    assert.deepEqual(new Set(found.body.results[0].hits.map((h: { id: string }) => h.id)), new Set(['upload-1', source]));
    await request(app).get('/v1/objects/upload-1/cutout.png').expect(200);
    await request(app).get('/v1/objects/upload-1/spectrum.svg').expect(200);
    const outliersAfter = await request(app).get('/v1/outliers?modality=image&k=1').expect(200);
    assert.equal(outliersAfter.body.scored, outliersBefore.body.scored + 1);
    // Persisted: the graphs were saved (nothing unsaved).
    assert.deepEqual(services.store.info().unsaved, []);

    const dup = await request(app).post('/v1/objects').field('metadata', JSON.stringify(metadata)).attach('image', fileOf(source, 'image')).expect(409);
    assert.equal(dup.body.error.code, 'CONFLICT');
    const replaced = await request(app)
      .post('/v1/objects?replace=true')
      .field('metadata', JSON.stringify({ ...metadata, z: 0.3 }))
      .attach('spectrum', fileOf(source, 'spectrum'))
      .expect(201);
    assert.equal(replaced.body.replaced, true);
    // A bad column value is refused before the old object is touched.
    await request(app)
      .post('/v1/objects?replace=true')
      .field('metadata', JSON.stringify({ ...metadata, z: 'high' }))
      .attach('image', fileOf(source, 'image'))
      .expect(400);
    assert.equal(services.store.get('upload-1')!.z, 0.3);
    assert.deepEqual(replaced.body.modalities, ['spectrum']);
    assert.equal(services.store.get('upload-1')!.z, 0.3);

    const uploaded = services.store.get('upload-1')!.spectrum_path!;
    assert.ok(existsSync(uploaded));
    await request(app).delete('/v1/objects/upload-1').expect(200, { deleted: 'upload-1' });
    assert.equal(existsSync(uploaded), false);
    await request(app).get('/v1/objects/upload-1').expect(404);
    await request(app).delete('/v1/objects/upload-1').expect(404);
    assert.equal(services.store.count(), countBefore);
  });

  it('a bad object upload is refused before anything is written', async () => {
    const before = snapshot();
    const source = ids(services)[1];
    const meta = JSON.stringify({ id: 'bad-1', ra: 10, dec: 10 });
    const image = readFileSync(fileOf(source, 'image'));
    await request(app).post('/v1/objects').field('metadata', meta).attach('image', fileOf(source, 'image')).attach('spectrum', nanSpectrum(), { filename: 'nan.fits' }).expect(422);
    await request(app).post('/v1/objects').field('metadata', meta).attach('image', image.subarray(0, 2900), { filename: 'trunc.fits' }).expect(400);
    await request(app).post('/v1/objects').field('metadata', meta).expect(400);
    await request(app).post('/v1/objects').field('metadata', JSON.stringify({ id: 'bad-1', ra: 10 })).attach('image', image, { filename: 'a.fits' }).expect(400);
    await request(app).post('/v1/objects').field('metadata', '{not json').attach('image', image, { filename: 'a.fits' }).expect(400);
    await request(app).post('/v1/objects').send({ id: 'bad-1', ra: 10, dec: 10 }).expect(400);
    assert.equal(services.store.get('bad-1'), undefined);
    assert.equal(snapshot(), before);
  });
});
