/**
 * The service around the endpoints: readiness (503 NOT_READY with Retry-After until the
 * services are loaded, health with progress, a failed start), /v1/models, the OpenAPI document
 * generated from the route schemas (and responses that satisfy their own schemas), the
 * validated environment and the refusal to listen beyond loopback without keys, security
 * headers, request ids, rate limiting, access logs without keys, the request timeout, IVOA
 * Simple Cone Search, and `skyclip serve`'s composition root starting on a first run (no store:
 * it builds one, reporting progress) and shutting down.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import request from 'supertest';
import { createApp } from '../../src/api/app.js';
import { CONFIG_DEFAULTS, assertSafeBinding, isLoopback, loadConfig } from '../../src/api/config.js';
import { errorMiddleware } from '../../src/api/errors.js';
import { memoryLogger, silentLogger } from '../../src/api/log.js';
import { requestId, requestTimeout } from '../../src/api/middleware/request-context.js';
import { Readiness } from '../../src/api/readiness.js';
import { ROUTES } from '../../src/api/routes/index.js';
import { HealthSchema, ModelsResponseSchema, ObjectResponseSchema, SearchResponseSchema } from '../../src/api/schemas.js';
import { startServer } from '../../src/api/server.js';
import type { Services } from '../../src/api/services/index.js';
import { main } from '../../src/cli/main.js';
import { angularSeparationDeg } from '../../src/store/index.js';
import { SkyclipError } from '../../src/util/errors.js';
import { type Fixture, API_KEY, appFor, buildFixture, ids, openServices, testConfig } from './helpers.js';

let fx: Fixture;
let services: Services;
let app: ReturnType<typeof appFor>;

before(async () => {
  fx = await buildFixture('system', 40);
  services = await openServices(fx, null);
  app = appFor(services, testConfig(fx));
});

after(async () => {
  await services?.close();
  await fx?.cleanup();
});

describe('readiness', () => {
  it('answers 503 NOT_READY with Retry-After while starting, health shows progress; then ready', async () => {
    const readiness = new Readiness<Services>();
    const starting = createApp({ config: testConfig(fx), readiness, log: silentLogger });
    readiness.progress({ stage: 'embed', done: 120, total: 3000 });
    const health = await request(starting).get('/health').expect(200);
    assert.equal(health.body.status, 'starting');
    assert.deepEqual(health.body.progress, { stage: 'embed', done: 120, total: 3000 });
    HealthSchema.parse(health.body);
    for (const [method, path] of [
      ['get', '/v1/models'],
      ['post', '/v1/search'],
      ['get', '/v1/objects/x'],
      ['get', '/v1/scs?RA=1&DEC=1&SR=1'],
    ] as const) {
      const res = await request(starting)[method](path).expect(503);
      assert.equal(res.body.error.code, 'NOT_READY');
      assert.equal(res.headers['retry-after'], '5');
      assert.equal(res.body.error.details.progress.stage, 'embed');
    }
    await request(starting).get('/openapi.json').expect(200);
    readiness.ready(services);
    const ready = await request(starting).get('/health').expect(200);
    assert.equal(ready.body.status, 'ready');
    assert.equal(ready.body.model, fx.loaded.id);
    assert.equal(ready.body.objects, 40);
    await request(starting).post('/v1/search').send({ query: { id: ids(services)[0] } }).expect(200);
  });

  it('reports a failed start on /health (503) and on every work endpoint', async () => {
    const readiness = new Readiness<Services>();
    readiness.fail('model not found: models/tiny');
    const failed = createApp({ config: testConfig(fx), readiness, log: silentLogger });
    const health = await request(failed).get('/health').expect(503);
    assert.equal(health.body.status, 'failed');
    assert.match(health.body.message, /model not found/);
    const res = await request(failed).get('/v1/models').expect(503);
    assert.match(res.body.error.message, /failed to start: model not found/);
  });
});

describe('GET /v1/models and /openapi.json', () => {
  it('describes the model, presets, backend, index and limits', async () => {
    const res = await request(app).get('/v1/models').expect(200);
    ModelsResponseSchema.parse(res.body);
    assert.equal(res.body.models[0].id, fx.loaded.id);
    assert.equal(res.body.models[0].dimension, 16);
    assert.ok(res.body.presets.includes('tiny'));
    assert.equal(res.body.backend.name, 'wasm');
    assert.equal(res.body.index.objects, 40);
    assert.deepEqual(res.body.index.vectors, { image: 40, spectrum: 40 });
    assert.equal(res.body.limits.maxK, CONFIG_DEFAULTS.maxK);
  });

  it('documents every route from its schemas (OpenAPI 3.1)', async () => {
    const doc = (await request(app).get('/openapi.json').expect(200)).body;
    assert.equal(doc.openapi, '3.1.0');
    for (const route of ROUTES) {
      const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const op = doc.paths[path]?.[route.method];
      assert.ok(op, `${route.method} ${path} documented`);
      assert.ok(op.responses['400'] || route.method === 'get', `${path} lists its errors`);
    }
    const search = doc.paths['/v1/search'].post;
    const body = search.requestBody.content['application/json'].schema;
    assert.deepEqual(Object.keys(body.properties).sort(), ['exact', 'excludeSelf', 'filter', 'k', 'query', 'target']);
    assert.equal(body.properties.k.maximum, 10_000);
    assert.ok(search.requestBody.content['multipart/form-data']);
    assert.ok(search.requestBody.content['application/fits']);
    const scs = doc.paths['/v1/scs'].get.parameters.map((p: { name: string }) => p.name);
    assert.deepEqual(scs.slice(0, 3), ['RA', 'DEC', 'SR']);
    assert.deepEqual(doc.paths['/v1/heads'].post.security, [{ bearer: [] }, { apiKey: [] }]);
    assert.ok(doc.components.schemas.Error.properties.requestId);
  });

  it('answers what its response schemas say', async () => {
    const id = ids(services)[0];
    SearchResponseSchema.parse((await request(app).post('/v1/search').send({ query: { id }, k: 3 }).expect(200)).body);
    ObjectResponseSchema.parse((await request(app).get(`/v1/objects/${id}`).expect(200)).body);
  });
});

describe('configuration', () => {
  it('has documented defaults and refuses invalid values with the variable named, never the key', () => {
    const config = loadConfig({});
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8080);
    assert.equal(config.modelDir, 'models/tiny');
    assert.equal(config.storeDir, 'index-data/demo-store');
    assert.equal(config.dataRoot, 'index-data');
    assert.deepEqual(config.apiKeys, []);
    assert.deepEqual(loadConfig({ SKYCLIP_API_KEYS: ` ${API_KEY} , other-key-0123456789 ` }).apiKeys, [API_KEY, 'other-key-0123456789']);
    assert.equal(loadConfig({ SKYCLIP_MAX_K: '50', PORT: '0' }).limits.maxK, 50);
    const bad = (env: Record<string, string>, pattern: RegExp) =>
      assert.throws(() => loadConfig(env), (err: unknown) => err instanceof SkyclipError && err.code === 'BAD_INPUT' && pattern.test(err.message));
    bad({ PORT: 'eighty' }, /PORT/);
    bad({ PORT: '70000' }, /PORT/);
    bad({ SKYCLIP_MAX_K: '20000' }, /SKYCLIP_MAX_K/);
    bad({ SKYCLIP_MAX_UPLOAD_BYTES: '-1' }, /SKYCLIP_MAX_UPLOAD_BYTES/);
    bad({ SKYCLIP_ACCESS_LOG: 'maybe' }, /SKYCLIP_ACCESS_LOG/);
    assert.throws(
      () => loadConfig({ SKYCLIP_API_KEYS: 'short-secret' }),
      (err: unknown) => err instanceof SkyclipError && /SKYCLIP_API_KEYS/.test(err.message) && !err.message.includes('short-secret') && !JSON.stringify(err.details).includes('short-secret'),
    );
  });

  it('refuses to listen beyond loopback without keys', async () => {
    assert.ok(isLoopback('127.0.0.1') && isLoopback('localhost') && isLoopback('::1') && isLoopback('127.1.2.3'));
    assert.ok(!isLoopback('0.0.0.0') && !isLoopback('192.168.1.4') && !isLoopback('::'));
    assert.throws(() => assertSafeBinding(loadConfig({ HOST: '0.0.0.0' })), /without API keys/);
    assertSafeBinding(loadConfig({ HOST: '0.0.0.0', SKYCLIP_API_KEYS: API_KEY }));
    await assert.rejects(startServer(loadConfig({ HOST: '0.0.0.0', PORT: '0' }), { log: silentLogger }), /without API keys/);
    // The CLI exits non-zero with the reason, before listening.
    const saved = { HOST: process.env.HOST, PORT: process.env.PORT };
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => errors.push(String(line));
    try {
      process.env.HOST = '0.0.0.0';
      assert.equal(await main(['serve']), 2);
      process.env.HOST = '127.0.0.1';
      process.env.PORT = 'not-a-port';
      assert.equal(await main(['serve']), 2);
    } finally {
      console.error = original;
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    assert.match(errors[0], /refusing to listen on 0\.0\.0\.0/);
    assert.match(errors[1], /invalid environment: PORT/);
  });
});

describe('security and plumbing', () => {
  it('sets security headers and a request id on every response', async () => {
    const res = await request(app).get('/health').expect(200);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.ok(res.headers['content-security-policy']);
    assert.equal(res.headers['x-powered-by'], undefined);
    assert.match(res.headers['x-request-id'], /^[0-9a-f-]{36}$/);
    const echoed = await request(app).get('/health').set('X-Request-Id', 'client-id-42').expect(200);
    assert.equal(echoed.headers['x-request-id'], 'client-id-42');
    const replaced = await request(app).get('/health').set('X-Request-Id', 'bad id <script>').expect(200);
    assert.notEqual(replaced.headers['x-request-id'], 'bad id <script>');
    const missing = await request(app).get('/v1/nothing-here').expect(404);
    assert.equal(missing.body.error.code, 'NOT_FOUND');
    assert.equal(missing.body.requestId, missing.headers['x-request-id']);
  });

  it('rate-limits per client with 429 RATE_LIMITED', async () => {
    const limited = appFor(services, testConfig(fx, { limits: { rateLimitPerMinute: 3 } }));
    for (let i = 0; i < 3; i++) await request(limited).get('/health').expect(200);
    const res = await request(limited).get('/health').expect(429);
    assert.equal(res.body.error.code, 'RATE_LIMITED');
    assert.ok(res.headers['retry-after']);
  });

  it('logs one JSON line per request, without the API key', async () => {
    const log = memoryLogger();
    const logged = appFor(services, testConfig(fx, { apiKeys: [API_KEY], accessLog: true }), log);
    await request(logged).delete('/v1/heads/nope').set('Authorization', `Bearer ${API_KEY}`).set('X-Request-Id', 'req-1').expect(404);
    await request(logged).delete('/v1/heads/nope').set('X-API-Key', 'wrong-key-but-long-enough').expect(401);
    assert.equal(log.lines.length, 2);
    const first = JSON.parse(log.lines[0]);
    assert.equal(first.msg, 'request');
    assert.equal(first.requestId, 'req-1');
    assert.equal(first.method, 'DELETE');
    assert.equal(first.path, '/v1/heads/nope');
    assert.equal(first.status, 404);
    assert.ok(typeof first.ms === 'number');
    for (const line of log.lines) {
      assert.ok(!line.includes(API_KEY) && !line.includes('wrong-key-but-long-enough'), line);
    }
  });

  it('answers 503 TIMEOUT when a request outlives the limit', async () => {
    const slow = express();
    slow.use(requestId());
    slow.use(requestTimeout(50));
    slow.get('/slow', async (_req, res) => {
      await new Promise((r) => setTimeout(r, 200));
      if (!res.headersSent) res.json({ late: true });
    });
    slow.use(errorMiddleware(silentLogger));
    const res = await request(slow).get('/slow').expect(503);
    assert.equal(res.body.error.code, 'TIMEOUT');
  });
});

describe('GET /v1/scs (IVOA Simple Cone Search)', () => {
  it('answers a VOTable of the objects in the cone, with the SCS UCDs', async () => {
    const rows = services.store.select(undefined, { limit: 1000 });
    const centre = rows[0];
    const radius = 8;
    const expected = rows.filter((r) => angularSeparationDeg(centre.ra, centre.dec, r.ra, r.dec) <= radius).map((r) => r.id);
    assert.ok(expected.length >= 1);
    const res = await request(app).get(`/v1/scs?RA=${centre.ra}&DEC=${centre.dec}&SR=${radius}`).expect(200);
    assert.match(res.headers['content-type'], /application\/x-votable\+xml/);
    const text = res.text;
    assert.match(text, /<INFO name="QUERY_STATUS" value="OK"\/>/);
    assert.match(text, /<FIELD name="id"[^>]*ucd="meta.id;meta.main"/);
    assert.match(text, /<FIELD name="ra"[^>]*ucd="pos.eq.ra;meta.main"/);
    assert.match(text, /<FIELD name="dec"[^>]*ucd="pos.eq.dec;meta.main"/);
    const got = [...text.matchAll(/<TR><TD>([^<]*)<\/TD>/g)].map((m) => m[1]);
    assert.deepEqual(got.sort(), expected.sort());
    const verb1 = await request(app).get(`/v1/scs?RA=${centre.ra}&DEC=${centre.dec}&SR=${radius}&VERB=1`).expect(200);
    assert.equal((verb1.text.match(/<FIELD /g) ?? []).length, 3);
    const capped = await request(app).get(`/v1/scs?ra=${centre.ra}&dec=${centre.dec}&sr=180&MAXREC=2`).expect(200);
    assert.equal((capped.text.match(/<TR>/g) ?? []).length, 2);
    assert.match(capped.text, /truncated/);
    const none = await request(app).get(`/v1/scs?RA=${centre.ra}&DEC=${centre.dec}&SR=0`).expect(200);
    assert.equal((none.text.match(/<TR>/g) ?? []).length, 0);
  });

  it('answers errors as VOTable error documents', async () => {
    const missing = await request(app).get('/v1/scs?RA=10&DEC=5').expect(200);
    assert.match(missing.headers['content-type'], /votable/);
    assert.match(missing.text, /<INFO name="QUERY_STATUS" value="ERROR">missing parameter SR/);
    const bad = await request(app).get('/v1/scs?RA=10&DEC=95&SR=1').expect(200);
    assert.match(bad.text, /QUERY_STATUS" value="ERROR">DEC/);
  });
});

describe('skyclip serve (composition root)', () => {
  it('listens at once, builds a missing store from the survey with progress, serves, and shuts down', async () => {
    const log = memoryLogger();
    const config = testConfig(fx, { port: 0, storeDir: join(fx.root, 'served-store'), accessLog: true });
    const handle = await startServer(config, { log });
    try {
      // Listening before the store exists: health answers at once.
      const early = await fetch(`${handle.url}/health`);
      assert.equal(early.status, 200);
      await handle.loaded;
      assert.equal(handle.readiness.state, 'ready', log.lines.join('\n'));
      const health = (await (await fetch(`${handle.url}/health`)).json()) as { status: string; objects: number };
      assert.equal(health.status, 'ready');
      assert.equal(health.objects, 40);
      const progress = log.lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'startup progress');
      assert.ok(progress.some((p) => p.stage === 'embed' && p.done === p.total && p.total === 40), 'embedding progress logged');
      // In the background after ready: the default k-NN heads and outlier scores.
      for (let i = 0; i < 100 && !log.lines.some((l) => l.includes('warm-up done')); i++) await new Promise((r) => setTimeout(r, 50));
      const warm = log.lines.map((l) => JSON.parse(l)).find((l) => String(l.msg).startsWith('warm-up done'));
      assert.ok(warm && warm.heads >= 10, `warm-up fitted ${warm?.heads} heads`);
      const search = await fetch(`${handle.url}/v1/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: { id: ids(services)[0] }, k: 1 }) });
      assert.equal(search.status, 200);
    } finally {
      await handle.close();
    }
    assert.ok(log.lines.some((l) => JSON.parse(l).msg === 'stopped'));
    await assert.rejects(fetch(`${handle.url}/health`));
  });
});
