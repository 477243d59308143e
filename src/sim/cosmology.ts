/**
 * Flat Lambda-CDM distances and ages. The default (H0 = 70, Omega_m = 0.3) is the cosmology
 * Speagle+14 and van der Wel+14 assume, so their relations apply without conversion.
 * Radiation is neglected (< 1e-4 effect below z = 6).
 */

/** Speed of light in km/s. */
export const C_KMS = 299792.458;
/** One megaparsec in cm. */
export const MPC_CM = 3.0856775814913673e24;
/** 1/H0 in Gyr for H0 in km/s/Mpc: 977.792 / H0. */
const HUBBLE_TIME_GYR_X_H0 = 977.792221;

export interface CosmologyParams {
  /** Hubble constant, km/s/Mpc. */
  h0: number;
  /** Matter density today (flat: Omega_Lambda = 1 - Omega_m). */
  omegaM: number;
}

export const DEFAULT_COSMOLOGY: CosmologyParams = { h0: 70, omegaM: 0.3 };

export class Cosmology {
  readonly params: CosmologyParams;
  private readonly zMax = 8;
  private readonly dz = 0.0005;
  /** Comoving distance (Mpc) on the grid z = i * dz. */
  private readonly dcTable: Float64Array;

  constructor(params: CosmologyParams = DEFAULT_COSMOLOGY) {
    this.params = params;
    const n = Math.round(this.zMax / this.dz) + 1;
    this.dcTable = new Float64Array(n);
    const hubbleDist = C_KMS / params.h0;
    // Cumulative Simpson over each step (midpoint included), exact to ~1e-12 for this smooth integrand.
    let acc = 0;
    for (let i = 1; i < n; i++) {
      const z0 = (i - 1) * this.dz;
      const z1 = i * this.dz;
      acc += (this.dz / 6) * (this.invE(z0) + 4 * this.invE(0.5 * (z0 + z1)) + this.invE(z1));
      this.dcTable[i] = acc * hubbleDist;
    }
  }

  /** 1/E(z) with E = H(z)/H0. */
  private invE(z: number): number {
    const { omegaM } = this.params;
    const a = 1 + z;
    return 1 / Math.sqrt(omegaM * a * a * a + (1 - omegaM));
  }

  /** Line-of-sight comoving distance in Mpc. */
  comovingDistanceMpc(z: number): number {
    if (z <= 0) return 0;
    const x = Math.min(z, this.zMax) / this.dz;
    const i = Math.min(Math.floor(x), this.dcTable.length - 2);
    const f = x - i;
    return this.dcTable[i] * (1 - f) + this.dcTable[i + 1] * f;
  }

  luminosityDistanceMpc(z: number): number {
    return (1 + z) * this.comovingDistanceMpc(z);
  }

  angularDiameterDistanceMpc(z: number): number {
    return this.comovingDistanceMpc(z) / (1 + z);
  }

  /** Angular diameter distance between z1 < z2 (flat universe), for lensing geometry. */
  angularDiameterDistanceBetweenMpc(z1: number, z2: number): number {
    return (this.comovingDistanceMpc(z2) - this.comovingDistanceMpc(z1)) / (1 + z2);
  }

  /** Distance modulus m - M = 5 log10(d_L / 10 pc). */
  distanceModulus(z: number): number {
    return 5 * Math.log10(this.luminosityDistanceMpc(z) * 1e5);
  }

  /** Kiloparsecs per arcsecond at redshift z. */
  kpcPerArcsec(z: number): number {
    return (this.angularDiameterDistanceMpc(z) * 1000 * Math.PI) / (180 * 3600);
  }

  /** Cosmic age at z in Gyr (closed form for flat Lambda-CDM without radiation). */
  ageGyr(z: number): number {
    const { h0, omegaM } = this.params;
    const omegaL = 1 - omegaM;
    const tH = HUBBLE_TIME_GYR_X_H0 / h0;
    return ((2 * tH) / (3 * Math.sqrt(omegaL))) * Math.asinh(Math.sqrt(omegaL / omegaM) * Math.pow(1 + z, -1.5));
  }
}
