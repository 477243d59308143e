/**
 * Ingest sources other than a survey folder: a user's catalog.csv (typed label columns,
 * extras, relative and absolute paths, refused rows) and a plain folder of FITS and PNG files
 * (pairing by file stem, modality by content, positions from headers, never guessed), plus the
 * errors for sources that hold nothing, and the header-position helpers.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { imageFromFile, spectrumFromFile } from '../../src/embed/index.js';
import { deprojectTan, ingest, parseSexagesimal, positionFromCards, resolveIngestSource } from '../../src/ingest/index.js';
import { writeFits } from '../../src/io/fits/write.js';
import { desiLikeHdus } from '../io/helpers/desi.js';
import { parseCatalog } from '../../src/sim/catalog-columns.js';
import type { ObjectLabels } from '../../src/sim/labels.js';
import { Store, angularSeparationDeg } from '../../src/store/index.js';
import { makeModel, makeSurvey, maxDiff, tempRoot, useWasm } from './helpers.js';

let root: string;
let cleanup: () => Promise<void>;
let surveyDir: string;
let catalog: ObjectLabels[];
let model: Awaited<ReturnType<typeof makeModel>>;

before(async () => {
  await useWasm();
  ({ root, cleanup } = tempRoot('sources'));
  surveyDir = await makeSurvey(join(root, 'survey'), 8, 11);
  catalog = parseCatalog(readFileSync(join(surveyDir, 'catalog.csv'), 'utf8'));
  model = await makeModel(join(root, 'model'), 2);
});

after(async () => {
  model?.model.dispose();
  await cleanup?.();
});

const contract = () => model.model.config.preprocess;

async function imageVector(path: string): Promise<number[]> {
  return Array.from(model.embedder.images([(await imageFromFile(path, contract().image)).data]));
}

async function spectrumVector(path: string): Promise<number[]> {
  return Array.from(model.embedder.spectra([(await spectrumFromFile(path, contract().spectrum)).flux]));
}

function openStore(name: string) {
  return Store.open(join(root, name), { modelId: model.id, create: true, dimension: model.embedder.dim });
}

describe('a catalog.csv source', () => {
  it('types known columns, keeps the others as extras, resolves paths and refuses bad rows', async () => {
    const dir = join(root, 'my-catalog');
    mkdirSync(join(dir, 'files'), { recursive: true });
    const [a, b, c] = catalog;
    copyFileSync(join(surveyDir, a.image_path), join(dir, 'files', 'a-img.fits'));
    copyFileSync(join(surveyDir, a.spectrum_path), join(dir, 'files', 'a-spec.fits'));
    copyFileSync(join(surveyDir, c.spectrum_path), join(dir, 'files', 'c-spec.fits'));
    const absoluteImage = join(surveyDir, b.image_path);
    const csv = [
      'id,ra,dec,class,z,is_lens,my_note,image_path,spectrum_path',
      `gal-a,${a.ra},${a.dec},GALAXY,0.125,false,"hello, ""world""",files/a-img.fits,files/a-spec.fits`,
      `gal-b,${b.ra},${b.dec},QSO,1.5,true,,${absoluteImage},`,
      `gal-c,${c.ra},${c.dec},,,,"two\nlines",,files/c-spec.fits`,
      `bad-ra,abc,10,GALAXY,0.1,false,,files/a-img.fits,`,
      `gal-a,1,2,GALAXY,0.1,false,,files/a-img.fits,`,
      `no-files,1,2,GALAXY,0.1,false,,,`,
      `bad-z,1,2,GALAXY,x,false,,files/a-img.fits,`,
      `bad-dec,1,95,GALAXY,0.1,false,,files/a-img.fits,`,
      '',
    ].join('\r\n');
    writeFileSync(join(dir, 'objects.csv'), csv);

    const source = await resolveIngestSource(join(dir, 'objects.csv'));
    assert.equal(source.kind, 'catalog');
    assert.deepEqual(source.entries.map((e) => e.id), ['gal-a', 'gal-b', 'gal-c']);
    assert.deepEqual(source.failed.map((f) => f.id), ['bad-ra', 'gal-a', 'no-files', 'bad-z', 'bad-dec']);
    const why = source.failed.map((f) => f.message).join('\n');
    assert.match(why, /line 6: column ra: 'abc' is not a number/);
    assert.match(why, /line 7: id gal-a already appears on line 2/);
    assert.match(why, /neither image_path nor spectrum_path/);
    assert.match(why, /column z: 'x' is not a number/);
    assert.match(why, /dec 95/);

    const store = await openStore('store-catalog');
    const report = await ingest(store, model.embedder, source);
    assert.equal(report.total, 8);
    assert.deepEqual(report.embedded, { image: 2, spectrum: 2 });
    assert.equal(report.failed.length, 5);
    const rowA = store.get('gal-a')!;
    assert.equal(rowA.class, 'GALAXY');
    assert.equal(rowA.z, 0.125);
    assert.equal(rowA.is_lens, false);
    assert.equal(rowA.image_path, 'files/a-img.fits');
    assert.deepEqual(rowA.extra, { my_note: 'hello, "world"', source_dir: dir });
    const rowB = store.get('gal-b')!;
    assert.equal(rowB.is_lens, true);
    assert.equal(rowB.image_path, absoluteImage);
    assert.equal(rowB.spectrum_path, null);
    const rowC = store.get('gal-c')!;
    assert.equal(rowC.class, null);
    assert.equal(rowC.extra.my_note, 'two\nlines');
    assert.deepEqual(store.modalitiesOf('gal-a'), ['image', 'spectrum']);
    assert.deepEqual(store.modalitiesOf('gal-b'), ['image']);
    assert.deepEqual(store.modalitiesOf('gal-c'), ['spectrum']);
    // The vectors are the model's own embeddings of those files.
    assert.ok(maxDiff(Array.from(store.vectorOf('gal-a', 'image')!), await imageVector(join(surveyDir, a.image_path))) < 1e-5);
    assert.ok(maxDiff(Array.from(store.vectorOf('gal-b', 'image')!), await imageVector(absoluteImage)) < 1e-5);
    assert.ok(maxDiff(Array.from(store.vectorOf('gal-c', 'spectrum')!), await spectrumVector(join(surveyDir, c.spectrum_path))) < 1e-5);
    await store.close();
  });

  it('refuses catalogs without the required columns, and sources that hold nothing', async () => {
    const dir = join(root, 'bad-sources');
    mkdirSync(join(dir, 'empty'), { recursive: true });
    mkdirSync(join(dir, 'docs-only'), { recursive: true });
    writeFileSync(join(dir, 'docs-only', 'README.md'), '# nothing to ingest\n');
    writeFileSync(join(dir, 'no-ra.csv'), 'id,dec,image_path\nx,1,a.fits\n');
    writeFileSync(join(dir, 'no-paths.csv'), 'id,ra,dec,z\nx,1,2,0.1\n');
    writeFileSync(join(dir, 'header-only.csv'), 'id,ra,dec,image_path\n');
    writeFileSync(join(dir, 'open-quote.csv'), 'id,ra,dec,image_path\n"x,1,2,a.fits\n');
    writeFileSync(join(dir, 'empty.csv'), '');
    await assert.rejects(resolveIngestSource(join(dir, 'nowhere')), { code: 'NOT_FOUND', message: /does not exist/ });
    await assert.rejects(resolveIngestSource(join(dir, 'empty')), { code: 'BAD_INPUT', message: /no catalog\.csv and no FITS, PNG or JPEG file/ });
    await assert.rejects(resolveIngestSource(join(dir, 'docs-only')), { code: 'BAD_INPUT' });
    await assert.rejects(resolveIngestSource(join(dir, 'no-ra.csv')), { code: 'BAD_INPUT', message: /no ra column/ });
    await assert.rejects(resolveIngestSource(join(dir, 'no-paths.csv')), { code: 'BAD_INPUT', message: /image_path or a spectrum_path column/ });
    await assert.rejects(resolveIngestSource(join(dir, 'header-only.csv')), { code: 'BAD_INPUT', message: /no objects/ });
    await assert.rejects(resolveIngestSource(join(dir, 'open-quote.csv')), { code: 'BAD_INPUT', message: /line 2 is never closed/ });
    await assert.rejects(resolveIngestSource(join(dir, 'empty.csv')), { code: 'BAD_INPUT', message: /is empty/ });
    await assert.rejects(resolveIngestSource(''), { code: 'BAD_INPUT' });
  });
});

describe('a folder of FITS and PNG files', () => {
  it('pairs files by stem, decides image or spectrum by content and takes positions from headers', async () => {
    const dir = join(root, 'cutouts');
    mkdirSync(join(dir, 'images'), { recursive: true });
    mkdirSync(join(dir, 'spectra'), { recursive: true });
    const [a, b, , d, , , h] = catalog;
    // A: images/A.fits + spectra/A.fits (the survey's files).
    copyFileSync(join(surveyDir, a.image_path), join(dir, 'images', 'A.fits'));
    copyFileSync(join(surveyDir, a.spectrum_path), join(dir, 'spectra', 'A.fits'));
    // B: a PNG picture + a spectrum whose RA/DEC cards give the position.
    const raw = Buffer.alloc(24 * 24 * 3);
    for (let p = 0; p < raw.length; p++) raw[p] = (p * 37) % 256;
    await sharp(raw, { raw: { width: 24, height: 24, channels: 3 } }).png().toFile(join(dir, 'B.png'));
    copyFileSync(join(surveyDir, b.spectrum_path), join(dir, 'B.fits'));
    // C: a PNG alone: no position anywhere.
    copyFileSync(join(dir, 'B.png'), join(dir, 'C.png'));
    // D: a spectrum alone, named like an image.
    copyFileSync(join(surveyDir, d.spectrum_path), join(dir, 'images', 'D.fits'));
    // E: an image with a TAN WCS whose reference pixel is a corner (no RA/DEC cards).
    const cube = new Float32Array(3 * 24 * 24).map((_, i) => 0.01 + ((i * 7919) % 101) / 1000);
    const scale = 0.262 / 3600;
    await writeFits(join(dir, 'E.fits'), [
      {
        kind: 'image',
        shape: [3, 24, 24],
        data: cube,
        cards: [
          { key: 'BANDS', value: 'grz' },
          { key: 'CTYPE1', value: 'RA---TAN' },
          { key: 'CTYPE2', value: 'DEC--TAN' },
          { key: 'CRVAL1', value: 150 },
          { key: 'CRVAL2', value: 60 },
          { key: 'CRPIX1', value: 1 },
          { key: 'CRPIX2', value: 1 },
          { key: 'CD1_1', value: -scale },
          { key: 'CD1_2', value: 0 },
          { key: 'CD2_1', value: 0 },
          { key: 'CD2_2', value: scale },
        ],
      },
    ]);
    // G: not FITS, PNG or JPEG despite its name; notes.txt: not a candidate at all.
    writeFileSync(join(dir, 'G.fits'), 'garbage '.repeat(500));
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    // H: two images of one object.
    copyFileSync(join(surveyDir, h.image_path), join(dir, 'H.fits'));
    copyFileSync(join(surveyDir, h.image_path), join(dir, 'images', 'H.fits'));

    const source = await resolveIngestSource(dir);
    assert.equal(source.kind, 'directory');
    assert.deepEqual(source.entries.map((e) => e.id), ['A', 'B', 'C', 'D', 'E', 'G', 'H']);

    const store = await openStore('store-folder');
    const report = await ingest(store, model.embedder, source, { batchSize: 3 });
    assert.equal(report.total, 7);
    assert.deepEqual(report.embedded, { image: 4, spectrum: 3 }); // images: A, B (PNG), E, H; spectra: A, B, D
    assert.deepEqual(
      report.failed.map((f) => [f.id, f.file.slice(dir.length + 1)]),
      [
        ['C', 'C.png'],
        ['G', 'G.fits'],
        ['H', 'images/H.fits'],
      ],
    );
    const why = new Map(report.failed.map((f) => [f.id, f.message]));
    assert.match(why.get('C')!, /no sky position/);
    assert.match(why.get('G')!, /not FITS, PNG or JPEG/);
    assert.match(why.get('H')!, /a second image for object H/);

    const near = (id: string, truth: { ra: number; dec: number }) => {
      const row = store.get(id)!;
      // catalog.csv keeps 8 significant digits, the headers full precision: 1e-5 deg = 0.04 arcsec.
      assert.ok(Math.abs(row.ra - truth.ra) < 1e-5 && Math.abs(row.dec - truth.dec) < 1e-5, `position of ${id}`);
      return row;
    };
    const rowA = near('A', a); // from the image's TAN WCS (CRPIX at the centre)
    assert.equal(rowA.image_path, 'images/A.fits');
    assert.equal(rowA.spectrum_path, 'spectra/A.fits');
    assert.ok(maxDiff(Array.from(store.vectorOf('A', 'image')!), await imageVector(join(dir, 'images', 'A.fits'))) < 1e-5);
    assert.ok(maxDiff(Array.from(store.vectorOf('A', 'spectrum')!), await spectrumVector(join(dir, 'spectra', 'A.fits'))) < 1e-5);
    const rowB = near('B', b); // from the spectrum's RA/DEC cards
    assert.equal(rowB.image_path, 'B.png');
    assert.ok(maxDiff(Array.from(store.vectorOf('B', 'image')!), await imageVector(join(dir, 'B.png'))) < 1e-5);
    const rowD = near('D', d);
    assert.deepEqual([rowD.image_path, rowD.spectrum_path], [null, 'images/D.fits']);
    assert.deepEqual(store.modalitiesOf('D'), ['spectrum']);
    near('H', h);
    assert.deepEqual(store.modalitiesOf('H'), ['image']);
    assert.equal(store.get('C'), undefined);
    assert.equal(store.get('G'), undefined);
    // E: the centre pixel (12.5, 12.5) is 11.5 pixels from CRPIX along both axes: east (RA down) and north.
    const rowE = store.get('E')!;
    const offset = 11.5 * scale;
    const expected = (Math.atan(Math.hypot(offset, offset) * (Math.PI / 180)) * 180) / Math.PI;
    assert.ok(Math.abs(angularSeparationDeg(rowE.ra, rowE.dec, 150, 60) - expected) < 1e-10);
    assert.ok(rowE.ra < 150 && rowE.dec > 60);

    // A rerun retries only what did not land (H keeps failing on its second image).
    const rerun = await ingest(store, model.embedder, dir);
    assert.equal(rerun.skipped, 4);
    assert.equal(rerun.processed, 3);
    assert.deepEqual(rerun.embedded, { image: 1, spectrum: 0 });
    assert.equal(store.count(), 5);
    await store.close();
  });
});

describe('a DESI per-camera spectra file', () => {
  it('is read as one spectrum merged across B, R and Z, placed at its FIBERMAP position', async () => {
    const dir = join(root, 'desi');
    mkdirSync(dir, { recursive: true });
    // The three cameras' real ranges on DESI's 0.8 A lattice.
    const cameras = { B: { start: 3600, n: 2914 }, R: { start: 5660, n: 2576 }, Z: { start: 7520, n: 2881 } };
    await writeFits(join(dir, 'coadd-sv1-42.fits'), desiLikeHdus({ nspec: 2, cameras, ra: [210.5, 211], dec: [-1.25, -1] }));
    const store = await openStore('store-desi');
    const report = await ingest(store, model.embedder, dir);
    assert.deepEqual(report.failed, []);
    assert.deepEqual(report.embedded, { image: 0, spectrum: 1 });
    const row = store.get('coadd-sv1-42')!;
    assert.deepEqual([row.ra, row.dec], [210.5, -1.25]);
    assert.ok(maxDiff(Array.from(store.vectorOf('coadd-sv1-42', 'spectrum')!), await spectrumVector(join(dir, 'coadd-sv1-42.fits'))) < 1e-5);
    await store.close();
  });
});

describe('positions from FITS headers', () => {
  it('reads RA/DEC cards in degrees or sexagesimal, and the centre of a TAN WCS', () => {
    assert.deepEqual(positionFromCards([{ key: 'RA', value: 150.5 }, { key: 'DEC', value: -2.25 }]), { ra: 150.5, dec: -2.25 });
    const sexa = positionFromCards([{ key: 'RA', value: '10:00:30' }, { key: 'DEC', value: '-02 15 00' }])!;
    assert.ok(Math.abs(sexa.ra - 150.125) < 1e-12 && Math.abs(sexa.dec + 2.25) < 1e-12);
    assert.equal(parseSexagesimal('12:61:00'), undefined);
    assert.equal(positionFromCards([{ key: 'RA', value: 10 }, { key: 'DEC', value: 91 }]), undefined);
    assert.equal(positionFromCards([{ key: 'OBJECT', value: 'M31' }]), undefined);
    // A non-TAN celestial WCS is not guessed from.
    assert.equal(positionFromCards([{ key: 'CTYPE1', value: 'RA---SIN' }, { key: 'CTYPE2', value: 'DEC--SIN' }, { key: 'CRVAL1', value: 1 }, { key: 'CRVAL2', value: 2 }], [10, 10]), undefined);
    // Gnomonic: a point at tangent-plane distance r lies atan(r) from the tangent point.
    for (const [xi, eta, ra0, dec0] of [
      [0.01, 0.02, 150, 2],
      [-0.5, 0.3, 10, 80],
      [0.2, -0.1, 359.9, -45],
    ]) {
      const p = deprojectTan(xi, eta, ra0, dec0);
      const expected = (Math.atan(Math.hypot(xi, eta) * (Math.PI / 180)) * 180) / Math.PI;
      assert.ok(Math.abs(angularSeparationDeg(p.ra, p.dec, ra0, dec0) - expected) < 1e-9);
    }
    const centre = positionFromCards(
      [
        { key: 'CTYPE1', value: 'RA---TAN' },
        { key: 'CTYPE2', value: 'DEC--TAN' },
        { key: 'CRVAL1', value: 150 },
        { key: 'CRVAL2', value: 2 },
        { key: 'CRPIX1', value: 12.5 },
        { key: 'CRPIX2', value: 12.5 },
        { key: 'CD1_1', value: -0.262 / 3600 },
        { key: 'CD2_2', value: 0.262 / 3600 },
      ],
      [3, 24, 24],
    )!;
    assert.ok(Math.abs(centre.ra - 150) < 1e-12 && Math.abs(centre.dec - 2) < 1e-12, 'CRPIX at the centre gives CRVAL');
  });
});
