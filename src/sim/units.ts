/**
 * Physical constants and the survey's flux units, in one place so every module converts
 * the same way.
 */

/** Speed of light in Angstrom/s (for f_nu = lambda^2 f_lambda / c). */
export const C_ANGSTROM_PER_S = 2.99792458e18;
/** One nanomaggy in erg/s/cm^2/Hz: 3631 Jy * 10^(-0.4 * 22.5), since m_AB = 22.5 - 2.5 log10(f). */
export const NANOMAGGY_CGS = 3631e-23 * Math.pow(10, -0.4 * 22.5);
/** The spectra's flux unit: DESI's 1e-17 erg/s/cm^2/Angstrom. */
export const SPECTRUM_UNIT_CGS = 1e-17;
/** 10 parsecs in cm (absolute magnitudes). */
export const TEN_PC_CM = 3.0856775814913673e19;
/** Solar luminosity in erg/s (IAU 2015 nominal). */
export const L_SUN_ERG_S = 3.828e33;
/**
 * Absolute AB magnitude of the Sun in the r band, 4.65 (Willmer 2018, ApJS 236, 47; SDSS r,
 * which DECam r matches to a few hundredths). Converts L_r in solar units to M_r for Bell+03.
 */
export const M_SUN_R_AB = 4.65;

/** AB magnitude from nanomaggies; +Infinity for non-positive flux. */
export function nanomaggiesToMag(flux: number): number {
  return flux > 0 ? 22.5 - 2.5 * Math.log10(flux) : Number.POSITIVE_INFINITY;
}

export function magToNanomaggies(mag: number): number {
  return Math.pow(10, -0.4 * (mag - 22.5));
}
