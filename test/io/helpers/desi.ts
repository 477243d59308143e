/**
 * A DESI-like per-camera spectra file (coadd layout): FIBERMAP + B/R/Z _WAVELENGTH, _FLUX, _IVAR,
 * _MASK image HDUs, with `nspec` spectra. B and R share the 0.8 A lattice over their overlap (as
 * DESI's do); Z starts half a pixel off it, to exercise the midpoint split. Row s of camera X
 * has flux level FLUX[X] + s and ivar IVAR[X]; one B pixel is masked.
 */
import type { WritableHdu } from '../../../src/io/fits/types.js';

export const DESI_STEP = 0.8;
export const FLUX = { B: 1, R: 3, Z: 5 } as const;
export const IVAR = { B: 1, R: 3, Z: 2 } as const;

export interface DesiLikeOptions {
  nspec?: number;
  /** Pixels per camera and starts (Angstrom). */
  cameras?: Record<'B' | 'R' | 'Z', { start: number; n: number }>;
  /** Index of the masked B pixel. */
  maskedB?: number;
  targetIds?: bigint[];
  ra?: number[];
  dec?: number[];
}

export const SMALL_CAMERAS = {
  B: { start: 3600, n: 100 }, // 3600.0 - 3679.2
  R: { start: 3660, n: 100 }, // 3660.0 - 3739.2: 25 pixels shared with B
  Z: { start: 3720.4, n: 50 }, // off the lattice, overlapping R
};

export function desiLikeHdus(options: DesiLikeOptions = {}): WritableHdu[] {
  const nspec = options.nspec ?? 2;
  const cameras = options.cameras ?? SMALL_CAMERAS;
  const maskedB = options.maskedB ?? 10;
  const hdus: WritableHdu[] = [
    {
      kind: 'bintable',
      extname: 'FIBERMAP',
      columns: [
        { name: 'TARGETID', data: BigInt64Array.from(options.targetIds ?? Array.from({ length: nspec }, (_, s) => BigInt(1000 + s))) },
        { name: 'TARGET_RA', data: Float64Array.from(options.ra ?? Array.from({ length: nspec }, (_, s) => 150 + s)) },
        { name: 'TARGET_DEC', data: Float64Array.from(options.dec ?? Array.from({ length: nspec }, (_, s) => 2 + s / 10)) },
      ],
    },
  ];
  for (const camera of ['B', 'R', 'Z'] as const) {
    const { start, n } = cameras[camera];
    const wave = Float64Array.from({ length: n }, (_, i) => start + DESI_STEP * i);
    const flux = Float32Array.from({ length: nspec * n }, (_, k) => FLUX[camera] + Math.floor(k / n));
    const ivar = new Float32Array(nspec * n).fill(IVAR[camera]);
    const mask = new Int32Array(nspec * n);
    if (camera === 'B') for (let s = 0; s < nspec; s++) mask[s * n + maskedB] = 1;
    hdus.push(
      { kind: 'image', extname: `${camera}_WAVELENGTH`, shape: [n], data: wave, cards: [{ key: 'BUNIT', value: 'Angstrom' }] },
      { kind: 'image', extname: `${camera}_FLUX`, shape: [nspec, n], data: flux, cards: [{ key: 'BUNIT', value: '10**-17 erg/(s cm2 Angstrom)' }] },
      { kind: 'image', extname: `${camera}_IVAR`, shape: [nspec, n], data: ivar },
      { kind: 'image', extname: `${camera}_MASK`, shape: [nspec, n], data: mask },
    );
  }
  return hdus;
}
