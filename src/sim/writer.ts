/**
 * Writes a mock survey to disk (what `skyclip simulate` does):
 *   DIR/catalog.csv               one row per object (columns: catalog-columns.ts)
 *   DIR/images/<id>.fits          float32 cube [3, size, size], BANDS = 'grz', BUNIT = 'nanomaggy'
 *   DIR/spectra/<id>.fits         BINTABLE WAVELENGTH, FLUX, IVAR (one row per pixel), units in TUNITn
 *   DIR/shards/manifest.json + shard-*.bin   the same images and spectra for training (shards.ts)
 *   DIR/survey.json               the resolved config and what was written
 * Output depends only on the config (no dates, no host names): the same seed gives the same bytes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HeaderCard, WritableHdu } from '../io/fits/types.js';
import { catalogHeader, catalogRow } from './catalog-columns.js';
import { DESI_N, DESI_START, DESI_STEP } from './desi.js';
import { FitsWriteQueue } from './fits-queue.js';
import { ShardWriter } from './shards.js';
import type { SimulatedObject, Simulator } from './survey.js';

export interface WriteSurveyOptions {
  outDir: string;
  /** Number of objects (indices first .. first + n - 1). */
  n: number;
  first?: number;
  /** Write the per-object FITS files (default true). */
  fits?: boolean;
  /** Write the binary shards (default true). */
  shards?: boolean;
  shardSize?: number;
  /** Encode and write the FITS files on a worker thread (default true); false keeps everything on this thread. */
  writerThread?: boolean;
  /** FITS files kept in flight at once (they fsync; overlapping them hides the latency). */
  concurrency?: number;
  /** Called after each object with the number done. */
  onProgress?: (done: number) => void;
}

export interface WriteSurveyResult {
  n: number;
  /** Wall-clock time and rate. */
  seconds: number;
  objectsPerSecond: number;
  /** CPU time of the whole process (all threads) over the same span: load-independent cost. */
  cpuSeconds: number;
  catalogPath: string;
}

const FWHM_PER_SIGMA = 2 * Math.sqrt(2 * Math.LN2);

function card(key: string, value: HeaderCard['value'], comment?: string): HeaderCard {
  return comment ? { key, value, comment } : { key, value };
}

/** Header cards and data of an object's cutout, Legacy Surveys style (cube [band, y, x], BANDS card, TAN WCS). */
export function imageHdu(obj: SimulatedObject, shape: readonly [number, number, number], pixelScale: number): WritableHdu {
  const [, h, w] = shape;
  const l = obj.labels;
  const c = obj.params.conditions;
  const cards: HeaderCard[] = [
    card('BANDS', 'grz', 'bands along NAXIS3'),
    card('BUNIT', 'nanomaggy', 'm_AB = 22.5 - 2.5 log10(flux)'),
    card('PIXSCALE', pixelScale, 'arcsec per pixel'),
    card('CTYPE1', 'RA---TAN'),
    card('CTYPE2', 'DEC--TAN'),
    card('CRVAL1', l.ra, 'deg'),
    card('CRVAL2', l.dec, 'deg'),
    card('CRPIX1', (w + 1) / 2),
    card('CRPIX2', (h + 1) / 2),
    card('CD1_1', -pixelScale / 3600),
    card('CD1_2', 0),
    card('CD2_1', 0),
    card('CD2_2', pixelScale / 3600),
    card('OBJID', l.id),
    card('CLASS', l.class),
    card('Z', l.z, 'true redshift'),
  ];
  const bands = ['G', 'R', 'Z'];
  for (let b = 0; b < 3; b++) {
    cards.push(card(`PSFSIG_${bands[b]}`, c.psfSigmaPx[b], `Gaussian PSF sigma in ${bands[b].toLowerCase()} (pixels)`));
    cards.push(card(`PSFFWH_${bands[b]}`, c.psfSigmaPx[b] * FWHM_PER_SIGMA * pixelScale, 'PSF FWHM (arcsec)'));
    cards.push(card(`NOISE_${bands[b]}`, c.noiseNmgy[b], 'sky noise per pixel (nanomaggy)'));
  }
  cards.push(card('SIMULATD', true, 'skyclip mock survey (src/sim)'));
  return { kind: 'image', shape: [3, h, w], data: obj.image, cards };
}

/** The spectrum as a BINTABLE, one row per pixel (the SDSS spec-lite layout). */
export function spectrumHdu(obj: SimulatedObject, wavelength: Float64Array): WritableHdu {
  const l = obj.labels;
  return {
    kind: 'bintable',
    extname: 'SPECTRUM',
    columns: [
      { name: 'WAVELENGTH', unit: 'Angstrom', data: wavelength },
      { name: 'FLUX', unit: '10**-17 erg/(s cm2 Angstrom)', data: obj.spectrum.flux },
      { name: 'IVAR', unit: '10**+34 (s2 cm4 Angstrom2) / erg2', data: obj.spectrum.ivar },
    ],
    cards: [
      card('OBJID', l.id),
      card('CLASS', l.class),
      card('Z', l.z, 'true redshift'),
      card('RA', l.ra, 'deg'),
      card('DEC', l.dec, 'deg'),
      card('AIRORVAC', 'vac', 'vacuum wavelengths'),
      card('PROGRAM', l.spec_program, 'DESI program (sets the depth)'),
      card('FIBFRAC', l.fibre_fraction, 'object r light in the 1.5 arcsec fibre'),
      card('SNR_R', l.spec_snr_r, 'median S/N per pixel, 5760-7620 A'),
      card('SIMULATD', true, 'skyclip mock survey (src/sim)'),
    ],
  };
}

/** Generates objects first..first+n-1 and writes every product. */
export async function writeSurvey(sim: Simulator, options: WriteSurveyOptions): Promise<WriteSurveyResult> {
  const { outDir, n } = options;
  const first = options.first ?? 0;
  const writeFitsFiles = options.fits ?? true;
  const writeShards = options.shards ?? true;
  const queue = writeFitsFiles ? await FitsWriteQueue.create({ threaded: options.writerThread ?? true, maxInFlight: options.concurrency ?? 64 }) : null;
  const cfg = sim.config;
  mkdirSync(outDir, { recursive: true });
  if (writeFitsFiles) {
    mkdirSync(join(outDir, 'images'), { recursive: true });
    mkdirSync(join(outDir, 'spectra'), { recursive: true });
  }
  const shards = writeShards
    ? new ShardWriter({
        dir: outDir,
        shardSize: options.shardSize,
        imageShape: sim.imageShape,
        pixelScaleArcsec: cfg.image.pixelScale,
        wavelength: { start: DESI_START, step: DESI_STEP, n: DESI_N },
        first,
      })
    : null;
  const rows: string[] = [catalogHeader()];
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (let i = first; i < first + n; i++) {
    const obj = sim.simulate(i);
    if (shards) {
      const at = shards.nextLocation();
      obj.labels.shard = at.shard;
      obj.labels.shard_index = at.index;
      await shards.add(obj.image, obj.spectrum.flux, obj.spectrum.ivar);
    }
    if (!writeFitsFiles) {
      obj.labels.image_path = '';
      obj.labels.spectrum_path = '';
    }
    rows.push(catalogRow(obj.labels));
    if (queue) {
      await queue.write(join(outDir, obj.labels.image_path), [imageHdu(obj, sim.imageShape, cfg.image.pixelScale)]);
      await queue.write(join(outDir, obj.labels.spectrum_path), [spectrumHdu(obj, sim.wavelength)]);
    }
    options.onProgress?.(i - first + 1);
  }
  await queue?.close();
  const manifest = await shards?.finish();
  const catalogPath = join(outDir, 'catalog.csv');
  writeFileSync(catalogPath, `${rows.join('\n')}\n`);
  writeFileSync(
    join(outDir, 'survey.json'),
    `${JSON.stringify(
      {
        generator: 'skyclip simulate',
        first,
        n,
        products: { catalog: 'catalog.csv', images: writeFitsFiles ? 'images/' : null, spectra: writeFitsFiles ? 'spectra/' : null, shards: manifest ? 'shards/manifest.json' : null },
        config: cfg,
      },
      null,
      2,
    )}\n`,
  );
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return { n, seconds, objectsPerSecond: n / seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, catalogPath };
}
