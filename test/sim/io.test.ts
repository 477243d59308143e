/**
 * The survey on disk: every product opens back through the io readers with the right structure and
 * the same numbers as the in-memory simulation, the shards match, the same seed writes the same
 * bytes, and `skyclip simulate` works end to end.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readFits } from '../../src/io/fits/read.js';
import type { BinTableHdu, ImageHdu } from '../../src/io/fits/types.js';
import { CATALOG_COLUMNS, parseCatalog } from '../../src/sim/catalog-columns.js';
import { openShards } from '../../src/sim/shards.js';
import { Simulator } from '../../src/sim/survey.js';
import { writeSurvey } from '../../src/sim/writer.js';

const N = 8;
const config = { seed: 5, image: { size: 48 }, rates: { merger: 0.3, tidal: 0.3, artifact: 0.2 } };
let root: string;
let sim: Simulator;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'skyclip-sim-'));
  sim = await Simulator.create(config);
  await writeSurvey(sim, { outDir: join(root, 'a'), n: N, shardSize: 3 });
  await writeSurvey(await Simulator.create(config), { outDir: join(root, 'b'), n: N, shardSize: 3, writerThread: false });
});

after(() => rmSync(root, { recursive: true, force: true }));

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name).slice(dir.length + 1))
    .sort();
}

describe('skyclip mock survey on disk', () => {
  it('writes the same bytes for the same seed (worker-thread and inline writers alike)', () => {
    const a = listFiles(join(root, 'a'));
    const b = listFiles(join(root, 'b'));
    assert.deepEqual(a, b);
    assert.equal(a.filter((f) => f.startsWith('images/')).length, N);
    for (const f of a) assert.ok(readFileSync(join(root, 'a', f)).equals(readFileSync(join(root, 'b', f))), `${f} differs`);
  });

  it('has a catalogue whose documented columns parse back to the in-memory labels', () => {
    const text = readFileSync(join(root, 'a', 'catalog.csv'), 'utf8');
    const header = text.split('\n')[0].split(',');
    for (const required of ['id', 'ra', 'dec', 'class', 'z', 'split', 'image_path', 'spectrum_path']) assert.ok(header.includes(required), required);
    assert.deepEqual(header, CATALOG_COLUMNS.map((c) => c.name));
    const rows = parseCatalog(text);
    assert.equal(rows.length, N);
    const obj = sim.simulate(6);
    const row = rows[6];
    assert.equal(row.id, obj.labels.id);
    assert.equal(row.class, obj.labels.class);
    assert.ok(Math.abs(row.z - obj.labels.z) <= 1e-7 * obj.labels.z, 'z round-trips to 8 digits');
    assert.ok(Math.abs(row.mag_r - obj.labels.mag_r) < 1e-6, 'mag_r round-trips');
    assert.equal(row.shard, 'shard-00002');
    assert.equal(row.shard_index, 0);
  });

  it('documents every catalogue column in docs/mock-survey.md', () => {
    const doc = readFileSync('docs/mock-survey.md', 'utf8');
    for (const c of CATALOG_COLUMNS) assert.ok(doc.includes(`| \`${c.name}\` |`), `${c.name} is not in docs/mock-survey.md`);
  });

  it('writes Legacy-style cutouts: float32 [3, size, size], BANDS grz, nanomaggies, PSF and noise cards', async () => {
    const obj = sim.simulate(2);
    const fits = await readFits(join(root, 'a', obj.labels.image_path));
    const hdu = fits.hdus[0] as ImageHdu;
    const card = (k: string) => hdu.cards.find((c) => c.key === k)?.value;
    assert.deepEqual(hdu.shape, [3, 48, 48]);
    assert.equal(hdu.bitpix, -32);
    assert.equal(card('BANDS'), 'grz');
    assert.equal(card('BUNIT'), 'nanomaggy');
    assert.equal(card('PIXSCALE'), 0.262);
    assert.equal(card('NOISE_R'), obj.params.conditions.noiseNmgy[1]);
    assert.ok(Math.abs((card('PSFFWH_R') as number) - obj.labels.psf_fwhm_r) < 1e-12, 'PSF FWHM card');
    for (let i = 0; i < obj.image.length; i++) assert.equal(hdu.data[i], obj.image[i]);
  });

  it('writes spectra as a BINTABLE of WAVELENGTH, FLUX, IVAR with units', async () => {
    const obj = sim.simulate(3);
    const fits = await readFits(join(root, 'a', obj.labels.spectrum_path));
    const table = fits.hdus.find((h) => h.kind === 'bintable') as BinTableHdu;
    assert.equal(table.nrows, 7781);
    const col = (name: string) => table.columns.find((c) => c.name === name)!;
    assert.equal(col('WAVELENGTH').unit, 'Angstrom');
    assert.match(col('FLUX').unit ?? '', /10\*\*-17 erg/);
    assert.ok(col('IVAR').unit, 'IVAR has a unit');
    const wl = col('WAVELENGTH').data as Float64Array;
    assert.equal(wl[0], 3600);
    assert.ok(Math.abs(wl[7780] - 9824) < 1e-9, 'last pixel at 9824 A');
    const flux = col('FLUX').data as Float32Array;
    const ivar = col('IVAR').data as Float32Array;
    for (let i = 0; i < 7781; i++) {
      assert.equal(flux[i], obj.spectrum.flux[i]);
      assert.equal(ivar[i], obj.spectrum.ivar[i]);
    }
  });

  it('stores the same images and spectra in the binary shards', () => {
    const shards = openShards(join(root, 'a'));
    try {
      assert.equal(shards.count, N);
      assert.equal(shards.manifest.shards.length, 3);
      for (const i of [0, 4, 7]) {
        const obj = sim.simulate(i);
        const rec = shards.read(i);
        assert.deepEqual(rec.image, obj.image);
        assert.deepEqual(rec.flux, obj.spectrum.flux);
        assert.deepEqual(rec.ivar, obj.spectrum.ivar);
      }
      assert.deepEqual(shards.wavelength(), sim.wavelength);
    } finally {
      shards.close();
    }
  });

  it('runs as `skyclip simulate` and rejects bad arguments', () => {
    const out = join(root, 'cli');
    const run = spawnSync(process.execPath, ['bin/skyclip.js', 'simulate', '--n', '3', '--seed', '5', '--size', '48', '--out', out, '--quiet', '--no-fits'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /wrote 3 objects/);
    assert.equal(parseCatalog(readFileSync(join(out, 'catalog.csv'), 'utf8')).length, 3);
    const bad = spawnSync(process.execPath, ['bin/skyclip.js', 'simulate', '--out', out], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--n is required/);
  });
});
