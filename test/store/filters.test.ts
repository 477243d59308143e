import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Rng } from '../../src/util/random.js';
import { Store, type Cone, type ObjectInput, type SearchFilter } from '../../src/store/index.js';
import { angularSeparationDeg, coneBox } from '../../src/store/sky.js';
import { MODEL_A, bruteTopK, chordSeparationDeg, gaussianVector, makeDataset, overlap, tempDir } from './helpers.js';

const DIM = 32;
const RAD = Math.PI / 180;

/** A point uniform in the cap of radius `maxDeg` around (ra, dec), by rotating a local draw. */
function pointNear(rng: Rng, ra: number, dec: number, maxDeg: number): { ra: number; dec: number } {
  const c = [Math.cos(dec * RAD) * Math.cos(ra * RAD), Math.cos(dec * RAD) * Math.sin(ra * RAD), Math.sin(dec * RAD)];
  const helper = Math.abs(c[2]) < 0.9 ? [0, 0, 1] : [1, 0, 0];
  const e1 = [helper[1] * c[2] - helper[2] * c[1], helper[2] * c[0] - helper[0] * c[2], helper[0] * c[1] - helper[1] * c[0]];
  const n1 = Math.hypot(...e1);
  for (let i = 0; i < 3; i++) e1[i] /= n1;
  const e2 = [c[1] * e1[2] - c[2] * e1[1], c[2] * e1[0] - c[0] * e1[2], c[0] * e1[1] - c[1] * e1[0]];
  const cosT = 1 - rng.uniform() * (1 - Math.cos(maxDeg * RAD));
  const sinT = Math.sqrt(1 - cosT * cosT);
  const phi = rng.range(0, 2 * Math.PI);
  const p = [0, 1, 2].map((i) => cosT * c[i] + sinT * (Math.cos(phi) * e1[i] + Math.sin(phi) * e2[i]));
  const outRa = (Math.atan2(p[1], p[0]) / RAD + 360) % 360;
  return { ra: outRa >= 360 ? 0 : outRa, dec: Math.asin(Math.max(-1, Math.min(1, p[2]))) / RAD };
}

const CONES: Array<[string, Cone]> = [
  ['across RA = 0 (centre at 359.5)', { ra: 359.5, dec: 10, radiusDeg: 3 }],
  ['across RA = 0 (centre at 0.2)', { ra: 0.2, dec: -30, radiusDeg: 5 }],
  ['around the north pole', { ra: 123, dec: 88, radiusDeg: 5 }],
  ['near the south pole, not containing it', { ra: 250, dec: -84, radiusDeg: 5 }],
  ['high declination, wide in RA', { ra: 10, dec: 80, radiusDeg: 9.5 }],
  ['a hemisphere', { ra: 180, dec: 0, radiusDeg: 90 }],
  ['a tiny one', { ra: 45, dec: 45, radiusDeg: 0.05 }],
];

describe('sky geometry', () => {
  it('separation agrees with the chord formula at every scale', () => {
    const rng = new Rng(4);
    for (let i = 0; i < 2000; i++) {
      const a = { ra: rng.range(0, 360), dec: rng.range(-90, 90) };
      const b = i % 2 ? pointNear(rng, a.ra, a.dec, 10 ** rng.range(-6, 2.2)) : { ra: rng.range(0, 360), dec: rng.range(-90, 90) };
      const ours = angularSeparationDeg(a.ra, a.dec, b.ra, b.dec);
      const ref = chordSeparationDeg(a.ra, a.dec, b.ra, b.dec);
      assert.ok(Math.abs(ours - ref) < 1e-9, `${ours} vs ${ref}`);
    }
    assert.ok(Math.abs(angularSeparationDeg(359.9, 0, 0.1, 0) - 0.2) < 1e-12);
    assert.ok(Math.abs(angularSeparationDeg(0, 90, 180, 89) - 1) < 1e-12, 'across the pole');
  });

  it('the bounding box holds every point of the cone, and splits at RA = 0', () => {
    const rng = new Rng(5);
    for (let i = 0; i < 300; i++) {
      const cone = { ra: rng.range(0, 360), dec: rng.range(-90, 90), radiusDeg: 10 ** rng.range(-3, 1.8) };
      const box = coneBox(cone);
      for (let j = 0; j < 50; j++) {
        const p = pointNear(rng, cone.ra, cone.dec, cone.radiusDeg * 0.999999);
        const inDec = p.dec >= box.dec[0] && p.dec <= box.dec[1];
        const inRa = box.ra.some(([lo, hi]) => p.ra >= lo && p.ra <= hi);
        assert.ok(inDec && inRa, `point ${JSON.stringify(p)} of cone ${JSON.stringify(cone)} outside box ${JSON.stringify(box)}`);
      }
    }
    assert.equal(coneBox({ ra: 359.5, dec: 10, radiusDeg: 1 }).ra.length, 2);
    assert.deepEqual(coneBox({ ra: 10, dec: 88, radiusDeg: 3 }).ra, [[0, 360]], 'a pole inside: any RA');
    const narrow = coneBox({ ra: 100, dec: 0, radiusDeg: 1 });
    assert.ok(narrow.ra.length === 1 && narrow.ra[0][1] - narrow.ra[0][0] < 2.0001, 'not wider than needed at the equator');
  });
});

describe('filtered search', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: Store;
  const base = makeDataset(2400, DIM, 21);
  const rows: ObjectInput[] = [...base.rows];
  const vectors: number[][] = [...base.vectors];
  // Objects concentrated around each test cone (a uniform sky puts about 2 in a 3-degree cone).
  const rng = new Rng(22);
  for (const [, cone] of CONES) {
    for (let i = 0; i < 90; i++) {
      const p = pointNear(rng, cone.ra, cone.dec, Math.min(180, cone.radiusDeg * 1.6));
      rows.push({ id: `near-${rows.length}`, ra: p.ra, dec: p.dec, class: 'GALAXY', z: i % 7 === 0 ? null : rng.uniform() });
      vectors.push(gaussianVector(rng, DIM));
    }
  }
  const all = rows.map((r, i) => ({ ...r, vector: vectors[i] }));

  before(async () => {
    ({ dir, cleanup } = await tempDir());
    store = await Store.open(dir, { modelId: MODEL_A, create: true, dimension: DIM });
    store.upsertObjects(rows);
    await store.addEmbeddings('image', all.map((r) => ({ id: r.id, vector: r.vector })));
  });
  after(async () => {
    await store.close({ save: false });
    await cleanup();
  });

  const query = (seed: number) => gaussianVector(new Rng(seed), DIM);

  it('still returns k when the filter passes 1 % of the objects, ranked exactly', () => {
    const qsos = all.filter((r) => r.class === 'QSO');
    assert.equal(qsos.length, 24, '1 % of 2400 (the cone objects are galaxies)');
    for (let s = 0; s < 5; s++) {
      const q = query(300 + s);
      const result = store.searchExplained('image', q, { k: 10, filter: { equals: { class: 'QSO' } } });
      assert.equal(result.plan.strategy, 'exact');
      assert.equal(result.plan.candidates, 24);
      assert.deepEqual(result.hits.map((h) => h.id), bruteTopK(q, qsos, 10).map((b) => b.id));
    }
    assert.equal(store.search('image', query(1), { k: 50, filter: { equals: { class: 'QSO' } } }).length, 24, 'all there are');
  });

  it('walks the graph with the filter when told to, and still returns k correct hits', async () => {
    const forced = await Store.open(dir, { modelId: MODEL_A, readOnly: true, planner: { exactMaxRows: 0, exactMaxFraction: 0 } });
    try {
      const qsos = all.filter((r) => r.class === 'QSO');
      let found = 0;
      for (let s = 0; s < 10; s++) {
        const q = query(400 + s);
        const result = forced.searchExplained('image', q, { k: 10, filter: { equals: { class: 'QSO' } } });
        assert.notEqual(result.plan.strategy, 'graph');
        assert.equal(result.hits.length, 10);
        found += overlap(result.hits.map((h) => h.id), bruteTopK(q, qsos, 10).map((b) => b.id));
      }
      assert.ok(found / 10 >= 0.95, `filtered graph recall ${found / 10}`);
    } finally {
      await forced.close();
    }
  });

  it('plans by the thresholds: exact up to exactMaxRows, then a post-filtered or filtered graph walk', async () => {
    const train = all.filter((r) => r.split === 'train');
    const filter: SearchFilter = { equals: { split: 'train' } };
    const q = query(5);
    const small = store.searchExplained('image', q, { k: 10, filter });
    assert.deepEqual(small.plan, { strategy: 'exact', candidates: 1200, ef: 0, fallback: false }, '1200 <= exactMaxRows = 2000');
    assert.deepEqual(small.hits.map((h) => h.id), bruteTopK(q, train, 10).map((b) => b.id));
    const lower = await Store.open(dir, { modelId: MODEL_A, readOnly: true, planner: { exactMaxRows: 500 } });
    const noPost = await Store.open(dir, { modelId: MODEL_A, readOnly: true, planner: { exactMaxRows: 500, postFilterMinFraction: 1 } });
    try {
      // 1200 of 3030 objects pass (40 %): above postFilterMinFraction = 25 %.
      const post = lower.searchExplained('image', q, { k: 10, filter });
      // ef scaled by 1 / selectivity: ceil(128 * 3030 / 1200).
      assert.deepEqual(post.plan, { strategy: 'graph-postfilter', candidates: 1200, ef: 324, fallback: false });
      const walk = noPost.searchExplained('image', q, { k: 10, filter });
      assert.deepEqual(walk.plan, { strategy: 'graph-filtered', candidates: 1200, ef: 128, fallback: false });
      for (const result of [post, walk]) {
        assert.equal(result.hits.length, 10);
        assert.ok(result.hits.every((h) => Number(h.id.split('-')[1]) % 2 === 0 && h.id.startsWith('obj-')), 'only train objects');
        assert.ok(overlap(result.hits.map((h) => h.id), bruteTopK(q, train, 10).map((b) => b.id)) >= 0.9);
      }
    } finally {
      await lower.close();
      await noPost.close();
    }
  });

  it('falls back from the post-filter to the filtered walk when the filter is correlated with the query', async () => {
    const { dir: d2, cleanup: c2 } = await tempDir();
    const corr = await Store.open(d2, { modelId: MODEL_A, create: true, dimension: 8, planner: { exactMaxRows: 0, exactMaxFraction: 0 } });
    try {
      const r = new Rng(9);
      const items = Array.from({ length: 2000 }, (_, i) => ({ id: `c${i}`, vector: gaussianVector(r, 8) }));
      // 'train' exactly when the first coordinate is negative: about half, none near +x.
      corr.upsertObjects(items.map((it) => ({ id: it.id, ra: 0, dec: 0, split: it.vector[0] < 0 ? 'train' : 'test' })));
      await corr.addEmbeddings('image', items);
      const q = [1, 0, 0, 0, 0, 0, 0, 0];
      const result = corr.searchExplained('image', q, { k: 10, filter: { equals: { split: 'train' } } });
      assert.equal(result.plan.strategy, 'graph-filtered');
      assert.equal(result.plan.fallback, true);
      const train = items.filter((it) => it.vector[0] < 0);
      assert.equal(result.hits.length, 10);
      assert.ok(overlap(result.hits.map((h) => h.id), bruteTopK(q, train, 10).map((b) => b.id)) >= 0.9);
    } finally {
      await corr.close({ save: false });
      await c2();
    }
  });

  it('combines equality, ranges (never matching NULL) and lists', () => {
    const filter: SearchFilter = { equals: { class: ['GALAXY', 'STAR'] }, range: { z: { min: 0.2, max: 0.3 } } };
    const pass = all.filter((r) => (r.class === 'GALAXY' || r.class === 'STAR') && r.z !== null && r.z !== undefined && r.z >= 0.2 && r.z <= 0.3);
    const selected = store.select(filter, { limit: 10_000 });
    assert.deepEqual(selected.map((r) => r.id).sort(), pass.map((r) => r.id).sort());
    const q = query(6);
    assert.deepEqual(store.search('image', q, { k: 15, filter, exact: true }).map((h) => h.id), bruteTopK(q, pass, 15).map((b) => b.id));
    const open = store.select({ range: { z: { min: Number.NEGATIVE_INFINITY } } }, { limit: 10_000 });
    assert.equal(open.length, all.filter((r) => typeof r.z === 'number').length, 'an open range still excludes NULL');
  });

  it('allRows returns every row (past select\'s default page of 100), in label order, and honours a filter', () => {
    assert.ok(all.length > 100, `the test store has more rows than one default page (${all.length})`);
    const rows = store.allRows();
    assert.equal(rows.length, all.length);
    assert.deepEqual(rows.map((r) => r.label), [...rows.map((r) => r.label)].sort((a, b) => a - b));
    const filter: SearchFilter = { equals: { class: 'GALAXY' } };
    assert.deepEqual(store.allRows(filter).map((r) => r.id).sort(), store.select(filter, { limit: 10_000 }).map((r) => r.id).sort());
  });

  for (const [name, cone] of CONES) {
    it(`cone ${name}: the same objects as a brute-force great-circle test, and exact top-k among them`, () => {
      const inside = all.filter((r) => chordSeparationDeg(r.ra, r.dec, cone.ra, cone.dec) <= cone.radiusDeg);
      assert.ok(inside.length >= 3, `test data puts objects in the cone (${inside.length})`);
      const selected = store.select({ cone }, { limit: 10_000 });
      assert.deepEqual(selected.map((r) => r.id).sort(), inside.map((r) => r.id).sort());
      const q = query(7);
      const hits = store.search('image', q, { k: 10, filter: { cone } });
      assert.equal(hits.length, Math.min(10, inside.length));
      const ref = bruteTopK(q, inside, 10).map((b) => b.id);
      assert.ok(overlap(hits.map((h) => h.id), ref) >= 0.9, `${hits.map((h) => h.id)} vs ${ref}`);
    });
  }
});
