/**
 * Published scaling relations the mock population follows, one pure function each, with its
 * source. The numbers that PHYSICS.md fixes are used exactly as written there; the others are
 * cited where they are defined. Masses are log10(M* / Msun); SFR in Msun/yr.
 *
 * IMF note: Bell+03 (diet Salpeter), Speagle+14 (Kroupa) and Kennicutt 98 (Salpeter) assume
 * different IMFs; they are used as published, without conversion (a ~0.1-0.2 dex offset that the
 * mock keeps, documented in docs/mock-survey.md).
 */

/** Speagle+14 star-forming main sequence: log SFR = (0.84 - 0.026 t) log M* - (6.51 - 0.11 t). */
export function mainSequenceLogSfr(logM: number, cosmicAgeGyr: number): number {
  const t = cosmicAgeGyr;
  return (0.84 - 0.026 * t) * logM - (6.51 - 0.11 * t);
}

/** Speagle+14 scatter about the main sequence (dex). */
export const MAIN_SEQUENCE_SCATTER_DEX = 0.2;

/** sSFR below which a galaxy counts as quenched (PHYSICS.md): 1e-11 /yr. */
export const QUENCHED_LOG_SSFR = -11;

/** Bell+03 colour-M/L: log10(M/L_r) = -0.306 + 1.097 (g - r), in solar units. */
export function bellLogMassToLightR(gMinusR: number): number {
  return -0.306 + 1.097 * gMinusR;
}

/**
 * Luminosity evolution at fixed SED, added to the Bell+03 log M/L_r: the templates are z ~ 0 spectra,
 * but stellar populations seen at z are younger and brighter per unit mass. -0.45 z dex follows the
 * fundamental-plane evolution of early types (d log(M/L_B)/dz = -0.555, van Dokkum & van der Marel 07,
 * ApJ 655, 30; a bit less in r). Without it no 10^12 Msun galaxy would reach z < 20.4 at z ~ 1.
 */
export function massToLightEvolution(z: number): number {
  return -0.45 * z;
}

/**
 * van der Wel+14 size-mass relation: R_e = A (M* / 5e10)^alpha ((1+z)/1.25)^beta kpc, anchored at
 * their 0 < z < 0.5 bin (z ~ 0.25; log A = 0.60 early, 0.86 late), slopes alpha 0.75 / 0.22 and
 * evolution beta -1.48 / -0.75 (PHYSICS.md). Returns the median log10 R_e in kpc.
 */
export function sizeMassLogReKpc(logM: number, z: number, early: boolean): number {
  const logA = early ? 0.6 : 0.86;
  const alpha = early ? 0.75 : 0.22;
  const beta = early ? -1.48 : -0.75;
  return logA + alpha * (logM - Math.log10(5e10)) + beta * Math.log10((1 + z) / 1.25);
}

/** Scatter about the size-mass relation (PHYSICS.md: ~0.2 dex). */
export const SIZE_SCATTER_DEX = 0.2;

/**
 * Baldry+12 (GAMA, z < 0.06) double-Schechter stellar mass function, per dex per Mpc^3:
 * log M* = 10.66, phi1 = 3.96e-3, alpha1 = -0.35, phi2 = 0.79e-3, alpha2 = -1.47.
 * Used only for the shape of the mass distribution (no density evolution).
 */
export function stellarMassFunction(logM: number): number {
  const x = Math.pow(10, logM - 10.66);
  return Math.LN10 * Math.exp(-x) * (3.96e-3 * Math.pow(x, -0.35 + 1) + 0.79e-3 * Math.pow(x, -1.47 + 1));
}

/**
 * Fraction of quenched galaxies at fixed mass: a logistic in log M* (midpoint near 10^10.3-10.5 Msun
 * at z = 0, where half the galaxies are red: Baldry+06, Peng+10), whose midpoint moves up with z
 * (fewer quenched galaxies at earlier times). Parameters in config.quenching.
 */
export function quenchedFraction(logM: number, z: number, midpoint0: number, dMidpointDz: number, width: number): number {
  return 1 / (1 + Math.exp(-(logM - (midpoint0 + dMidpointDz * z)) / width));
}

/**
 * Median stellar (mass-weighted) metallicity log10(Z_star / Zsun) vs mass: a tanh fit to the
 * Gallazzi+05 (MNRAS 362, 41) SDSS medians (-0.6 below 10^9.5, -0.24 at 10^10.1, +0.15 above 10^11.5).
 */
export function stellarMetallicityMedian(logM: number): number {
  return -0.63 + 0.39 * (1 + Math.tanh((logM - 10.1) / 0.45));
}

/** Scatter about the stellar mass-metallicity relation: ~0.3 dex at low mass, ~0.12 at high (Gallazzi+05). */
export function stellarMetallicityScatter(logM: number): number {
  const high = 0.5 * (1 + Math.tanh((logM - 10.1) / 0.45));
  return 0.3 - 0.18 * high;
}

/**
 * Gas-phase 12 + log(O/H) on the Pettini & Pagel 04 N2 scale vs mass: Kewley & Ellison 08
 * (ApJ 681, 1183) polynomial for PP04-N2, valid 8.5 < log M* < 11 (clamped there).
 */
export function gasMetallicityPP04(logM: number): number {
  const x = Math.min(11, Math.max(8.5, logM));
  return 23.9049 - 5.62784 * x + 0.645142 * x * x - 0.0235065 * x * x * x;
}

/** log([NII]6585 / H-alpha) from 12 + log(O/H) by inverting PP04: 12 + log(O/H) = 8.90 + 0.57 N2. */
export function n2FromOxygen(oh: number): number {
  return Math.min(-0.2, (oh - 8.9) / 0.57);
}

/**
 * log([OIII]5008 / H-beta) of star-forming galaxies at given N2: Kauffmann+03's demarcation,
 * log(O3) = 0.61 / (N2 - 0.05) + 1.3, lowered by 0.2 dex to the ridge of the star-forming branch.
 */
export function o3FromN2(n2: number): number {
  return 0.61 / (Math.min(n2, -0.2) - 0.05) + 1.3 - 0.2;
}

/**
 * H-alpha attenuation (mag) vs mass, Garn & Best 2010 (MNRAS 409, 421):
 * A_Ha = 0.91 + 0.77 X + 0.11 X^2 - 0.09 X^3, X = log(M* / 1e10), clamped to [0, 3].
 */
export function haAttenuation(logM: number): number {
  const x = logM - 10;
  return Math.min(3, Math.max(0, 0.91 + 0.77 * x + 0.11 * x * x - 0.09 * x * x * x));
}

/**
 * Cardelli, Clayton & Mathis 1989 extinction curve A_lambda / A_V (R_V = 3.1), optical/NIR branch
 * (1.1 <= x <= 3.3 um^-1) and infrared branch below; clamped to the optical branch's UV end.
 */
export function ccmExtinction(lambdaAngstrom: number, rv = 3.1): number {
  const x = Math.min(3.3, 1e4 / lambdaAngstrom);
  if (x < 1.1) {
    const a = 0.574 * Math.pow(x, 1.61);
    const b = -0.527 * Math.pow(x, 1.61);
    return a + b / rv;
  }
  const y = x - 1.82;
  const a =
    1 + 0.17699 * y - 0.50447 * y ** 2 - 0.02427 * y ** 3 + 0.72085 * y ** 4 + 0.01979 * y ** 5 - 0.7753 * y ** 6 + 0.32999 * y ** 7;
  const b =
    1.41338 * y + 2.28305 * y ** 2 + 1.07233 * y ** 3 - 5.38434 * y ** 4 - 0.62251 * y ** 5 + 5.3026 * y ** 6 - 2.09002 * y ** 7;
  return a + b / rv;
}

/**
 * Central velocity dispersion of early types vs stellar mass (km/s), log sigma = 2.30 + 0.29 (log M* - 11)
 * (the sigma ~ M*^0.3 scaling of Zahid+16, ApJ 832, 203, ~200 km/s at 1e11 Msun). Sets lens Einstein radii.
 */
export function velocityDispersionKms(logM: number): number {
  return Math.pow(10, 2.3 + 0.29 * (logM - 11));
}

/**
 * Mass-weighted age as a fraction of the cosmic age, from the spectrum's Dn4000 (PHYSICS.md:
 * ~1.1-1.4 star-forming, ~1.8-2.1 passive). Linear between (Dn4000 1.1 -> 0.35) and (1.9 -> 0.85):
 * star-forming discs are half as old as the Universe in mass-weighted terms, passive galaxies
 * formed most of their mass early (Gallazzi+05 ages: ~3-5 Gyr at 1e9.5, ~9-11 Gyr at 1e11.5).
 */
export function ageFractionFromDn4000(dn4000: number): number {
  const f = 0.35 + ((dn4000 - 1.1) / (1.9 - 1.1)) * 0.5;
  return Math.min(0.92, Math.max(0.2, f));
}
