/**
 * One object's files and its life cycle through the API:
 *   - where its image and spectrum files are: image_path / spectrum_path from the catalog,
 *     absolute, or relative to the folder the object was ingested from (`extra.source_dir`,
 *     written by src/ingest), else to the configured survey folder;
 *   - the cutout as a PNG in the Legacy-viewer stretch (R = z, G = r, B = g) and the spectrum
 *     as an SVG plot;
 *   - ingesting an uploaded object (POST /v1/objects): every file is read, checked and embedded
 *     BEFORE anything is written, so a bad upload leaves the store as it was; the files are then
 *     kept under <state>/uploads/, the row and vectors committed, and the graphs saved;
 *   - deleting an object (its row, vectors and uploaded files).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import sharp from 'sharp';
import { readImageBuffer } from '../../io/image.js';
import { sniffFormat } from '../../io/sniff.js';
import { readSpectrumBuffer } from '../../io/spectrum.js';
import { type Modality, OBJECT_COLUMNS, type ObjectInput, type ObjectRow, type Store, objectInputFrom } from '../../store/index.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { SkyclipError, badInput } from '../../util/errors.js';
import { cutoutPng, spectrumPlot, toSvg } from '../../viz/index.js';
import type { StoreVersion } from './store-version.js';
import type { Upload, UploadEmbedder } from './uploads.js';

/** Upload sub-folder of the service's state folder. */
export const UPLOADS_DIR = 'uploads';

const EXTENSION: Record<string, string> = { fits: 'fits', gzip: 'fits.gz', png: 'png', jpeg: 'jpg' };

/** Catalog columns of the right type (checked before any write, so a bad value cannot cost a replaced object). */
function checkColumns(input: ObjectInput): void {
  const record = input as Record<string, unknown>;
  for (const c of OBJECT_COLUMNS) {
    const v = record[c.name];
    if (v === undefined || v === null) continue;
    const want = c.type === 'text' ? 'string' : c.type === 'real' ? 'number' : 'boolean';
    if (typeof v !== want) throw badInput(`metadata.${c.name} must be a ${want} or null, got ${JSON.stringify(v)}`, { column: c.name });
  }
}

export class ObjectFiles {
  constructor(
    private readonly store: Store,
    private readonly embedder: UploadEmbedder,
    private readonly version: StoreVersion,
    /** Base of relative file paths for rows that do not say where they came from. */
    private readonly surveyDir: string,
    /** Where uploaded objects' files are kept (one sub-folder per object). */
    readonly uploadsDir: string,
  ) {}

  row(id: string): ObjectRow {
    const row = this.store.get(id);
    if (!row) throw new SkyclipError('NOT_FOUND', `no object with id ${JSON.stringify(id)}`, { id });
    return row;
  }

  /** Absolute path of an object's image or spectrum file, or undefined when the catalog names none. */
  filePath(row: ObjectRow, which: Modality): string | undefined {
    const path = which === 'image' ? row.image_path : row.spectrum_path;
    if (!path) return undefined;
    if (isAbsolute(path)) return path;
    const sourceDir = typeof row.extra?.source_dir === 'string' ? row.extra.source_dir : this.surveyDir;
    return resolve(sourceDir, path);
  }

  private async fileBytes(row: ObjectRow, which: Modality): Promise<{ bytes: Buffer; name: string }> {
    const path = this.filePath(row, which);
    if (!path) throw new SkyclipError('NOT_FOUND', `object ${JSON.stringify(row.id)} has no ${which} file`, { id: row.id });
    try {
      return { bytes: await readFile(path), name: `${row.id} ${which}` };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new SkyclipError('NOT_FOUND', `the ${which} file of object ${JSON.stringify(row.id)} is missing on the server`, { id: row.id });
      }
      throw err;
    }
  }

  /** The cutout as PNG: FITS cubes in the Legacy-viewer stretch; pictures (already stretched) as they are. */
  async cutoutPng(id: string, scale: number): Promise<Buffer> {
    const { bytes, name } = await this.fileBytes(this.row(id), 'image');
    const image = await readImageBuffer(bytes, name, sniffFormat(bytes) === 'png' || sniffFormat(bytes) === 'jpeg' ? {} : { bands: ['g', 'r', 'z'] });
    if (image.kind === 'fits') return cutoutPng(image.data, image.shape, { upscale: scale });
    const [, height, width] = image.shape;
    return sharp(bytes)
      .resize(width * scale, height * scale, { kernel: 'nearest' })
      .png()
      .toBuffer();
  }

  /** The spectrum as an SVG plot, lines marked at the catalog redshift when there is one. */
  async spectrumSvg(id: string): Promise<string> {
    const row = this.row(id);
    const { bytes, name } = await this.fileBytes(row, 'spectrum');
    const spectrum = await readSpectrumBuffer(bytes, name);
    const z = typeof row.z === 'number' && row.z > -1 ? row.z : undefined;
    const panel = spectrumPlot(
      { wavelength: spectrum.wavelength, flux: spectrum.flux, ivar: spectrum.ivar },
      { redshift: z, smooth: 5, title: `${id}${row.class ? ` (${row.class}${z !== undefined ? `, z = ${z.toFixed(3)}` : ''})` : ''}`, width: 900, height: 360 },
    );
    return toSvg(panel);
  }

  /**
   * Adds an uploaded object: metadata (id, ra, dec, catalog columns) and an image and/or a
   * spectrum file. An existing id is a CONFLICT unless `replace` (then the old object goes).
   */
  async create(metadata: Record<string, unknown>, uploads: readonly Upload[], replace: boolean): Promise<{ row: ObjectRow; modalities: Modality[]; replaced: boolean }> {
    const files = new Map<Modality, Upload>();
    for (const u of uploads) {
      if (u.field !== 'image' && u.field !== 'spectrum') throw badInput(`unexpected file field '${u.field}'; use image and/or spectrum`);
      if (files.has(u.field)) throw badInput(`one ${u.field} file per object`);
      files.set(u.field, u);
    }
    if (files.size === 0) throw badInput('an object needs an image file, a spectrum file or both (multipart fields image, spectrum)');
    const input: ObjectInput = objectInputFrom({ ...metadata, image_path: null, spectrum_path: null });
    checkColumns(input);
    const id = input.id;
    const existing = this.store.get(id);
    if (existing && !replace) throw new SkyclipError('CONFLICT', `object ${JSON.stringify(id)} already exists; add ?replace=true to replace it`, { id });

    // Everything that can fail on the client's data happens before the first write.
    const embedded = await this.embedder.embed([...files].map(([modality, upload]) => ({ upload, modality })));

    const dir = join(this.uploadsDir, createHash('sha256').update(id).digest('hex').slice(0, 32));
    await mkdir(dir, { recursive: true });
    const paths: Partial<Record<Modality, string>> = {};
    for (const [modality, upload] of files) {
      const path = join(dir, `${modality}.${EXTENSION[upload.format] ?? 'bin'}`);
      await writeFileAtomic(path, upload.bytes);
      paths[modality] = path;
    }
    const row: ObjectInput = { ...input, image_path: paths.image ?? null, spectrum_path: paths.spectrum ?? null };
    try {
      if (existing) await this.store.delete([id]);
      this.store.upsertObjects([row]);
      for (const e of embedded) await this.store.addEmbeddings(e.modality, [{ id, vector: e.vector }]);
    } catch (err) {
      // Leave no half object: the row without its vectors would be found by catalog queries.
      await this.store.delete([id]).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
      this.version.bump();
      throw err;
    }
    await this.store.save();
    this.version.bump();
    return { row: this.row(id), modalities: this.store.modalitiesOf(id), replaced: existing !== undefined };
  }

  async delete(id: string): Promise<void> {
    const row = this.row(id);
    const { deleted } = await this.store.delete([id]);
    if (deleted === 0) throw new SkyclipError('NOT_FOUND', `no object with id ${JSON.stringify(id)}`, { id });
    const uploads = resolve(this.uploadsDir);
    for (const which of ['image', 'spectrum'] as const) {
      const path = this.filePath(row, which);
      // Only files the API itself stored are removed; survey files belong to their survey.
      if (path && resolve(path).startsWith(`${uploads}/`)) await rm(resolve(path, '..'), { recursive: true, force: true });
    }
    await this.store.save();
    this.version.bump();
  }
}
