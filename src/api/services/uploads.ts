/**
 * Uploaded files -> model inputs -> vectors. The format is judged by the bytes (a PNG named
 * .fits is a PNG), each file is read by the io layer and prepared by the model's preprocessing
 * contract, and files that parse but cannot be used are refused as UNUSABLE (422):
 *   - an image without the contract's bands (e.g. a 1-band FITS), smaller than the crop, or
 *     with no finite pixel in the crop;
 *   - a spectrum with no valid pixel, or none on the model's wavelength grid.
 * Errors name the uploaded file, never a server path.
 *
 *   const up = new UploadEmbedder(embedder, contract);
 *   const [{ vector }] = await up.embed([{ upload, modality: 'image' }]);
 */
import { prepareDisplayImage, prepareImage, prepareSpectrum } from '../../data/preprocess.js';
import type { Embedder } from '../../embed/index.js';
import { readImageBuffer } from '../../io/image.js';
import { describeFormat, type InputFormat } from '../../io/sniff.js';
import { readSpectrumBuffer } from '../../io/spectrum.js';
import type { PreprocessContract } from '../../nn/weights-io.js';
import type { Modality } from '../../store/index.js';
import { SkyclipError } from '../../util/errors.js';

/** One uploaded file (a multipart part or a raw body). */
export interface Upload {
  /** Multipart field name ('image', 'spectrum', 'positive_image', ...). */
  field: string;
  /** The client's file name (only for messages). */
  filename: string;
  bytes: Buffer;
  /** Detected from the first bytes. */
  format: InputFormat;
}

export interface PreparedUpload {
  modality: Modality;
  filename: string;
  format: InputFormat;
  /** The model's input: image [S, S, C] channels last, or the spectrum on the contract grid. */
  input: Float32Array;
  /** Image: masked pixels of the crop; spectrum: share of grid pixels filled. */
  masked: number;
}

export interface EmbeddedUpload extends PreparedUpload {
  vector: Float32Array;
}

/** Re-raises a contract problem with a file that did parse as UNUSABLE (422). */
function unusable(filename: string, err: unknown): never {
  if (err instanceof SkyclipError && err.code === 'BAD_INPUT') throw new SkyclipError('UNUSABLE', `${filename}: ${err.message}`, err.details);
  throw err;
}

export class UploadEmbedder {
  constructor(
    private readonly embedder: Embedder,
    private readonly contract: PreprocessContract,
  ) {}

  async prepare(upload: Upload, modality: Modality): Promise<PreparedUpload> {
    const name = upload.filename || upload.field || 'upload';
    if (upload.bytes.length === 0) throw new SkyclipError('BAD_INPUT', `${name}: the file is empty (0 bytes)`);
    if (upload.format === 'unknown') {
      throw new SkyclipError('UNSUPPORTED', `${name}: ${describeFormat('unknown')} (judged by its first bytes, not its name or declared type)`);
    }
    return modality === 'image' ? this.prepareImage(upload, name) : this.prepareSpectrum(upload, name);
  }

  private async prepareImage(upload: Upload, name: string): Promise<PreparedUpload> {
    const { image } = this.contract;
    const read = await readImageBuffer(upload.bytes, name, { bands: [...image.stretch.bands] });
    let prepared;
    try {
      prepared = read.kind === 'raster' ? prepareDisplayImage(read.data, read.shape, image) : prepareImage(read.data, read.shape, image);
    } catch (err) {
      unusable(name, err);
    }
    if (prepared.maskedPixels >= prepared.size * prepared.size) {
      throw new SkyclipError('UNUSABLE', `${name}: no finite pixel in the ${prepared.size}x${prepared.size} crop the model reads`);
    }
    return { modality: 'image', filename: name, format: upload.format, input: prepared.data, masked: prepared.maskedPixels };
  }

  private async prepareSpectrum(upload: Upload, name: string): Promise<PreparedUpload> {
    const read = await readSpectrumBuffer(upload.bytes, name);
    let prepared;
    try {
      prepared = prepareSpectrum(read.wavelength, read.flux, read.ivar, this.contract.spectrum);
    } catch (err) {
      unusable(name, err);
    }
    if (prepared.maskedFraction >= 1) {
      const { start, step, length } = this.contract.spectrum.grid;
      throw new SkyclipError('UNUSABLE', `${name}: no valid pixel on the model's wavelength grid (${start}-${start + step * (length - 1)} A)`);
    }
    return { modality: 'spectrum', filename: name, format: upload.format, input: prepared.flux, masked: prepared.maskedFraction };
  }

  /** Prepares every file first (so one bad file fails the request before any work), then embeds per modality. */
  async embed(items: ReadonlyArray<{ upload: Upload; modality: Modality }>): Promise<EmbeddedUpload[]> {
    const prepared: PreparedUpload[] = [];
    for (const { upload, modality } of items) prepared.push(await this.prepare(upload, modality));
    return this.embedPrepared(prepared);
  }

  embedPrepared(prepared: readonly PreparedUpload[]): EmbeddedUpload[] {
    const dim = this.embedder.dim;
    const out: EmbeddedUpload[] = prepared.map((p) => ({ ...p, vector: new Float32Array(0) }));
    for (const modality of ['image', 'spectrum'] as const) {
      const at = prepared.flatMap((p, i) => (p.modality === modality ? [i] : []));
      if (at.length === 0) continue;
      const inputs = at.map((i) => prepared[i].input);
      const vectors = modality === 'image' ? this.embedder.images(inputs) : this.embedder.spectra(inputs);
      at.forEach((i, j) => (out[i].vector = vectors.slice(j * dim, (j + 1) * dim)));
    }
    return out;
  }
}
