/**
 * DESI's per-camera spectra (coadd-*.fits, spectra-*.fits): image HDUs B_WAVELENGTH [nwave],
 * B_FLUX and B_IVAR [nspec, nwave], optional B_MASK, and the same for R and Z, with a FIBERMAP
 * table (TARGETID, TARGET_RA, TARGET_DEC) giving one row per spectrum. The cameras overlap
 * (B 3600-5930 A, R 5660-7720 A, Z 7520-9824 A) on one shared 0.8 A lattice.
 *
 * One spectrum (row `row` of every camera) is merged into one increasing grid:
 * - where two cameras have the same wavelength (within 1e-6 A) the pixel is their inverse-variance
 *   weighted mean, with the summed ivar (how DESI's own brz coadds combine cameras);
 * - where their grids do not coincide, each keeps its side of the overlap's midpoint, so the
 *   grid stays strictly increasing without inventing resampled values;
 * - a pixel with a non-zero MASK bit gets ivar 0.
 *
 *   const cams = findCameraHdus(file);                 // [] when the file is not per-camera
 *   const merged = mergeCameras(cams, 3, file.source); // the 4th fiber's brz spectrum
 */
import { ioError } from './io-error.js';
import { cardString, extname } from './fits/header.js';
import type { BinTableHdu, FitsFile, ImageHdu } from './fits/types.js';
import { angstromPerUnit } from './wavelength.js';

export interface CameraHdus {
  /** Camera letter as in the EXTNAMEs: 'B', 'R', 'Z' (any prefix before _WAVELENGTH / _FLUX). */
  camera: string;
  wavelength: ImageHdu;
  flux: ImageHdu;
  ivar?: ImageHdu;
  mask?: ImageHdu;
}

export interface MergedCameras {
  wavelength: Float64Array;
  flux: Float32Array;
  ivar: Float32Array;
  /** Cameras in wavelength order. */
  cameras: string[];
  /** Spectra in the file (rows of the flux images). */
  spectra: number;
  fluxUnit?: string;
  /** Pixels where two cameras were combined. */
  combinedPixels: number;
}

/** Same wavelength in two cameras: DESI's grids coincide exactly; allow float noise. */
const SAME_WAVELENGTH = 1e-6;

function imageByName(file: FitsFile, name: string): ImageHdu | undefined {
  const hdu = file.hdus.find((h) => extname(h.cards)?.toUpperCase() === name);
  return hdu && hdu.kind === 'image' ? hdu : undefined;
}

/** The per-camera HDU sets of a file (each with WAVELENGTH and FLUX), in file order; [] if none. */
export function findCameraHdus(file: FitsFile): CameraHdus[] {
  const out: CameraHdus[] = [];
  for (const hdu of file.hdus) {
    const match = /^([A-Z0-9]+)_FLUX$/.exec(extname(hdu.cards)?.toUpperCase() ?? '');
    if (!match || hdu.kind !== 'image') continue;
    const camera = match[1]!;
    const wavelength = imageByName(file, `${camera}_WAVELENGTH`);
    if (!wavelength) {
      throw ioError('UNUSABLE', file.source, `HDU ${hdu.index} (${camera}_FLUX) has no ${camera}_WAVELENGTH image beside it`);
    }
    const ivar = imageByName(file, `${camera}_IVAR`);
    const mask = imageByName(file, `${camera}_MASK`);
    out.push({ camera, wavelength, flux: hdu, ...(ivar ? { ivar } : {}), ...(mask ? { mask } : {}) });
  }
  return out;
}

interface CameraRow {
  camera: string;
  wavelength: Float64Array;
  flux: Float32Array;
  ivar: Float32Array;
}

/** Rows in a camera's flux image: [nspec, nwave] or a single 1-D spectrum. */
function spectraIn(c: CameraHdus): number {
  return c.flux.shape.length === 2 ? c.flux.shape[0]! : 1;
}

function cameraRow(c: CameraHdus, row: number, source: string): CameraRow {
  const what = `${c.camera}_FLUX (HDU ${c.flux.index})`;
  if (c.wavelength.shape.length !== 1) throw ioError('UNUSABLE', source, `${c.camera}_WAVELENGTH must be 1-D, not shape [${c.wavelength.shape.join(', ')}]`);
  if (c.flux.shape.length !== 1 && c.flux.shape.length !== 2) throw ioError('UNUSABLE', source, `${what} must be [nspec, nwave] or 1-D, not shape [${c.flux.shape.join(', ')}]`);
  const nwave = c.wavelength.shape[0]!;
  const npix = c.flux.shape[c.flux.shape.length - 1]!;
  if (npix !== nwave) throw ioError('UNUSABLE', source, `${what} has ${npix} pixels per spectrum but ${c.camera}_WAVELENGTH has ${nwave}`);
  for (const [name, hdu] of [['IVAR', c.ivar], ['MASK', c.mask]] as const) {
    if (hdu && hdu.shape.join('x') !== c.flux.shape.join('x')) {
      throw ioError('UNUSABLE', source, `${c.camera}_${name} has shape [${hdu.shape.join(', ')}], ${c.camera}_FLUX [${c.flux.shape.join(', ')}]`);
    }
  }
  const factor = angstromPerUnit(cardString(c.wavelength.cards, 'BUNIT'), source, `${c.camera}_WAVELENGTH`);
  const at = (hdu: ImageHdu) => hdu.data.subarray(row * npix, (row + 1) * npix);
  const flux = Float32Array.from(at(c.flux));
  const ivar = c.ivar ? Float32Array.from(at(c.ivar)) : new Float32Array(npix).fill(1);
  const mask = c.mask ? at(c.mask) : undefined;
  for (let i = 0; i < npix; i++) {
    const bad = !Number.isFinite(flux[i]!) || !Number.isFinite(ivar[i]!) || ivar[i]! < 0 || (mask !== undefined && mask[i] !== 0);
    if (bad) ivar[i] = 0;
  }
  const wavelength = Float64Array.from(c.wavelength.data, (w) => w * factor);
  for (let i = 0; i < nwave; i++) {
    if (!Number.isFinite(wavelength[i]!) || wavelength[i]! <= 0 || (i > 0 && wavelength[i]! <= wavelength[i - 1]!)) {
      throw ioError('UNUSABLE', source, `${c.camera}_WAVELENGTH is not finite, positive and strictly increasing (pixel ${i}: ${wavelength[i]})`);
    }
  }
  return { camera: c.camera, wavelength, flux, ivar };
}

/** Row `row` of every camera, merged onto one strictly increasing grid (see the module comment). */
export function mergeCameras(cameras: readonly CameraHdus[], row: number, source: string): MergedCameras {
  if (cameras.length === 0) throw ioError('UNUSABLE', source, 'no per-camera spectra (X_FLUX with X_WAVELENGTH) in the file');
  const spectra = spectraIn(cameras[0]!);
  for (const c of cameras) {
    if (spectraIn(c) !== spectra) throw ioError('UNUSABLE', source, `camera ${c.camera} holds ${spectraIn(c)} spectra, camera ${cameras[0]!.camera} ${spectra}`);
  }
  if (!Number.isInteger(row) || row < 0 || row >= spectra) {
    throw ioError('BAD_INPUT', source, `spectrum row ${row} does not exist (the file holds ${spectra} spectra, rows 0-${spectra - 1})`);
  }
  const rows = cameras.map((c) => cameraRow(c, row, source)).sort((a, b) => a.wavelength[0]! - b.wavelength[0]!);
  const wave: number[] = [];
  const num: number[] = []; // sum of ivar * flux, or the flux where ivar is 0 everywhere
  const den: number[] = []; // sum of ivar
  let combinedPixels = 0;
  for (const r of rows) {
    const n = r.wavelength.length;
    let start = 0;
    if (wave.length > 0) {
      const last = wave[wave.length - 1]!;
      const first = r.wavelength[0]!;
      if (first <= last + SAME_WAVELENGTH) {
        // Overlap. Where the grids coincide, combine; otherwise split at the overlap's midpoint.
        const firstShared = wave.findIndex((w) => Math.abs(w - first) <= SAME_WAVELENGTH);
        const coincide = firstShared >= 0 && wave.slice(firstShared).every((w, k) => k < n && Math.abs(w - r.wavelength[k]!) <= SAME_WAVELENGTH);
        if (coincide) {
          for (let k = 0; firstShared + k < wave.length; k++, start++) {
            const j = firstShared + k;
            if (r.ivar[k]! > 0 && den[j]! > 0) combinedPixels++;
            if (r.ivar[k]! > 0) {
              num[j] = (den[j]! > 0 ? num[j]! : 0) + r.ivar[k]! * r.flux[k]!;
              den[j] = den[j]! + r.ivar[k]!;
            }
          }
        } else {
          const mid = (first + last) / 2;
          while (wave.length > 0 && wave[wave.length - 1]! >= mid) {
            wave.pop();
            num.pop();
            den.pop();
          }
          while (start < n && r.wavelength[start]! <= Math.max(mid, wave[wave.length - 1] ?? 0)) start++;
        }
      }
    }
    for (let k = start; k < n; k++) {
      wave.push(r.wavelength[k]!);
      num.push(r.ivar[k]! > 0 ? r.ivar[k]! * r.flux[k]! : r.flux[k]!);
      den.push(r.ivar[k]!);
    }
  }
  const flux = Float32Array.from(num, (v, i) => (den[i]! > 0 ? v / den[i]! : v));
  const fluxUnit = cardString(cameras[0]!.flux.cards, 'BUNIT')?.trim();
  return {
    wavelength: Float64Array.from(wave),
    flux,
    ivar: Float32Array.from(den),
    cameras: rows.map((r) => r.camera),
    spectra,
    ...(fluxUnit ? { fluxUnit } : {}),
    combinedPixels,
  };
}

export interface FibermapEntry {
  targetId?: string;
  ra?: number;
  dec?: number;
}

/** TARGETID and TARGET_RA / TARGET_DEC (or RA / DEC) of row `row` of the FIBERMAP table, when present. */
export function fibermapEntry(file: FitsFile, row: number): FibermapEntry {
  const table = file.hdus.find((h): h is BinTableHdu => h.kind === 'bintable' && extname(h.cards)?.toUpperCase() === 'FIBERMAP');
  if (!table || row >= table.nrows) return {};
  const column = (...names: string[]) => table.columns.find((c) => names.includes(c.name.toUpperCase()) && c.repeat === 1);
  const value = (...names: string[]) => {
    const c = column(...names);
    if (!c || Array.isArray(c.data)) return undefined;
    const v = (c.data as Float64Array | Float32Array | Int32Array)[row]!;
    return Number.isFinite(v) ? v : undefined;
  };
  const out: FibermapEntry = {};
  const id = value('TARGETID');
  // 64-bit ids are decoded as doubles: beyond 2^53 (most DESI TARGETIDs) they would be rounded, so
  // an id is only reported when it is exact.
  if (id !== undefined && Number.isSafeInteger(id)) out.targetId = String(id);
  const ra = value('TARGET_RA', 'RA');
  const dec = value('TARGET_DEC', 'DEC');
  if (ra !== undefined && dec !== undefined && dec >= -90 && dec <= 90) {
    out.ra = ra;
    out.dec = dec;
  }
  return out;
}
