/**
 * Wavelength grids of spectra, in Angstrom: unit conversion for table columns, and the 1-D
 * spectral WCS of images as IRAF/SDSS write it:
 *   pixel p (1-based) -> x = CRVAL1 + CD1_1 * (p - CRPIX1)   (CDELT1 when there is no CD1_1)
 *   DC-FLAG = 0 or absent: lambda = x;  DC-FLAG = 1: lambda = 10^x (log-linear).
 * CD1_1 wins over CDELT1, as in the FITS WCS standard (Greisen & Calabretta 2002, 2.1.2).
 * CRPIX1 defaults to 1. Files with only SDSS's COEFF0/COEFF1 (log10 lambda of pixel 1 and
 * per-pixel step) are read as log-linear with CRPIX1 = 1. CUNIT1 (or IRAF's WAT1_001
 * "units=...") gives the unit; Angstrom when none is given.
 */
import { ioError } from './io-error.js';
import { cardNumber, cardString } from './fits/header.js';
import type { HeaderCard } from './fits/types.js';

const ANGSTROM_PER_UNIT: Record<string, number> = {
  '': 1,
  a: 1,
  aa: 1,
  'å': 1,
  angstrom: 1,
  angstroms: 1,
  '0.1nm': 1,
  nm: 10,
  nanometer: 10,
  nanometers: 10,
  um: 1e4,
  micron: 1e4,
  microns: 1e4,
  micrometer: 1e4,
  cm: 1e8,
  m: 1e10,
};

/** Angstrom per unit of `unit` (case and blanks ignored); UNSUPPORTED for other units. */
export function angstromPerUnit(unit: string | undefined, source: string, what: string): number {
  const key = (unit ?? '').toLowerCase().replace(/\s+/g, '');
  const factor = ANGSTROM_PER_UNIT[key];
  if (factor === undefined) throw ioError('UNSUPPORTED', source, `${what}: wavelength unit '${unit}' is not one skyclip converts to Angstrom`);
  return factor;
}

export interface SpectralWcs {
  crval: number;
  step: number;
  crpix: number;
  logarithmic: boolean;
  /** Angstrom per WCS unit (applied to lambda, i.e. after 10^x for log-linear grids). */
  angstromPerUnit: number;
}

function wcsUnit(cards: HeaderCard[]): string | undefined {
  const cunit = cardString(cards, 'CUNIT1');
  if (cunit !== undefined) return cunit;
  const wat = cardString(cards, 'WAT1_001');
  return wat ? /units=(\S+)/i.exec(wat)?.[1] : undefined;
}

/** The spectral WCS of axis 1, or an UNUSABLE/UNSUPPORTED error saying what is missing. */
export function readSpectralWcs(cards: HeaderCard[], source: string, what: string): SpectralWcs {
  const ctype = cardString(cards, 'CTYPE1')?.trim().toUpperCase() ?? '';
  if (ctype.endsWith('-LOG') || ctype.endsWith('-TAB') || ctype.endsWith('-F2W')) {
    throw ioError('UNSUPPORTED', source, `${what}: spectral WCS CTYPE1 = '${ctype}' is not supported (linear or DC-FLAG log-linear only)`);
  }
  const factor = angstromPerUnit(wcsUnit(cards), source, what);
  let crval = cardNumber(cards, 'CRVAL1');
  let step = cardNumber(cards, 'CD1_1') ?? cardNumber(cards, 'CDELT1');
  let crpix = cardNumber(cards, 'CRPIX1') ?? 1;
  let dcFlag = cardNumber(cards, 'DC-FLAG') ?? 0;
  if (crval === undefined && cardNumber(cards, 'COEFF0') !== undefined) {
    crval = cardNumber(cards, 'COEFF0');
    step = cardNumber(cards, 'COEFF1');
    crpix = 1;
    dcFlag = 1;
  }
  if (crval === undefined || step === undefined) {
    throw ioError('UNUSABLE', source, `${what}: no wavelength solution (needs CRVAL1 and CD1_1 or CDELT1)`);
  }
  if (dcFlag !== 0 && dcFlag !== 1) {
    throw ioError('UNSUPPORTED', source, `${what}: DC-FLAG = ${dcFlag} (only 0 = linear and 1 = log10-linear are supported)`);
  }
  if (step === 0) throw ioError('UNUSABLE', source, `${what}: the wavelength step (CD1_1/CDELT1) is 0`);
  return { crval, step, crpix, logarithmic: dcFlag === 1, angstromPerUnit: factor };
}

/** Wavelength (Angstrom) of each of `n` pixels. */
export function wcsWavelengths(wcs: SpectralWcs, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    const x = wcs.crval + wcs.step * (i + 1 - wcs.crpix);
    out[i] = (wcs.logarithmic ? 10 ** x : x) * wcs.angstromPerUnit;
  }
  return out;
}
