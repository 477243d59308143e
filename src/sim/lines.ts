/**
 * Nebular emission lines of star-forming galaxies, scaled to the star-formation rate.
 *
 * H-alpha from Kennicutt 98 (SFR = 7.9e-42 L(Ha), extinction-corrected), the other lines by ratios:
 * - H-beta = Ha / 2.86, H-gamma = 0.468 Hb, H-delta = 0.259 Hb (Case B, 10^4 K; Osterbrock & Ferland 06);
 * - [OII]3727+3729 = (7.9e-42 / 1.4e-41) Ha, Kennicutt's two SFR calibrations (PHYSICS.md), split 1 : 1.4
 *   (3727 : 3729, the low-density limit);
 * - [NII]6585 / Ha from the gas metallicity (Kewley & Ellison 08 mass-metallicity on the PP04 N2 scale),
 *   [NII]6550 = 6585 / 2.94 (PHYSICS.md);
 * - [OIII]5008 / Hb from N2 along the star-forming branch of the BPT diagram (Kauffmann+03 less 0.2 dex),
 *   [OIII]4960 = 5008 / 2.875 (PHYSICS.md); [NeIII]3870 = 0.07 [OIII]5008 (Izotov+06);
 * - [SII]6718+6733 / Ha and the doublet ratio from the femtemp97 template's EMLINE fluxes (the real
 *   emission-line template shipped in data/templates).
 * Every line is then attenuated by dust: A(Ha) vs mass from Garn & Best 10, scaled to each wavelength
 * with the Cardelli+89 curve (R_V = 3.1), so the observed Balmer decrement exceeds 2.86 for massive discs.
 */
import { ccmExtinction, haAttenuation } from './relations.js';

/** Vacuum rest wavelengths in Angstrom (PHYSICS.md). */
export const LINE_WAVELENGTHS = {
  OII_3727: 3727.09,
  OII_3730: 3729.87,
  NeIII_3870: 3869.86,
  Hdelta: 4102.89,
  Hgamma: 4341.68,
  Hbeta: 4862.68,
  OIII_4960: 4960.3,
  OIII_5008: 5008.24,
  NII_6550: 6549.85,
  Halpha: 6564.61,
  NII_6585: 6585.28,
  SII_6718: 6718.29,
  SII_6733: 6732.67,
} as const;

export type LineName = keyof typeof LINE_WAVELENGTHS;

/** Strong absorption features (vacuum rest Angstrom, PHYSICS.md), used to keep them out of line windows. */
export const ABSORPTION_WAVELENGTHS = {
  CaII_K: 3934.8,
  CaII_H: 3969.6,
  Gband: 4305.6,
  Mgb_blue: 5168.8,
  Mgb_red: 5185.0,
  NaD_1: 5891.6,
  NaD_2: 5897.6,
} as const;

/** Balmer absorption lines (vacuum) whose depth tracks age, not metallicity: H-alpha to H10. */
export const BALMER_WAVELENGTHS = [6564.61, 4862.68, 4341.68, 4102.89, 3890.16, 3836.47, 3798.98] as const;

/** Kennicutt 98 H-alpha calibration: SFR (Msun/yr) = 7.9e-42 L(Ha) (erg/s). */
export const KENNICUTT_HA = 7.9e-42;
/** Kennicutt 98 [OII] calibration: SFR = 1.4e-41 L([OII]). */
export const KENNICUTT_OII = 1.4e-41;
/** Case B intrinsic H-alpha / H-beta (PHYSICS.md). */
export const BALMER_DECREMENT = 2.86;

/** Ratios read from the femtemp97 emission-line template (see templates.ts). */
export interface FemtempRatios {
  /** ([SII]6718 + [SII]6733) / H-alpha. */
  siiToHa: number;
  /** [SII]6718 / [SII]6733. */
  siiDoublet: number;
}

export interface LineLuminosity {
  name: LineName;
  /** Vacuum rest wavelength, Angstrom. */
  restLambda: number;
  /** Observed-side (attenuated) luminosity, erg/s. */
  luminosity: number;
}

export interface NebularInputs {
  /** Star-formation rate, Msun/yr. */
  sfr: number;
  /** log10 stellar mass (sets dust and metallicity). */
  logM: number;
  /** log([NII]6585/Ha) from the gas metallicity (relations.n2FromOxygen). */
  n2: number;
  /** log([OIII]5008/Hb). */
  o3: number;
}

/** Emission-line luminosities (attenuated) for a galaxy forming stars at `sfr`. */
export function nebularLines(inputs: NebularInputs, femtemp: FemtempRatios): LineLuminosity[] {
  const ha = inputs.sfr / KENNICUTT_HA;
  const hb = ha / BALMER_DECREMENT;
  const oiiTotal = ha * (KENNICUTT_HA / KENNICUTT_OII);
  const nii = ha * Math.pow(10, inputs.n2);
  const oiii = hb * Math.pow(10, inputs.o3);
  const sii = ha * femtemp.siiToHa;
  const intrinsic: Record<LineName, number> = {
    OII_3727: oiiTotal / 2.4,
    OII_3730: (oiiTotal * 1.4) / 2.4,
    NeIII_3870: 0.07 * oiii,
    Hdelta: 0.259 * hb,
    Hgamma: 0.468 * hb,
    Hbeta: hb,
    OIII_4960: oiii / 2.875,
    OIII_5008: oiii,
    NII_6550: nii / 2.94,
    Halpha: ha,
    NII_6585: nii,
    SII_6718: (sii * femtemp.siiDoublet) / (1 + femtemp.siiDoublet),
    SII_6733: sii / (1 + femtemp.siiDoublet),
  };
  const aHa = haAttenuation(inputs.logM);
  const kHa = ccmExtinction(LINE_WAVELENGTHS.Halpha);
  const out: LineLuminosity[] = [];
  for (const name of Object.keys(LINE_WAVELENGTHS) as LineName[]) {
    const lambda = LINE_WAVELENGTHS[name];
    const aLine = (aHa * ccmExtinction(lambda)) / kHa;
    out.push({ name, restLambda: lambda, luminosity: intrinsic[name] * Math.pow(10, -0.4 * aLine) });
  }
  return out;
}
