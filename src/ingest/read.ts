/**
 * One planned object's files -> model inputs (by the model's preprocessing contract) and its
 * complete catalog row. Every problem with a file becomes a failure naming the object and the
 * file; nothing here throws for bad input, so one bad file never stops a batch.
 *
 * Files whose modality the source names go through imageFromFile / spectrumFromFile (the
 * path `skyclip embed` takes). Files of a directory source are read once and their content
 * decides: PNG/JPEG is an image; FITS is tried as an image (readImage: a band cube, or one HDU
 * per band, with the contract's bands) and as a spectrum (readSpectrum: any layout it knows);
 * exactly one must succeed (both: a 3-D cube or a celestial WCS says image, anything else
 * spectrum). Positions of such objects come from their FITS headers (position.ts).
 *
 *   const prepared = await prepareItem(item, model.config.preprocess);
 *   prepared.image; prepared.spectrum;   // Float32Array model inputs, when read
 *   prepared.row;                        // ObjectInput, when the object has a position
 *   prepared.failed;                     // [{ id, file, message }]
 */
import type { PreprocessContract } from '../config/model-config.js';
import { prepareDisplayImage, prepareImage, prepareSpectrum } from '../data/preprocess.js';
import { imageFromFile, spectrumFromFile } from '../embed/index.js';
import { readFileBytes } from '../io/file.js';
import { cardString } from '../io/fits/header.js';
import { readFitsBuffer } from '../io/fits/read.js';
import type { FitsFile, Hdu } from '../io/fits/types.js';
import { imageCubeFromFits } from '../io/image.js';
import { readRasterBuffer } from '../io/raster.js';
import { describeFormat, sniffFormat } from '../io/sniff.js';
import { spectrumFromFits, type Spectrum } from '../io/spectrum.js';
import { objectInputFrom, type Modality, type ObjectInput } from '../store/index.js';
import { positionFromCards, type SkyPosition } from './position.js';
import { storedPath } from './source.js';
import type { IngestFailure, IngestItem } from './types.js';

export interface PreparedObject {
  id: string;
  /** The catalog row, complete with position; absent when the object has none. */
  row?: ObjectInput;
  /** Image model input [S * S * C], channels last. */
  image?: Float32Array;
  /** Spectrum model input on the contract grid [L]. */
  spectrum?: Float32Array;
  failed: IngestFailure[];
}

interface ReadFile {
  modality: Modality;
  data: Float32Array;
  position?: SkyPosition;
}

/** The error's message without the leading "<file>: " the io layer puts there (the failure names the file). */
export function problemOf(err: unknown, file: string): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message;
}

function spectrumInput(flux: Float32Array, maskedFraction: number, file: string): Float32Array {
  if (maskedFraction >= 1) throw new Error(`${file}: no pixel of the spectrum falls on the model's wavelength grid`);
  return flux;
}

/** Position from the HDU a reader used, then the primary HDU, then any other. */
function positionIn(file: FitsFile, used: number): SkyPosition | undefined {
  const order: Hdu[] = [...file.hdus].sort((a, b) => rank(a.index) - rank(b.index));
  function rank(index: number): number {
    return index === used ? 0 : index === 0 ? 1 : 2 + index;
  }
  for (const hdu of order) {
    const shape = hdu.kind === 'image' ? hdu.shape : [];
    const position = positionFromCards(hdu.cards, shape);
    if (position) return position;
  }
  return undefined;
}

function attempt<T>(fn: () => T): { ok: true; value: T } | { ok: false; error: string } {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** A FITS file whose reader-level content says "image" when both readers accept it. */
function looksLikeImage(file: FitsFile): boolean {
  return file.hdus.some((h) => h.kind === 'image' && (h.shape.length === 3 || /^(RA|DEC|GLON|GLAT)-/i.test(cardString(h.cards, 'CTYPE1')?.trim() ?? '')));
}

/** Reads a file of unknown modality and lets its content decide. Throws with a message for the failure. */
async function readByContent(path: string, contract: PreprocessContract): Promise<ReadFile> {
  const bytes = await readFileBytes(path);
  const format = sniffFormat(bytes);
  if (format === 'png' || format === 'jpeg') {
    const raster = await readRasterBuffer(bytes, path);
    return { modality: 'image', data: prepareDisplayImage(raster.data, raster.shape, contract.image).data };
  }
  if (format !== 'fits' && format !== 'gzip') throw new Error(`${path}: ${describeFormat(format)} (judged by its first bytes, whatever its name says)`);
  const fits = await readFitsBuffer(bytes, path);
  const image = attempt(() => imageCubeFromFits(fits, { bands: [...contract.image.stretch.bands] }));
  const spectrum = attempt(() => spectrumFromFits(fits));
  if (!image.ok && !spectrum.ok) {
    const why = (e: string) => (e.startsWith(`${path}: `) ? e.slice(path.length + 2) : e);
    throw new Error(`${path}: neither an image the model reads (${why(image.error)}) nor a spectrum (${why(spectrum.error)})`);
  }
  if (image.ok && (!spectrum.ok || looksLikeImage(fits))) {
    const cube = image.value;
    return { modality: 'image', data: prepareImage(cube.data, cube.shape, contract.image).data, position: positionIn(fits, cube.meta.hdus[0] ?? 0) };
  }
  const s = (spectrum as { ok: true; value: Spectrum }).value;
  const prepared = prepareSpectrum(s.wavelength, s.flux, s.ivar, contract.spectrum);
  // A DESI per-camera file knows each spectrum's position from its FIBERMAP row; else the headers.
  const position = s.meta.ra !== undefined && s.meta.dec !== undefined ? { ra: s.meta.ra, dec: s.meta.dec } : positionIn(fits, s.meta.hdu);
  return { modality: 'spectrum', data: spectrumInput(prepared.flux, prepared.maskedFraction, path), position };
}

/** Reads and prepares one item's files; builds its row. Never throws for a bad file. */
export async function prepareItem(item: IngestItem, contract: PreprocessContract): Promise<PreparedObject> {
  const out: PreparedObject = { id: item.id, failed: [] };
  const fail = (file: string, err: unknown) => out.failed.push({ id: item.id, file, message: problemOf(err, file) });

  if (!item.files) {
    if (item.image) {
      try {
        out.image = (await imageFromFile(item.image, contract.image)).data;
      } catch (err) {
        fail(item.image, err);
      }
    }
    if (item.spectrum) {
      try {
        const s = await spectrumFromFile(item.spectrum, contract.spectrum);
        out.spectrum = spectrumInput(s.flux, s.maskedFraction, item.spectrum);
      } catch (err) {
        fail(item.spectrum, err);
      }
    }
    try {
      out.row = objectInputFrom(item.row);
    } catch (err) {
      fail('', err);
    }
    return out;
  }

  const paths: Partial<Record<Modality, string>> = {};
  let position: SkyPosition | undefined;
  for (const file of item.files) {
    let read: ReadFile;
    try {
      read = await readByContent(file, contract);
    } catch (err) {
      fail(file, err);
      continue;
    }
    const first = paths[read.modality];
    if (first !== undefined) {
      fail(file, new Error(`a second ${read.modality} for object ${item.id} (the first is ${first})`));
      continue;
    }
    paths[read.modality] = file;
    out[read.modality] = read.data;
    position ??= read.position;
  }
  if (!out.image && !out.spectrum) return out;
  const known = typeof item.row.ra === 'number' && typeof item.row.dec === 'number' ? { ra: item.row.ra, dec: item.row.dec } : undefined;
  const at = position ?? known;
  if (!at) {
    out.failed.push({
      id: item.id,
      file: paths.image ?? paths.spectrum ?? item.files[0],
      message: 'no sky position: no RA/DEC cards and no celestial TAN WCS (CTYPE1/2 = RA---TAN/DEC--TAN with CRVAL1/2) in its FITS headers',
    });
    delete out.image;
    delete out.spectrum;
    return out;
  }
  const row: Record<string, unknown> = { ...item.row, ra: at.ra, dec: at.dec };
  if (paths.image) row.image_path = storedPath(item.root, paths.image);
  if (paths.spectrum) row.spectrum_path = storedPath(item.root, paths.spectrum);
  out.row = objectInputFrom(row);
  return out;
}
